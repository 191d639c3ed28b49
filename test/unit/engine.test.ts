// The bindings' contract: ABI check, fail-closed trap recovery, input validation, warnings.
import { describe, test, expect } from "vitest";
import { createEngine, EngineError } from "../../bindings/index.js";
import { encode, takeOutput, withInput } from "../../bindings/memory.js";

const role = (name: string, rules: object[]) => ({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name }, rules });
const crb = (name: string, roleName: string, subjects: object[]) => ({
  apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", metadata: { name },
  roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: roleName }, subjects,
});
const policy = [role("reader", [{ verbs: ["get"], apiGroups: [""], resources: ["pods"] }]), crb("alice-reads", "reader", [{ kind: "User", name: "alice" }])];
const getPods = { user: "alice", resourceAttributes: { verb: "get", resource: "pods", namespace: "x" } };

const clusterRoleUrls = (urls: string[]) => [role("urls", [{ verbs: ["get"], nonResourceURLs: urls }]), crb("alice-urls", "urls", [{ kind: "User", name: "alice" }])];

// A minimal module exporting only `rbac_abi_version` = `version`.
function moduleWithAbi(version: number): WebAssembly.Module {
  const name = [...new TextEncoder().encode("rbac_abi_version")];
  const bytes = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    0x06, 0x06, 0x01, 0x7f, 0x00, 0x41, version, 0x0b,
    0x07, 2 + name.length + 2, 0x01, name.length, ...name, 0x03, 0x00];
  return new WebAssembly.Module(new Uint8Array(bytes));
}

describe("engine", () => {
  test("refuses a module of another ABI major version", async () => {
    for (const major of [1, 3]) {
      const err = await createEngine(policy, { module: moduleWithAbi(major) }).catch((e) => e);
      expect(err).toBeInstanceOf(EngineError);
      expect(err.code).toBe("ABI_MISMATCH");
    }
  });

  test("a trap answers fail-closed with evaluationError, and the rebuilt instance decides again", async () => {
    const e = await createEngine(policy);
    expect(e.authorize(getPods).allowed).toBe(true);
    const ex = (e as any).ex;
    // why: instance exports are frozen; a trap is simulated by a proxy whose decide traps
    (e as any).ex = new Proxy(ex, { get: (t, k) => k === "rbac_decide" ? () => { throw new WebAssembly.RuntimeError("unreachable"); } : t[k] });
    const r = e.authorize(getPods);
    expect(r.allowed).toBe(false);
    expect(r.evaluationError).toMatch(/trapped/);
    expect((e as any).ex).not.toBe(ex); // a new instance
    expect(e.authorize(getPods)).toEqual({ allowed: true, reason: 'RBAC: allowed by ClusterRoleBinding "alice-reads" of ClusterRole "reader" to User "alice"' });
  });

  test("specs of the wrong shape are evaluation errors, never exceptions", async () => {
    const e = await createEngine(policy);
    for (const bad of [null, 5, {}, { resourceAttributes: {}, nonResourceAttributes: {} }, { user: 5, resourceAttributes: {} },
      { groups: "g", resourceAttributes: {} }, { resourceAttributes: { verb: ["get"] } }]) {
      const r = e.authorize(bad as any);
      expect(r.allowed).toBe(false);
      expect(r.evaluationError).toBeTruthy();
    }
  });

  test("objects with values of the wrong type load without trapping", async () => {
    const weird = [
      { kind: "ClusterRole", metadata: { name: 5, labels: { a: 1 } }, rules: [{ verbs: "get", apiGroups: [null], resources: [7, "pods"] }, "x"] },
      { kind: "ClusterRoleBinding", metadata: "m", roleRef: null, subjects: [{ kind: "User", name: { n: 1 } }, null] },
      { kind: "RoleBinding", metadata: { name: "rb", namespace: "ns" }, subjects: "nope" },
      null, 42, "text",
    ];
    const e = await createEngine([...weird, ...policy]);
    expect(e.authorize(getPods).allowed).toBe(true);
    expect(e.stats.roleBindings).toBe(1);
  });

  test("duplicates and invalid aggregation selectors are reported as warnings", async () => {
    const agg = { ...role("agg", [{ verbs: ["*"], apiGroups: ["*"], resources: ["*"] }]),
      aggregationRule: { clusterRoleSelectors: [{ matchExpressions: [{ key: "x", operator: "Maybe" }] }] } };
    const e = await createEngine([...policy, policy[1], agg]);
    expect(e.warnings.map((w) => w.code).sort()).toEqual(["DUPLICATE_OBJECT", "INVALID_AGGREGATION_SELECTOR"]);
    expect(e.warnings.find((w) => w.code === "DUPLICATE_OBJECT")!.object).toBe(2);
  });

  test("stats count what was loaded; List kinds are flattened", async () => {
    const e = await createEngine([{ kind: "List", items: policy }]);
    expect(e.stats).toMatchObject({ roles: 1, clusterRoleBindings: 1, roleBindings: 0 });
  });

  test("the fast path's group buffer survives other exports decoding many groups", async () => {
    const grp = crb("devs-read", "reader", [{ kind: "Group", name: "devs" }]);
    const e = await createEngine([...policy, grp]);
    const asDev = { user: "bob", groups: ["devs"], resourceAttributes: { verb: "get", resource: "pods", namespace: "x" } };
    expect(e.authorize(asDev).allowed).toBe(true);
    // why: the JSON path and the batch path decode 100 groups into their own requests; before ABI 2.1 the JSON
    // path could replace the array the host's fast-path view pointed at, and the next decision read stale groups
    const many = Array.from({ length: 100 }, (_, i) => `g${i}`);
    expect(e.authorizeJSON({ ...asDev, groups: many }).allowed).toBe(false);
    expect(e.checkBatch(e.prepareBatch([{ ...asDev, groups: [...many, "devs"] }])).allowed(0)).toBe(true);
    expect(e.authorize(asDev).allowed).toBe(true);
    expect(e.authorize({ ...asDev, groups: ["ops"] }).allowed).toBe(false);
    expect(e.authorize({ ...asDev, groups: [...many, "devs"] }).allowed).toBe(true);
    expect(e.authorize(asDev).allowed).toBe(true);
  });

  test("checkBatch answers as check() one by one, keeps bad specs as evaluation errors", async () => {
    const e = await createEngine(policy);
    const specs: any[] = [getPods, { ...getPods, user: "mallory" }, null, { user: "alice", nonResourceAttributes: { verb: "get", path: "/healthz" } },
      { ...getPods, resourceAttributes: { ...getPods.resourceAttributes, verb: "delete" } }];
    const batch = e.prepareBatch(specs);
    expect(batch.count).toBe(4);
    const r = e.checkBatch(batch);
    expect(r.length).toBe(5);
    for (let i = 0; i < specs.length; i++) {
      expect(r.result(i)).toEqual(e.authorize(specs[i]));
      expect(r.allowed(i)).toBe(e.authorize(specs[i]).allowed);
    }
    expect(r.result(2).evaluationError).toMatch(/spec must be an object/);
    expect(r.results().map((x) => x.allowed)).toEqual([true, false, false, false, false]);
  });

  test("prepared requests keep any number of groups (four inline, the rest apart) and decide as authorize does", async () => {
    // why: only the group in position k of each list is bound, so a lost, duplicated or shifted group id changes
    // the answer
    const groups = Array.from({ length: 9 }, (_, i) => `g${i}`);
    const objects = [role("reader", [{ verbs: ["get"], apiGroups: [""], resources: ["pods"] }]),
      ...groups.map((g) => crb(`bind-${g}`, "reader", [{ kind: "Group", name: g }]))];
    const e = await createEngine(objects);
    for (let n = 0; n <= groups.length; n++) {
      for (let k = 0; k < n; k++) {
        const list = Array.from({ length: n }, (_, i) => (i === k ? groups[k] : `other-${i}`));
        const spec = { user: "bob", groups: list, resourceAttributes: { verb: "get", resource: "pods", namespace: "x" } };
        const p = e.prepare(spec);
        const want = e.authorize(spec);
        expect(want).toEqual({ allowed: true, reason: `RBAC: allowed by ClusterRoleBinding "bind-g${k}" of ClusterRole "reader" to Group "g${k}"` });
        expect(e.check(p)).toEqual(want);
        expect(p.groups.length).toBe(n);
        expect(p.words.length).toBe(9 + n);
        // a request prepared elsewhere: any object with the PreparedRequest fields decides from its words
        expect(e.check({ resource: p.resource, ids: p.ids, groups: p.groups, path: p.path, words: p.words })).toEqual(want);
      }
      const none = e.prepare({ user: "bob", groups: Array.from({ length: n }, (_, i) => `other-${i}`), resourceAttributes: { verb: "get", resource: "pods" } });
      expect(e.check(none)).toEqual({ allowed: false, reason: "" });
    }
  });

  test("the core's JSON reader decodes every escape (quote, backslash, slash, b f n r t, \\u and surrogate pairs) as JSON.parse does", async () => {
    // why: bindings send JSON.stringify's output, which never writes \/ or \u for printable characters; other hosts
    // (the webhook's raw bodies, Envoy's configuration) may, so the raw export is fed hand-written JSON here
    const raw = String.raw`{"user":"a\/b\u00e9\u00E9\"\\\b\f\n\r\t\ud83d\ude00","resourceAttributes":{"verb":"get","resource":"pods","namespace":"x"}}`;
    const user = JSON.parse(raw).user as string;
    expect(user).toBe("a/béé\"\\\b\f\n\r\t\u{1f600}");
    const e = await createEngine([role("reader", [{ verbs: ["get"], apiGroups: [""], resources: ["pods"] }]),
      crb("odd-name", "reader", [{ kind: "User", name: user }])]);
    const ex = (e as any).ex;
    const out = JSON.parse(takeOutput(ex, withInput(ex, encode(raw), (p, n) => ex.rbac_authorize((e as any).snapshot, p, n, 0))));
    expect(out).toMatchObject({ type: "success", allowed: true });
    expect(out.reason).toBe(e.authorize({ user, resourceAttributes: { verb: "get", resource: "pods", namespace: "x" } }).reason);
    expect(out.reason).toContain("odd-name");
  });

  test("non-resource paths of any length and script are encoded into the guest exactly", async () => {
    const long = "/" + "é".repeat(300) + "/😀"; // 600+ UTF-8 bytes from 303 UTF-16 units: the first encoding attempt falls short
    const urls = clusterRoleUrls([long, "/x/*", "/short"]);
    const e = await createEngine(urls);
    for (const [path, want] of [[long, true], ["/short", true], [long + "x", false], ["/x/" + "ü".repeat(1000), true], ["/y", false], ["/short", true]] as const) {
      const spec = { user: "alice", nonResourceAttributes: { verb: "get", path } };
      expect(e.authorize(spec).allowed).toBe(want);
      expect(e.check(e.prepare(spec)).allowed).toBe(want);
      expect(e.authorizeJSON(spec).allowed).toBe(want);
    }
  });
});
