// Repro for docs/e2e.md, known issue 2 (not a test): bursts of SubjectAccessReviews through a real kube-apiserver to
// `rbac-guard serve`, the bursts `gap` ms apart, so the apiserver reuses kept-alive connections just when rbac-guard
// closes them. Counts the reviews that failed with a webhook error (EOF).
//   npx tsx test/e2e/keepalive-probe.ts [keep-alive-timeout ms, default 5000] [rounds, default 30] [gap ms, default = timeout]
// Observed on 2 cores: 5000 → 5 of 240 failed ("Post .../authorize?timeout=30s: EOF"); 120000 with 5000 ms gaps → 0 of 240.
import * as path from "node:path";
import { clusterRole, createAll, Guard, identities, makePki, ns, roleBinding, Stack, startApiServer, startEtcd, User } from "./harness.js";

const keepAlive = process.argv[2] ?? "5000";
const rounds = Number(process.argv[3] ?? 30);
const gap = Number(process.argv[4] ?? keepAlive);
const stack = new Stack("keepalive-probe");
try {
  const pki = makePki(path.join(stack.dir, "pki"));
  const ids = identities({});
  const etcd = await startEtcd(stack);
  const rbacApi = await startApiServer(stack, { name: "rbac", etcd, pki, ids, authorizationModes: ["RBAC"] });
  await createAll(rbacApi, [ns("a"), clusterRole("r", [{ apiGroups: [""], resources: ["pods"], verbs: ["get"] }]),
    roleBinding("a", "b", { name: "r" }, [User("u")])]);
  // (the later --keep-alive-timeout wins over the harness's own)
  const guard = await new Guard(stack, { pki, kubeconfig: rbacApi.kubeconfig(), mode: "rbac", extraArgs: ["--keep-alive-timeout", keepAlive] }).start();
  const api = await startApiServer(stack, { name: "webhook", etcd, pki, ids, authorizationModes: ["Webhook", "RBAC"],
    authzWebhook: { url: `${guard.url}/authorize`, version: "v1" } });
  let n = 0;
  let errors = 0;
  for (let round = 0; round < rounds; round++) {
    const burst = await Promise.all(Array.from({ length: 8 }, () => api.request("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", {
      apiVersion: "authorization.k8s.io/v1", kind: "SubjectAccessReview",
      spec: { user: `u${n++}`, resourceAttributes: { verb: "get", resource: "pods", namespace: "a" } },
    })));
    for (const r of burst) {
      if (r.json?.status?.evaluationError) {
        errors++;
        console.log(`round ${round}: ${r.json.status.evaluationError}`);
      }
    }
    await new Promise((r) => setTimeout(r, gap + Math.round((Math.random() - 0.5) * 300)));
  }
  console.log(`--keep-alive-timeout ${keepAlive}, bursts ${gap} ms apart: ${errors} of ${n} reviews failed`);
} finally {
  await stack.stop();
}
