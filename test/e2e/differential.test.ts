// Differential against Kubernetes itself: random RBAC policies (seeded, reproducible) are created in a real
// kube-apiserver v1.20 (--authorization-mode=RBAC), read back as the apiserver stores them (its bootstrap roles and
// bindings included), and loaded into rbac-guard's engine in process; then random SubjectAccessReviews go to both.
// `allowed` must be equal on every question, and so must `reason`, byte for byte, with the two freedoms Kubernetes
// itself takes (it lists bindings from an informer cache, in Go map order):
// - allowed by several bindings: Kubernetes names one of them. Its reason must be exactly what rbac-guard says when
//   that binding is the only one that allows (an engine built with the other allowing bindings left out);
// - several distinct role-lookup errors: Kubernetes lists them in its order, so `RBAC: [e1, e2]` is compared as a set.
// No kube-controller-manager runs, so aggregated ClusterRoles keep their stored (empty) rules: the engine is built
// with `aggregate: false` to decide on the very objects the apiserver's authorizer sees.
// E2E_DIFF_SEEDS="1,2,3" and E2E_DIFF_QUESTIONS pick the seeds and the questions per seed.
import * as path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createEngine, type Engine } from "../../bindings/index.js";
import { createAll, identities, makePki, ns, pool, RBAC, Stack, startApiServer, startEtcd, tools, until, type ApiServer } from "./harness.js";

const SEEDS = (process.env.E2E_DIFF_SEEDS ?? "1,2,3").split(",").map(Number);
const QUESTIONS = Number(process.env.E2E_DIFF_QUESTIONS ?? 700);
const AV = `${RBAC}/v1`;

/** mulberry32: a small seeded PRNG, so that a failing seed can be replayed. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const some = <T>(xs: readonly T[], min: number, max: number): T[] => {
    const n = min + int(max - min + 1);
    const out = new Set<T>();
    for (let i = 0; i < n * 3 && out.size < n; i++) out.add(pick(xs));
    return [...out];
  };
  return { next, int, pick, some, chance: (p: number) => next() < p };
}
type Rng = ReturnType<typeof rng>;

// Small vocabularies so that rules, requests and subjects collide; every entry is one the apiserver stores.
const V = {
  ruleVerbs: ["get", "list", "watch", "create", "delete", "escalate", "*"],
  requestVerbs: ["get", "list", "watch", "create", "delete", "escalate", "*", "", "GET", "impersonate"],
  ruleGroups: ["", "apps", "*", RBAC, "example.com"],
  requestGroups: ["", "apps", RBAC, "example.com", "*", "Apps"],
  ruleResources: ["pods", "pods/log", "pods/*", "*/scale", "deployments", "deployments/scale", "*", "*/*", "secrets", "roles", "pods/log/x"],
  requestResources: ["pods", "deployments", "secrets", "roles", "*", "widgets"],
  requestSubresources: ["", "", "", "log", "scale", "*", "status"],
  names: ["a", "b", ""],
  ruleURLs: ["/healthz", "/api/*", "/api", "*", "/h*", "/api/**", "/*/v1", "/logs/*", "/version"],
  requestPaths: ["/healthz", "/healthz/etcd", "/api", "/api/", "/api/v1", "/h", "/*/v1", "/logs/x", "/logs", "/version", "/apis", "", "/livez"],
  users: ["alice", "bob", "carol", "system:serviceaccount:ns1:sa", "system:serviceaccount:ns2:sa", "system:serviceaccount:ns1:default",
    "system:serviceaccount:ns3:robot", "system:anonymous", ""],
  groups: ["dev", "ops", "system:authenticated", "system:unauthenticated", "system:serviceaccounts", "system:serviceaccounts:ns1", "Dev"],
  namespaces: ["ns1", "ns2", "ns3"],
  requestNamespaces: ["", "", "ns1", "ns2", "ns3", "*", "other"],
  saNames: ["sa", "default", "robot"],
};

function ruleOf(r: Rng, namespaced: boolean): object {
  if (!namespaced && r.chance(0.2)) return { verbs: r.some(V.ruleVerbs, 1, 2), nonResourceURLs: r.some(V.ruleURLs, 1, 3) };
  const rule: Record<string, string[]> = { verbs: r.some(V.ruleVerbs, 1, 3), apiGroups: r.some(V.ruleGroups, 1, 2), resources: r.some(V.ruleResources, 1, 3) };
  if (r.chance(0.3)) rule.resourceNames = r.some(V.names, 1, 2);
  return rule;
}

function subjectOf(r: Rng, inRoleBinding: boolean): object {
  const k = r.int(10);
  if (k < 3) return { kind: "User", apiGroup: RBAC, name: r.pick(V.users.filter(Boolean)) };
  if (k < 6) return { kind: "Group", apiGroup: RBAC, name: r.pick(V.groups) };
  // a ServiceAccount subject without namespace is valid only in a RoleBinding (the binding's namespace)
  if (inRoleBinding && r.chance(0.4)) return { kind: "ServiceAccount", name: r.pick(V.saNames) };
  return { kind: "ServiceAccount", name: r.pick(V.saNames), namespace: r.pick(V.namespaces) };
}

/** One round of objects, named `p<seed>-...` so that rounds add to the same cluster. */
function policyOf(seed: number, earlier: { roles: string[][]; clusterRoles: string[] }) {
  const r = rng(seed);
  const p = `p${seed}`;
  const roles = Array.from({ length: 6 + r.int(6) }, (_, i) => ({
    apiVersion: AV, kind: "Role", metadata: { name: `${p}-r${i}`, namespace: r.pick(V.namespaces) },
    rules: Array.from({ length: 1 + r.int(3) }, () => ruleOf(r, true)),
  }));
  const clusterRoles = Array.from({ length: 6 + r.int(6) }, (_, i) => ({
    apiVersion: AV, kind: "ClusterRole", metadata: { name: `${p}-c${i}` },
    rules: Array.from({ length: 1 + r.int(3) }, () => ruleOf(r, false)),
  }));
  const roleRefs = [...earlier.roles, ...roles.map((x) => [x.metadata.namespace, x.metadata.name])];
  const clusterRoleRefs = [...earlier.clusterRoles, ...clusterRoles.map((x) => x.metadata.name), "view", "system:basic-user", "system:discovery"];
  const subjects = (inRoleBinding: boolean) => Array.from({ length: 1 + r.int(3) }, () => subjectOf(r, inRoleBinding));
  const bindings: any[] = [];
  const n = 12 + r.int(12);
  for (let i = 0; i < n; i++) {
    if (r.chance(0.35)) {
      const name = r.chance(0.1) ? `${p}-missing` : r.pick(clusterRoleRefs);
      bindings.push({ apiVersion: AV, kind: "ClusterRoleBinding", metadata: { name: `${p}-crb${i}` },
        roleRef: { apiGroup: RBAC, kind: "ClusterRole", name }, subjects: subjects(false) });
      continue;
    }
    let namespace = r.pick(V.namespaces);
    let roleRef: object;
    const k = r.int(10);
    if (k < 4) roleRef = { apiGroup: RBAC, kind: "ClusterRole", name: r.chance(0.1) ? `${p}-missing` : r.pick(clusterRoleRefs) };
    else if (k < 9) {
      // a Role of the same namespace mostly; sometimes one of another namespace (not found from here)
      const [rns, name] = r.pick(roleRefs) as [string, string];
      if (r.chance(0.8)) namespace = rns;
      roleRef = { apiGroup: RBAC, kind: "Role", name };
    } else roleRef = { apiGroup: RBAC, kind: "Role", name: `${p}-missing-role` };
    bindings.push({ apiVersion: AV, kind: "RoleBinding", metadata: { name: `${p}-rb${i}`, namespace }, roleRef, subjects: subjects(true) });
  }
  return { roles, clusterRoles, bindings };
}

/** A random question; half of them aimed at one of the bindings (a subject of it, a rule of its role), so that allows are common. */
function questionOf(r: Rng, bindings: any[], rolesByRef: Map<string, any>): Record<string, unknown> {
  let user = r.pick(V.users);
  const groups = r.some(V.groups, 0, 3);
  let namespace = r.pick(V.requestNamespaces);
  let aim: { verbs?: string[]; apiGroups?: string[]; resources?: string[]; resourceNames?: string[]; nonResourceURLs?: string[] } | undefined;
  const b = r.chance(0.5) ? r.pick(bindings) : undefined;
  if (b) {
    const s = r.pick<any>(b.subjects ?? [{ kind: "User", name: "nobody" }]);
    if (s.kind === "User") user = s.name;
    // system:masters is allowed by the apiserver's authorizer chain before RBAC is asked (its reason is "")
    else if (s.kind === "Group" && s.name !== "system:masters") groups.push(s.name);
    else user = `system:serviceaccount:${s.namespace ?? b.metadata.namespace ?? ""}:${s.name}`;
    if (b.kind === "RoleBinding" && r.chance(0.8)) namespace = b.metadata.namespace;
    const role = rolesByRef.get(`${b.roleRef.kind}/${b.roleRef.kind === "Role" ? b.metadata.namespace : ""}/${b.roleRef.name}`);
    if (role?.rules?.length) aim = r.pick<any>(role.rules);
  }
  if (user.startsWith("system:serviceaccount:") && r.chance(0.7)) {
    groups.push("system:serviceaccounts", `system:serviceaccounts:${user.split(":")[2]}`);
  }
  if (!b && r.chance(0.1)) user = `system:serviceaccount:${r.pick(V.namespaces)}:${r.pick(V.saNames)}`;
  // the apiserver refuses a review with neither user nor groups
  if (user === "" && groups.length === 0) groups.push(r.pick(V.groups));
  const spec: Record<string, unknown> = { user, groups: [...new Set(groups)] };
  const from = (xs: string[] | undefined, fallback: string[], p = 0.8) => (xs?.length && r.chance(p) ? r.pick(xs) : r.pick(fallback));
  if (aim ? !!aim.nonResourceURLs?.length : r.chance(0.2)) {
    let path = from(aim?.nonResourceURLs, V.requestPaths);
    if (path.endsWith("*")) path = path.replace(/\*+$/, "") + r.pick(["", "x", "/y"]);
    spec.nonResourceAttributes = { verb: from(aim?.verbs, V.requestVerbs), path };
  } else {
    let resource = from(aim?.resources, V.requestResources);
    let subresource = r.pick(V.requestSubresources);
    if (resource.includes("/")) [resource, subresource] = [resource.slice(0, resource.indexOf("/")), resource.slice(resource.indexOf("/") + 1)];
    if (resource === "*" && r.chance(0.7)) resource = r.pick(V.requestResources);
    spec.resourceAttributes = {
      namespace, verb: from(aim?.verbs, V.requestVerbs), group: from(aim?.apiGroups, V.requestGroups), version: r.pick(["v1", ""]),
      resource, subresource, name: from(aim?.resourceNames, V.names, 0.6),
    };
  }
  return spec;
}

const stack = new Stack("differential");
let api: ApiServer;
const earlier = { roles: [] as string[][], clusterRoles: [] as string[] };

beforeAll(async () => {
  tools();
  const pki = makePki(path.join(stack.dir, "pki"));
  const etcd = await startEtcd(stack);
  api = await startApiServer(stack, { name: "kube-apiserver", etcd, pki, ids: identities({}), authorizationModes: ["RBAC"] });
  await createAll(api, V.namespaces.map((n) => ns(n)));
}, 240_000);

afterAll(async () => {
  await stack.stop();
}, 60_000);

async function sar(spec: object): Promise<{ allowed: boolean; reason: string; evaluationError: string }> {
  const res = await api.request("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews",
    { apiVersion: "authorization.k8s.io/v1", kind: "SubjectAccessReview", spec });
  if (res.status !== 201) throw new Error(`${JSON.stringify(spec)}: HTTP ${res.status} ${res.text}`);
  const s = res.json.status ?? {};
  return { allowed: !!s.allowed, reason: s.reason ?? "", evaluationError: s.evaluationError ?? "" };
}

/** The RBAC objects as the apiserver stores them, in list order. */
async function stored(): Promise<any[]> {
  const out: any[] = [];
  for (const [plural, kind] of [["clusterroles", "ClusterRole"], ["roles", "Role"], ["clusterrolebindings", "ClusterRoleBinding"], ["rolebindings", "RoleBinding"]]) {
    const res = await api.request("GET", `/apis/${RBAC}/v1/${plural}`);
    if (res.status !== 200) throw new Error(`listing ${plural}: HTTP ${res.status}`);
    for (const o of res.json.items) out.push({ ...o, apiVersion: AV, kind });
  }
  return out;
}

const bindingKey = (o: any) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;
/** The binding a Kubernetes allow reason names, as a bindingKey. */
function reasonBinding(reason: string): string | undefined {
  const m = /^RBAC: allowed by (ClusterRoleBinding|RoleBinding) "([^"]*)" of /.exec(reason);
  if (!m) return undefined;
  if (m[1] === "ClusterRoleBinding") return `ClusterRoleBinding//${m[2]}`;
  const [name, namespace] = m[2]!.split("/");
  return `RoleBinding/${namespace}/${name}`;
}
/** `RBAC: [e1, e2]` → sorted messages; one error or none stays as it is. */
function errorSet(reason: string): string {
  const m = /^RBAC: \[(.*)\]$/.exec(reason);
  return m ? `RBAC: {${m[1]!.split(", ").sort().join(", ")}}` : reason;
}

test.each(SEEDS)(`seed %i: ${QUESTIONS} random SubjectAccessReviews, kube-apiserver --authorization-mode=RBAC vs the engine`, async (seed) => {
  const { roles, clusterRoles, bindings } = policyOf(seed, earlier);
  await createAll(api, [...roles, ...clusterRoles, ...bindings]);
  earlier.roles.push(...roles.map((x) => [x.metadata.namespace, x.metadata.name]));
  earlier.clusterRoles.push(...clusterRoles.map((x) => x.metadata.name));
  // the authorizer reads informer caches: wait until the last binding of each kind is seen
  const lastCrb = bindings.filter((b) => b.kind === "ClusterRoleBinding").at(-1);
  const lastRb = bindings.filter((b) => b.kind === "RoleBinding").at(-1);
  await createAll(api, [
    { apiVersion: AV, kind: "ClusterRole", metadata: { name: `p${seed}-sentinel` }, rules: [{ apiGroups: ["sentinel"], resources: ["s"], verbs: ["get"] }] },
    { apiVersion: AV, kind: "Role", metadata: { name: `p${seed}-sentinel`, namespace: "ns1" }, rules: [{ apiGroups: ["sentinel"], resources: ["r"], verbs: ["get"] }] },
    { apiVersion: AV, kind: "ClusterRoleBinding", metadata: { name: `p${seed}-sentinel` }, roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: `p${seed}-sentinel` },
      subjects: [{ kind: "User", apiGroup: RBAC, name: `sentinel-${seed}` }] },
    { apiVersion: AV, kind: "RoleBinding", metadata: { name: `p${seed}-sentinel`, namespace: "ns1" }, roleRef: { apiGroup: RBAC, kind: "Role", name: `p${seed}-sentinel` },
      subjects: [{ kind: "User", apiGroup: RBAC, name: `sentinel-${seed}` }] },
  ]);
  await until(async () => (await sar({ user: `sentinel-${seed}`, resourceAttributes: { group: "sentinel", resource: "s", verb: "get" } })).allowed
    && (await sar({ user: `sentinel-${seed}`, resourceAttributes: { group: "sentinel", resource: "r", verb: "get", namespace: "ns1" } })).allowed,
  30_000, () => "the apiserver's RBAC informers to see the new objects");
  expect(lastCrb && lastRb).toBeTruthy();

  const objects = await stored();
  const engine = await createEngine(objects, { aggregate: false });
  const r = rng(seed * 7919 + 1);
  const isBinding = (o: any) => o.kind === "RoleBinding" || o.kind === "ClusterRoleBinding";
  const rolesByRef = new Map(objects.filter((o) => !isBinding(o)).map((o) => [`${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`, o]));
  const specs = Array.from({ length: QUESTIONS }, () => questionOf(r, objects.filter(isBinding), rolesByRef));
  const answers = await pool(specs, 16, async (spec) => ({ spec, k8s: await sar(spec), ours: engine.authorize(spec as any) }));

  // an engine per binding named in a Kubernetes reason, with every other binding that allows the question left out
  const single = new Map<string, Engine>();
  const alone = async (spec: object, named: string): Promise<string> => {
    const others: string[] = [];
    for (const b of objects.filter(isBinding)) {
      if (bindingKey(b) === named) continue;
      let one = single.get(bindingKey(b));
      if (!one) single.set(bindingKey(b), one = await createEngine([...objects.filter((o) => !isBinding(o)), b], { aggregate: false }));
      if (one.authorize(spec as any).allowed) others.push(bindingKey(b));
    }
    const rest = objects.filter((o) => !isBinding(o) || !others.includes(bindingKey(o)));
    return (await createEngine(rest, { aggregate: false })).authorize(spec as any).reason;
  };

  const differ: string[] = [];
  let yes = 0, errors = 0, otherBinding = 0;
  for (const { spec, k8s, ours } of answers) {
    const q = JSON.stringify(spec);
    expect(k8s.evaluationError, q).toBe("");
    if (ours.evaluationError) differ.push(`${q}: engine error ${ours.evaluationError}`);
    if (k8s.allowed !== ours.allowed) {
      differ.push(`${q}: kube-apiserver ${k8s.allowed} "${k8s.reason}" / rbac-guard ${ours.allowed} "${ours.reason}"`);
      continue;
    }
    if (k8s.allowed) {
      yes++;
      if (k8s.reason === ours.reason) continue;
      const named = reasonBinding(k8s.reason);
      if (!named || !reasonBinding(ours.reason)) { differ.push(`${q}: reason "${k8s.reason}" / "${ours.reason}"`); continue; }
      otherBinding++;
      const want = await alone(spec, named);
      if (want !== k8s.reason) differ.push(`${q}: kube-apiserver "${k8s.reason}" / rbac-guard with that binding alone "${want}"`);
      continue;
    }
    if (k8s.reason) errors++;
    if (errorSet(k8s.reason) !== errorSet(ours.reason)) differ.push(`${q}: reason "${k8s.reason}" / "${ours.reason}"`);
  }
  console.log(`seed ${seed}: ${objects.length} RBAC objects, ${answers.length} questions: ${yes} allowed ` +
    `(${otherBinding} by several bindings, Kubernetes naming another), ${errors} denials with role errors; ${differ.length} differ`);
  expect(differ).toEqual([]);
  // the questions are not trivial: both answers and denial reasons occur
  expect(yes).toBeGreaterThan(QUESTIONS / 20);
  expect(answers.length - yes).toBeGreaterThan(QUESTIONS / 10);
  expect(errors).toBeGreaterThan(0);
}, 240_000);
