// End to end against a real kube-apiserver (v1.20) and etcd on loopback: the informer context (list + watch,
// Secrets as metadata only), the authorization webhook as the apiserver calls it (SubjectAccessReview v1beta1,
// the apiserver's default), and the admission webhook registered through a ValidatingWebhookConfiguration.
// Skipped when no kube-apiserver binary is around (see the shared scripts/kube-apiserver.sh beside the checkout).
import * as path from "node:path";
import { writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createEngine } from "../../bindings/index.js";
import { ClusterContext } from "../../host/webhook/cluster.js";
import { makeCerts, serve, tempDir, until, type Certs, type TestServer } from "./helpers.js";
import { apiserverBinary, caBundle, etcdBinary, freePort, startKube, type Kube } from "./kube.js";
import { deployObjects } from "./deploy.test.js";

const available = apiserverBinary() !== undefined && etcdBinary() !== undefined;
const hasLint = available && typeof (await createEngine([]) as any).lint === "function";
const RBAC = "rbac.authorization.k8s.io";
const ALICE = "alice-token-1", BOB = "bob-token-2", CAROL = "carol-token-3", ERIN = "erin-token-4";

const clusterRole = (name: string, rules: object[]) => ({ apiVersion: `${RBAC}/v1`, kind: "ClusterRole", metadata: { name }, rules });
const roleBinding = (ns: string, name: string, role: string, subjects: object[], annotations?: Record<string, string>) => ({
  apiVersion: `${RBAC}/v1`, kind: "RoleBinding", metadata: { name, namespace: ns, ...(annotations ? { annotations } : {}) },
  roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: role }, subjects,
});
const user = (name: string) => ({ kind: "User", apiGroup: RBAC, name });

describe.skipIf(!available)("against a real kube-apiserver", () => {
  const tmp = tempDir("rbac-guard-e2e-");
  let certs: Certs;
  let kube: Kube;
  let t: TestServer;

  beforeAll(async () => {
    certs = makeCerts(path.join(tmp.dir, "certs"));
    const port = await freePort();
    kube = await startKube({
      dir: path.join(tmp.dir, "kube"),
      users: { [ALICE]: ["alice", []], [BOB]: ["bob", []], [CAROL]: ["carol", ["dev"]], [ERIN]: ["erin", []] },
      authzWebhook: { url: `https://127.0.0.1:${port}/authorize`, caFile: path.join(certs.dir, "ca.crt") },
    });
    for (const ns of ["prod", "team"]) {
      expect((await kube.request("POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } })).status).toBe(201);
    }
    const create = async (p: string, o: object) => expect((await kube.request("POST", p, o)).status, JSON.stringify(o)).toBe(201);
    await create(`/apis/${RBAC}/v1/clusterroles`, clusterRole("pod-reader", [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] }]));
    await create(`/apis/${RBAC}/v1/clusterroles`, clusterRole("secret-reader", [{ apiGroups: [""], resources: ["secrets"], verbs: ["get", "list"] }]));
    await create(`/apis/${RBAC}/v1/namespaces/prod/rolebindings`, roleBinding("prod", "alice-pods", "pod-reader", [user("alice")]));
    await create(`/apis/${RBAC}/v1/namespaces/prod/rolebindings`, roleBinding("prod", "oncall-bob", "pod-reader", [user("bob")],
      { "rbac-guard.io/expires-at": "2020-01-01T00:00:00Z" }));
    await create(`/apis/${RBAC}/v1/namespaces/prod/rolebindings`, roleBinding("prod", "dev-secrets", "secret-reader",
      [{ kind: "Group", apiGroup: RBAC, name: "dev" }]));
    await create("/api/v1/namespaces/team/secrets", { apiVersion: "v1", kind: "Secret", metadata: { name: "db-password", namespace: "team" },
      type: "Opaque", stringData: { password: "hunter2-do-not-leak" } });
    await create("/api/v1/namespaces/team/serviceaccounts", { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "app", namespace: "team" } });
    const policy = path.join(tmp.dir, "policy.yaml");
    writeFileSync(policy, "deny:\n  - name: dev-no-secrets\n    reason: dev reads no Secrets\n    subjects: {groups: [dev]}\n    resources: [secrets]\n");
    t = await serve({ context: new ClusterContext({ kubeconfig: kube.kubeconfig, debounceMs: 50 }), port, policyFile: policy }, certs);
    await until(() => t.server.state.ready().ready, 30_000, "informers synced");
  }, 180_000);

  afterAll(async () => {
    await t?.server.close();
    await kube?.stop();
    tmp.cleanup();
  }, 60_000);

  test("the informer context holds RBAC objects, ServiceAccounts and Secrets' metadata only", () => {
    const objects = t.server.state.snapshotNow!.objects as any[];
    const keys = new Set(objects.map((o) => `${o.kind}/${o.metadata?.namespace ?? ""}/${o.metadata?.name}`));
    expect(keys.has("ClusterRole//pod-reader")).toBe(true);
    expect(keys.has("RoleBinding/prod/oncall-bob")).toBe(true);
    expect(keys.has("ServiceAccount/team/app")).toBe(true);
    expect(keys.has("Secret/team/db-password")).toBe(true);
    const secret = objects.find((o) => o.kind === "Secret" && o.metadata.name === "db-password");
    expect(secret.data).toBeUndefined();
    expect(JSON.stringify(objects)).not.toContain("hunter2");
    expect(JSON.stringify(objects)).not.toContain(Buffer.from("hunter2-do-not-leak").toString("base64"));
  });

  test("watched Secrets arrive as metadata too", async () => {
    expect((await kube.request("POST", "/api/v1/namespaces/team/secrets", { apiVersion: "v1", kind: "Secret",
      metadata: { name: "legacy-token", namespace: "team", annotations: { "kubernetes.io/service-account.name": "app" } },
      type: "Opaque", stringData: { token: "watched-secret-value" } })).status).toBe(201);
    await until(() => t.server.state.snapshotNow!.has("Secret/team/legacy-token"), 10_000, "the watched Secret");
    const objects = t.server.state.snapshotNow!.objects as any[];
    const s = objects.find((o) => o.kind === "Secret" && o.metadata.name === "legacy-token");
    expect(s.metadata.annotations["kubernetes.io/service-account.name"]).toBe("app");
    expect(s.data).toBeUndefined();
    expect(JSON.stringify(objects)).not.toContain(Buffer.from("watched-secret-value").toString("base64"));
  });

  test("RBAC allows alice; the webhook has no opinion", async () => {
    expect((await kube.request("GET", "/api/v1/namespaces/prod/pods", undefined, ALICE)).status).toBe(200);
  });

  test("bob's expired just-in-time binding no longer grants: the apiserver refuses with our reason", async () => {
    const r = await kube.request("GET", "/api/v1/namespaces/prod/pods", undefined, BOB);
    expect(r.status).toBe(403);
    expect(r.json.message).toContain('RoleBinding "oncall-bob/prod" expired at 2020-01-01T00:00:00Z');
  });

  test("the guardrail policy denies by group (v1beta1 `group` from the apiserver) even though RBAC allows", async () => {
    const r = await kube.request("GET", "/api/v1/namespaces/prod/secrets", undefined, CAROL);
    expect(r.status).toBe(403);
    expect(r.json.message).toContain('denied by guardrail policy "dev-no-secrets"');
    expect(t.logs.decisions().some((l) => l.endpoint === "authorize" && l.user === "carol" && l.groups.includes("dev"))).toBe(true);
  });

  test("watch updates reach the snapshot: a new expired binding starts denying", async () => {
    expect((await kube.request("POST", `/apis/${RBAC}/v1/namespaces/prod/rolebindings`,
      roleBinding("prod", "oncall-erin", "pod-reader", [user("erin")], { "rbac-guard.io/expires-at": "2021-06-01T00:00:00Z" }))).status).toBe(201);
    await until(async () => {
      const r = await kube.request("GET", "/api/v1/namespaces/prod/pods", undefined, ERIN);
      return r.status === 403 && String(r.json.message).includes('RoleBinding "oncall-erin/prod"');
    }, 20_000, "erin denied through the watched binding");
  });

  test("the deploy/ manifests are accepted by the API server (server-side dry run)", async () => {
    const paths: Record<string, (o: any) => string> = {
      Namespace: () => "/api/v1/namespaces",
      ServiceAccount: (o) => `/api/v1/namespaces/${o.metadata.namespace}/serviceaccounts`,
      ConfigMap: (o) => `/api/v1/namespaces/${o.metadata.namespace}/configmaps`,
      Service: (o) => `/api/v1/namespaces/${o.metadata.namespace}/services`,
      Deployment: (o) => `/apis/apps/v1/namespaces/${o.metadata.namespace}/deployments`,
      ClusterRole: () => `/apis/${RBAC}/v1/clusterroles`,
      ClusterRoleBinding: () => `/apis/${RBAC}/v1/clusterrolebindings`,
      ValidatingWebhookConfiguration: () => "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations",
    };
    const [ns] = deployObjects("namespace.yaml");
    expect((await kube.request("POST", paths.Namespace!(ns), ns)).status).toBe(201);
    // (pdb.yaml is policy/v1, served from Kubernetes 1.21; this apiserver is 1.20)
    for (const file of ["rbac.yaml", "configmap.yaml", "deployment.yaml", "service.yaml", "validatingwebhookconfiguration.yaml"]) {
      for (const o of deployObjects(file)) {
        for (const w of o.webhooks ?? []) w.clientConfig.caBundle = caBundle(path.join(certs.dir, "ca.crt"));
        const r = await kube.request("POST", `${paths[o.kind]!(o)}?dryRun=All`, o);
        expect(r.status, `${file} ${o.kind}: ${JSON.stringify(r.json.message ?? r.json)}`).toBe(201);
      }
    }
  });

  test.skipIf(!hasLint)("admission: the apiserver refuses a RoleBinding giving a ServiceAccount wildcards", async () => {
    await kube.request("POST", `/apis/${RBAC}/v1/clusterroles`, clusterRole("god", [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }]));
    await until(() => t.server.state.snapshotNow!.has("ClusterRole//god"), 10_000, "god in the context");
    const vwc = {
      apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingWebhookConfiguration", metadata: { name: "rbac-guard" },
      webhooks: [{
        name: "rbac.rbac-guard.io", admissionReviewVersions: ["v1"], sideEffects: "None", failurePolicy: "Fail", timeoutSeconds: 5,
        matchPolicy: "Equivalent", clientConfig: { url: `${t.server.url}/validate`, caBundle: caBundle(path.join(certs.dir, "ca.crt")) },
        rules: [{ operations: ["CREATE", "UPDATE"], apiGroups: [RBAC], apiVersions: ["*"], resources: ["rolebindings", "clusterrolebindings", "roles", "clusterroles"] }],
      }],
    };
    expect((await kube.request("POST", "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations", vwc)).status).toBe(201);
    const rb = roleBinding("team", "app-god", "god", [{ kind: "ServiceAccount", name: "app", namespace: "team" }]);
    let r: { status: number; json: any } = { status: 0, json: {} };
    await until(async () => {
      r = await kube.request("POST", `/apis/${RBAC}/v1/namespaces/team/rolebindings`, rb);
      return r.status !== 201 || (await kube.request("DELETE", `/apis/${RBAC}/v1/namespaces/team/rolebindings/app-god`), false);
    }, 20_000, "the webhook to be called");
    expect(r.status).toBe(403);
    expect(r.json.message).toContain("rbac-guard refused RoleBinding/team/app-god");
    expect(r.json.message).toMatch(/wildcard|cluster-admin-binding|full-wildcard-rule/);
    // a harmless binding goes through
    const ok = await kube.request("POST", `/apis/${RBAC}/v1/namespaces/team/rolebindings`,
      roleBinding("team", "app-pods", "pod-reader", [{ kind: "ServiceAccount", name: "app", namespace: "team" }]));
    expect(ok.status).toBe(201);
  }, 60_000);
});
