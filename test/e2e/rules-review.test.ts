// Rules listing against Kubernetes itself: what `kubectl auth can-i --list` shows is a SelfSubjectRulesReview,
// answered by the RBAC authorizer's RulesFor. On random policies (random-policy.ts), random users with random groups
// (impersonated by the admin, with the groups the apiserver then adds) ask for their rules in random namespaces;
// engine.rulesFor() on the same stored objects must list the same resource and non-resource rules (as multisets:
// Kubernetes visits bindings in informer order), `incomplete` and the same evaluationError (its errors as a set).
// E2E_RULES_SEED and E2E_RULES_REVIEWS pick the seed and the number of reviews.
import { expect, test } from "vitest";
import { createEngine } from "../../bindings/index.js";
import { pool } from "./harness.js";
import { createAndSync, impersonatedGroups, policyRounds, rbacClusterForFile, rng, stored, unorderedErrors, V } from "./random-policy.js";

const SEED = Number(process.env.E2E_RULES_SEED ?? 1);
const REVIEWS = Number(process.env.E2E_RULES_REVIEWS ?? 300);

const cluster = rbacClusterForFile("rules-review");

const list = (x: unknown): string[] => (Array.isArray(x) ? x : []);
const resourceRule = (r: any) => JSON.stringify([list(r.verbs), list(r.apiGroups), list(r.resources), list(r.resourceNames)]);
const nonResourceRule = (r: any) => JSON.stringify([list(r.verbs), list(r.nonResourceURLs)]);
const multiset = (xs: string[]) => [...xs].sort();

test(`${REVIEWS} random SelfSubjectRulesReviews (seed ${SEED}): kube-apiserver --authorization-mode=RBAC vs engine.rulesFor`, async () => {
  const objects0 = policyRounds([SEED, SEED + 1000]);
  await createAndSync(cluster(), `rules${SEED}`, objects0);
  const objects = await stored(cluster());
  const engine = await createEngine(objects, { aggregate: false });

  const r = rng(SEED * 7727 + 3);
  const subjects = objects.filter((o) => o.kind.endsWith("Binding")).flatMap((b) => (b.subjects ?? []).map((s: any) => ({ b, s })));
  const reviews = Array.from({ length: REVIEWS }, () => {
    let user = r.pick(V.users.filter((u) => u !== "" && u !== "system:anonymous"));
    const groups = r.some(V.groups.filter((g) => !g.endsWith("authenticated")), 0, 2);
    let namespace = r.pick([...V.namespaces, "kube-system", "other"]); // a rules review needs a namespace
    if (r.chance(0.7)) {
      // a subject of some binding, so that rules are found
      const { b, s } = r.pick(subjects);
      if (s.kind === "User" && s.name !== "system:anonymous") user = s.name;
      else if (s.kind === "Group" && s.name !== "system:masters" && !s.name.endsWith("authenticated")) groups.push(s.name);
      else if (s.kind === "ServiceAccount") user = `system:serviceaccount:${s.namespace ?? b.metadata.namespace}:${s.name}`;
      if (b.kind === "RoleBinding" && r.chance(0.8)) namespace = b.metadata.namespace;
    }
    return { user, groups: [...new Set(groups)], namespace };
  });
  const answers = await pool(reviews, 16, async (q) => {
    const res = await cluster().request("POST", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
      { apiVersion: "authorization.k8s.io/v1", kind: "SelfSubjectRulesReview", spec: { namespace: q.namespace } },
      "admin", { "impersonate-user": q.user, ...(q.groups.length ? { "impersonate-group": q.groups } : {}) });
    if (res.status !== 201) throw new Error(`${JSON.stringify(q)}: HTTP ${res.status} ${res.text}`);
    return { q, k8s: res.json.status };
  });

  const differ: string[] = [];
  let rules = 0, withErrors = 0;
  for (const { q, k8s } of answers) {
    const ours = engine.rulesFor({ user: q.user, groups: impersonatedGroups(q.user, q.groups), namespace: q.namespace });
    const want = {
      resource: multiset(list(k8s.resourceRules).map(resourceRule)), nonResource: multiset(list(k8s.nonResourceRules).map(nonResourceRule)),
      incomplete: !!k8s.incomplete, evaluationError: unorderedErrors(k8s.evaluationError ?? ""),
    };
    const got = {
      resource: multiset(ours.resourceRules.map(resourceRule)), nonResource: multiset(ours.nonResourceRules.map(nonResourceRule)),
      incomplete: ours.incomplete, evaluationError: unorderedErrors(ours.evaluationError ?? ""),
    };
    rules += want.resource.length + want.nonResource.length;
    if (want.evaluationError) withErrors++;
    if (JSON.stringify(want) !== JSON.stringify(got)) {
      const only = (a: string[], b: string[]) => a.filter((x) => !b.includes(x));
      differ.push(`${JSON.stringify(q)}: only kube-apiserver ${JSON.stringify([...only(want.resource, got.resource), ...only(want.nonResource, got.nonResource)])}` +
        ` only rbac-guard ${JSON.stringify([...only(got.resource, want.resource), ...only(got.nonResource, want.nonResource)])}` +
        ` incomplete ${want.incomplete}/${got.incomplete} errors "${want.evaluationError}" / "${got.evaluationError}"`);
    }
  }
  console.log(`seed ${SEED}: ${objects.length} RBAC objects, ${REVIEWS} reviews: ${rules} rules listed, ${withErrors} with an evaluationError; ${differ.length} differ`);
  expect(differ).toEqual([]);
  expect(rules).toBeGreaterThan(REVIEWS);
  expect(withErrors).toBeGreaterThan(0);
}, 240_000);
