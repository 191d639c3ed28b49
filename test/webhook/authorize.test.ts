// POST /authorize over real HTTPS: guardrail deny list, no opinion, rbac mode, v1beta1, just-in-time expiry,
// engine failure and policy hot reload.
import { copyFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createEngine } from "../../bindings/index.js";
import { FileContext } from "../../host/webhook/context.js";
import { FakeClock, FIXTURES, makeCerts, post, sar, serve, tempDir, until, type Certs, type TestServer } from "./helpers.js";

const CONTEXT = path.join(FIXTURES, "authz/context.yaml");
const POLICY = path.join(FIXTURES, "authz/policy.yaml");
const tmp = tempDir();
let certs: Certs;

beforeAll(() => { certs = makeCerts(path.join(tmp.dir, "certs")); });
afterAll(() => tmp.cleanup());

const getPods = (user: string, groups: string[] = [], ns = "prod") =>
  sar({ user, groups, resourceAttributes: { verb: "get", resource: "pods", namespace: ns } });
const getSecrets = (user: string, groups: string[], ns: string) =>
  sar({ user, groups, resourceAttributes: { verb: "get", resource: "secrets", namespace: ns } });

describe("guardrail mode", () => {
  let t: TestServer;
  const clock = new FakeClock(Date.parse("2029-12-31T23:59:00Z"));
  beforeAll(async () => {
    t = await serve({ context: new FileContext([CONTEXT], 0), policyFile: POLICY, clock }, certs);
  });
  afterAll(() => t.server.close());

  test("a request the policy forbids is denied with the entry's name and reason", async () => {
    const r = await post(t, "/authorize", getSecrets("jane", ["system:authenticated"], "kube-system"));
    expect(r.status).toBe(200);
    expect(r.json.apiVersion).toBe("authorization.k8s.io/v1");
    expect(r.json.kind).toBe("SubjectAccessReview");
    expect(r.json.status.allowed).toBe(false);
    expect(r.json.status.denied).toBe(true);
    expect(r.json.status.reason).toContain('"no-kube-system-secrets"');
    expect(r.json.status.reason).toContain("reserved for the control plane");
  });

  test("everything else gets no opinion (allowed false, no denied)", async () => {
    for (const body of [
      getSecrets("jane", ["system:authenticated"], "default"),
      getPods("alice"),
      getPods("nobody"),
      sar({ user: "jane", groups: ["system:authenticated"], nonResourceAttributes: { verb: "get", path: "/metrics" } }),
    ]) {
      const r = await post(t, "/authorize", body);
      expect(r.json.status).toEqual({ allowed: false });
    }
  });

  test("except: break-glass groups are not denied", async () => {
    const r = await post(t, "/authorize", getSecrets("root", ["system:authenticated", "platform-admins"], "kube-system"));
    expect(r.json.status).toEqual({ allowed: false });
  });

  test("all namespaces (\"\") and verb * cover a namespaced entry", async () => {
    const all = await post(t, "/authorize", sar({ user: "jane", groups: ["system:authenticated"],
      resourceAttributes: { verb: "list", resource: "secrets", namespace: "" } }));
    expect(all.json.status.denied).toBe(true);
    const star = await post(t, "/authorize", sar({ user: "jane", groups: ["system:authenticated"],
      resourceAttributes: { verb: "*", resource: "secrets", namespace: "kube-system" } }));
    expect(star.json.status.denied).toBe(true);
  });

  test("serviceAccounts globs match system:serviceaccount users; subresources are matched as resource/subresource", async () => {
    const exec = await post(t, "/authorize", sar({ user: "system:serviceaccount:ci:runner", groups: [],
      resourceAttributes: { verb: "create", resource: "pods", subresource: "exec", namespace: "prod" } }));
    expect(exec.json.status.denied).toBe(true);
    expect(exec.json.status.reason).toContain('"ci-no-exec"');
    const other = await post(t, "/authorize", sar({ user: "system:serviceaccount:cd:runner", groups: [],
      resourceAttributes: { verb: "create", resource: "pods", subresource: "exec", namespace: "prod" } }));
    expect(other.json.status).toEqual({ allowed: false });
  });

  test("non-resource URLs", async () => {
    const r = await post(t, "/authorize", sar({ user: "jane", groups: ["monitoring"], nonResourceAttributes: { verb: "get", path: "/debug/pprof/heap" } }));
    expect(r.json.status.denied).toBe(true);
    expect(r.json.status.reason).toContain('"no-debug-endpoints"');
  });

  test("v1beta1: groups come from spec.group and the answer keeps the version", async () => {
    const spec = { user: "jane", resourceAttributes: { verb: "get", resource: "secrets", namespace: "kube-system" } };
    const beta = await post(t, "/authorize", sar({ ...spec, group: ["system:authenticated"] }, "authorization.k8s.io/v1beta1"));
    expect(beta.json.apiVersion).toBe("authorization.k8s.io/v1beta1");
    expect(beta.json.kind).toBe("SubjectAccessReview");
    expect(beta.json.status.denied).toBe(true);
    // v1beta1 has no `groups` field: it is ignored, so the group entry does not match
    const wrong = await post(t, "/authorize", sar({ ...spec, groups: ["system:authenticated"] }, "authorization.k8s.io/v1beta1"));
    expect(wrong.json.status).toEqual({ allowed: false });
    // and v1 has no `group`
    const v1 = await post(t, "/authorize", sar({ ...spec, group: ["system:authenticated"] }));
    expect(v1.json.status).toEqual({ allowed: false });
  });

  test("just-in-time: a binding stops granting at its expires-at; the denial names it", async () => {
    clock.set("2029-12-31T23:59:00Z");
    expect((await post(t, "/authorize", getPods("bob"))).json.status).toEqual({ allowed: false });
    // alice's temporary binding expired already, but her permanent binding grants the same: not denied
    expect((await post(t, "/authorize", getPods("alice"))).json.status).toEqual({ allowed: false });

    clock.set("2030-01-01T00:00:00.001Z");
    const bob = await post(t, "/authorize", getPods("bob"));
    expect(bob.json.status.allowed).toBe(false);
    expect(bob.json.status.denied).toBe(true);
    expect(bob.json.status.reason).toContain('RoleBinding "oncall-bob/prod"');
    expect(bob.json.status.reason).toContain("2030-01-01T00:00:00Z");
    expect((await post(t, "/authorize", getPods("alice"))).json.status).toEqual({ allowed: false });
    // bob's binding is namespaced: elsewhere RBAC would not have allowed anyway
    expect((await post(t, "/authorize", getPods("bob", [], "dev"))).json.status).toEqual({ allowed: false });

    // carol's cluster-wide binding still grants until the next day
    expect((await post(t, "/authorize", getSecrets("carol", [], "default"))).json.status).toEqual({ allowed: false });
    clock.set("2030-01-02T00:00:01Z");
    const carol = await post(t, "/authorize", getSecrets("carol", [], "default"));
    expect(carol.json.status.denied).toBe(true);
    expect(carol.json.status.reason).toContain('ClusterRoleBinding "breakglass-carol"');
  });

  test("one JSON decision line per request, without spec.extra or uid", async () => {
    const before = t.logs.decisions().length;
    await post(t, "/authorize", sar({ user: "jane", uid: "1234", groups: [], extra: { "authentication.kubernetes.io/credential-id": ["JTI=secret-jti"] },
      resourceAttributes: { verb: "get", resource: "pods", namespace: "x" } }));
    await until(() => t.logs.decisions().length === before + 1, 2000, "decision log line");
    const line = t.logs.decisions().at(-1);
    expect(line.endpoint).toBe("authorize");
    expect(line.user).toBe("jane");
    expect(JSON.stringify(line)).not.toContain("secret-jti");
    expect(JSON.stringify(line)).not.toContain("1234");
  });

  test("metrics count decisions by result and check", async () => {
    const text = await t.server.metrics.registry.metrics();
    expect(text).toMatch(/rbac_guard_decisions_total\{endpoint="authorize",result="denied",check="no-kube-system-secrets"\} \d+/);
    expect(text).toMatch(/rbac_guard_decisions_total\{endpoint="authorize",result="denied",check="jit:RoleBinding\/prod\/oncall-bob"\} 1/);
    expect(text).toMatch(/rbac_guard_decisions_total\{endpoint="authorize",result="no_opinion",check="none"\} \d+/);
    expect(text).toMatch(/rbac_guard_request_duration_seconds_bucket\{le="0.005",endpoint="authorize"\} \d+/);
    expect(text).toMatch(/rbac_guard_snapshot_age_seconds \d/);
  });
});

describe("rbac mode", () => {
  let t: TestServer;
  const clock = new FakeClock(Date.parse("2029-12-31T23:00:00Z"));
  beforeAll(async () => {
    t = await serve({ context: new FileContext([CONTEXT], 0), policyFile: POLICY, clock, mode: "rbac" }, certs);
  });
  afterAll(() => t.server.close());

  test("allowed with Kubernetes' reason when the snapshot's RBAC allows", async () => {
    const r = await post(t, "/authorize", getPods("alice"));
    expect(r.json.status).toEqual({ allowed: true,
      reason: 'RBAC: allowed by RoleBinding "alice-pods/prod" of ClusterRole "pod-reader" to User "alice"' });
    const beta = await post(t, "/authorize", sar({ user: "mon", group: ["monitoring"], nonResourceAttributes: { verb: "get", path: "/metrics" } },
      "authorization.k8s.io/v1beta1"));
    expect(beta.json.status.allowed).toBe(true);
    expect(beta.json.status.reason).toContain('to Group "monitoring"');
  });

  test("no opinion when RBAC does not allow; the guardrail policy still denies", async () => {
    const no = await post(t, "/authorize", getPods("mallory"));
    expect(no.json.status.allowed).toBe(false);
    expect(no.json.status.denied).toBeUndefined();
    const denied = await post(t, "/authorize", sar({ user: "mon", groups: ["monitoring"], nonResourceAttributes: { verb: "get", path: "/debug/vars" } }));
    expect(denied.json.status.denied).toBe(true);
  });

  test("an expired binding neither allows nor is left to RBAC", async () => {
    expect((await post(t, "/authorize", getPods("bob"))).json.status.allowed).toBe(true);
    clock.set("2030-01-01T00:00:00Z");
    const r = await post(t, "/authorize", getPods("bob"));
    expect(r.json.status.allowed).toBe(false);
    expect(r.json.status.denied).toBe(true);
  });
});

describe("engine failure", () => {
  const failing = async (objects: unknown[]) => {
    const e = await createEngine(objects);
    e.authorize = () => ({ allowed: false, reason: "", evaluationError: "the policy engine trapped: unreachable" });
    return e;
  };

  test("--on-error deny (default): denied with the error", async () => {
    const t = await serve({ context: new FileContext([CONTEXT], 0), mode: "rbac", engineFactory: failing }, certs);
    try {
      const r = await post(t, "/authorize", getPods("alice"));
      expect(r.status).toBe(200);
      expect(r.json.status.allowed).toBe(false);
      expect(r.json.status.denied).toBe(true);
      expect(r.json.status.reason).toContain("trapped");
      expect(r.json.status.evaluationError).toContain("trapped");
    } finally {
      await t.server.close();
    }
  });

  test("--on-error no-opinion: no opinion with evaluationError", async () => {
    const t = await serve({ context: new FileContext([CONTEXT], 0), mode: "rbac", onError: "no-opinion", engineFactory: failing }, certs);
    try {
      const r = await post(t, "/authorize", getPods("alice"));
      expect(r.json.status.allowed).toBe(false);
      expect(r.json.status.denied).toBeUndefined();
      expect(r.json.status.evaluationError).toContain("trapped");
    } finally {
      await t.server.close();
    }
  });
});

describe("expiry rebuild failure", () => {
  test("when the snapshot cannot be rebuilt after an expiry, requests fail closed", async () => {
    const clock = new FakeClock(Date.parse("2029-12-31T23:00:00Z"));
    let builds = 0;
    const t = await serve({ context: new FileContext([CONTEXT], 0), clock,
      engineFactory: async (objects) => { if (++builds > 2) throw new Error("out of memory"); return createEngine(objects); } }, certs);
    try {
      expect((await post(t, "/authorize", getPods("bob"))).json.status).toEqual({ allowed: false });
      clock.set("2030-01-01T00:00:01Z");
      const r = await post(t, "/authorize", getPods("bob"));
      expect(r.json.status.denied).toBe(true);
      expect(r.json.status.reason).toContain("could not be rebuilt");
      expect(await t.server.metrics.registry.metrics()).toMatch(/rbac_guard_reload_failures_total\{source="context"\} [1-9]/);
    } finally {
      await t.server.close();
    }
  });
});

describe("policy hot reload", () => {
  test("an invalid new policy is logged and counted and the old one stays; a valid one replaces it", async () => {
    const dir = tempDir();
    const policy = path.join(dir.dir, "policy.yaml");
    copyFileSync(POLICY, policy);
    const t = await serve({ context: new FileContext([CONTEXT], 0), policyFile: policy }, certs);
    try {
      const kubeSystem = getSecrets("jane", ["system:authenticated"], "kube-system");
      expect((await post(t, "/authorize", kubeSystem)).json.status.denied).toBe(true);

      writeFileSync(policy, "deny:\n  - name: broken\n    verbs: get\n");
      await until(async () => /rbac_guard_reload_failures_total\{source="policy"\} 1/.test(await t.server.metrics.registry.metrics()),
        5000, "a counted policy reload failure");
      expect((await post(t, "/authorize", kubeSystem)).json.status.denied).toBe(true);
      expect(t.logs.lines.some((l) => l.source === "policy" && l.level === "error" && /keeping the last good/.test(l.msg))).toBe(true);

      writeFileSync(policy, "deny: [\n");
      await until(async () => /rbac_guard_reload_failures_total\{source="policy"\} 2/.test(await t.server.metrics.registry.metrics()),
        5000, "a second failure");
      expect((await post(t, "/authorize", kubeSystem)).json.status.denied).toBe(true);

      copyFileSync(path.join(FIXTURES, "authz/policy-v2.yaml"), policy);
      await until(async () => (await post(t, "/authorize", kubeSystem)).json.status.denied !== true, 5000, "the new policy");
      const logs = await post(t, "/authorize", sar({ user: "alice", groups: [], resourceAttributes: { verb: "get", resource: "pods", subresource: "log", namespace: "prod" } }));
      expect(logs.json.status.reason).toContain('"no-pod-logs"');
    } finally {
      await t.server.close();
      dir.cleanup();
    }
  });
});
