// Loads the shared JSON test vectors (test/vectors/<area>/NNN-slug.json) for every runner: oracle, wasm engine,
// browser and Envoy build. Format of an authorize vector:
//   { "description", "source", "objects": [raw RBAC objects] and/or "objectsFile": "<path from the repo root>",
//     "options": { "aggregate": true }   (optional, default true),
//     "requests": [{ "description", "spec": <SubjectAccessReview v1 spec>,
//                    "expect": { "allowed", "reason" (byte-exact), "evaluationError": true (optional) } }] }
// When both objectsFile and objects are given, the file's objects come first, then the inline ones.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

export interface VectorRequest {
  description: string;
  spec: Record<string, unknown>;
  expect: { allowed: boolean; reason: string; evaluationError?: boolean };
}

export interface Vector {
  /** path relative to the repo root, e.g. "test/vectors/authorize/001-foo.json" */
  file: string;
  description: string;
  source?: string;
  objects: object[];
  options: { aggregate: boolean };
  requests: VectorRequest[];
}

export function loadVectors(area: string): Vector[] {
  const dir = join(REPO_ROOT, "test", "vectors", area);
  const files = readdirSync(dir).filter((f) => f.endsWith(".json")).sort();
  return files.map((f) => {
    const file = `test/vectors/${area}/${f}`;
    const raw = JSON.parse(readFileSync(join(dir, f), "utf8"));
    if (!Array.isArray(raw.requests)) throw new Error(`${file}: "requests" must be an array`);
    if (raw.objects === undefined && raw.objectsFile === undefined) throw new Error(`${file}: needs "objects" or "objectsFile"`);
    const objects: object[] = [];
    if (raw.objectsFile !== undefined) {
      const path = resolve(REPO_ROOT, raw.objectsFile);
      if (!path.startsWith(REPO_ROOT + "/")) throw new Error(`${file}: objectsFile must stay inside the repository`);
      const data = JSON.parse(readFileSync(path, "utf8"));
      objects.push(...(Array.isArray(data) ? data : [data]));
    }
    if (raw.objects !== undefined) objects.push(...raw.objects);
    return {
      file,
      description: raw.description,
      source: raw.source,
      objects,
      options: { aggregate: raw.options?.aggregate !== false },
      requests: raw.requests,
    };
  });
}
