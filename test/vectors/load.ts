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

// ---- query vectors: who-can, rules-for, covers, escalation ---------------------------------------------------------
// Formats (every file also has "description" and "source"; "objects"/"objectsFile"/"options" as above):
//   who-can/NNN-*.json    { objects..., "requests": [{ "description", "spec": <SubjectAccessReview v1 spec; user fields
//                           ignored>, "expect": { "subjects": [{ "kind", "apiGroup"?, "name", "namespace"? }],
//                           "errors"?: [resolution error texts] } }] }
//                         subjects and errors are compared as de-duplicated, order-insensitive sets; an absent
//                         apiGroup/namespace means "". system:masters is always part of the answer (list it).
//   rules-for/NNN-*.json  { objects..., "requests": [{ "description", "input": { "user", "groups"?, "namespace"? },
//                           "expect": { "resourceRules": [{ "verbs", "apiGroups", "resources", "resourceNames"? }],
//                           "nonResourceRules": [{ "verbs", "nonResourceURLs" }], "evaluationError"?: string } }] }
//                         rules are compared as multisets (absent lists mean []), ignoring the engine's "source";
//                         an absent evaluationError means "".
//   covers/NNN-*.json     { "owner": [rules], "servant": [rules], "expect": { "covers", "uncovered": [rules, in order],
//                           "missing"?: [compacted lines, sorted] } }  or  { "cases": [{ "description", "owner",
//                           "servant", "expect" }] } for a table of small cases. Absent rule fields mean [].
//   escalation/NNN-*.json { objects..., "requests": [{ "description", "input": { "user", "groups"?, "namespace"?,
//                           "kind": "Role" | "ClusterRole", "name", "rules" }, "expect": { "allowed", "via"?,
//                           "message"? } }] }  (via and message are checked when given; message is byte-exact)

export interface SubjectRef { kind: string; apiGroup?: string; name: string; namespace?: string }
export interface RuleLike { verbs?: string[]; apiGroups?: string[]; resources?: string[]; resourceNames?: string[]; nonResourceURLs?: string[] }

interface PolicyVector<R> {
  file: string;
  description: string;
  source?: string;
  objects: object[];
  options: { aggregate: boolean };
  requests: R[];
}

export interface WhoCanRequest {
  description: string;
  spec: Record<string, unknown>;
  expect: { subjects: SubjectRef[]; errors?: string[] };
}
export type WhoCanVector = PolicyVector<WhoCanRequest>;

export interface RulesForRequest {
  description: string;
  input: { user: string; groups?: string[]; namespace?: string };
  expect: {
    resourceRules: RuleLike[];
    nonResourceRules: RuleLike[];
    evaluationError?: string;
  };
}
export type RulesForVector = PolicyVector<RulesForRequest>;

export interface EscalationRequest {
  description: string;
  input: { user: string; groups?: string[]; namespace?: string; kind: "Role" | "ClusterRole"; name: string; rules: RuleLike[] };
  expect: { allowed: boolean; via?: "" | "system:masters" | "escalate" | "covered"; message?: string };
}
export type EscalationVector = PolicyVector<EscalationRequest>;

export interface CoversCase {
  description: string;
  owner: RuleLike[];
  servant: RuleLike[];
  expect: { covers: boolean; uncovered: RuleLike[]; missing?: string[] };
}
export interface CoversVector {
  file: string;
  description: string;
  source?: string;
  cases: CoversCase[];
}

function readArea(area: string): { file: string; raw: any }[] {
  const dir = join(REPO_ROOT, "test", "vectors", area);
  return readdirSync(dir).filter((f) => f.endsWith(".json")).sort().map((f) => ({
    file: `test/vectors/${area}/${f}`,
    raw: JSON.parse(readFileSync(join(dir, f), "utf8")),
  }));
}

function policyVector<R>(file: string, raw: any, check: (r: any, i: number) => void): PolicyVector<R> {
  if (typeof raw.description !== "string") throw new Error(`${file}: "description" must be a string`);
  if (!Array.isArray(raw.requests) || raw.requests.length === 0) throw new Error(`${file}: "requests" must be a non-empty array`);
  if (raw.objects === undefined && raw.objectsFile === undefined) throw new Error(`${file}: needs "objects" or "objectsFile"`);
  const objects: object[] = [];
  if (raw.objectsFile !== undefined) {
    const path = resolve(REPO_ROOT, raw.objectsFile);
    if (!path.startsWith(REPO_ROOT + "/")) throw new Error(`${file}: objectsFile must stay inside the repository`);
    const data = JSON.parse(readFileSync(path, "utf8"));
    objects.push(...(Array.isArray(data) ? data : [data]));
  }
  if (raw.objects !== undefined) objects.push(...raw.objects);
  raw.requests.forEach((r: any, i: number) => {
    if (typeof r?.description !== "string") throw new Error(`${file}: requests[${i}].description must be a string`);
    if (r.expect == null || typeof r.expect !== "object") throw new Error(`${file}: requests[${i}].expect is missing`);
    check(r, i);
  });
  return {
    file, description: raw.description, source: raw.source, objects,
    options: { aggregate: raw.options?.aggregate !== false }, requests: raw.requests,
  };
}

export function loadWhoCanVectors(area = "who-can"): WhoCanVector[] {
  return readArea(area).map(({ file, raw }) => policyVector<WhoCanRequest>(file, raw, (r, i) => {
    if (r.spec == null || typeof r.spec !== "object") throw new Error(`${file}: requests[${i}].spec is missing`);
    if (!Array.isArray(r.expect.subjects)) throw new Error(`${file}: requests[${i}].expect.subjects must be an array`);
  }));
}

export function loadRulesForVectors(area = "rules-for"): RulesForVector[] {
  return readArea(area).map(({ file, raw }) => policyVector<RulesForRequest>(file, raw, (r, i) => {
    if (typeof r.input?.user !== "string") throw new Error(`${file}: requests[${i}].input.user must be a string`);
    if (!Array.isArray(r.expect.resourceRules) || !Array.isArray(r.expect.nonResourceRules)) {
      throw new Error(`${file}: requests[${i}].expect needs resourceRules and nonResourceRules arrays`);
    }
  }));
}

export function loadEscalationVectors(area = "escalation"): EscalationVector[] {
  return readArea(area).map(({ file, raw }) => policyVector<EscalationRequest>(file, raw, (r, i) => {
    const input = r.input;
    if (typeof input?.user !== "string" || typeof input?.name !== "string" || !Array.isArray(input?.rules) ||
      (input.kind !== "Role" && input.kind !== "ClusterRole")) {
      throw new Error(`${file}: requests[${i}].input needs user, kind (Role|ClusterRole), name and rules`);
    }
    if (typeof r.expect.allowed !== "boolean") throw new Error(`${file}: requests[${i}].expect.allowed must be a boolean`);
  }));
}

export function loadCoversVectors(area = "covers"): CoversVector[] {
  return readArea(area).map(({ file, raw }) => {
    if (typeof raw.description !== "string") throw new Error(`${file}: "description" must be a string`);
    const cases: CoversCase[] = Array.isArray(raw.cases)
      ? raw.cases
      : [{ description: raw.description, owner: raw.owner, servant: raw.servant, expect: raw.expect }];
    cases.forEach((c, i) => {
      if (!Array.isArray(c.owner) || !Array.isArray(c.servant)) throw new Error(`${file}: case ${i} needs owner and servant arrays`);
      if (typeof c.expect?.covers !== "boolean" || !Array.isArray(c.expect?.uncovered)) {
        throw new Error(`${file}: case ${i} needs expect.covers and expect.uncovered`);
      }
    });
    return { file, description: raw.description, source: raw.source, cases };
  });
}

// ---- lint vectors (test/vectors/lint/NNN-<concept>.json) -----------------------------------------------------------
// { "description", "source", "objects": [raw Kubernetes objects] and/or "objectsFile", "options"?: {"aggregate"},
//   "config"?: <lint configuration, as engine.lint({config}) takes it>,
//   "expect": { "present": [{ "concept", "object": "Kind/namespace/name" }], "absent": [{ "concept", "object" }] } }
// Exactly the listed (concept, object) pairs are checked: present ones must be reported (unsuppressed), absent ones
// must not be; other findings may appear.

export interface LintPair { concept: string; object: string }

export interface LintVector {
  file: string;
  description: string;
  source?: string;
  objects: object[];
  options: { aggregate: boolean };
  config?: Record<string, unknown>;
  expect: { present: LintPair[]; absent: LintPair[] };
}

function lintPairs(file: string, raw: unknown, field: string): LintPair[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw new Error(`${file}: expect.${field} must be an array`);
  return raw.map((p: any, i: number) => {
    if (typeof p?.concept !== "string" || typeof p?.object !== "string") {
      throw new Error(`${file}: expect.${field}[${i}] needs "concept" and "object" strings`);
    }
    return { concept: p.concept, object: p.object };
  });
}

export function loadLintVectors(area = "lint"): LintVector[] {
  return readArea(area).map(({ file, raw }) => {
    if (typeof raw.description !== "string") throw new Error(`${file}: "description" must be a string`);
    if (raw.objects === undefined && raw.objectsFile === undefined) throw new Error(`${file}: needs "objects" or "objectsFile"`);
    if (raw.expect == null || typeof raw.expect !== "object") throw new Error(`${file}: "expect" is missing`);
    const objects: object[] = [];
    if (raw.objectsFile !== undefined) {
      const path = resolve(REPO_ROOT, raw.objectsFile);
      if (!path.startsWith(REPO_ROOT + "/")) throw new Error(`${file}: objectsFile must stay inside the repository`);
      const data = JSON.parse(readFileSync(path, "utf8"));
      objects.push(...(Array.isArray(data) ? data : [data]));
    }
    if (raw.objects !== undefined) objects.push(...raw.objects);
    const present = lintPairs(file, raw.expect.present, "present");
    const absent = lintPairs(file, raw.expect.absent, "absent");
    if (present.length + absent.length === 0) throw new Error(`${file}: expect lists no (concept, object) pair`);
    return {
      file, description: raw.description, source: raw.source, objects,
      options: { aggregate: raw.options?.aggregate !== false }, config: raw.config, expect: { present, absent },
    };
  });
}
