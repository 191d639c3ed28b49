// POST /validate over real HTTPS with the context from files: every default guardrail refused or allowed, the
// three modes, allowlists, incomplete context, engine failure, config hot reload.
import { copyFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createEngine } from "../../bindings/index.js";
import { FileContext } from "../../host/webhook/context.js";
import { FIXTURES, makeCerts, post, review, serve, tempDir, until, type Certs, type TestServer } from "./helpers.js";

const CONTEXT = path.join(FIXTURES, "admission/context.yaml");
const hasLint = typeof (await createEngine([]) as any).lint === "function";
const tmp = tempDir();
let certs: Certs;
beforeAll(() => { certs = makeCerts(path.join(tmp.dir, "certs")); });
afterAll(() => tmp.cleanup());

const RBAC = "rbac.authorization.k8s.io";
const rb = (ns: string, name: string, roleKind: "Role" | "ClusterRole", role: string, subjects: object[], annotations?: object) => ({
  apiVersion: `${RBAC}/v1`, kind: "RoleBinding", metadata: { name, namespace: ns, ...(annotations ? { annotations } : {}) },
  roleRef: { apiGroup: RBAC, kind: roleKind, name: role }, subjects,
});
const crb = (name: string, role: string, subjects: object[]) => ({
  apiVersion: `${RBAC}/v1`, kind: "ClusterRoleBinding", metadata: { name }, roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: role }, subjects,
});
const cr = (name: string, rules: object[]) => ({ apiVersion: `${RBAC}/v1`, kind: "ClusterRole", metadata: { name }, rules });
const sa = (name: string, namespace?: string) => ({ kind: "ServiceAccount", name, ...(namespace ? { namespace } : {}) });
const userSubject = (name: string) => ({ kind: "User", apiGroup: RBAC, name });
const deployment = (name: string, podSpec: object) => ({
  apiVersion: "apps/v1", kind: "Deployment", metadata: { name, namespace: "team" },
  spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "c", image: "nginx" }], ...podSpec } } },
});

function refused(r: any): string {
  expect(r.status).toBe(200);
  expect(r.json.response.allowed, JSON.stringify(r.json)).toBe(false);
  return r.json.response.status.message as string;
}
function allowed(r: any): any {
  expect(r.status).toBe(200);
  expect(r.json.response.allowed, JSON.stringify(r.json.response)).toBe(true);
  return r.json.response;
}

describe("admission without evaluation", () => {
  let t: TestServer;
  beforeAll(async () => { t = await serve({ context: new FileContext([CONTEXT], 0), unknownRoleWaitMs: 200 }, certs); });
  afterAll(() => t.server.close());

  test("the answer echoes uid and apiVersion; DELETE, CONNECT, subresources and other kinds are allowed", async () => {
    const del = review("DELETE", null, { name: "app", namespace: "team", kind: { group: RBAC, version: "v1", kind: "RoleBinding" },
      oldObject: rb("team", "app", "Role", "app-role", [sa("app")]) });
    const r = await post(t, "/validate", del);
    expect(r.json.apiVersion).toBe("admission.k8s.io/v1");
    expect(r.json.kind).toBe("AdmissionReview");
    expect(r.json.response.uid).toBe(del.request.uid);
    allowed(r);
    allowed(await post(t, "/validate", review("CREATE", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: "team" } })));
    allowed(await post(t, "/validate", review("UPDATE", deployment("web", {}), { subResource: "status" })));
    allowed(await post(t, "/validate", review("CONNECT", { apiVersion: "v1", kind: "PodExecOptions" })));
    const beta = review("DELETE", null);
    (beta as any).apiVersion = "admission.k8s.io/v1beta1";
    expect((await post(t, "/validate", beta)).json.apiVersion).toBe("admission.k8s.io/v1beta1");
  });
});

describe("engine failure", () => {
  test("an engine that cannot be built refuses the write (fail closed)", async () => {
    let calls = 0;
    const t = await serve({
      context: new FileContext([CONTEXT], 0),
      engineFactory: async (objects) => { if (++calls > 1) throw new Error("the policy engine trapped: unreachable"); return createEngine(objects); },
      lint: () => ({ findings: [] }),
    }, certs);
    try {
      const message = refused(await post(t, "/validate", review("CREATE", rb("team", "harmless", "ClusterRole", "pod-reader", [sa("app")]))));
      expect(message).toContain("fail closed");
      expect(message).toContain("trapped");
      expect(await t.server.metrics.registry.metrics()).toMatch(/rbac_guard_decisions_total\{endpoint="validate",result="error",check="none"\} 1/);
    } finally {
      await t.server.close();
    }
  });

  test("lint failing refuses too; shadow mode records it and admits", async () => {
    const boom = () => { throw new Error("lint exploded"); };
    const t = await serve({ context: new FileContext([CONTEXT], 0), lint: boom }, certs);
    const s = await serve({ context: new FileContext([CONTEXT], 0), lint: boom, admissionMode: "shadow" }, certs);
    try {
      expect(refused(await post(t, "/validate", review("CREATE", rb("team", "x", "ClusterRole", "pod-reader", [sa("app")]))))).toContain("lint exploded");
      const r = allowed(await post(s, "/validate", review("CREATE", rb("team", "x", "ClusterRole", "pod-reader", [sa("app")]))));
      expect(r.auditAnnotations.decision).toBe("error");
    } finally {
      await t.server.close();
      await s.server.close();
    }
  });
});

describe.skipIf(!hasLint)("default guardrails (enforce)", () => {
  let t: TestServer;
  beforeAll(async () => { t = await serve({ context: new FileContext([CONTEXT], 0), unknownRoleWaitMs: 200 }, certs); });
  afterAll(() => t.server.close());

  test("a RoleBinding giving a ServiceAccount a full-wildcard ClusterRole is refused, naming check, object and path", async () => {
    const message = refused(await post(t, "/validate", review("CREATE", rb("team", "app-god", "ClusterRole", "god", [sa("app")]))));
    expect(message).toContain("rbac-guard refused RoleBinding/team/app-god");
    expect(message).toMatch(/\[(full-wildcard-rule|wildcard-verbs|wildcard-resources|cluster-admin-binding)\]/);
    expect(message).toMatch(/path [^;)]*ClusterRole\/\/god/);
    expect(message).toContain("ServiceAccount/team/app");
  });

  test("wildcard verbs living in the referenced ClusterRole: refused for a ServiceAccount, only warned for a user", async () => {
    const message = refused(await post(t, "/validate", review("CREATE", rb("team", "app-cm", "ClusterRole", "pod-master", [sa("app")]))));
    expect(message).toContain("[wildcard-verbs] ClusterRole//pod-master");
    expect(message).toContain("path RoleBinding/team/app-cm → ClusterRole//pod-master");
    const user = allowed(await post(t, "/validate", review("CREATE", rb("team", "dev-cm", "ClusterRole", "pod-master", [userSubject("dev")]))));
    expect(JSON.stringify(user.auditAnnotations ?? {})).toContain("wildcard-verbs");
  });

  test("a ClusterRole update giving wildcards to ServiceAccounts already bound to it is refused", async () => {
    const message = refused(await post(t, "/validate", review("UPDATE", cr("ci-role", [{ apiGroups: [""], resources: ["configmaps"], verbs: ["*"] }]),
      { oldObject: cr("ci-role", [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get"] }]) })));
    expect(message).toContain("[wildcard-verbs] ClusterRole//ci-role");
    expect(message).toContain("ServiceAccount/team/ci");
    // the same rules on a role nobody is bound to: not refused
    allowed(await post(t, "/validate", review("UPDATE", cr("spare", [{ apiGroups: [""], resources: ["configmaps"], verbs: ["*"] }]))));
  });

  test("bindings to a default ServiceAccount are refused (namespace implied or explicit)", async () => {
    expect(refused(await post(t, "/validate", review("CREATE", rb("team", "d1", "ClusterRole", "pod-reader", [sa("default")])))))
      .toContain("[default-sa-binding] RoleBinding/team/d1");
    expect(refused(await post(t, "/validate", review("CREATE", crb("d2", "pod-reader", [sa("default", "team")])))))
      .toContain("[default-sa-binding] ClusterRoleBinding//d2");
  });

  test("bindings to system:anonymous or system:unauthenticated are refused", async () => {
    expect(refused(await post(t, "/validate", review("CREATE", crb("anon", "pod-reader", [userSubject("system:anonymous")])))))
      .toContain("[anonymous-binding]");
    expect(refused(await post(t, "/validate", review("CREATE", crb("unauth", "pod-reader", [{ kind: "Group", apiGroup: RBAC, name: "system:unauthenticated" }])))))
      .toContain("[anonymous-binding]");
  });

  test("cluster-admin bindings are refused without an allowlist", async () => {
    expect(refused(await post(t, "/validate", review("CREATE", crb("bob-admin", "cluster-admin", [userSubject("bob")])))))
      .toContain("[cluster-admin-binding] ClusterRoleBinding//bob-admin");
  });

  test("legacy token Secrets, default-SA workloads with a token and long projected tokens are warned (≤ 120 characters)", async () => {
    const secret = allowed(await post(t, "/validate", review("CREATE", { apiVersion: "v1", kind: "Secret", type: "kubernetes.io/service-account-token",
      metadata: { name: "app-token", namespace: "team", annotations: { "kubernetes.io/service-account.name": "app" } }, data: { token: "c2VjcmV0" } })));
    expect(secret.warnings.join("\n")).toContain("[legacy-sa-token-secret]");
    const dflt = allowed(await post(t, "/validate", review("CREATE", deployment("web", {}))));
    expect(dflt.warnings.join("\n")).toContain("[default-sa-used]");
    const projected = allowed(await post(t, "/validate", review("CREATE", deployment("vault-login", {
      serviceAccountName: "app", automountServiceAccountToken: false,
      volumes: [{ name: "t", projected: { sources: [{ serviceAccountToken: { path: "token", expirationSeconds: 172800 } }] } }],
    }))));
    expect(projected.warnings.join("\n")).toContain("[projected-token-long-expiry]");
    for (const w of [...secret.warnings, ...dflt.warnings, ...projected.warnings]) expect(w.length).toBeLessThanOrEqual(120);
    // never a token in the logs
    expect(JSON.stringify(t.logs.lines)).not.toContain("c2VjcmV0");
  });

  test("a workload holding a token of a powerful ServiceAccount is warned (its grants found through bindings and groups)", async () => {
    const direct = allowed(await post(t, "/validate", review("CREATE", deployment("ops", { serviceAccountName: "legacy", automountServiceAccountToken: true }))));
    expect(direct.warnings.join("\n")).toContain("[workload-privileged-sa] Deployment/team/ops");
    const cron = {
      apiVersion: "batch/v1", kind: "CronJob", metadata: { name: "nightly", namespace: "team" },
      spec: { schedule: "@daily", jobTemplate: { spec: { template: { spec: { serviceAccountName: "legacy", automountServiceAccountToken: true,
        restartPolicy: "Never", containers: [{ name: "c", image: "x" }] } } } } },
    };
    expect(allowed(await post(t, "/validate", review("CREATE", cron))).warnings.join("\n")).toContain("[workload-privileged-sa] CronJob/team/nightly");
    // no token, no finding
    const none = allowed(await post(t, "/validate", review("CREATE", deployment("ops2", { serviceAccountName: "legacy", automountServiceAccountToken: false }))));
    expect(JSON.stringify(none)).not.toContain("workload-privileged-sa");
  });

  test("harmless writes are allowed without warnings; earlier problems elsewhere do not block them", async () => {
    const r = allowed(await post(t, "/validate", review("CREATE", rb("team", "app-pods", "ClusterRole", "pod-reader", [sa("app")]))));
    expect(r.warnings).toBeUndefined();
    allowed(await post(t, "/validate", review("CREATE", deployment("api", { serviceAccountName: "app" }))));
  });

  test("the incoming object replaces its stored version: fixing a bad binding is allowed, breaking a good one refused", async () => {
    allowed(await post(t, "/validate", review("UPDATE", rb("team", "legacy-god", "ClusterRole", "pod-reader", [sa("legacy")]))));
    const message = refused(await post(t, "/validate", review("UPDATE", rb("team", "app", "ClusterRole", "god", [sa("app")]))));
    expect(message).toContain("RoleBinding/team/app");
  });

  test("a roleRef outside the context that is not a bootstrap role fails closed, saying so", async () => {
    const message = refused(await post(t, "/validate", review("CREATE", rb("team", "later", "ClusterRole", "created-later", [sa("app")]))));
    expect(message).toContain("[context-incomplete]");
    expect(message).toContain("not in the cluster context");
    // bootstrap roles are assumed to exist
    allowed(await post(t, "/validate", review("CREATE", rb("team", "viewers", "ClusterRole", "view", [userSubject("carol")]))));
  });

  test("an expires-at annotation that is not RFC 3339 is refused", async () => {
    expect(refused(await post(t, "/validate", review("CREATE", rb("team", "jit", "ClusterRole", "pod-reader", [userSubject("dave")],
      { "rbac-guard.io/expires-at": "tomorrow" }))))).toContain("[invalid-expiry-annotation]");
    allowed(await post(t, "/validate", review("CREATE", rb("team", "jit", "ClusterRole", "pod-reader", [userSubject("dave")],
      { "rbac-guard.io/expires-at": "2030-01-01T00:00:00Z" }))));
  });

  test("metrics count refusals by check", async () => {
    const text = await t.server.metrics.registry.metrics();
    expect(text).toMatch(/rbac_guard_decisions_total\{endpoint="validate",result="denied",check="default-sa-binding"\} \d+/);
    expect(text).toMatch(/rbac_guard_admission_findings_total\{check="anonymous-binding",action="deny"\} \d+/);
  });
});

describe.skipIf(!hasLint)("modes and config", () => {
  test("warn mode: nothing refused, would-deny warnings of at most 120 characters", async () => {
    const t = await serve({ context: new FileContext([CONTEXT], 0), admissionMode: "warn" }, certs);
    try {
      const r = allowed(await post(t, "/validate", review("CREATE", rb("team", "app-god", "ClusterRole", "god", [sa("app")]))));
      expect(r.warnings.length).toBeGreaterThan(0);
      expect(r.warnings.some((w: string) => w.startsWith("rbac-guard (would deny): ["))).toBe(true);
      for (const w of r.warnings) expect(w.length).toBeLessThanOrEqual(120);
      expect(r.auditAnnotations.decision).toBe("warn");
    } finally {
      await t.server.close();
    }
  });

  test("shadow mode: nothing refused, no warnings, the decision recorded", async () => {
    const t = await serve({ context: new FileContext([CONTEXT], 0), admissionMode: "shadow" }, certs);
    try {
      for (const o of [rb("team", "app-god", "ClusterRole", "god", [sa("app")]), crb("anon", "pod-reader", [userSubject("system:anonymous")]),
        rb("team", "later", "ClusterRole", "created-later", [sa("app")])]) {
        const r = allowed(await post(t, "/validate", review("CREATE", o)));
        expect(r.warnings).toBeUndefined();
        expect(r.auditAnnotations.decision).toBe("would-deny");
        expect(r.auditAnnotations.mode).toBe("shadow");
      }
      expect(await t.server.metrics.registry.metrics()).toMatch(/result="shadow_denied"/);
      expect(t.logs.decisions().filter((l) => l.result === "shadow_denied").length).toBe(3);
    } finally {
      await t.server.close();
    }
  });

  test("cluster-admin allowlist; config hot reload keeps the last good config", async () => {
    const dir = tempDir();
    const config = path.join(dir.dir, "admission.yaml");
    copyFileSync(path.join(FIXTURES, "admission/config-allowlist.yaml"), config);
    const t = await serve({ context: new FileContext([CONTEXT], 0), configFile: config }, certs);
    try {
      allowed(await post(t, "/validate", review("CREATE", crb("sre", "cluster-admin", [{ kind: "Group", apiGroup: RBAC, name: "sre-oncall" }]))));
      refused(await post(t, "/validate", review("CREATE", crb("bob-admin", "cluster-admin", [userSubject("bob")]))));

      writeFileSync(config, "mode: sometimes\n");
      await until(async () => /rbac_guard_reload_failures_total\{source="config"\} 1/.test(await t.server.metrics.registry.metrics()), 5000, "config failure");
      allowed(await post(t, "/validate", review("CREATE", crb("sre", "cluster-admin", [{ kind: "Group", apiGroup: RBAC, name: "sre-oncall" }]))));

      writeFileSync(config, "mode: shadow\n");
      await until(async () => (await post(t, "/validate", review("CREATE", crb("bob-admin", "cluster-admin", [userSubject("bob")])))).json.response.allowed,
        5000, "the new config");
    } finally {
      await t.server.close();
      dir.cleanup();
    }
  });

  test("the lint section reaches engine.lint(); a malformed one is refused at startup", async () => {
    const dir = tempDir();
    const config = path.join(dir.dir, "admission.yaml");
    writeFileSync(config, "lint:\n  maxTokenExpirationSeconds: 200000\n");
    const t = await serve({ context: new FileContext([CONTEXT], 0), configFile: config }, certs);
    try {
      const r = allowed(await post(t, "/validate", review("CREATE", deployment("vault-login", {
        serviceAccountName: "app", automountServiceAccountToken: false,
        volumes: [{ name: "t", projected: { sources: [{ serviceAccountToken: { path: "token", expirationSeconds: 172800 } }] } }],
      }))));
      expect(JSON.stringify(r)).not.toContain("projected-token-long-expiry");
      writeFileSync(config, "lint:\n  maxTokenExpirationSeconds: soon\n");
      await expect(serve({ context: new FileContext([CONTEXT], 0), configFile: config }, certs)).rejects.toThrow(/lint/);
    } finally {
      await t.server.close();
      dir.cleanup();
    }
  });

  test("a binding sent just before its role (one kubectl apply) waits for the role, then is judged on it", async () => {
    const dir = tempDir();
    const ctx = path.join(dir.dir, "ctx.yaml");
    copyFileSync(CONTEXT, ctx);
    const t = await serve({ context: new FileContext([ctx], 50), unknownRoleWaitMs: 5_000 }, certs);
    try {
      const base = await import("node:fs").then((f) => f.readFileSync(CONTEXT, "utf8"));
      const withRole = (name: string, verbs: string) =>
        `${base}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: ${name}}\nrules: [{apiGroups: [''], resources: [pods], verbs: [${verbs}]}]\n`;
      const started = Date.now();
      const pending = post(t, "/validate", review("CREATE", rb("team", "soon", "ClusterRole", "arrives-soon", [sa("app")])));
      setTimeout(() => writeFileSync(ctx, withRole("arrives-soon", "get")), 300);
      allowed(await pending);
      expect(Date.now() - started).toBeGreaterThanOrEqual(250); // it waited for the role
      // the role that arrives is judged like any other: a wildcard role is refused once it is known
      const risky = post(t, "/validate", review("CREATE", rb("team", "risky", "ClusterRole", "arrives-wild", [sa("app")])));
      setTimeout(() => writeFileSync(ctx, withRole("arrives-wild", "'*'")), 300);
      const message = refused(await risky);
      expect(message).not.toContain("[context-incomplete]");
      expect(message).toContain("RoleBinding/team/risky");
    } finally {
      await t.server.close();
      dir.cleanup();
    }
  });

  test("context files are reloaded: a role created later resolves", async () => {
    const dir = tempDir();
    const ctx = path.join(dir.dir, "ctx.yaml");
    copyFileSync(CONTEXT, ctx);
    const t = await serve({ context: new FileContext([ctx], 50) }, certs);
    try {
      const later = rb("team", "later", "ClusterRole", "created-later", [sa("app")]);
      refused(await post(t, "/validate", review("CREATE", later)));
      writeFileSync(ctx, `${await import("node:fs").then((f) => f.readFileSync(CONTEXT, "utf8"))}\n---\n` +
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: created-later}\nrules: [{apiGroups: [''], resources: [pods], verbs: [get]}]\n");
      await until(async () => (await post(t, "/validate", review("CREATE", later))).json.response.allowed, 5000, "the reloaded context");
      writeFileSync(ctx, "kind: [broken\n");
      await until(async () => /rbac_guard_reload_failures_total\{source="context"\} 1/.test(await t.server.metrics.registry.metrics()), 5000, "context failure");
      allowed(await post(t, "/validate", review("CREATE", later)));
    } finally {
      await t.server.close();
      dir.cleanup();
    }
  });
});
