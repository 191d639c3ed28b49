// Runs every shared authorize vector against the naive Kubernetes port (test/oracle/k8s-rbac.ts).
import { describe, expect, test } from "vitest";
import { NaiveAuthorizer } from "./oracle/k8s-rbac.js";
import { loadVectors } from "./vectors/load.js";

const vectors = loadVectors("authorize");

test("the authorize vectors are present", () => {
  expect(vectors.length).toBeGreaterThan(0);
});

for (const v of vectors) {
  describe(v.file, () => {
    const authorizer = new NaiveAuthorizer(v.objects, v.options);
    for (const [i, r] of v.requests.entries()) {
      test(`#${i} ${r.description}`, () => {
        const got = authorizer.authorize(r.spec);
        expect({ allowed: got.allowed, reason: got.reason, evaluationError: got.evaluationError !== undefined })
          .toEqual({ allowed: r.expect.allowed, reason: r.expect.reason, evaluationError: r.expect.evaluationError === true });
      });
    }
  });
}
