// The live-cluster context of `rbac-guard serve` (host/webhook/cluster.ts: list + watch informers, Secrets as
// PartialObjectMetadata) against a real kube-apiserver v1.20, in process so the snapshot can be inspected; and the
// deploy/ manifests as a real API server validates them (server-side dry run).
// (Moved from test/webhook/e2e-cluster.test.ts; its authorization and admission scenarios now run against the built
// CLI in guardrails.test.ts.)
import * as path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { ClusterContext } from "../../host/webhook/cluster.js";
import { serve, type TestServer } from "../webhook/helpers.js";
import {
  clusterRole, collectionPath, createAll, deployObjects, identities, makePki, ns, roleBinding, sa, Stack, startApiServer, startEtcd, tools,
  until, User, type ApiServer, type Pki,
} from "./harness.js";

const stack = new Stack("informers");
let pki: Pki;
let api: ApiServer;
let t: TestServer;

beforeAll(async () => {
  tools();
  pki = makePki(path.join(stack.dir, "pki"));
  const etcd = await startEtcd(stack);
  api = await startApiServer(stack, { name: "kube-apiserver", etcd, pki, ids: identities({}), authorizationModes: ["RBAC"] });
  await createAll(api, [
    ns("prod"), ns("team"),
    clusterRole("pod-reader", [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] }]),
    roleBinding("prod", "oncall-bob", { name: "pod-reader" }, [User("bob")], { "rbac-guard.io/expires-at": "2020-01-01T00:00:00Z" }),
    sa("team", "app"),
    { apiVersion: "v1", kind: "Secret", metadata: { name: "db-password", namespace: "team" }, type: "Opaque", stringData: { password: "hunter2-do-not-leak" } },
  ]);
  t = await serve({ context: new ClusterContext({ kubeconfig: api.kubeconfig("admin"), debounceMs: 50 }), admissionWorkers: 0 },
    { dir: pki.dir, ca: pki.ca, cert: pki.certFile, key: pki.keyFile });
  await until(() => t.server.state.ready().ready, 30_000, () => "informers synced");
}, 240_000);

afterAll(async () => {
  await t?.server.close();
  await stack.stop();
}, 60_000);

test("the informer context holds RBAC objects, ServiceAccounts and Secrets' metadata only", () => {
  const objects = t.server.state.snapshotNow!.objects as any[];
  const keys = new Set(objects.map((o) => `${o.kind}/${o.metadata?.namespace ?? ""}/${o.metadata?.name}`));
  expect(keys.has("ClusterRole//pod-reader")).toBe(true);
  expect(keys.has("ClusterRole//system:basic-user")).toBe(true);
  expect(keys.has("RoleBinding/prod/oncall-bob")).toBe(true);
  expect(keys.has("ServiceAccount/team/app")).toBe(true);
  expect(keys.has("Secret/team/db-password")).toBe(true);
  expect([...t.server.state.snapshotNow!.expired.keys()]).toEqual(["RoleBinding/prod/oncall-bob"]);
  const secret = objects.find((o) => o.kind === "Secret" && o.metadata.name === "db-password");
  expect(secret.data).toBeUndefined();
  expect(JSON.stringify(objects)).not.toContain("hunter2");
  expect(JSON.stringify(objects)).not.toContain(Buffer.from("hunter2-do-not-leak").toString("base64"));
});

test("watched Secrets arrive as metadata too", async () => {
  await createAll(api, [{ apiVersion: "v1", kind: "Secret", type: "Opaque", stringData: { token: "watched-secret-value" },
    metadata: { name: "legacy-token", namespace: "team", annotations: { "kubernetes.io/service-account.name": "app" } } }]);
  await until(() => t.server.state.snapshotNow!.has("Secret/team/legacy-token"), 10_000, () => "the watched Secret");
  const objects = t.server.state.snapshotNow!.objects as any[];
  const s = objects.find((o) => o.kind === "Secret" && o.metadata.name === "legacy-token");
  expect(s.metadata.annotations["kubernetes.io/service-account.name"]).toBe("app");
  expect(s.data).toBeUndefined();
  expect(JSON.stringify(objects)).not.toContain(Buffer.from("watched-secret-value").toString("base64"));
});

test("watched updates and deletes reach the snapshot", async () => {
  await createAll(api, [roleBinding("prod", "oncall-erin", { name: "pod-reader" }, [User("erin")], { "rbac-guard.io/expires-at": "2021-06-01T00:00:00Z" })]);
  await until(() => t.server.state.snapshotNow!.expired.has("RoleBinding/prod/oncall-erin"), 10_000, () => "oncall-erin in the snapshot");
  expect((await api.request("DELETE", `/apis/rbac.authorization.k8s.io/v1/namespaces/prod/rolebindings/oncall-erin`)).status).toBe(200);
  await until(() => !t.server.state.snapshotNow!.has("RoleBinding/prod/oncall-erin"), 10_000, () => "oncall-erin gone from the snapshot");
});

test("the deploy/ manifests are accepted by the API server (server-side dry run)", async () => {
  const [namespace] = deployObjects("namespace.yaml");
  await createAll(api, [namespace]);
  // (pdb.yaml is policy/v1, served from Kubernetes 1.21; this apiserver is 1.20)
  for (const file of ["rbac.yaml", "configmap.yaml", "deployment.yaml", "service.yaml", "validatingwebhookconfiguration.yaml"]) {
    for (const o of deployObjects(file)) {
      for (const w of o.webhooks ?? []) w.clientConfig.caBundle = pki.ca.toString("base64");
      const r = await api.request("POST", `${collectionPath(o)}?dryRun=All`, o);
      expect(r.status, `${file} ${o.kind}: ${JSON.stringify(r.json?.message ?? r.text)}`).toBe(201);
    }
  }
  const pdb = deployObjects("pdb.yaml")[0];
  expect(pdb.apiVersion).toBe("policy/v1");
  const r = await api.request("POST", `/apis/policy/v1/namespaces/rbac-guard/poddisruptionbudgets?dryRun=All`, pdb);
  expect(r.status).toBe(404); // v1.20 serves policy/v1beta1 only
});
