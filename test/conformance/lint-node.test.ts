// Every lint vector (test/vectors/lint/*.json), linted by the wasm engine in Node: each listed (concept, object) pair
// is reported unsuppressed (present) or not at all (absent). Extra findings are allowed.
import { describe, test, expect, beforeAll } from "vitest";
import { loadLintVectors, type LintVector } from "../vectors/load.js";
import { createEngine, type LintResult } from "../../bindings/index.js";

const vectors = loadLintVectors();

function reported(out: LintResult): Set<string> {
  return new Set(out.findings.filter((f) => !f.suppressed).map((f) => `${f.concept} ${f.object}`));
}

describe.each(vectors)("$file", (v: LintVector) => {
  let out: LintResult;
  beforeAll(async () => {
    const engine = await createEngine(v.objects, { aggregate: v.options.aggregate });
    out = engine.lint({ config: v.config });
  });
  test.each(v.expect.present)("reports $concept on $object", (p) => {
    expect([...reported(out)].sort()).toContain(`${p.concept} ${p.object}`);
  });
  test.each(v.expect.absent)("does not report $concept on $object", (p) => {
    expect([...reported(out)].sort()).not.toContain(`${p.concept} ${p.object}`);
  });
  test("every finding is well-formed", () => {
    for (const f of out.findings) {
      expect(["critical", "high", "medium", "low"]).toContain(f.severity);
      expect(f.object).toMatch(/^[A-Za-z]+\/[^/]*\/.+$/);
      expect(f.message.length).toBeGreaterThan(0);
      expect(f.objectIndex).toBeLessThan(out.summary.objects);
    }
  });
});
