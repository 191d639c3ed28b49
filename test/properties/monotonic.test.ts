// RBAC is purely additive: adding a binding (under a new name) never turns an allow into a no-opinion.
import { test, expect } from "vitest";
import fc from "fast-check";
import { createEngine } from "../../bindings/index.js";
import { NaiveAuthorizer } from "../oracle/k8s-rbac.js";
import { subjectSet } from "../vectors/compare.js";
import { policyWithSpecsAndExtraBinding, runs, seed } from "./gen.js";

test("adding a binding never removes an allow (engine and oracle), nor a who-can subject", async () => {
  let grown = 0;
  await fc.assert(fc.asyncProperty(policyWithSpecsAndExtraBinding(), fc.boolean(), async ([objects, specs, extra], aggregate) => {
    const before = await createEngine(objects, { aggregate });
    const after = await createEngine([...objects, extra], { aggregate });
    const oracleBefore = new NaiveAuthorizer(objects, { aggregate });
    const oracleAfter = new NaiveAuthorizer([...objects, extra], { aggregate });
    for (const spec of specs) {
      const b = before.authorize(spec), a = after.authorize(spec);
      if (b.allowed) expect({ spec, extra, after: a.allowed }).toEqual({ spec, extra, after: true });
      if (!b.allowed && a.allowed) grown++;
      if (oracleBefore.authorize(spec).allowed) expect(oracleAfter.authorize(spec).allowed).toBe(true);
      const { user: _u, groups: _g, ...attrs } = spec as Record<string, unknown>;
      const was = subjectSet(before.whoCan(attrs).subjects), now = subjectSet(after.whoCan(attrs).subjects);
      for (const s of was) expect(now).toContain(s);
    }
    // why: two engines and who-can per run; half the runs keeps the default suite well under 20 s on 2 cores
  }), { numRuns: runs(0.5), seed });
  expect(grown).toBeGreaterThan(0); // the added bindings do grant something sometimes
}, 120_000);
