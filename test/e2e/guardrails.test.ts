// rbac-guard as the kube-apiserver calls it: a real kube-apiserver v1.20 (--authorization-mode=Webhook,RBAC,
// --authorization-webhook-version=v1, 1 s caches) + etcd, `rbac-guard serve` from dist/ with the policy and
// admission config of deploy/configmap.yaml, its informers running as the ServiceAccount of deploy/rbac.yaml (a
// TokenRequest token: the least RBAC the manifests grant is enough), mTLS between the apiserver and both webhooks,
// and the ValidatingWebhookConfiguration of deploy/ created through the API (by URL, with its caBundle).
// Every assertion is on what a user sees: kubectl's output (or the API's answer when kubectl is not installed).
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { parse as parseYAML, stringify as toYAML } from "yaml";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  canI, clusterRole, clusterRoleBinding, collectionPath, createAll, deployObjects, Group, Guard, identities, kubeCreate, kubeDelete, kubeGet,
  makePki, ns, RBAC, reservePort, roleBinding, SA, sa, Stack, startApiServer, startEtcd, tokenRequest, tools, until, User,
  webhookConfiguration, type ApiServer, type Metrics, type Pki,
} from "./harness.js";

const ids = identities({ alice: [], bob: [], carol: ["dev"], erin: [], pat: ["platform"] });
const stack = new Stack("guardrails");
let pki: Pki;
let api: ApiServer;
let guard: Guard;
let deployerToken: string;

const EXPIRED = "2020-01-01T00:00:00Z";
const DEV_REASON = "the dev group reads no Secrets, whatever RBAC says";

/** deploy/configmap.yaml's policy.yaml, plus one entry that selects by group. */
function policyFile(dir: string): string {
  const [cm] = deployObjects("configmap.yaml");
  const policy = parseYAML(cm.data["policy.yaml"]);
  policy.deny.push({ name: "dev-no-secrets", reason: DEV_REASON, subjects: { groups: ["dev"] }, resources: ["secrets"] });
  const f = path.join(dir, "policy.yaml");
  writeFileSync(f, toYAML(policy));
  return f;
}

function admissionFile(dir: string): string {
  const [cm] = deployObjects("configmap.yaml");
  const f = path.join(dir, "admission.yaml");
  writeFileSync(f, cm.data["admission.yaml"]);
  return f;
}

beforeAll(async () => {
  tools();
  pki = makePki(path.join(stack.dir, "pki"));
  const etcd = await startEtcd(stack);
  // rbac-guard's address goes into the apiserver's flags, but rbac-guard needs the apiserver to start: hold the port
  const reserved = await reservePort();
  const guardPort = reserved.port;
  api = await startApiServer(stack, {
    name: "kube-apiserver", etcd, pki, ids, authorizationModes: ["Webhook", "RBAC"],
    authzWebhook: { url: `https://127.0.0.1:${guardPort}/authorize`, version: "v1", mtls: true },
    admissionClientCertFor: [`127.0.0.1:${guardPort}`],
  });
  // the webhook's own namespace and identity, as shipped
  await createAll(api, [...deployObjects("namespace.yaml"), ...deployObjects("rbac.yaml")]);
  await createAll(api, [
    ns("prod"), ns("ci"), ns("team"),
    clusterRole("pod-reader", [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] }]),
    clusterRole("secret-reader", [{ apiGroups: [""], resources: ["secrets"], verbs: ["get", "list"] }]),
    clusterRole("ci-deployer", [
      { apiGroups: [""], resources: ["pods", "pods/log", "secrets"], verbs: ["get", "list"] },
      { apiGroups: [""], resources: ["pods/exec"], verbs: ["create"] },
    ]),
    // pat manages RBAC (and is not in system:masters, so admission evaluates what pat writes)
    clusterRole("rbac-manager", [{ apiGroups: [RBAC], resources: ["roles", "rolebindings", "clusterroles", "clusterrolebindings"],
      verbs: ["get", "list", "create", "update", "patch", "delete", "bind", "escalate"] }]),
    clusterRoleBinding("platform-rbac", "rbac-manager", [Group("platform")]),
    clusterRole("deployment-editor", [{ apiGroups: ["apps"], resources: ["deployments"], verbs: ["get", "list", "create", "update"] }]),
    roleBinding("team", "platform-deployments", { name: "deployment-editor" }, [Group("platform")]),
    roleBinding("prod", "alice-pods", { name: "pod-reader" }, [User("alice")]),
    roleBinding("prod", "dev-secrets", { name: "secret-reader" }, [Group("dev")]),
    sa("ci", "deployer"),
    roleBinding("ci", "deployer", { name: "ci-deployer" }, [SA("ci", "deployer")]),
    // RBAC lets the CI ServiceAccount read kube-system's Secrets; deploy/'s policy `no-kube-system-secrets` does not
    roleBinding("kube-system", "ci-deployer-secrets", { name: "secret-reader" }, [SA("ci", "deployer")]),
  ]);
  const token = await tokenRequest(api, "rbac-guard", "rbac-guard", 3600);
  guard = new Guard(stack, {
    pki, kubeconfig: api.kubeconfig(token), policy: policyFile(stack.dir), config: admissionFile(stack.dir), mtls: true,
  });
  await reserved.release();
  await guard.start(guardPort);
  await createAll(api, [webhookConfiguration(guard.url, pki.ca)]);
  deployerToken = await tokenRequest(api, "ci", "deployer", 600);
  // the admission webhook is called once the apiserver's informer has the configuration
  await until(async () => {
    const r = await kubeCreate(api, "pat", roleBinding("team", "probe", { name: "pod-reader" }, [User("nobody")]));
    if (r.ok) await kubeDelete(api, "admin", roleBinding("team", "probe", { name: "pod-reader" }, []));
    return guard.decisions().some((d) => d.endpoint === "validate" && d.object === "RoleBinding/team/probe");
  }, 30_000, () => "the admission webhook to be called");
}, 240_000);

afterAll(async () => {
  await stack.stop();
}, 60_000);

describe("admission (ValidatingWebhookConfiguration of deploy/, failurePolicy Fail)", () => {
  test("a ClusterRole with wildcard verbs is admitted while nobody holds it; binding a ServiceAccount to it is refused with check id and path", async () => {
    const created = await kubeCreate(api, "pat", clusterRole("ci-superuser", [{ apiGroups: [""], resources: ["pods"], verbs: ["*"] }]));
    console.log(created.text);
    expect(created.ok, created.text).toBe(true);
    // (until the webhook's informer has the role, the binding is refused for that: next test)
    const r = await until(async () => {
      const seen = await kubeCreate(api, "pat", roleBinding("ci", "deployer-superuser", { name: "ci-superuser" }, [SA("ci", "deployer")]));
      return seen.text.includes("[context-incomplete]") ? undefined : seen;
    }, 10_000, () => "the webhook to know ClusterRole ci-superuser");
    console.log(r.text);
    expect(r.ok).toBe(false);
    expect(r.text).toContain('admission webhook "rbac.rbac-guard.io" denied the request');
    expect(r.text).toContain("rbac-guard refused RoleBinding/ci/deployer-superuser");
    expect(r.text).toContain("[wildcard-verbs]");
    expect(r.text).toMatch(/path RoleBinding\/ci\/deployer-superuser → ClusterRole\/\/ci-superuser rule 0/);
    expect((await kubeGet(api, "admin", "rolebindings", "ci", "deployer-superuser")).ok).toBe(false);
  });

  test("a role and a binding to it sent back to back: the webhook waits for its informer to see the role, then admits the binding", async () => {
    // what `kubectl apply -f` of one file with both does, without kubectl's start-up time between the two. Before
    // --unknown-role-wait the binding was refused (context-incomplete) at the first try, every time.
    const role = clusterRole("ci-log-reader", [{ apiGroups: [""], resources: ["pods/log"], verbs: ["get"] }]);
    const binding = roleBinding("ci", "deployer-logs", { name: "ci-log-reader" }, [SA("ci", "deployer")]);
    expect((await api.request("POST", collectionPath(role), role, "pat")).status).toBe(201);
    const started = Date.now();
    const first = await api.request("POST", collectionPath(binding), binding, "pat");
    console.log(`binding answered ${first.status} ${Date.now() - started} ms after its role was created`);
    expect(first.status, first.text).toBe(201);
    // still fail closed when the role never comes (a typo): refused once --unknown-role-wait has passed
    const typo = roleBinding("ci", "deployer-typo", { name: "ci-log-raeder" }, [SA("ci", "deployer")]);
    const refused = await api.request("POST", collectionPath(typo), typo, "pat");
    expect(refused.status).toBe(403);
    expect(refused.json.message).toContain("rbac-guard refused RoleBinding/ci/deployer-typo: [context-incomplete]");
    expect(refused.json.message).toContain("roleRef ClusterRole `ci-log-raeder` is not in the cluster context");
  });

  test("a least-privilege binding of the same ServiceAccount is admitted", async () => {
    const r = await kubeCreate(api, "pat", roleBinding("ci", "deployer-pods", { name: "pod-reader" }, [SA("ci", "deployer")]));
    console.log(r.text);
    expect(r.ok, r.text).toBe(true);
  });

  test("break-glass: system:masters is exempt (deploy/'s admission.yaml), so the admin's wildcard binding is admitted", async () => {
    const rb = roleBinding("team", "break-glass", { name: "ci-superuser" }, [SA("ci", "deployer")]);
    const r = await kubeCreate(api, "admin", rb);
    expect(r.ok, r.text).toBe(true);
    await kubeDelete(api, "admin", rb);
  });

  test("an expires-at annotation that is not RFC 3339 is refused", async () => {
    const r = await kubeCreate(api, "pat", roleBinding("prod", "oncall-typo", { name: "pod-reader" }, [User("bob")],
      { "rbac-guard.io/expires-at": "tomorrow" }));
    console.log(r.text);
    expect(r.ok).toBe(false);
    expect(r.text).toContain("[invalid-expiry-annotation]");
  });
});

describe("admission of workloads (webhook workloads.rbac-guard.io)", () => {
  test("a Deployment running as the default ServiceAccount is admitted with our warning", async () => {
    const deployment = {
      apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "team" },
      spec: { replicas: 1, selector: { matchLabels: { app: "web" } },
        template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "nginx:1.25" }] } } },
    };
    const r = await kubeCreate(api, "pat", deployment);
    expect(r.ok, r.text).toBe(true);
    expect(r.text).toContain("Warning: rbac-guard: [default-sa-used] Deployment/team/web runs as the default ServiceAccount of team");
  });
});

describe("authorization (Webhook before RBAC)", () => {
  test("RBAC allows alice; the webhook has no opinion", async () => {
    const r = await kubeGet(api, "alice", "pods", "prod");
    expect(r.ok, r.text).toBe(true);
  });

  test("a ServiceAccount token from the TokenRequest API does what RBAC grants and is refused with our reason what the policy denies", async () => {
    const pods = await kubeGet(api, deployerToken, "pods", "ci");
    expect(pods.ok, pods.text).toBe(true);
    const ciSecrets = await kubeGet(api, deployerToken, "secrets", "ci");
    expect(ciSecrets.ok, ciSecrets.text).toBe(true);
    const r = await kubeGet(api, deployerToken, "secrets", "kube-system");
    console.log(r.text);
    expect(r.ok).toBe(false);
    expect(r.text).toContain('User "system:serviceaccount:ci:deployer" cannot list resource "secrets" in API group "" in the namespace "kube-system"');
    expect(r.text).toContain('rbac-guard: denied by guardrail policy "no-kube-system-secrets": Secrets in kube-system are reserved for the control plane');
    const exec = await canI(api, { as: "system:serviceaccount:ci:deployer", verb: "create", resource: "pods", subresource: "exec", namespace: "ci" });
    console.log(exec.text);
    expect(exec.allowed).toBe(false);
    expect(exec.text).toContain('rbac-guard: denied by guardrail policy "ci-never-execs"');
  });

  test("the policy selects by group: carol (group dev) is refused Secrets RBAC gives her group", async () => {
    const r = await kubeGet(api, "carol", "secrets", "prod");
    expect(r.ok).toBe(false);
    expect(r.text).toContain(`denied by guardrail policy "dev-no-secrets": ${DEV_REASON}`);
  });
});

describe("just-in-time access (rbac-guard.io/expires-at)", () => {
  test("a binding that expired stops working for its subject; one that expires later works until then", async () => {
    const soon = new Date(Math.ceil((Date.now() + 12_000) / 1000) * 1000).toISOString().replace(/\.\d+Z$/, "Z");
    const a = await kubeCreate(api, "pat", roleBinding("prod", "oncall-bob", { name: "pod-reader" }, [User("bob")], { "rbac-guard.io/expires-at": EXPIRED }));
    expect(a.ok, a.text).toBe(true);
    const b = await kubeCreate(api, "pat", roleBinding("prod", "oncall-erin", { name: "pod-reader" }, [User("erin")], { "rbac-guard.io/expires-at": soon }));
    expect(b.ok, b.text).toBe(true);
    // the webhook's snapshot has both bindings once it arms the timer for erin's
    await until(() => guard.lines.some((l) => l.msg === "policy snapshot built" && l.nextExpiry === new Date(soon).toISOString()),
      10_000, () => "a snapshot with oncall-erin");
    const before = await kubeGet(api, "erin", "pods", "prod");
    expect(Date.now(), "the scenario is too slow for its expiry").toBeLessThan(Date.parse(soon));
    expect(before.ok, before.text).toBe(true);
    const bob = await until(async () => { const r = await kubeGet(api, "bob", "pods", "prod"); return r.ok ? undefined : r; },
      5_000, () => "bob to be refused");
    console.log(bob.text);
    expect(bob.text).toContain(`rbac-guard: denied: only RoleBinding "oncall-bob/prod" expired at ${EXPIRED} would allow this (just-in-time access ended)`);
    const asked = await canI(api, { as: "bob", verb: "list", resource: "pods", namespace: "prod" });
    expect(asked.allowed).toBe(false);
    expect(asked.text).toContain('RoleBinding "oncall-bob/prod" expired');
    const erin = await until(async () => { const r = await kubeGet(api, "erin", "pods", "prod"); return r.ok ? undefined : r; },
      30_000, () => `erin to be refused after ${soon}`, 200);
    const lag = Date.now() - Date.parse(soon);
    console.log(`erin refused ${lag} ms after ${soon}: ${erin.text}`);
    expect(erin.text).toContain(`only RoleBinding "oncall-erin/prod" expired at ${soon}`);
    expect(lag).toBeGreaterThanOrEqual(0);
    expect(lag).toBeLessThan(5_000);
  }, 60_000);
});

describe("mTLS (serve --client-ca; the apiserver's client certificate from its webhook kubeconfigs)", () => {
  test("the apiserver's calls carry its certificate; a client without one gets 401, also on a resumed TLS session", async () => {
    const sar = { apiVersion: "authorization.k8s.io/v1", kind: "SubjectAccessReview",
      spec: { user: "carol", groups: ["dev"], resourceAttributes: { verb: "get", resource: "secrets", namespace: "prod" } } };
    // every call a new connection that resumes the TLS session of the one before (Node's agent keeps the ticket):
    // a resumed TLS 1.3 session looks authorized to Node although no certificate was ever shown
    expect((await guard.get("/readyz")).status).toBe(200);
    for (let i = 0; i < 3; i++) {
      const anonymous = await guard.post("/authorize", sar, false);
      expect(anonymous.status, anonymous.text).toBe(401);
    }
    const r = await guard.post("/authorize", sar);
    expect(r.status).toBe(200);
    expect(r.json.status.denied).toBe(true);
    // what the apiserver sent carried the certificate: its reviews were answered, none refused
    expect(guard.decisions().filter((d) => d.endpoint === "validate").length).toBeGreaterThan(0);
  });
});

describe("/metrics", () => {
  const decisions = (m: Metrics, labels: Record<string, string>) => m.sum("rbac_guard_decisions_total", labels);

  test("count the decisions the apiserver asked for", async () => {
    const before = await guard.metrics();
    // distinct names: distinct SubjectAccessReviews, so the apiserver's 1 s cache answers none of them
    for (const name of ["s1", "s2", "s3"]) expect((await kubeGet(api, "carol", "secrets", "prod", name)).ok).toBe(false);
    const after = await guard.metrics();
    const carol = { endpoint: "authorize", result: "denied", check: "dev-no-secrets" };
    expect(decisions(after, carol) - decisions(before, carol)).toBe(3);
    expect(guard.decisions().filter((d) => d.user === "carol" && d.resource?.name && /^s[123]$/.test(d.resource.name))).toHaveLength(3);
    console.log(after.samples.filter((s) => s.name === "rbac_guard_decisions_total").map((s) => `${JSON.stringify(s.labels)} ${s.value}`).join("\n"));
    expect(decisions(after, { endpoint: "validate", result: "denied", check: "wildcard-verbs" })).toBeGreaterThanOrEqual(1);
    expect(decisions(after, { endpoint: "validate", result: "denied", check: "invalid-expiry-annotation" })).toBeGreaterThanOrEqual(1);
    expect(decisions(after, { endpoint: "validate", result: "denied", check: "context-incomplete" })).toBeGreaterThanOrEqual(1);
    expect(decisions(after, { endpoint: "validate", result: "allowed" })).toBeGreaterThanOrEqual(1);
    expect(decisions(after, { endpoint: "validate", result: "warned", check: "default-sa-used" })).toBeGreaterThanOrEqual(1);
    expect(decisions(after, { endpoint: "authorize", result: "denied", check: "no-kube-system-secrets" })).toBeGreaterThanOrEqual(1);
    expect(decisions(after, { endpoint: "authorize", result: "denied", check: "ci-never-execs" })).toBeGreaterThanOrEqual(1);
    expect(decisions(after, { endpoint: "authorize", result: "denied", check: "jit:RoleBinding/prod/oncall-bob" })).toBeGreaterThanOrEqual(1);
    expect(decisions(after, { endpoint: "authorize", result: "denied", check: "jit:RoleBinding/prod/oncall-erin" })).toBeGreaterThanOrEqual(1);
    expect(decisions(after, { endpoint: "authorize", result: "no_opinion", check: "none" })).toBeGreaterThanOrEqual(1);
    expect(after.sum("rbac_guard_admission_findings_total", { check: "wildcard-verbs", action: "deny" })).toBeGreaterThanOrEqual(1);
    expect(after.sum("rbac_guard_http_requests_total", { endpoint: "authorize", code: "401" })).toBeGreaterThanOrEqual(1);
  });
});

describe("the webhook stopped", () => {
  test("admission fails closed; authorization falls through to RBAC (v1.20: a webhook error is no opinion)", async () => {
    await guard.stop();
    // admission: failurePolicy Fail refuses every write the webhooks match, the exempt admin's included
    const pat = await kubeCreate(api, "pat", roleBinding("ci", "deployer-pods-2", { name: "pod-reader" }, [SA("ci", "deployer")]));
    console.log(pat.text);
    expect(pat.ok).toBe(false);
    expect(pat.text).toContain('failed calling webhook "rbac.rbac-guard.io"');
    const admin = await kubeCreate(api, "admin", roleBinding("ci", "deployer-pods-3", { name: "pod-reader" }, [SA("ci", "deployer")]));
    expect(admin.ok).toBe(false);
    expect(admin.text).toContain('failed calling webhook "rbac.rbac-guard.io"');
    // authorization: what the guardrails denied, RBAC now allows
    const carol = await kubeGet(api, "carol", "secrets", "prod");
    console.log(`carol while the webhook is down (${carol.ms} ms): ${carol.text}`);
    expect(carol.ok, carol.text).toBe(true);
    const bob = await kubeGet(api, "bob", "pods", "prod");
    expect(bob.ok, bob.text).toBe(true);
    const deployer = await kubeGet(api, deployerToken, "secrets", "kube-system");
    expect(deployer.ok, deployer.text).toBe(true);
    const asked = await canI(api, { as: "carol", groups: ["dev"], verb: "list", resource: "secrets", namespace: "prod" });
    console.log(`can-i while down: ${asked.text}`);
    expect(asked.allowed).toBe(true);
    // what RBAC does not allow either is not a 403 now: the webhook's error makes it HTTP 500 (InternalError)
    const alice = await kubeGet(api, "alice", "secrets", "prod");
    console.log(`alice while the webhook is down: ${alice.text}`);
    expect(alice.ok).toBe(false);
    expect(alice.text).toContain("InternalError");
    expect(alice.text).toMatch(/authorize\?timeout=30s.*connection refused/);
    // no retries, no waiting: the apiserver logs the failed call (its deadline for one call is 30 s) and moves on
    expect(carol.ms).toBeLessThan(5_000);
    expect(api.proc.logText()).toMatch(/Failed to make webhook authorizer request: Post "https:\/\/127\.0\.0\.1:\d+\/authorize\?timeout=30s": dial tcp [^\n]*connection refused/);
  }, 120_000);

  test("deploy/namespace.yaml labels the namespace kubernetes.io/metadata.name itself (v1.20 does not), so the workloads webhook's exclusion of rbac-guard holds while it is down", async () => {
    const namespace = await api.request("GET", "/api/v1/namespaces/rbac-guard");
    expect(namespace.json.metadata.labels?.["kubernetes.io/metadata.name"]).toBe("rbac-guard");
    // its own namespace stays writable while the webhook is down (its Pods can be recreated) ...
    const admitted = await kubeCreate(api, "admin", sa("rbac-guard", "probe"));
    expect(admitted.ok, admitted.text).toBe(true);
    // ... and only its own: elsewhere the same write still fails closed
    const blocked = await kubeCreate(api, "admin", sa("team", "probe"));
    expect(blocked.ok).toBe(false);
    expect(blocked.text).toContain('failed calling webhook "workloads.rbac-guard.io"');
  }, 60_000);

  test("restarted on the same address, the guardrails are back", async () => {
    await guard.start(guard.port);
    await until(async () => !(await kubeGet(api, "carol", "secrets", "prod")).ok, 10_000, () => "carol refused again");
    const r = await kubeCreate(api, "pat", roleBinding("ci", "deployer-pods-2", { name: "pod-reader" }, [SA("ci", "deployer")]));
    expect(r.ok, r.text).toBe(true);
  }, 120_000);
});
