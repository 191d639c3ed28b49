// checkEscalation (role storage: system:masters, the escalate verb, ConfirmNoEscalation) equals the oracle,
// refusal message included, byte for byte.
import { test, expect } from "vitest";
import fc from "fast-check";
import { createEngine } from "../../bindings/index.js";
import { NaiveAuthorizer } from "../oracle/k8s-rbac.js";
import { checkEscalation, normalizeRule } from "../oracle/k8s-queries.js";
import { fullRule } from "../vectors/compare.js";
import { policyWithEscalations, runs, seed } from "./gen.js";

test("engine.checkEscalation equals the oracle", async () => {
  const seen = new Set<string>();
  await fc.assert(fc.asyncProperty(policyWithEscalations(), fc.boolean(), async ([objects, inputs], aggregate) => {
    const engine = await createEngine(objects, { aggregate });
    const oracle = new NaiveAuthorizer(objects, { aggregate });
    for (const input of inputs) {
      const want = checkEscalation(oracle, input);
      const got = engine.checkEscalation({ ...input, rules: input.rules.map(normalizeRule) });
      seen.add(want.via + (want.message.includes("resolution errors") ? "+errors" : ""));
      expect({ input, allowed: got.allowed, via: got.via, message: got.message, missing: got.missing, uncovered: got.uncovered.map(fullRule) })
        .toEqual({ input, allowed: want.allowed, via: want.via, message: want.message, missing: want.missing, uncovered: want.uncovered });
    }
  }), { numRuns: runs(0.5), seed });
  // every outcome is exercised
  for (const via of ["system:masters", "escalate", "covered", "", "+errors"]) expect([...seen], via).toContain(via);
}, 120_000);
