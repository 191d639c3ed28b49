// `rbac-guard serve --mode rbac` as the only authorizer (kube-apiserver --authorization-mode=Webhook) answers like
// Kubernetes' own RBAC authorizer: two kube-apiservers v1.20 on the same etcd (so they serve the very same roles
// and bindings), one with --authorization-mode=RBAC, one with --authorization-mode=Webhook pointing at rbac-guard
// (SubjectAccessReview v1beta1 here; test/e2e/guardrails.test.ts speaks v1), asked the same questions with
// `kubectl auth can-i --as/--as-group` by the admin, and with SubjectAccessReviews.
// Aggregated ClusterRoles are left out of the comparison: no kube-controller-manager runs, so kube-apiserver never
// fills their rules, while rbac-guard resolves aggregationRules itself (the last test documents the difference).
import * as path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import {
  canI, clusterRole, clusterRoleBinding, createAll, describeQuestion, Group, Guard, identities, makePki, ns, pool, role, roleBinding, SA,
  sa, Stack, startApiServer, startEtcd, tools, User, type ApiServer, type Question,
} from "./harness.js";

const stack = new Stack("rbac-mode");
let rbacApi: ApiServer;
let webhookApi: ApiServer;
let guard: Guard;

const SAS = "system:serviceaccount:";

beforeAll(async () => {
  tools();
  const pki = makePki(path.join(stack.dir, "pki"));
  const ids = identities({});
  const etcd = await startEtcd(stack);
  rbacApi = await startApiServer(stack, { name: "kube-apiserver-rbac", etcd, pki, ids, authorizationModes: ["RBAC"] });
  await createAll(rbacApi, [
    ns("team-a"), ns("team-b"), ns("ops"),
    sa("team-b", "deployer"), sa("team-b", "debugger"), sa("ops", "monitor"), sa("team-a", "builder"),
    clusterRole("pod-reader", [
      { apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] },
      { apiGroups: [""], resources: ["pods/log"], verbs: ["get"] },
    ]),
    clusterRole("deploy-manager", [
      { apiGroups: ["apps"], resources: ["deployments"], verbs: ["get", "list", "create", "update", "patch", "delete"] },
      { apiGroups: ["apps"], resources: ["deployments/scale"], verbs: ["update", "patch"] },
    ]),
    clusterRole("node-viewer", [{ apiGroups: [""], resources: ["nodes"], verbs: ["get", "list"] }]),
    clusterRole("log-reader", [{ nonResourceURLs: ["/logs", "/logs/*"], verbs: ["get"] }]),
    clusterRole("pod-exec", [{ apiGroups: [""], resources: ["pods/exec"], verbs: ["create"] }, { apiGroups: [""], resources: ["pods"], verbs: ["get"] }]),
    clusterRole("crd-reader", [{ apiGroups: ["example.com"], resources: ["*"], verbs: ["get", "list"] }]),
    clusterRole("impersonator", [{ apiGroups: [""], resources: ["users"], verbs: ["impersonate"], resourceNames: ["alice"] }]),
    clusterRole("service-admin", [{ apiGroups: [""], resources: ["services"], verbs: ["*"] }]),
    role("team-a", "configmap-editor", [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "create", "update"] }]),
    role("team-a", "app-config-reader", [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get"], resourceNames: ["app-config"] }]),
    role("team-b", "everything", [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }]),
    roleBinding("team-a", "alice-pods", { name: "pod-reader" }, [User("alice")]),
    roleBinding("team-a", "dev-configmaps", { kind: "Role", name: "configmap-editor" }, [Group("dev")]),
    roleBinding("team-a", "bob-app-config", { kind: "Role", name: "app-config-reader" }, [User("bob")]),
    roleBinding("team-b", "deployer", { name: "deploy-manager" }, [SA("team-b", "deployer")]),
    roleBinding("team-b", "debugger-exec", { name: "pod-exec" }, [SA("team-b", "debugger")]),
    roleBinding("team-b", "carol-services", { name: "service-admin" }, [User("carol")]),
    roleBinding("team-b", "erin-everything", { kind: "Role", name: "everything" }, [User("erin")]),
    // a ServiceAccount subject without namespace in a RoleBinding means the binding's namespace
    roleBinding("team-a", "builder-pods", { name: "pod-reader" }, [{ kind: "ServiceAccount", name: "builder" }]),
    // a dangling roleRef grants nothing
    roleBinding("team-a", "ghost", { name: "does-not-exist" }, [User("alice")]),
    clusterRoleBinding("ops-nodes", "node-viewer", [Group("ops")]),
    clusterRoleBinding("alice-logs", "log-reader", [User("alice")]),
    clusterRoleBinding("ops-serviceaccounts-pods", "pod-reader", [Group("system:serviceaccounts:ops")]),
    clusterRoleBinding("carol-crds", "crd-reader", [User("carol")]),
    clusterRoleBinding("dave-impersonates-alice", "impersonator", [User("dave")]),
    // aggregated bootstrap role: differs without a controller-manager (last test)
    roleBinding("team-a", "victor-view", { name: "view" }, [User("victor")]),
  ]);
  guard = await new Guard(stack, { pki, kubeconfig: rbacApi.kubeconfig("admin"), mode: "rbac" }).start();
  webhookApi = await startApiServer(stack, {
    name: "kube-apiserver-webhook", etcd, pki, ids, authorizationModes: ["Webhook"],
    authzWebhook: { url: `${guard.url}/authorize`, version: "v1beta1" },
  });
}, 240_000);

afterAll(async () => {
  await stack.stop();
}, 60_000);

const SUBJECTS: Pick<Question, "as" | "groups">[] = [
  { as: "alice" }, { as: "bob" }, { as: "carol" }, { as: "dave" }, { as: "erin" }, { as: "nobody" },
  { as: "frank", groups: ["dev"] }, { as: "gina", groups: ["ops"] },
  { as: `${SAS}team-b:deployer` }, { as: `${SAS}team-b:debugger` }, { as: `${SAS}ops:monitor` }, { as: `${SAS}team-a:builder` },
];

const ASKS: Omit<Question, "as" | "groups">[] = [
  { verb: "get", resource: "pods", namespace: "team-a" },
  { verb: "list", resource: "pods", namespace: "*" },
  { verb: "watch", resource: "pods", namespace: "ops" },
  { verb: "get", resource: "pods", subresource: "log", namespace: "team-a" },
  { verb: "create", resource: "pods", subresource: "exec", namespace: "team-b" },
  { verb: "delete", resource: "pods", namespace: "team-a" },
  { verb: "update", resource: "deployments", group: "apps", subresource: "scale", namespace: "team-b" },
  { verb: "delete", resource: "deployments", group: "apps", name: "web", namespace: "team-b" },
  { verb: "get", resource: "configmaps", name: "app-config", namespace: "team-a" },
  { verb: "get", resource: "configmaps", name: "other", namespace: "team-a" },
  { verb: "create", resource: "configmaps", namespace: "team-a" },
  { verb: "create", resource: "secrets", namespace: "team-b" },
  { verb: "delete", resource: "services", namespace: "team-b" },
  { verb: "list", resource: "nodes" },
  { verb: "list", resource: "namespaces" },
  { verb: "get", resource: "widgets", group: "example.com", namespace: "team-b" },
  { verb: "impersonate", resource: "users", name: "alice" },
  { verb: "impersonate", resource: "users", name: "bob" },
  { verb: "create", resource: "selfsubjectaccessreviews", group: "authorization.k8s.io" },
  { verb: "get", resource: "/logs/kube-apiserver.log" },
  { verb: "get", resource: "/healthz" },
  { verb: "post", resource: "/logs" },
];

const QUESTIONS: Question[] = SUBJECTS.flatMap((s) => ASKS.map((a) => ({ ...s, ...a })));
// kubectl costs a process (two with a version dispatcher) per question: every other question of the matrix, each
// subject and each ask still covered many times; the whole matrix goes through the same API call right after
const KUBECTL_QUESTIONS = QUESTIONS.filter((_, i) => i % 2 === Math.floor(i / ASKS.length) % 2);

type Answer = { q: Question; rbac: { allowed: boolean; text: string }; webhook: { allowed: boolean; text: string } };

async function compare(questions: Question[], via: "kubectl" | "api"): Promise<Answer[]> {
  const answers = await pool(questions, via === "kubectl" ? 6 : 16, async (q) => {
    const [rbac, webhook] = await Promise.all([canI(rbacApi, q, via), canI(webhookApi, q, via)]);
    return { q, rbac, webhook };
  });
  const differ = answers.filter((a) => a.rbac.allowed !== a.webhook.allowed)
    .map((a) => `${describeQuestion(a.q)}: RBAC ${a.rbac.text} / rbac-guard ${a.webhook.text}`);
  expect(differ).toEqual([]);
  const yes = answers.filter((a) => a.rbac.allowed).length;
  console.log(`${via}: ${answers.length} questions, ${yes} yes, ${answers.length - yes} no, all alike`);
  return answers;
}

const answerOf = (answers: Answer[], as: string, verb: string, resource: string, more: Partial<Question> = {}) =>
  answers.find((a) => a.q.as === as && a.q.verb === verb && a.q.resource === resource &&
    Object.entries(more).every(([k, v]) => (a.q as any)[k] === v))!.webhook.allowed;

test(`kubectl auth can-i --as/--as-group: --authorization-mode=Webhook with --mode rbac answers as --authorization-mode=RBAC (${KUBECTL_QUESTIONS.length} questions)`, async () => {
  const via = tools().kubectl ? "kubectl" : "api";
  if (via === "api") console.warn("kubectl is not installed: asking with SelfSubjectAccessReviews and impersonation headers, as kubectl would");
  const answers = await compare(KUBECTL_QUESTIONS, via);
  const yes = answers.filter((a) => a.rbac.allowed).length;
  expect(yes).toBeGreaterThan(20);
  expect(answers.length - yes).toBeGreaterThan(20);
}, 180_000);

test(`the whole matrix (${QUESTIONS.length} questions) through kubectl's API call: SelfSubjectAccessReview with Impersonate-User/-Group`, async () => {
  const answers = await compare(QUESTIONS, "api");
  const yes = answers.filter((a) => a.rbac.allowed).length;
  // the matrix is not trivial: both answers occur often, and spot checks hold
  expect(yes).toBeGreaterThan(40);
  expect(answers.length - yes).toBeGreaterThan(40);
  const find = (as: string, verb: string, resource: string, more: Partial<Question> = {}) => answerOf(answers, as, verb, resource, more);
  expect(find("alice", "get", "pods", { namespace: "team-a" })).toBe(true);
  expect(find("alice", "list", "pods", { namespace: "*" })).toBe(false);
  expect(find("bob", "get", "configmaps", { name: "app-config" })).toBe(true);
  expect(find("bob", "get", "configmaps", { name: "other" })).toBe(false);
  expect(find("frank", "create", "configmaps")).toBe(true);
  expect(find("gina", "list", "nodes")).toBe(true);
  expect(find(`${SAS}team-a:builder`, "get", "pods", { namespace: "team-a" })).toBe(true);
  expect(find(`${SAS}ops:monitor`, "list", "pods", { namespace: "*" })).toBe(true);
  expect(find(`${SAS}team-b:deployer`, "update", "deployments", { subresource: "scale" })).toBe(true);
  expect(find(`${SAS}team-b:debugger`, "create", "pods", { subresource: "exec" })).toBe(true);
  expect(find("dave", "impersonate", "users", { name: "alice" })).toBe(true);
  expect(find("dave", "impersonate", "users", { name: "bob" })).toBe(false);
  expect(find("carol", "get", "widgets")).toBe(true);
  expect(find("erin", "create", "secrets")).toBe(true);
  expect(find("nobody", "get", "/healthz")).toBe(true);
  expect(find("alice", "get", "/logs/kube-apiserver.log")).toBe(true);
  expect(find("alice", "post", "/logs")).toBe(false);
  // the webhook answered them: allowed decisions by `rbac`
  const m = await guard.metrics();
  expect(m.sum("rbac_guard_decisions_total", { endpoint: "authorize", result: "allowed", check: "rbac" })).toBeGreaterThan(yes);
  expect(m.sum("rbac_guard_decisions_total", { endpoint: "authorize", result: "no_opinion" })).toBeGreaterThan(0);
}, 180_000);

test("SubjectAccessReview with explicit groups (no impersonation, no system:authenticated added): the same answers", async () => {
  const spec = (q: Question) => ({
    user: q.as, groups: q.as.startsWith(SAS) ? ["system:serviceaccounts", `system:serviceaccounts:${q.as.split(":")[2]}`] : q.groups ?? [],
    ...(q.resource.startsWith("/") ? { nonResourceAttributes: { verb: q.verb, path: q.resource } }
      : { resourceAttributes: { verb: q.verb, group: q.group ?? "", resource: q.resource, subresource: q.subresource ?? "", name: q.name ?? "",
        namespace: q.namespace === "*" || q.namespace === undefined ? "" : q.namespace } }),
  });
  const ask = async (api: ApiServer, q: Question) => {
    const r = await api.request("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews",
      { apiVersion: "authorization.k8s.io/v1", kind: "SubjectAccessReview", spec: spec(q) });
    if (r.status !== 201) throw new Error(`${JSON.stringify(spec(q))}: HTTP ${r.status} ${r.text}`);
    return !!r.json.status.allowed;
  };
  const answers = await pool(QUESTIONS, 16, async (q) => ({ q, rbac: await ask(rbacApi, q), webhook: await ask(webhookApi, q) }));
  expect(answers.filter((a) => a.rbac !== a.webhook).map((a) => JSON.stringify(spec(a.q)))).toEqual([]);
  // without system:authenticated (or system:unauthenticated), the bootstrap grants are gone: nobody may do nothing
  expect(answers.filter((a) => a.q.as === "nobody" && a.rbac)).toEqual([]);
}, 120_000);

test("documented difference: aggregated ClusterRoles need kube-controller-manager; rbac-guard resolves aggregationRule itself", async () => {
  const q: Question = { as: "victor", verb: "list", resource: "pods", namespace: "team-a" };
  const view = await rbacApi.request("GET", "/apis/rbac.authorization.k8s.io/v1/clusterroles/view");
  expect(view.json.aggregationRule).toBeDefined();
  expect(view.json.rules ?? []).toEqual([]); // nobody filled them in: no controller-manager
  expect((await canI(rbacApi, q)).allowed).toBe(false);
  // in a real cluster the controller fills view's rules from system:aggregate-to-view (pods: get/list/watch)
  expect((await canI(webhookApi, q)).allowed).toBe(true);
});

test("the webhook stopped, with Webhook as the only authorizer: everything but system:masters fails with HTTP 500", async () => {
  await guard.stop();
  const q: Question = { as: "alice", verb: "get", resource: "pods", namespace: "team-a" };
  // kubectl auth can-i cannot even create its SelfSubjectAccessReview
  await expect(canI(webhookApi, q)).rejects.toThrow(/InternalError|Internal Server Error|HTTP 500/);
  // a SubjectAccessReview by the admin (system:masters needs no webhook) shows the webhook's error as evaluationError
  const r = await webhookApi.request("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", { apiVersion: "authorization.k8s.io/v1",
    kind: "SubjectAccessReview", spec: { user: "alice", groups: ["system:authenticated"], resourceAttributes: { verb: "get", resource: "pods", namespace: "team-a" } } });
  console.log(JSON.stringify(r.json.status));
  expect(r.json.status.allowed).toBe(false);
  expect(r.json.status.evaluationError).toMatch(/authorize\?timeout=30s.*connection refused/);
  // RBAC alone still answers yes
  expect((await canI(rbacApi, q)).allowed).toBe(true);
});
