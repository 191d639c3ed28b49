// The compact query path (ABI 1.3: ids in, numbers out, objects built from tables fetched once) must give exactly
// the answers of the core's JSON exports (rbac_who_can, rbac_rules_for): same subjects in the same order, same
// grants, same rules, same errors. Checked on random policies, on every query vector, and on encoding edge
// cases (unicode, empty and huge answers, unknown strings, bad input, traps, disposed engines).
import { describe, test, expect } from "vitest";
import fc from "fast-check";
import { createEngine, EngineError, type Engine } from "../../bindings/index.js";
import { loadWhoCanVectors, loadRulesForVectors } from "../vectors/load.js";
import { policyWithSpecs, runs, seed } from "./gen.js";

/** The core's JSON answer, as Engine.whoCan returned it before ABI 1.3. */
function whoCanJSON(e: Engine, spec: Record<string, unknown>): unknown {
  const x = e as any;
  return x.callJSON({ ...spec, user: "", groups: [] }, (p: number, n: number) => x.ex.rbac_who_can(x.snapshot, p, n, 0));
}

function rulesForJSON(e: Engine, s: { user?: string; groups?: string[]; namespace?: string }): unknown {
  const x = e as any;
  const input = { user: s.user ?? "", groups: s.groups ?? [], namespace: s.namespace ?? "" };
  return x.callJSON(input, (p: number, n: number) => x.ex.rbac_rules_for(x.snapshot, p, n, 0));
}

const subjectOf = (spec: any) => ({ user: spec.user, groups: spec.groups, namespace: spec.resourceAttributes?.namespace ?? "" });

test("whoCan and rulesFor equal the JSON exports exactly (order, grants, rules, errors)", async () => {
  await fc.assert(fc.asyncProperty(policyWithSpecs({ rbWithoutNamespace: true }), fc.boolean(), async ([objects, specs], aggregate) => {
    const engine = await createEngine(objects, { aggregate });
    for (const spec of specs as any[]) {
      expect({ spec, got: engine.whoCan(spec) }).toStrictEqual({ spec, got: whoCanJSON(engine, spec) });
      const s = subjectOf(spec);
      expect({ s, got: engine.rulesFor(s) }).toStrictEqual({ s, got: rulesForJSON(engine, s) });
    }
  }), { numRuns: runs(), seed });
}, 120_000);

describe("every who-can and rules-for vector", () => {
  test.each(loadWhoCanVectors())("who-can $file", async (v) => {
    const engine = await createEngine(v.objects, { aggregate: v.options.aggregate });
    for (const r of v.requests) expect(engine.whoCan(r.spec as any), r.description).toStrictEqual(whoCanJSON(engine, r.spec));
  });
  test.each(loadRulesForVectors())("rules-for $file", async (v) => {
    const engine = await createEngine(v.objects, { aggregate: v.options.aggregate });
    for (const r of v.requests) expect(engine.rulesFor(r.input), r.description).toStrictEqual(rulesForJSON(engine, r.input));
  });
});

const AV = "rbac.authorization.k8s.io/v1";
const RBAC = "rbac.authorization.k8s.io";
const role = (kind: string, name: string, rules: object[], namespace?: string) =>
  ({ apiVersion: AV, kind, metadata: namespace === undefined ? { name } : { name, namespace }, rules });
const binding = (kind: string, name: string, roleRef: object, subjects: object[], namespace?: string) =>
  ({ apiVersion: AV, kind, metadata: namespace === undefined ? { name } : { name, namespace }, roleRef, subjects });

describe("encoding edge cases", () => {
  test("unicode in every string the tables carry", async () => {
    const ns = "naïve-名前空間";
    const objects = [
      role("ClusterRole", "lecteur-😀", [
        { apiGroups: ["grüppe.example", ""], resources: ["pödś", "pödś/lög"], resourceNames: ["ñame", "𝒳"], verbs: ["gét", "*"] },
        { nonResourceURLs: ["/héalth*", "/😀"], verbs: ["gét"] },
      ]),
      role("Role", "rôle", [{ apiGroups: [""], resources: ["*"], verbs: ["list"] }], ns),
      binding("ClusterRoleBinding", "liaison-∑", { apiGroup: RBAC, kind: "ClusterRole", name: "lecteur-😀" }, [
        { kind: "User", apiGroup: RBAC, name: "jürgen@例え.jp" },
        { kind: "Group", apiGroup: RBAC, name: "équipe-🛠" },
        { kind: "ServiceAccount", name: "sä", namespace: ns },
      ]),
      binding("RoleBinding", "rb-ü", { apiGroup: RBAC, kind: "Role", name: "rôle" }, [{ kind: "User", apiGroup: RBAC, name: "jürgen@例え.jp" }], ns),
      binding("RoleBinding", "rb-missing-ü", { apiGroup: RBAC, kind: "Role", name: "pas-là-😀" }, [{ kind: "User", apiGroup: RBAC, name: "jürgen@例え.jp" }], ns),
    ];
    const engine = await createEngine(objects);
    const specs = [
      { resourceAttributes: { namespace: ns, verb: "gét", group: "grüppe.example", resource: "pödś", subresource: "lög", name: "𝒳" } },
      { resourceAttributes: { namespace: ns, verb: "list", group: "", resource: "pödś" } },
      { nonResourceAttributes: { verb: "gét", path: "/héalthz/ü" } },
      { nonResourceAttributes: { verb: "gét", path: "/😀" } },
    ];
    for (const spec of specs) expect(engine.whoCan(spec)).toStrictEqual(whoCanJSON(engine, spec));
    const who = engine.whoCan(specs[0]);
    expect(who.subjects.map((s) => s.name)).toEqual(["system:masters", "jürgen@例え.jp", "équipe-🛠", "sä"]);
    expect(who.subjects[1].grants).toEqual([{ binding: "ClusterRoleBinding//liaison-∑", role: "ClusterRole//lecteur-😀", ruleIndex: 0 }]);
    expect(engine.whoCan(specs[1]).errors).toEqual(['role.rbac.authorization.k8s.io "pas-là-😀" not found']);
    const input = { user: "jürgen@例え.jp", groups: ["équipe-🛠"], namespace: ns };
    const rules = engine.rulesFor(input);
    expect(rules).toStrictEqual(rulesForJSON(engine, input));
    expect(rules.resourceRules[0].resourceNames).toEqual(["ñame", "𝒳"]);
    expect(rules.nonResourceRules[0].nonResourceURLs).toEqual(["/héalth*", "/😀"]);
    expect(rules.evaluationError).toBe('role.rbac.authorization.k8s.io "pas-là-😀" not found');
  });

  test("empty answers: no policy, unknown strings, nobody bound", async () => {
    const empty = await createEngine([]);
    expect(empty.whoCan({ resourceAttributes: { verb: "get", resource: "pods" } })).toStrictEqual({
      subjects: [{ kind: "Group", apiGroup: RBAC, name: "system:masters", namespace: "", grants: [] }], errors: [],
    });
    expect(empty.rulesFor({ user: "nobody" })).toStrictEqual({ resourceRules: [], nonResourceRules: [], incomplete: false });
    expect(empty.rulesFor({})).toStrictEqual(rulesForJSON(empty, {}));
    const engine = await createEngine([
      role("ClusterRole", "r", [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }]),
      binding("ClusterRoleBinding", "b", { apiGroup: RBAC, kind: "ClusterRole", name: "r" }, [{ kind: "User", apiGroup: RBAC, name: "u" }]),
    ]);
    for (const spec of [
      { resourceAttributes: { namespace: "never-seen", verb: "never-seen", group: "never-seen", resource: "never-seen", subresource: "x/y", name: "?" } },
      { nonResourceAttributes: { verb: "never-seen", path: "/never/seen" } },
      { resourceAttributes: {} },
      { nonResourceAttributes: {} },
    ]) expect(engine.whoCan(spec)).toStrictEqual(whoCanJSON(engine, spec));
    for (const s of [{ user: "never-seen", groups: ["never-seen", ""], namespace: "never-seen" }, { user: "u", namespace: "never-seen" }, { groups: [] }]) {
      expect(engine.rulesFor(s)).toStrictEqual(rulesForJSON(engine, s));
    }
  });

  test("a ServiceAccount without namespace is one subject, whichever bindings name it (shrunk counterexample)", async () => {
    const sa = { kind: "ServiceAccount", name: "sa" };
    const engine = await createEngine([
      binding("RoleBinding", "b1", { apiGroup: RBAC, kind: "ClusterRole", name: "c1" }, [sa], "ns1"),
      role("ClusterRole", "c1", [{ verbs: ["get"], apiGroups: [""], resources: ["deployments"] }]),
      binding("ClusterRoleBinding", "b1", { apiGroup: RBAC, kind: "ClusterRole", name: "c1" }, [sa, { kind: "User", apiGroup: RBAC, name: "system:serviceaccount:ns1:sa" }]),
      binding("RoleBinding", "b2", { apiGroup: RBAC, kind: "ClusterRole", name: "c1" }, [{ ...sa, namespace: "ns1" }, sa], "ns1"),
    ]);
    const spec = { resourceAttributes: { namespace: "ns1", verb: "get", group: "", resource: "deployments" } };
    const got = engine.whoCan(spec);
    expect(got).toStrictEqual(whoCanJSON(engine, spec));
    expect(got.subjects.map((s) => `${s.kind}:${s.namespace}:${s.name}:${s.grants.length}`)).toEqual([
      "Group::system:masters:0", "ServiceAccount::sa:3", "User::system:serviceaccount:ns1:sa:1", "ServiceAccount:ns1:sa:1"]);
  });

  test("rulesFor after a JSON call that made the core's group buffer grow", async () => {
    const engine = await createEngine([
      role("ClusterRole", "r", [{ apiGroups: [""], resources: ["pods"], verbs: ["get"] }]),
      binding("ClusterRoleBinding", "b", { apiGroup: RBAC, kind: "ClusterRole", name: "r" }, [{ kind: "Group", apiGroup: RBAC, name: "dev" }]),
    ]);
    const many = Array.from({ length: 100 }, (_, i) => `g${i}`);
    expect(engine.rulesFor({ user: "u", groups: ["dev"] }).resourceRules).toHaveLength(1);
    engine.explain({ user: "u", groups: ["dev", ...many], resourceAttributes: { verb: "get", resource: "pods" } });
    expect(engine.rulesFor({ user: "u", groups: ["other"] }).resourceRules).toHaveLength(0);
    expect(engine.rulesFor({ user: "u", groups: ["dev"] }).resourceRules).toHaveLength(1);
    expect(engine.rulesFor({ user: "u", groups: [...many, "dev"] }).resourceRules).toHaveLength(1);
  });

  test("huge answers: thousands of subjects and grants, rules of every binding", async () => {
    const objects: object[] = [role("ClusterRole", "view-all", [{ apiGroups: ["*"], resources: ["*"], verbs: ["get", "list"] }])];
    for (let i = 0; i < 60; i++) {
      objects.push(role("ClusterRole", `r${i}`, Array.from({ length: 20 }, (_, j) => ({ apiGroups: [""], resources: [`res${j}`], verbs: ["get"] }))));
    }
    for (let i = 0; i < 3000; i++) {
      const subjects = [{ kind: "User", apiGroup: RBAC, name: `user-${i % 1500}` }, { kind: "Group", apiGroup: RBAC, name: "everyone" },
        { kind: "ServiceAccount", name: `sa-${i}`, namespace: `ns-${i % 7}` }];
      if (i % 2 === 0) {
        objects.push(binding("ClusterRoleBinding", `crb-${i}`, { apiGroup: RBAC, kind: "ClusterRole", name: i % 3 === 0 ? "view-all" : `r${i % 60}` }, subjects));
      } else {
        objects.push(binding("RoleBinding", `rb-${i}`, { apiGroup: RBAC, kind: "ClusterRole", name: i % 5 === 0 ? "missing" : "view-all" }, subjects, `ns-${i % 7}`));
      }
    }
    const engine = await createEngine(objects);
    const spec = { resourceAttributes: { namespace: "ns-1", verb: "get", group: "", resource: "res3" } };
    const got = engine.whoCan(spec);
    expect(got).toStrictEqual(whoCanJSON(engine, spec));
    expect(got.subjects.length).toBeGreaterThan(1000);
    expect(got.subjects.find((s) => s.name === "everyone")!.grants.length).toBeGreaterThan(500);
    expect(got.errors.length).toBeGreaterThan(10);
    const input = { user: "user-1", groups: ["everyone"], namespace: "ns-1" };
    const rules = engine.rulesFor(input);
    expect(rules).toStrictEqual(rulesForJSON(engine, input));
    expect(rules.resourceRules.length).toBeGreaterThan(10_000);
  });

  test("answers are fresh objects: mutating one changes no later answer", async () => {
    const engine = await createEngine([
      role("ClusterRole", "r", [{ apiGroups: [""], resources: ["pods"], verbs: ["get"] }, { nonResourceURLs: ["/x"], verbs: ["get"] }]),
      binding("ClusterRoleBinding", "b", { apiGroup: RBAC, kind: "ClusterRole", name: "r" }, [{ kind: "User", apiGroup: RBAC, name: "u" }]),
    ]);
    const spec = { resourceAttributes: { verb: "get", resource: "pods" } };
    const a = engine.rulesFor({ user: "u" });
    a.resourceRules[0].verbs.push("delete");
    a.resourceRules[0].source.ruleIndex = 99;
    a.nonResourceRules[0].verbs.length = 0;
    const w = engine.whoCan(spec);
    w.subjects[1].grants.length = 0;
    w.subjects.length = 0;
    expect(engine.rulesFor({ user: "u" })).toStrictEqual(rulesForJSON(engine, { user: "u" }));
    expect(engine.whoCan(spec)).toStrictEqual(whoCanJSON(engine, spec));
  });

  test("bad input is BAD_INPUT, as before; a disposed engine fails", async () => {
    const engine = await createEngine([]);
    const code = (f: () => unknown) => { try { f(); } catch (e) { return (e as EngineError).code + ": " + (e as Error).message; } return "no error"; };
    expect(code(() => engine.whoCan({} as any))).toBe("BAD_INPUT: spec has neither resourceAttributes nor nonResourceAttributes");
    expect(code(() => engine.whoCan(null as any))).toBe("BAD_INPUT: spec has neither resourceAttributes nor nonResourceAttributes");
    expect(code(() => engine.whoCan({ resourceAttributes: {}, nonResourceAttributes: {} }))).toBe(
      "BAD_INPUT: spec has both resourceAttributes and nonResourceAttributes");
    expect(code(() => engine.whoCan({ resourceAttributes: { verb: 5 as any } }))).toMatch(/^BAD_INPUT/);
    expect(code(() => engine.rulesFor({ groups: [7 as any] }))).toMatch(/^BAD_INPUT/);
    expect(code(() => engine.rulesFor({ groups: "dev" as any }))).toMatch(/^BAD_INPUT/);
    // user fields are ignored by whoCan, whatever they hold
    expect(engine.whoCan({ user: "x", groups: ["y"], resourceAttributes: { verb: "get" } }).subjects).toHaveLength(1);
    engine.dispose();
    expect(code(() => engine.whoCan({ resourceAttributes: { verb: "get" } }))).toMatch(/^ENGINE_FAILURE/);
    expect(code(() => engine.rulesFor({ user: "u" }))).toMatch(/^ENGINE_FAILURE/);
  });

  test("a trap rebuilds the instance, and the next query refetches its tables", async () => {
    const engine = await createEngine([
      role("ClusterRole", "r", [{ apiGroups: [""], resources: ["pods"], verbs: ["get"] }]),
      binding("ClusterRoleBinding", "b", { apiGroup: RBAC, kind: "ClusterRole", name: "r" }, [{ kind: "User", apiGroup: RBAC, name: "u" }]),
    ]);
    const spec = { resourceAttributes: { verb: "get", resource: "pods" } };
    const before = engine.whoCan(spec);
    const x = engine as any;
    const real = x.ex;
    x.ex = new Proxy(real, { get: (t, k) => k === "rbac_who_can_ids" ? () => { throw new WebAssembly.RuntimeError("unreachable"); } : t[k] });
    let err: unknown;
    try { engine.whoCan(spec); } catch (e) { err = e; }
    expect((err as EngineError).code).toBe("ENGINE_TRAP");
    expect(x.ex).not.toBe(real);
    expect(engine.whoCan(spec)).toStrictEqual(before);
    expect(engine.rulesFor({ user: "u" }).resourceRules).toHaveLength(1);
  });
});
