// The shared query vectors (who-can, rules-for, covers, escalation), each decided twice: by the wasm engine in
// Node and by the naive Kubernetes port (test/oracle). A vector is trusted only when both agree with it.
import { describe, test, expect, beforeAll } from "vitest";
import { createEngine, type Engine } from "../../bindings/index.js";
import { NaiveAuthorizer } from "../oracle/k8s-rbac.js";
import { covers as oracleCovers, missingDescriptions, checkEscalation, subjectRulesReview, normalizeRule }
  from "../oracle/k8s-queries.js";
import { loadWhoCanVectors, loadRulesForVectors, loadCoversVectors, loadEscalationVectors } from "../vectors/load.js";
import { subjectSet, stringSet, fullRule, multiset, resourceRuleKey, nonResourceRuleKey } from "../vectors/compare.js";

// Engine answers known to differ from Kubernetes (see the report of the change that added these vectors).
// The oracle must still agree with the vector; the engine is asserted to STILL differ, so that fixing the
// engine makes the entry fail here and get removed. Key: "<file>#<request or case description>".
// Engine bugs the vectors found are fixed; a new one is listed here with its reason until fixed.
const KNOWN_ENGINE_BUGS: Record<string, string> = {
};
const knownBug = (file: string, description: string) => KNOWN_ENGINE_BUGS[`${file}#${description}`];

/** Asserts the engine's value: equal to the expectation, or, for a known engine bug, still different. */
function expectEngine(file: string, description: string, got: unknown, want: unknown, label = "engine") {
  if (knownBug(file, description)) expect(got, `${label} (known bug fixed? remove it from KNOWN_ENGINE_BUGS)`).not.toEqual(want);
  else expect(got, label).toEqual(want);
}

const whoCan = loadWhoCanVectors();
const rulesFor = loadRulesForVectors();
const coversVectors = loadCoversVectors();
const escalation = loadEscalationVectors();

test("every query area has vectors, and every known engine bug names one", () => {
  const keys = [
    ...[...whoCan, ...rulesFor, ...escalation].flatMap((v) => v.requests.map((r) => `${v.file}#${r.description}`)),
    ...coversVectors.flatMap((v) => v.cases.map((c) => `${v.file}#${c.description}`)),
  ];
  for (const k of Object.keys(KNOWN_ENGINE_BUGS)) expect(keys, k).toContain(k);
  expect(whoCan.length).toBeGreaterThan(0);
  expect(rulesFor.length).toBeGreaterThan(0);
  expect(coversVectors.length).toBeGreaterThan(0);
  expect(escalation.length).toBeGreaterThan(0);
});

describe.each(whoCan)("who-can $file", (v) => {
  let engine: Engine;
  let oracle: NaiveAuthorizer;
  beforeAll(async () => {
    engine = await createEngine(v.objects, { aggregate: v.options.aggregate });
    oracle = new NaiveAuthorizer(v.objects, v.options);
  });
  test.each(v.requests)("$description", (r) => {
    const got = engine.whoCan(r.spec);
    const ref = oracle.allowedSubjects(r.spec);
    // subjects (and errors, when the vector lists them) as de-duplicated sets
    const want = { subjects: subjectSet(r.expect.subjects), ...(r.expect.errors ? { errors: stringSet(r.expect.errors) } : {}) };
    const shape = (x: { subjects: object[]; errors: string[] }) =>
      ({ subjects: subjectSet(x.subjects), ...(r.expect.errors ? { errors: stringSet(x.errors) } : {}) });
    expect(shape(ref), "oracle").toEqual(want);
    expectEngine(v.file, r.description, shape(got), want);
    // the subject locator always answers system:masters first
    expect(ref.subjects[0]).toEqual({ kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: "system:masters", namespace: "" });
    expect(got.subjects[0]).toMatchObject({ kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: "system:masters" });
  });
});

describe.each(rulesFor)("rules-for $file", (v) => {
  let engine: Engine;
  let oracle: NaiveAuthorizer;
  beforeAll(async () => {
    engine = await createEngine(v.objects, { aggregate: v.options.aggregate });
    oracle = new NaiveAuthorizer(v.objects, v.options);
  });
  test.each(v.requests)("$description", (r) => {
    const { user, groups = [], namespace = "" } = r.input;
    const want = {
      resourceRules: multiset(r.expect.resourceRules, resourceRuleKey),
      nonResourceRules: multiset(r.expect.nonResourceRules, nonResourceRuleKey),
      evaluationError: r.expect.evaluationError ?? "",
    };
    const shape = (x: { resourceRules: object[]; nonResourceRules: object[]; evaluationError?: string }) => ({
      resourceRules: multiset(x.resourceRules, resourceRuleKey),
      nonResourceRules: multiset(x.nonResourceRules, nonResourceRuleKey),
      evaluationError: x.evaluationError ?? "",
    });
    expect(shape(subjectRulesReview(oracle, user, groups, namespace)), "oracle").toEqual(want);
    expectEngine(v.file, r.description, shape(engine.rulesFor({ user, groups, namespace })), want);
  });
});

describe.each(coversVectors)("covers $file", (v) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await createEngine([]);
  });
  test.each(v.cases)("$description", (c) => {
    const want = { covers: c.expect.covers, uncovered: c.expect.uncovered.map(fullRule) };
    const ref = oracleCovers(c.owner, c.servant);
    const got = engine.covers(c.owner, c.servant);
    expect({ covers: ref.covers, uncovered: ref.uncovered }, "oracle").toEqual(want);
    expect({ covers: got.covers, uncovered: got.uncovered.map(fullRule) }, "engine").toEqual(want);
    const lines = missingDescriptions(ref.uncovered);
    expectEngine(v.file, c.description, got.missing, lines, "engine missing lines vs oracle");
    if (c.expect.missing) expect(lines, "expected missing lines").toEqual(c.expect.missing);
  });
});

describe.each(escalation)("escalation $file", (v) => {
  let engine: Engine;
  let oracle: NaiveAuthorizer;
  beforeAll(async () => {
    engine = await createEngine(v.objects, { aggregate: v.options.aggregate });
    oracle = new NaiveAuthorizer(v.objects, v.options);
  });
  test.each(v.requests)("$description", (r) => {
    const ref = checkEscalation(oracle, r.input);
    const got = engine.checkEscalation({ ...r.input, rules: r.input.rules.map(normalizeRule) });
    const shape = (x: { allowed: boolean; via: string; message: string }) => ({
      allowed: x.allowed,
      ...(r.expect.via !== undefined ? { via: x.via } : {}),
      ...(r.expect.message !== undefined ? { message: x.message } : {}),
    });
    expect(shape(ref), "oracle").toEqual(r.expect);
    expectEngine(v.file, r.description, shape(got), r.expect);
    if (!knownBug(v.file, r.description)) {
      expect({ via: got.via, message: got.message, missing: got.missing, uncovered: got.uncovered.map(fullRule) }, "engine vs oracle")
        .toEqual({ via: ref.via, message: ref.message, missing: ref.missing, uncovered: ref.uncovered });
    }
  });
});

describe("checkEscalation input", () => {
  test("operation is create (the default) or update; anything else is refused, not guessed", async () => {
    const engine = await createEngine([]);
    const input = { user: "u", kind: "Role" as const, namespace: "ns", name: "r", rules: [] };
    expect(engine.checkEscalation(input).allowed).toBe(true);
    expect(engine.checkEscalation({ ...input, operation: "update" }).allowed).toBe(true);
    expect(() => engine.checkEscalation({ ...input, operation: "delete" as "update" })).toThrow(/operation/);
  });
});
