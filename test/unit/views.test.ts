// The decision index's views (assembly/index/views.ts): requesters with many bindings take the merged-table path,
// and it must visit bindings and rules exactly as Kubernetes' authorizer does (first binding, first rule).
import { describe, test, expect } from "vitest";
import { createEngine } from "../../bindings/index.js";
import { NaiveAuthorizer } from "../oracle/k8s-rbac.js";

const AV = "rbac.authorization.k8s.io/v1";
const clusterRole = (name: string, rules: object[]) => ({ apiVersion: AV, kind: "ClusterRole", metadata: { name }, rules });
const role = (ns: string, name: string, rules: object[]) => ({ apiVersion: AV, kind: "Role", metadata: { name, namespace: ns }, rules });
const ref = (kind: string, name: string) => ({ apiGroup: "rbac.authorization.k8s.io", kind, name });
const crb = (name: string, roleName: string, subjects: object[]) => ({ apiVersion: AV, kind: "ClusterRoleBinding", metadata: { name }, roleRef: ref("ClusterRole", roleName), subjects });
const rb = (ns: string, name: string, kind: string, roleName: string, subjects: object[]) => ({ apiVersion: AV, kind: "RoleBinding", metadata: { name, namespace: ns }, roleRef: ref(kind, roleName), subjects });
const alice = { kind: "User", name: "alice" };
const devs = { kind: "Group", name: "devs" };

// why: views merge their candidates' tables from 16 candidates up (MERGE_MIN_CANDIDATES); fillers take a
// requester there
const fillers = (n: number, roleName: string, subjects: object[]) =>
  Array.from({ length: n }, (_, i) => crb(`9-filler-${String(i).padStart(2, "0")}`, roleName, subjects));

// alice reaches 8 bindings: a missing role, a names-only rule, plain rules, a wildcard, and namespace bindings,
// and 12 fillers: her views take the merged-table path, bob's (5 candidates) the per-candidate probes
const objects = [
  clusterRole("filler", [{ verbs: ["get"], apiGroups: [""], resources: ["fillers"] }]),
  ...fillers(12, "filler", [alice]),
  clusterRole("names", [{ verbs: ["get"], apiGroups: [""], resources: ["pods"], resourceNames: ["a"] }]),
  clusterRole("plain-pods", [{ verbs: ["list"], apiGroups: [""], resources: ["services"] }, { verbs: ["get", "list"], apiGroups: [""], resources: ["pods"] }]),
  clusterRole("plain-deploy", [{ verbs: ["get"], apiGroups: ["apps"], resources: ["deployments", "deployments/scale"] }]),
  clusterRole("star", [{ verbs: ["*"], apiGroups: ["apps"], resources: ["*"] }]),
  clusterRole("urls", [{ verbs: ["get"], nonResourceURLs: ["/healthz", "/api/*"] }]),
  role("ns1", "local", [{ verbs: ["delete"], apiGroups: [""], resources: ["pods"] }, { verbs: ["get"], apiGroups: [""], resources: ["secrets"] }]),
  crb("0-missing", "does-not-exist", [alice]),
  crb("1-names", "names", [devs, alice]),
  crb("2-plain", "plain-pods", [alice]),
  crb("3-star", "star", [devs]),
  crb("4-deploy", "plain-deploy", [alice, devs]),
  crb("5-urls", "urls", [devs]),
  rb("ns1", "6-local", "Role", "local", [alice]),
  rb("ns1", "7-view", "ClusterRole", "plain-pods", [devs]),
  rb("ns1", "8-missing", "Role", "gone", [alice]),
];

const requests = (() => {
  const out: object[] = [];
  for (const who of [{ user: "alice", groups: ["devs"] }, { user: "alice", groups: [] }, { user: "bob", groups: ["devs"] }, { user: "alice", groups: ["devs", "ops"] }])
    for (const namespace of ["", "ns1", "ns2"])
      for (const [verb, group, resource, subresource, name] of [["get", "", "pods", "", "a"], ["get", "", "pods", "", "b"], ["list", "", "pods", "", ""],
        ["get", "apps", "deployments", "", ""], ["get", "apps", "deployments", "scale", ""], ["patch", "apps", "deployments", "", ""],
        ["delete", "", "pods", "", "x"], ["get", "", "secrets", "", "s"], ["list", "", "services", "", ""], ["get", "", "nodes", "", ""], ["get", "", "fillers", "", ""]])
        out.push({ ...who, resourceAttributes: { namespace, verb, group, resource, subresource, name } });
  for (const path of ["/healthz", "/api/v1", "/apis", "/healthz/x"]) out.push({ user: "alice", groups: ["devs"], nonResourceAttributes: { verb: "get", path } });
  return out;
})();

describe("views", () => {
  test("a requester with many bindings is decided as Kubernetes decides, in any order and repeatedly", async () => {
    const engine = await createEngine(objects);
    const naive = new NaiveAuthorizer(objects);
    const want = requests.map((r) => naive.authorize(r as any));
    expect(want.filter((w) => w.allowed).length).toBeGreaterThan(20); // the fixture exercises grants
    expect(want.some((w) => !w.allowed && w.reason.includes("not found"))).toBe(true); // and denial reasons
    for (let round = 0; round < 3; round++) {
      const order = requests.map((_, i) => i);
      if (round > 0) order.reverse();
      for (const i of order) expect(engine.authorize(requests[i] as any)).toEqual({ allowed: want[i].allowed, reason: want[i].reason });
    }
    expect(engine.checkBatch(engine.prepareBatch(requests as any)).results()).toEqual(want.map((w) => ({ allowed: w.allowed, reason: w.reason })));
  });

  test("past the cache's bound (65,536 views) the cache starts over and decisions stay exact", async () => {
    // why: every distinct (user, groups, namespace) is a view; 70,000 of them pass MAX_VIEWS once, so views built
    // before the reset are rebuilt after it, and those after it live in the new arena
    // why: requesters the policy never names share one view (an unknown user decides like any other), so a
    // binding elsewhere names all of them
    const N = 70_000;
    const everyone = Array.from({ length: N }, (_, i) => ({ kind: "User", name: `user-${i}` }));
    const policy = [...objects, rb("ns1", "9-user-42", "Role", "local", [{ kind: "User", name: "user-42" }]),
      rb("elsewhere", "everyone", "ClusterRole", "plain-pods", everyone)];
    const engine = await createEngine(policy);
    const naive = new NaiveAuthorizer(policy);
    const spec = (i: number, verb: string) => ({ user: `user-${i}`, groups: i % 3 === 0 ? ["devs"] : [],
      resourceAttributes: { namespace: i % 2 === 0 ? "ns1" : "ns2", verb, group: "", resource: "pods", name: "a" } });
    let allowed = 0, errors = 0;
    for (let i = 0; i < N; i++) {
      const r = engine.authorize(spec(i, "get"));
      if (r.allowed) allowed++;
      if (r.evaluationError !== undefined) errors++; // a trap is answered fail-closed: count it, not hide it
    }
    expect(errors).toBe(0);
    expect(allowed).toBe(Array.from({ length: N }, (_, i) => naive.authorize(spec(i, "get") as any).allowed).filter(Boolean).length);
    for (const i of [0, 1, 3, 42, 65_535, 65_536, 65_537, N - 1]) {
      for (const verb of ["get", "delete", "list"]) {
        const want = naive.authorize(spec(i, verb) as any);
        expect(engine.authorize(spec(i, verb)), `user-${i} ${verb}`).toEqual({ allowed: want.allowed, reason: want.reason });
      }
    }
  });

  test("the rule index is Kubernetes' first matching rule, also past 4,095 rules in one role of a merged view", async () => {
    // why: 4,500 copies of one rule keep the merged table small (the requester's view merges it) while the rule
    // that grants r-target has an index past what a merged entry can hold, so the role's own table must tell it
    const rules: object[] = Array.from({ length: 4500 }, () => ({ verbs: ["get"], apiGroups: [""], resources: ["r-dup"] }));
    rules.push({ verbs: ["get"], apiGroups: [""], resources: ["r-target"] }, { verbs: ["get"], apiGroups: [""], resources: ["r-target"] });
    const big = [clusterRole("big", rules), clusterRole("names", [{ verbs: ["get"], apiGroups: [""], resources: ["pods"], resourceNames: ["a"] }]),
      ...["a", "b", "c", "d"].map((n) => crb(`${n}-big`, n === "c" ? "big" : "names", [alice])), ...fillers(12, "names", [alice])];
    const engine = await createEngine(big);
    for (const [resource, index] of [["r-target", 4500], ["r-dup", 0]] as const) {
      const r = engine.explain({ user: "alice", resourceAttributes: { verb: "get", resource } });
      expect(r.allowed).toBe(true);
      expect(r.grant).toMatchObject({ binding: "ClusterRoleBinding//c-big", ruleIndex: index });
    }
  });
  // Rules a role's plain table cannot hold (wildcards, resourceNames, URLs) are packed per role
  // (assembly/index/packed-rules.ts) and read beside the table: whichever holds the role's first matching rule
  // answers, as Kubernetes' visitor stops at the first rule that allows.
  test.each([0, 12])("packed rules and the plain table give the first matching rule (%i fillers)", async (n) => {
    const rolesUnderTest = [
      clusterRole("plain-first", [
        { verbs: ["get"], apiGroups: [""], resources: ["pods"] },
        { verbs: ["get"], apiGroups: [""], resources: ["pods"], resourceNames: ["x"] },
        { verbs: ["*"], apiGroups: [""], resources: ["pods"] },
      ]),
      clusterRole("other-first", [
        { verbs: ["*"], apiGroups: [""], resources: ["secrets"] },
        { verbs: ["get"], apiGroups: [""], resources: ["secrets"] },
        { verbs: ["get"], apiGroups: [""], resources: ["*/status"] },
      ]),
      clusterRole("urls", [
        { verbs: ["get"], nonResourceURLs: ["/logs/*"] },
        { verbs: ["get"], nonResourceURLs: ["/logs/x", "/b*"] },
        { verbs: ["*"], nonResourceURLs: ["/odd"] },
      ]),
    ];
    const engine = await createEngine([...rolesUnderTest, ...rolesUnderTest.map((r: any) => crb(`b-${r.metadata.name}`, r.metadata.name, [alice])),
      clusterRole("filler", [{ verbs: ["get"], apiGroups: [""], resources: ["fillers"] }]), ...fillers(n, "filler", [alice])]);
    const cases: [object, string, number][] = [
      [{ resourceAttributes: { verb: "get", resource: "pods", name: "x", namespace: "ns" } }, "plain-first", 0],
      [{ resourceAttributes: { verb: "delete", resource: "pods", name: "x", namespace: "ns" } }, "plain-first", 2],
      [{ resourceAttributes: { verb: "get", resource: "secrets", namespace: "ns" } }, "other-first", 0],
      [{ resourceAttributes: { verb: "get", resource: "deployments", subresource: "status", group: "", namespace: "ns" } }, "other-first", 2],
      [{ nonResourceAttributes: { verb: "get", path: "/logs/x" } }, "urls", 0],
      [{ nonResourceAttributes: { verb: "get", path: "/b/c" } }, "urls", 1],
      [{ nonResourceAttributes: { verb: "get", path: "/b" } }, "urls", 1],
      [{ nonResourceAttributes: { verb: "post", path: "/odd" } }, "urls", 2],
    ];
    for (const [attrs, roleName, ruleIndex] of cases) {
      const spec = { user: "alice", ...attrs };
      const r = engine.explain(spec);
      expect(r.allowed, JSON.stringify(spec)).toBe(true);
      expect(r.grant, JSON.stringify(spec)).toMatchObject({ binding: `ClusterRoleBinding//b-${roleName}`, ruleIndex });
      const who = engine.whoCan(spec);
      const holder = who.subjects.find((x: any) => x.kind === "User" && x.name === "alice");
      expect(holder?.grants, JSON.stringify(spec)).toContainEqual(expect.objectContaining({ binding: `ClusterRoleBinding//b-${roleName}`, ruleIndex }));
    }
    for (const spec of [{ user: "alice", nonResourceAttributes: { verb: "get", path: "/logsx" } },
      { user: "alice", nonResourceAttributes: { verb: "post", path: "/logs/x" } },
      { user: "alice", resourceAttributes: { verb: "get", resource: "configmaps", namespace: "ns" } }]) {
      expect(engine.authorize(spec).allowed, JSON.stringify(spec)).toBe(false);
    }
  });
});
