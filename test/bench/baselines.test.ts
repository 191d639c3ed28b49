// The bench baselines must be what they claim: the indexed TS evaluator gives the naive oracle's answers exactly
// (allowed, reason text, evaluation error), the Cedar translation gives the same allowed/denied (Cedar has no reason
// texts). On the shared authorize vectors and on generated corpora.
import { describe, expect, it } from "vitest";
import { loadVectors } from "../vectors/load.js";
import { NaiveAuthorizer, type SubjectAccessReviewSpec } from "../oracle/k8s-rbac.js";
import { IndexedAuthorizer } from "../../bench/baselines/indexed.js";
import { CedarAuthorizer, ruleCondition, cedarString } from "../../bench/baselines/cedar.js";
import { generatePolicy, generateRequests } from "../../bench/corpora/gen.js";

const vectors = loadVectors("authorize");

describe("indexed TS baseline", { timeout: 60_000 }, () => {
  it("has vectors to check", () => expect(vectors.length).toBeGreaterThan(20));

  for (const v of vectors) {
    it(`agrees with the vector and the oracle: ${v.file}`, () => {
      const indexed = new IndexedAuthorizer(v.objects, v.options);
      const naive = new NaiveAuthorizer(v.objects, v.options);
      for (const r of v.requests) {
        const got = indexed.authorize(r.spec as SubjectAccessReviewSpec);
        const want = naive.authorize(r.spec as SubjectAccessReviewSpec);
        expect(got, r.description).toEqual(want);
        expect(got.allowed, r.description).toBe(r.expect.allowed);
        expect(got.reason, r.description).toBe(r.expect.reason);
      }
    });
  }

  it.each([300, 3000])("agrees with the oracle on a generated corpus of %i bindings", (size) => {
    const c = generatePolicy(size);
    const indexed = new IndexedAuthorizer(c.objects), naive = new NaiveAuthorizer(c.objects);
    const specs = generateRequests(c, 3000);
    let allowed = 0, errors = 0;
    for (const s of specs) {
      const want = naive.authorize(s);
      expect(indexed.authorize(s)).toEqual(want);
      if (want.allowed) allowed++;
      else if (want.reason !== "") errors++;
    }
    // the sample exercises both outcomes and the resolution-error reasons
    expect(allowed).toBeGreaterThan(1000);
    expect(specs.length - allowed).toBeGreaterThan(500);
    expect(errors).toBeGreaterThan(0);
  }, 60_000);
});

describe("Cedar translation", { timeout: 60_000 }, () => {
  it("translates wildcards, subresource stars, names and URL prefixes to Cedar conditions", () => {
    const c = ruleCondition({ verbs: ["get"], apiGroups: ["apps"], resources: ["*/scale", "pods/log"], resourceNames: ["a"], nonResourceURLs: [] });
    expect(c).toContain('["*/scale", "pods/log"].contains(resource.combined)');
    expect(c).toContain('["scale"].contains(resource.subresource)');
    expect(c).toContain('["a"].contains(resource.name)');
    const u = ruleCondition({ verbs: ["*"], apiGroups: [], resources: [], resourceNames: [], nonResourceURLs: ["/api/*", "/x*y*", "/healthz"] });
    expect(u).toContain('resource.path like "/api/*"');
    expect(u).toContain('resource.path like "/x\\*y*"');
    expect(u).not.toContain("action in");
    expect(cedarString('a"b\\c')).toBe('"a\\"b\\\\c"');
  });

  for (const v of vectors) {
    it(`gives the oracle's allowed/denied: ${v.file}`, () => {
      const cedar = new CedarAuthorizer(v.objects, v.options);
      const naive = new NaiveAuthorizer(v.objects, v.options);
      for (const r of v.requests) {
        const spec = r.spec as SubjectAccessReviewSpec;
        expect(cedar.authorize(spec), r.description).toBe(naive.authorize(spec).allowed);
      }
    });
  }

  it("gives the oracle's allowed/denied on a generated corpus of 300 bindings", () => {
    const c = generatePolicy(300);
    const cedar = new CedarAuthorizer(c.objects), naive = new NaiveAuthorizer(c.objects);
    const specs = generateRequests(c, 300);
    let allowed = 0;
    for (const s of specs) {
      const want = naive.authorize(s).allowed;
      expect(cedar.authorize(s), JSON.stringify(s)).toBe(want);
      if (want) allowed++;
    }
    expect(allowed).toBeGreaterThan(100);
    expect(specs.length - allowed).toBeGreaterThan(50);
  }, 60_000);
});
