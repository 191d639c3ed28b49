// Loads the RequestInfo vectors (test/vectors/requestinfo/NNN-*.json) for every runner: the Node library,
// the core's rbac_request_info on the Envoy build, and the filter itself. Format:
//   { "description", "source", "cases": [{ "description"?, "method", "url" (request-target: path?query, as sent),
//     "expect": { "isResourceRequest", "path", "verb", "apiPrefix", "apiGroup", "apiVersion", "namespace",
//                 "resource", "subresource", "name", "parts", "error"?: true } }] }
// Every field in "expect" is compared; "error": true means kube-apiserver refuses the request itself (its text is
// ours, not asserted); no "error" means there must be none. Regenerate with generate.ts.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../load.js";

export interface RequestInfoCase {
  description?: string;
  method: string;
  url: string;
  expect: Record<string, unknown>;
}

export interface RequestInfoVector {
  file: string;
  description: string;
  source: string;
  cases: RequestInfoCase[];
}

export function loadRequestInfoVectors(): RequestInfoVector[] {
  const dir = join(REPO_ROOT, "test", "vectors", "requestinfo");
  return readdirSync(dir).filter((f) => f.endsWith(".json")).sort().map((f) => {
    const file = `test/vectors/requestinfo/${f}`;
    const raw = JSON.parse(readFileSync(join(dir, f), "utf8"));
    if (typeof raw.description !== "string" || !Array.isArray(raw.cases) || raw.cases.length === 0) {
      throw new Error(`${file}: needs "description" and a non-empty "cases" array`);
    }
    raw.cases.forEach((c: any, i: number) => {
      if (typeof c.method !== "string" || typeof c.url !== "string" || c.expect === null || typeof c.expect !== "object") {
        throw new Error(`${file}: cases[${i}] needs method, url and expect`);
      }
    });
    return { file, description: raw.description, source: raw.source, cases: raw.cases };
  });
}

/** The fields of `got` that differ from the case's expectation (empty when it matches). */
export function requestInfoMismatches(got: Record<string, unknown>, expect: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const [k, want] of Object.entries(expect)) {
    if (k === "error") continue;
    if (JSON.stringify(got[k]) !== JSON.stringify(want)) out.push(`${k}: got ${JSON.stringify(got[k])}, want ${JSON.stringify(want)}`);
  }
  const hasError = typeof got.error === "string" && got.error.length > 0;
  if (hasError !== (expect.error === true)) out.push(`error: got ${JSON.stringify(got.error)}, want ${expect.error === true ? "an error" : "none"}`);
  return out;
}

/** A short test title for a case. */
export function caseTitle(c: RequestInfoCase): string {
  const url = c.url.length > 90 ? c.url.slice(0, 87) + "..." : c.url;
  return `${c.method} ${JSON.stringify(url)}${c.description ? ` (${c.description})` : ""}`;
}
