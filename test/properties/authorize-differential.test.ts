// Differential: the wasm engine decides every generated request exactly as the naive Kubernetes port does
// (allowed and reason, byte for byte), through every entry point, the batch path included (its views are built
// in one call, in batch order). FC_RUNS sets the number of policies.
import { test, expect } from "vitest";
import fc from "fast-check";
import { createEngine } from "../../bindings/index.js";
import { NaiveAuthorizer } from "../oracle/k8s-rbac.js";
import { policyWithSpecs, runs, seed } from "./gen.js";

test("engine.authorize / authorizeJSON / check(prepare()) / checkBatch equal NaiveAuthorizer.authorize", async () => {
  await fc.assert(
    fc.asyncProperty(policyWithSpecs(), fc.boolean(), async ([objects, specs], aggregate) => {
      const engine = await createEngine(objects, { aggregate });
      const oracle = new NaiveAuthorizer(objects, { aggregate });
      const batch = engine.checkBatch(engine.prepareBatch(specs));
      specs.forEach((spec, i) => {
        const want = oracle.authorize(spec);
        expect({ path: "checkBatch", ...batch.result(i) }).toEqual({ path: "checkBatch", allowed: want.allowed, reason: want.reason });
      });
      for (const spec of specs) {
        const want = oracle.authorize(spec);
        expect(want.evaluationError).toBeUndefined();
        const paths = { authorize: engine.authorize(spec), authorizeJSON: engine.authorizeJSON(spec), check: engine.check(engine.prepare(spec)) };
        for (const [path, got] of Object.entries(paths)) {
          expect({ path, ...got }).toEqual({ path, allowed: want.allowed, reason: want.reason });
        }
      }
    }),
    { numRuns: runs(), seed },
  );
}, 120_000);
