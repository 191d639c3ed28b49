// What the e2e differentials against Kubernetes share: a seeded PRNG (a failing seed replays), small vocabularies so
// that rules, requests and subjects collide, random policies, a kube-apiserver per test file, the helpers that put a
// policy into it and read it back as stored, and the freedoms Kubernetes takes (impersonated groups, error order).
import * as path from "node:path";
import { afterAll, beforeAll } from "vitest";
import { createAll, identities, makePki, ns, RBAC, Stack, startApiServer, startEtcd, tools, until, type ApiServer, type Pki } from "./harness.js";

export const AV = `${RBAC}/v1`;

/** mulberry32: a small seeded PRNG, so that a failing seed can be replayed. */
export function rng(seed: number) {
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
export type Rng = ReturnType<typeof rng>;

// Small vocabularies so that rules, requests and subjects collide; every entry is one the apiserver stores.
export const V = {
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

export function ruleOf(r: Rng, namespaced: boolean): object {
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

/**
 * The groups kube-apiserver gives a user impersonated with these Impersonate-Group headers (impersonation.go): a
 * ServiceAccount impersonated without groups gets its two ServiceAccount groups, and any non-anonymous user gets
 * system:authenticated unless system:authenticated or system:unauthenticated is among them.
 */
export function impersonatedGroups(user: string, groups: string[]): string[] {
  const out = [...groups];
  const sa = /^system:serviceaccount:([^:]*):/.exec(user);
  if (sa && groups.length === 0) out.push("system:serviceaccounts", `system:serviceaccounts:${sa[1]}`);
  if (user !== "system:anonymous" && !out.includes("system:authenticated") && !out.includes("system:unauthenticated")) out.push("system:authenticated");
  return out;
}

/** A SubjectAccessReview v1 by the admin: the apiserver's own answer. */
export async function sar(api: ApiServer, spec: object): Promise<{ allowed: boolean; reason: string; evaluationError: string }> {
  const res = await api.request("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews",
    { apiVersion: "authorization.k8s.io/v1", kind: "SubjectAccessReview", spec });
  if (res.status !== 201) throw new Error(`${JSON.stringify(spec)}: HTTP ${res.status} ${res.text}`);
  const s = res.json.status ?? {};
  return { allowed: !!s.allowed, reason: s.reason ?? "", evaluationError: s.evaluationError ?? "" };
}

/**
 * Creates a round's objects, then waits until the apiserver's RBAC authorizer (informer caches, one per kind) has
 * seen them: sentinel roles and bindings of every kind, created last, must take effect.
 */
export async function createAndSync(api: ApiServer, tag: string, objects: object[]): Promise<void> {
  await createAll(api, objects);
  await createAll(api, [
    { apiVersion: AV, kind: "ClusterRole", metadata: { name: `${tag}-sentinel` }, rules: [{ apiGroups: ["sentinel"], resources: ["s"], verbs: ["get"] }] },
    { apiVersion: AV, kind: "Role", metadata: { name: `${tag}-sentinel`, namespace: "ns1" }, rules: [{ apiGroups: ["sentinel"], resources: ["r"], verbs: ["get"] }] },
    { apiVersion: AV, kind: "ClusterRoleBinding", metadata: { name: `${tag}-sentinel` }, roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: `${tag}-sentinel` },
      subjects: [{ kind: "User", apiGroup: RBAC, name: `sentinel-${tag}` }] },
    { apiVersion: AV, kind: "RoleBinding", metadata: { name: `${tag}-sentinel`, namespace: "ns1" }, roleRef: { apiGroup: RBAC, kind: "Role", name: `${tag}-sentinel` },
      subjects: [{ kind: "User", apiGroup: RBAC, name: `sentinel-${tag}` }] },
  ]);
  await until(async () => (await sar(api, { user: `sentinel-${tag}`, resourceAttributes: { group: "sentinel", resource: "s", verb: "get" } })).allowed
    && (await sar(api, { user: `sentinel-${tag}`, resourceAttributes: { group: "sentinel", resource: "r", verb: "get", namespace: "ns1" } })).allowed,
  30_000, () => "the apiserver's RBAC informers to see the new objects");
}

/** The RBAC objects as the apiserver stores them, in list order. */
export async function stored(api: ApiServer): Promise<any[]> {
  const out: any[] = [];
  for (const [plural, kind] of [["clusterroles", "ClusterRole"], ["roles", "Role"], ["clusterrolebindings", "ClusterRoleBinding"], ["rolebindings", "RoleBinding"]]) {
    const res = await api.request("GET", `/apis/${RBAC}/v1/${plural}`);
    if (res.status !== 200) throw new Error(`listing ${plural}: HTTP ${res.status}`);
    for (const o of res.json.items) out.push({ ...o, apiVersion: AV, kind });
  }
  return out;
}


/**
 * etcd and a kube-apiserver --authorization-mode=RBAC, with the vocabulary's namespaces, for the calling test file:
 * started in its beforeAll (then `started`, e.g. for more processes on the same stack), stopped in its afterAll. The
 * result returns the apiserver inside tests.
 */
export function rbacClusterForFile(name: string,
  started?: (api: ApiServer, stack: Stack, pki: Pki) => Promise<void>): () => ApiServer {
  const stack = new Stack(name);
  let api: ApiServer | undefined;
  beforeAll(async () => {
    tools();
    const pki = makePki(path.join(stack.dir, "pki"));
    const etcd = await startEtcd(stack);
    api = await startApiServer(stack, { name: "kube-apiserver", etcd, pki, ids: identities({}), authorizationModes: ["RBAC"] });
    await createAll(api, V.namespaces.map((n) => ns(n)));
    await started?.(api, stack, pki);
  }, 240_000);
  afterAll(async () => {
    await stack.stop();
  }, 60_000);
  return () => {
    if (!api) throw new Error("the kube-apiserver did not start (see beforeAll)");
    return api;
  };
}

/** The objects of policyOf() rounds, each round able to name the roles of the rounds before (kept in `earlier`). */
export function policyRounds(seeds: number[], earlier: { roles: string[][]; clusterRoles: string[] } = { roles: [], clusterRoles: [] }): any[] {
  return seeds.flatMap((seed) => {
    const p = policyOf(seed, earlier);
    earlier.roles.push(...p.roles.map((x) => [x.metadata.namespace, x.metadata.name]));
    earlier.clusterRoles.push(...p.clusterRoles.map((x) => x.metadata.name));
    return [...p.roles, ...p.clusterRoles, ...p.bindings];
  });
}

/**
 * Kubernetes lists bindings in informer (Go map) order, so the errors of an aggregate, "[e1, e2]" in a reason, an
 * evaluationError or an escalation refusal, come in any order: each such list with its errors sorted.
 */
export function unorderedErrors(text: string): string {
  return text.replace(/\[([^[\]]*, [^[\]]*)\]/g, (_, list: string) => `[${list.split(", ").sort().join(", ")}]`);
}
