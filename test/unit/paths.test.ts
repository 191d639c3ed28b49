// The non-resource path table (assembly/index/paths.ts): each path's bytes are interned once per snapshot and each
// role's answer for it remembered (8 roles a path, replaced round-robin; 256 direct-mapped two-way slots). Whatever
// is remembered, evicted or replaced, every entry point must answer as Kubernetes does, in any interleaving.
import { describe, test, expect } from "vitest";
import { createEngine } from "../../bindings/index.js";
import { NaiveAuthorizer } from "../oracle/k8s-rbac.js";
import { subjectSet } from "../vectors/compare.js";

const AV = "rbac.authorization.k8s.io/v1";
const ref = (name: string) => ({ apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name });

// 12 roles with non-resource rules (more than a path entry remembers), each bound to the group "all", so one
// requester's view visits all of them for every path; their rules mix exact URLs, prefixes, "*" and verbs
const urlRoles = Array.from({ length: 12 }, (_, i) => ({
  apiVersion: AV, kind: "ClusterRole", metadata: { name: `urls-${String(i).padStart(2, "0")}` },
  rules: [
    { verbs: [i % 3 === 0 ? "post" : "get"], nonResourceURLs: [`/exact-${i}`, `/pre-${i}/*`] },
    ...(i === 7 ? [{ verbs: ["put"], nonResourceURLs: ["*"] }] : []),
    ...(i === 9 ? [{ verbs: ["*"], nonResourceURLs: ["/shared/*", "/héllo"] }] : []),
  ],
}));
const objects = [
  ...urlRoles,
  ...urlRoles.map((r, i) => ({
    apiVersion: AV, kind: "ClusterRoleBinding", metadata: { name: `b-${String(i).padStart(2, "0")}` },
    roleRef: ref(r.metadata.name), subjects: [{ kind: "Group", name: i % 2 === 0 ? "all" : "odd" }],
  })),
  { apiVersion: AV, kind: "ClusterRoleBinding", metadata: { name: "z-missing" }, roleRef: ref("gone"), subjects: [{ kind: "Group", name: "all" }] },
];

// 300 generated paths besides the ones the rules name: more than the table's 256 slots, so entries are evicted and
// made again; verbs the policy never names too
const paths = [
  ...Array.from({ length: 12 }, (_, i) => [`/exact-${i}`, `/pre-${i}/x`, `/pre-${i}`, `/pre-${i}/`]).flat(),
  "/shared/a/b", "/shared", "/héllo", "/hello", "", "/", "*", "/put-anything",
  // longer than the host's byte-by-byte copy (64) and than the guest's first path buffer (256 bytes)
  `/shared/${"long/".repeat(20)}`, `/shared/${"longer/".repeat(60)}`, `/pre-4/${"é".repeat(200)}`,
  ...Array.from({ length: 300 }, (_, i) => `/generated/${i}/${"x".repeat(i % 40)}`),
];
const verbs = ["get", "post", "put", "delete", "never-named"];
const requesters = [{ user: "u", groups: ["all"] }, { user: "u", groups: ["all", "odd"] }, { user: "v", groups: ["odd"] }, { user: "w", groups: [] }];
const requests = requesters.flatMap((who) => paths.flatMap((path) => verbs.map((verb) => ({ ...who, nonResourceAttributes: { path, verb } }))));

describe("non-resource path table", () => {
  test("every entry point answers as Kubernetes, however paths and role answers are remembered and evicted", async () => {
    const engine = await createEngine(objects);
    const naive = new NaiveAuthorizer(objects);
    const want = requests.map((r) => {
      const w = naive.authorize(r as any);
      return { allowed: w.allowed, reason: w.reason };
    });
    // the fixture reaches grants by exact URLs, prefixes, "*" and "*" verbs, through roles past the 8th, and denials
    expect(want.filter((w) => w.allowed).length).toBeGreaterThan(300);
    expect(want.some((w) => w.allowed && w.reason.includes('"b-11"'))).toBe(true);
    expect(want.some((w) => !w.allowed)).toBe(true);
    const prepared = requests.map((r) => engine.prepare(r as any));
    // three passes in different orders: the first fills the table, later ones read what it remembered, and the
    // interleaving of requesters and verbs makes every path's memo replace entries
    for (const order of [requests.map((_, i) => i), requests.map((_, i) => requests.length - 1 - i), requests.map((_, i) => (i * 7919) % requests.length)]) {
      for (const i of order) {
        expect(engine.authorize(requests[i] as any), `authorize #${i}`).toEqual(want[i]);
        expect(engine.check(prepared[i]), `check #${i}`).toEqual(want[i]);
        // the core's JSON path shares the core's scratch request with the fast paths: a path remembered by the
        // last fast-path decision must not stand in for this one's
        expect(engine.authorizeJSON(requests[(i + 1) % requests.length] as any), `authorizeJSON #${i + 1}`).toEqual(want[(i + 1) % requests.length]);
      }
      const batch = engine.checkBatch(engine.prepareBatch(order.map((i) => requests[i]) as any)).results();
      expect(batch).toEqual(order.map((i) => want[i]));
    }
  });

  test("whoCan on a path goes through the same table", async () => {
    const engine = await createEngine(objects);
    const naive = new NaiveAuthorizer(objects);
    const pick = paths.filter((_, i) => i % 9 === 0);
    expect(pick.length).toBeGreaterThan(30);
    for (let round = 0; round < 2; round++) {
      for (const path of pick) {
        for (const verb of verbs) {
          const attrs = { nonResourceAttributes: { path, verb } };
          const got = engine.whoCan(attrs as any);
          const want = naive.allowedSubjects(attrs as any);
          expect({ path, verb, subjects: subjectSet(got.subjects) }).toEqual({ path, verb, subjects: subjectSet(want.subjects) });
        }
      }
    }
  });
});
