// Unit tests of the webhook's parts: policy and config parsing, globs, finding attribution and actions.
import { describe, expect, test } from "vitest";
import { defaultConfig, parseConfig } from "../../host/webhook/config.js";
import { actionFor, findingKey, HolderIndex, isServiceAccountHolder, pathInvolves, subjectKey, type Finding } from "../../host/webhook/findings.js";
import { ConfigError, globToRegExp, parsePolicy } from "../../host/webhook/policy.js";
import { expiryOf, objectKey } from "../../host/webhook/snapshot.js";
import { clip } from "../../host/webhook/admission.js";
import { bindingName, parseSAR } from "../../host/webhook/authorization.js";

const f = (over: Partial<Finding>): Finding => ({ id: "x", concept: "x", severity: "high", object: "ClusterRole//r", objectIndex: 0,
  fieldPath: "", message: "m", subjects: [], path: [], ...over });

describe("globs", () => {
  test("* and ? only; everything else literal", () => {
    expect(globToRegExp("ci/*").test("ci/runner")).toBe(true);
    expect(globToRegExp("ci/*").test("cd/runner")).toBe(false);
    expect(globToRegExp("a.b").test("axb")).toBe(false);
    expect(globToRegExp("user-?").test("user-1")).toBe(true);
    expect(globToRegExp("user-?").test("user-12")).toBe(false);
    expect(globToRegExp("(x)+[y]").test("(x)+[y]")).toBe(true);
  });
});

describe("guardrail policy", () => {
  test("validation names the offending field", () => {
    const bad: [string, RegExp][] = [
      ["deny: 5", /deny must be a list/],
      ["deny: [{subjects: {users: [a]}}]", /name must be a non-empty string/],
      ["deny: [{name: a}]", /subjects is required/],
      ["deny: [{name: a, subjects: {}}]", /selects no subject/],
      ["deny: [{name: a, subjects: {users: a}}]", /users must be a list of strings/],
      ["deny: [{name: a, subjects: {serviceAccounts: [x]}}]", /namespace\/name/],
      ["deny: [{name: a, subjects: {users: [a]}, verb: [get]}]", /verb is not a known field/],
      ["deny: [{name: a, subjects: {users: [a]}}, {name: a, subjects: {users: [b]}}]", /used twice/],
      ["deny: [{name: a, subjects: {users: [a]}, nonResourceURLs: [/x], resources: [pods]}]", /cannot be combined/],
      ["deny: [{name: a, subjects: {users: [a]}, verbs: []}]", /must not be empty/],
      ["kind: Other", /kind must be GuardrailPolicy/],
      ["deny: [", /policy/],
    ];
    for (const [text, re] of bad) expect(() => parsePolicy(text), text).toThrow(re);
    expect(() => parsePolicy("deny: [")).toThrow(ConfigError);
  });

  test("matching: subjects, except, attributes, wildcards in requests", () => {
    const p = parsePolicy(`deny:
  - {name: e, subjects: {groups: [dev]}, except: {users: [lead]}, verbs: [get], resources: [secrets], namespaces: [prod-*]}
  - {name: n, subjects: {users: ["*"]}, verbs: [get], nonResourceURLs: ["/debug/*"]}`);
    const spec = (user: string, groups: string[], ra: object) => ({ user, groups, resourceAttributes: ra });
    expect(p.match(spec("a", ["dev"], { verb: "get", resource: "secrets", namespace: "prod-1" }))?.name).toBe("e");
    expect(p.match(spec("lead", ["dev"], { verb: "get", resource: "secrets", namespace: "prod-1" }))).toBeUndefined();
    expect(p.match(spec("a", ["ops"], { verb: "get", resource: "secrets", namespace: "prod-1" }))).toBeUndefined();
    expect(p.match(spec("a", ["dev"], { verb: "list", resource: "secrets", namespace: "prod-1" }))).toBeUndefined();
    expect(p.match(spec("a", ["dev"], { verb: "*", resource: "secrets", namespace: "prod-1" }))?.name).toBe("e");
    expect(p.match(spec("a", ["dev"], { verb: "get", resource: "*", namespace: "prod-1" }))?.name).toBe("e");
    expect(p.match(spec("a", ["dev"], { verb: "get", resource: "secrets", namespace: "" }))?.name).toBe("e");
    expect(p.match(spec("a", ["dev"], { verb: "get", resource: "secrets", namespace: "dev" }))).toBeUndefined();
    expect(p.match({ user: "x", nonResourceAttributes: { verb: "get", path: "/debug/pprof" } })?.name).toBe("n");
    expect(p.match({ user: "x", nonResourceAttributes: { verb: "get", path: "/healthz" } })).toBeUndefined();
  });
});

describe("admission config", () => {
  test("defaults: enforce; deny for the named guardrails; warn critical/high; audit the rest", () => {
    const c = defaultConfig();
    expect(c.mode).toBe("enforce");
    expect(c.checks["wildcard-verbs"]).toEqual({ action: "deny", serviceAccountsOnly: true });
    expect(c.checks["default-sa-binding"].action).toBe("deny");
    expect(c.defaults).toMatchObject({ critical: "warn", high: "warn", medium: "audit", low: "audit" });
  });

  test("parsing and validation", () => {
    const c = parseConfig("mode: warn\nchecks: {secrets-read: deny, wildcard-verbs: {action: warn}}\nexempt: {groups: ['system:masters']}\n");
    expect(c.mode).toBe("warn");
    expect(c.checks["secrets-read"].action).toBe("deny");
    expect(c.checks["wildcard-verbs"]).toEqual({ action: "warn", serviceAccountsOnly: undefined });
    expect(c.checks["default-sa-binding"].action).toBe("deny"); // built-ins stay unless overridden
    expect(c.exempt.groups("system:masters")).toBe(true);
    for (const [text, re] of [
      ["mode: sometimes", /mode must be one of/], ["checks: {a: maybe}", /must be one of deny, warn, audit, off/],
      ["defaults: {urgent: deny}", /urgent is not a known field/], ["clusterAdminAllowlist: {subjects: [alice]}", /Kind\/namespace\/name/],
      ["incompleteContext: off", /deny, warn or audit/], ["colour: blue", /colour is not a known field/], ["kind: Nope", /AdmissionConfig/],
    ] as [string, RegExp][]) expect(() => parseConfig(text), text).toThrow(re);
  });
});

describe("findings", () => {
  test("subjects and holders", () => {
    expect(subjectKey({ kind: "ServiceAccount", name: "a", namespace: "" }, "ns")).toBe("ServiceAccount/ns/a");
    expect(subjectKey("Group//g")).toBe("Group//g");
    expect(isServiceAccountHolder("ServiceAccount/ns/a")).toBe(true);
    expect(isServiceAccountHolder("Group//system:serviceaccounts")).toBe(true);
    expect(isServiceAccountHolder("Group//system:serviceaccounts:ci")).toBe(true);
    expect(isServiceAccountHolder("Group//system:serviceaccountsx")).toBe(false);
    expect(isServiceAccountHolder("User//alice")).toBe(false);
    const idx = new HolderIndex([
      { kind: "RoleBinding", metadata: { name: "b", namespace: "ns" }, roleRef: { kind: "ClusterRole", name: "r" }, subjects: [{ kind: "ServiceAccount", name: "sa" }] },
      { kind: "ClusterRoleBinding", metadata: { name: "c" }, roleRef: { kind: "ClusterRole", name: "r" }, subjects: [{ kind: "User", name: "u" }] },
    ]);
    expect(idx.holders(f({}))).toEqual(["ServiceAccount/ns/sa", "User//u"]);
    expect(idx.holders(f({ object: "RoleBinding/ns/b" }))).toEqual(["ServiceAccount/ns/sa"]);
    expect(idx.holders(f({ subjects: [{ kind: "Group", name: "g", namespace: "" }] }))).toEqual(["Group//g"]);
  });

  test("pathInvolves matches whole keys only", () => {
    const path = [{ kind: "Binding", object: "RoleBinding/ns/app" }, { kind: "Role", object: "ClusterRole//god" }];
    expect(pathInvolves(path, "RoleBinding/ns/app")).toBe(true);
    expect(pathInvolves(path, "RoleBinding/ns/ap")).toBe(false);
    expect(pathInvolves("RoleBinding/ns/app → ClusterRole//god", "ClusterRole//god")).toBe(true);
    expect(pathInvolves("RoleBinding/ns/app-2 → x", "RoleBinding/ns/app")).toBe(false);
    expect(pathInvolves(undefined, "x")).toBe(false);
  });

  test("actions: rule, serviceAccountsOnly fallback, severity default, allowlist", () => {
    const cfg = parseConfig("clusterAdminAllowlist: {subjects: ['Group//admins'], bindings: ['ClusterRoleBinding//break-*']}");
    expect(actionFor(f({ id: "wildcard-verbs", concept: "wildcard-verbs", severity: "critical" }), ["ServiceAccount/a/b"], cfg).action).toBe("deny");
    expect(actionFor(f({ id: "wildcard-verbs", concept: "wildcard-verbs", severity: "critical" }), ["User//u"], cfg).action).toBe("warn");
    expect(actionFor(f({ id: "wildcard-verbs", concept: "wildcard-verbs", severity: "low" }), [], cfg).action).toBe("audit");
    expect(actionFor(f({ id: "secrets-read", concept: "secrets-read", severity: "medium" }), [], cfg).action).toBe("audit");
    const ca = f({ id: "cluster-admin-binding", concept: "cluster-admin-binding", severity: "critical", object: "ClusterRoleBinding//x" });
    expect(actionFor(ca, ["Group//admins"], cfg)).toEqual({ action: "audit", note: "allowlisted" });
    expect(actionFor(ca, ["Group//admins", "User//bob"], cfg).action).toBe("deny");
    expect(actionFor({ ...ca, object: "ClusterRoleBinding//break-glass" }, ["User//bob"], cfg).action).toBe("audit");
    expect(findingKey(f({}), ["a"])).not.toBe(findingKey(f({}), ["a", "b"]));
  });
});

describe("small helpers", () => {
  test("object keys, expiry parsing, binding names, clipping", () => {
    expect(objectKey({ kind: "ClusterRole", metadata: { name: "r", namespace: "ignored" } })).toBe("ClusterRole//r");
    expect(objectKey({ kind: "Pod", metadata: { generateName: "web-", namespace: "ns" } })).toBe("Pod/ns/web-*");
    const b = (v: unknown) => ({ kind: "RoleBinding", metadata: { name: "b", namespace: "n", annotations: { "rbac-guard.io/expires-at": v } } });
    expect(expiryOf(b("2030-01-01T00:00:00Z"))!.at).toBe(Date.UTC(2030, 0, 1));
    expect(expiryOf(b("2030-01-01T01:00:00+01:00"))!.at).toBe(Date.UTC(2030, 0, 1));
    expect(expiryOf(b("2030-01-01"))!.at).toBeNaN();
    expect(expiryOf(b("tomorrow"))!.at).toBeNaN();
    expect(expiryOf({ kind: "Role", metadata: { annotations: { "rbac-guard.io/expires-at": "2030-01-01T00:00:00Z" } } })).toBeUndefined();
    expect(bindingName("RoleBinding/ns/b")).toBe('RoleBinding "b/ns"');
    expect(bindingName("ClusterRoleBinding//b")).toBe('ClusterRoleBinding "b"');
    expect(clip("x".repeat(200)).length).toBe(120);
    expect(clip("a\nb")).toBe("a b");
  });

  test("parseSAR: v1beta1 group, v1 groups", () => {
    expect(parseSAR({ apiVersion: "authorization.k8s.io/v1beta1", kind: "SubjectAccessReview",
      spec: { user: "u", group: ["g"], resourceAttributes: { verb: "get" } } }).spec.groups).toEqual(["g"]);
    expect(parseSAR({ apiVersion: "authorization.k8s.io/v1", kind: "SubjectAccessReview",
      spec: { user: "u", groups: ["g"], nonResourceAttributes: { verb: "get", path: "/" } } }).spec.groups).toEqual(["g"]);
  });
});

describe("workload context", () => {
  test("a workload's own findings are the same over its scoped context as over the whole cluster", async () => {
    const { loadFiles } = await import("../../host/webhook/context.js");
    const { Snapshot } = await import("../../host/webhook/snapshot.js");
    const { workloadContext, serviceAccountOf, WORKLOAD_KINDS } = await import("../../host/webhook/workload-context.js");
    const { createEngine } = await import("../../bindings/index.js");
    const path = await import("node:path");
    const { ROOT } = await import("./helpers.js");
    const objects = await loadFiles([path.join(ROOT, "examples/cluster")]);
    const workloads = objects.filter((o: any) => WORKLOAD_KINDS.has(o.kind));
    expect(workloads.length).toBeGreaterThan(3);
    const all = await createEngine(objects);
    const own = (findings: any[], key: string) => findings.filter((f) => f.object === key && !f.suppressed)
      .map((f) => `${f.id} ${f.severity} ${f.message}`).sort();
    const full = all.lint().findings;
    const rest = objects.filter((o: any) => !WORKLOAD_KINDS.has(o.kind));
    const snap = await Snapshot.build(1, rest, { synced: true }, (o) => createEngine(o), Date.now());
    for (const w of workloads as any[]) {
      const key = objectKey(w);
      const scoped = await createEngine([...workloadContext(snap, w.metadata.namespace, serviceAccountOf(w)), w]);
      expect(own(scoped.lint().findings, key), key).toEqual(own(full, key));
    }
  });
});
