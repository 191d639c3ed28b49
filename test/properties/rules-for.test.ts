// rules-for (RulesFor / SelfSubjectRulesReview under RBAC): equal to the oracle as multisets with the same
// evaluation error, and the returned rules allow exactly what authorize allows for that requester and namespace.
import { test, expect } from "vitest";
import fc from "fast-check";
import { createEngine } from "../../bindings/index.js";
import { NaiveAuthorizer } from "../oracle/k8s-rbac.js";
import { subjectRulesReview, rulesAllow } from "../oracle/k8s-queries.js";
import { multiset, resourceRuleKey, nonResourceRuleKey } from "../vectors/compare.js";
import { policyWithSpecs, runs, seed } from "./gen.js";

test("rulesFor equals the oracle and allows exactly what authorize allows", async () => {
  await fc.assert(fc.asyncProperty(policyWithSpecs(), fc.boolean(), async ([objects, specs], aggregate) => {
    const engine = await createEngine(objects, { aggregate });
    const oracle = new NaiveAuthorizer(objects, { aggregate });
    for (const spec of specs as any[]) {
      const user: string = spec.user, groups: string[] = spec.groups;
      // non-resource requests have no namespace: cluster bindings only
      const namespace: string = spec.resourceAttributes?.namespace ?? "";
      const got = engine.rulesFor({ user, groups, namespace });
      const want = subjectRulesReview(oracle, user, groups, namespace);
      const shape = (x: { resourceRules: object[]; nonResourceRules: object[]; evaluationError?: string }) => ({
        user, groups, namespace,
        resourceRules: multiset(x.resourceRules, resourceRuleKey),
        nonResourceRules: multiset(x.nonResourceRules, nonResourceRuleKey),
        evaluationError: x.evaluationError ?? "",
      });
      expect(shape(got)).toEqual(shape(want));
      expect(got.incomplete).toBe(false);

      const rules = spec.resourceAttributes ? got.resourceRules : got.nonResourceRules;
      const byRules = rulesAllow(spec, rules);
      const byAuthorize = engine.authorize(spec).allowed;
      expect({ spec, byRules }).toEqual({ spec, byRules: byAuthorize });
    }
  }), { numRuns: runs(), seed });
}, 120_000);
