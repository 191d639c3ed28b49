// Deterministic generator of realistic RBAC policies and SubjectAccessReview request mixes for the benchmarks.
//
// A policy of size N holds N bindings in total: the Kubernetes v1.20 bootstrap objects
// (examples/cluster/bootstrap-rbac.json, 41 ClusterRoleBindings + 7 RoleBindings, aggregated admin/edit/view),
// then N − 48 generated bindings: ~10% ClusterRoleBindings to custom ClusterRoles, the rest RoleBindings spread over
// N/20 namespaces, each namespace with 3–5 custom Roles. A few bindings name roles that do not exist.
// Objects come out in the order `kubectl get -A` lists them (cluster-scoped, then namespace by namespace).
//
// Everything is derived from a seeded PRNG (mulberry32): the same (N, seed) always gives the same objects and the
// same requests. Run `tsx bench/corpora/gen.ts 1000` to print a corpus summary, `--json` to dump the objects.
import { readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";

// ---- PRNG ----------------------------------------------------------------------------------------------------

export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  /** Uniform in [0, 1). mulberry32. */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  range(lo: number, hi: number): number { // inclusive
    return lo + this.int(hi - lo + 1);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)];
  }
  /** Skewed towards small indexes (a few principals hold many bindings, as in real clusters). */
  skewed(n: number): number {
    const r = this.next();
    return Math.min(n - 1, Math.floor(n * r * r));
  }
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of items) total += w;
    let x = this.next() * total;
    for (const [v, w] of items) if ((x -= w) < 0) return v;
    return items[items.length - 1][0];
  }
  sample<T>(a: readonly T[], k: number): T[] {
    const copy = a.slice();
    for (let i = copy.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [copy[i], copy[j]] = [copy[j], copy[i]];
    }
    return copy.slice(0, Math.min(k, copy.length));
  }
}

// ---- vocabulary ----------------------------------------------------------------------------------------------

const RBAC_V1 = "rbac.authorization.k8s.io/v1";
const RBAC_GROUP = "rbac.authorization.k8s.io";

export interface Rule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
  verbs: string[];
}

/** One request shape a role is meant to allow. `name: "*"` means "some object name". */
export interface Action {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  name?: string;
  clusterScoped?: boolean;
  path?: string; // non-resource request
}

interface RoleTemplate {
  name: string;
  rules: (app: string) => Rule[];
  samples: (app: string) => Action[];
}

const READ = ["get", "list", "watch"];
const a = (verb: string, group: string, resource: string, extra: Partial<Action> = {}): Action =>
  ({ verb, group, resource, ...extra });

/** Namespace Roles; every namespace gets 3–5 of these. */
const NAMESPACE_ROLES: RoleTemplate[] = [
  {
    name: "pod-reader",
    rules: () => [{ apiGroups: [""], resources: ["pods", "pods/log"], verbs: READ }],
    samples: () => [a("get", "", "pods", { name: "*" }), a("list", "", "pods"), a("watch", "", "pods"),
      a("get", "", "pods", { subresource: "log", name: "*" })],
  },
  {
    name: "config-reader",
    rules: () => [{ apiGroups: [""], resources: ["configmaps"], verbs: READ }],
    samples: () => [a("get", "", "configmaps", { name: "*" }), a("list", "", "configmaps"), a("watch", "", "configmaps")],
  },
  {
    name: "deployer",
    rules: () => [
      { apiGroups: ["apps"], resources: ["deployments"], verbs: ["create", "get", "list", "update", "patch"] },
      { apiGroups: ["apps"], resources: ["replicasets"], verbs: ["get", "list"] },
      { apiGroups: [""], resources: ["services", "configmaps"], verbs: ["get", "create", "update", "patch"] },
    ],
    samples: () => [a("create", "apps", "deployments"), a("patch", "apps", "deployments", { name: "*" }),
      a("list", "apps", "replicasets"), a("update", "", "services", { name: "*" }), a("get", "apps", "deployments", { name: "*" })],
  },
  {
    name: "secret-reader",
    rules: (app) => [{ apiGroups: [""], resources: ["secrets"], resourceNames: [`${app}-db-credentials`, `${app}-tls`], verbs: ["get"] }],
    samples: (app) => [a("get", "", "secrets", { name: `${app}-db-credentials` }), a("get", "", "secrets", { name: `${app}-tls` })],
  },
  {
    name: "scaler",
    rules: () => [
      { apiGroups: ["apps"], resources: ["*/scale"], verbs: ["get", "update", "patch"] },
      { apiGroups: ["apps"], resources: ["deployments", "statefulsets"], verbs: ["get", "list"] },
    ],
    samples: () => [a("update", "apps", "deployments", { subresource: "scale", name: "*" }),
      a("patch", "apps", "statefulsets", { subresource: "scale", name: "*" }), a("get", "apps", "statefulsets", { name: "*" })],
  },
  {
    name: "job-runner",
    rules: () => [
      { apiGroups: ["batch"], resources: ["jobs", "cronjobs"], verbs: ["create", "delete", "get", "list", "watch"] },
      { apiGroups: [""], resources: ["pods/log"], verbs: ["get"] },
    ],
    samples: () => [a("create", "batch", "jobs"), a("list", "batch", "cronjobs"), a("delete", "batch", "jobs", { name: "*" }),
      a("get", "", "pods", { subresource: "log", name: "*" })],
  },
  {
    name: "debugger",
    rules: () => [
      { apiGroups: [""], resources: ["pods/exec", "pods/portforward"], verbs: ["create"] },
      { apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] },
    ],
    samples: () => [a("create", "", "pods", { subresource: "exec", name: "*" }), a("list", "", "pods")],
  },
  {
    name: "event-writer",
    rules: () => [{ apiGroups: ["", "events.k8s.io"], resources: ["events"], verbs: ["create", "patch"] }],
    samples: () => [a("create", "", "events"), a("create", "events.k8s.io", "events"), a("patch", "", "events", { name: "*" })],
  },
];

/** What the aggregated built-in ClusterRoles allow (a subset, used to aim requests). */
const VIEW_SAMPLES: Action[] = [
  a("get", "", "pods", { name: "*" }), a("list", "", "pods"), a("watch", "", "services"), a("list", "", "configmaps"),
  a("get", "apps", "deployments", { name: "*" }), a("list", "apps", "replicasets"), a("get", "", "pods", { subresource: "log", name: "*" }),
  a("list", "batch", "jobs"), a("get", "", "endpoints", { name: "*" }), a("list", "networking.k8s.io", "ingresses"),
  a("get", "apps", "deployments", { subresource: "scale", name: "*" }), a("list", "", "events"),
];
const EDIT_SAMPLES: Action[] = [
  ...VIEW_SAMPLES,
  a("create", "apps", "deployments"), a("update", "apps", "deployments", { name: "*" }), a("delete", "", "pods", { name: "*" }),
  a("create", "", "services"), a("patch", "", "configmaps", { name: "*" }), a("get", "", "secrets", { name: "*" }),
  a("create", "", "pods", { subresource: "exec", name: "*" }), a("update", "apps", "deployments", { subresource: "scale", name: "*" }),
  a("create", "batch", "jobs"), a("impersonate", "", "serviceaccounts", { name: "*" }),
];
const ADMIN_SAMPLES: Action[] = [
  ...EDIT_SAMPLES,
  a("create", RBAC_GROUP, "rolebindings"), a("update", RBAC_GROUP, "roles", { name: "*" }),
  a("create", "authorization.k8s.io", "localsubjectaccessreviews"),
];
const BUILTIN_SAMPLES: Record<string, Action[]> = { view: VIEW_SAMPLES, edit: EDIT_SAMPLES, admin: ADMIN_SAMPLES };

/** Requests nobody is meant to make (mostly denied; some are allowed by broad grants). */
const SENSITIVE: Action[] = [
  a("delete", "", "namespaces", { name: "*", clusterScoped: true }), a("create", RBAC_GROUP, "clusterroles", { clusterScoped: true }),
  a("list", "", "secrets"), a("get", "", "secrets", { name: "*" }), a("patch", "", "nodes", { name: "*", clusterScoped: true }),
  a("create", "", "pods", { subresource: "exec", name: "*" }), a("delete", "apps", "deployments", { name: "*" }),
  a("create", "", "serviceaccounts", { subresource: "token", name: "*" }), a("escalate", RBAC_GROUP, "roles", { name: "*" }),
  a("update", "", "pods", { subresource: "status", name: "*" }), a("deletecollection", "", "pods"),
  a("get", "policy", "podsecuritypolicies", { name: "*", clusterScoped: true }), a("list", "", "nodes", { clusterScoped: true }),
  a("update", "coordination.k8s.io", "leases", { name: "*" }), a("create", "admissionregistration.k8s.io", "validatingwebhookconfigurations", { clusterScoped: true }),
];

const NON_RESOURCE_PATHS = [
  "/api", "/api/v1", "/apis", "/apis/apps/v1", "/healthz", "/livez", "/readyz", "/version", "/openapi/v2",
  "/metrics", "/metrics/cadvisor", "/logs", "/logs/kube-apiserver.log", "/debug/pprof/profile", "/healthz/etcd",
];

const APP_WORDS = ["payments", "shop", "inventory", "search", "auth", "billing", "ml", "data", "web", "api", "ops", "ledger",
  "catalog", "checkout", "media", "notify", "reports", "gateway", "cache", "queue"];

// ---- the corpus ----------------------------------------------------------------------------------------------

interface SubjectRef { kind: "User" | "Group" | "ServiceAccount"; name: string; namespace?: string }

/** A generated binding, as the request generator sees it. */
export interface GrantInfo {
  kind: "RoleBinding" | "ClusterRoleBinding";
  namespace: string; // "" for ClusterRoleBindings
  subjects: SubjectRef[];
  samples: Action[]; // empty when the role does not exist
}

export interface Corpus {
  size: number;
  seed: number;
  objects: object[]; // the bootstrap List first, then the generated objects
  namespaces: { name: string; app: string; serviceAccounts: string[] }[];
  grants: GrantInfo[];
  users: number; // user-<k>@example.com, k < users
  teams: number; // team-<k>, k < teams
  stats: {
    bindings: number; clusterRoleBindings: number; roleBindings: number; roles: number; clusterRoles: number;
    namespaces: number; subjects: number; missingRoleRefs: number; bootstrapBindings: number;
  };
}

/** Teams a user belongs to; the request generator sends them as groups. */
export function teamsOf(user: number, teams: number): string[] {
  const t1 = user % teams;
  const t2 = (user * 7 + 3) % teams;
  return t1 === t2 || user % 3 !== 0 ? [`team-${t1}`] : [`team-${t1}`, `team-${t2}`];
}

const BOOTSTRAP_PATH = fileURLToPath(new URL("../../examples/cluster/bootstrap-rbac.json", import.meta.url));
let bootstrapCache: any;
function bootstrap(): any {
  bootstrapCache ??= JSON.parse(readFileSync(BOOTSTRAP_PATH, "utf8"));
  return bootstrapCache;
}

const meta = (name: string, namespace?: string, labels?: Record<string, string>) =>
  ({ name, ...(namespace !== undefined ? { namespace } : {}), ...(labels ? { labels } : {}) });

interface ClusterRoleTemplate { name: string; rules: Rule[]; samples: Action[]; labels?: Record<string, string>; weight: number }

function customClusterRoles(operators: number): ClusterRoleTemplate[] {
  const out: ClusterRoleTemplate[] = [
    { name: "custom:namespace-viewer", weight: 3, rules: [{ apiGroups: [""], resources: ["namespaces"], verbs: READ }],
      samples: [a("list", "", "namespaces", { clusterScoped: true }), a("get", "", "namespaces", { name: "*", clusterScoped: true })] },
    { name: "custom:node-viewer", weight: 2, rules: [{ apiGroups: [""], resources: ["nodes", "nodes/status"], verbs: READ }],
      samples: [a("list", "", "nodes", { clusterScoped: true }), a("get", "", "nodes", { subresource: "status", name: "*", clusterScoped: true })] },
    { name: "custom:storage-viewer", weight: 1, rules: [
      { apiGroups: [""], resources: ["persistentvolumes"], verbs: READ },
      { apiGroups: ["storage.k8s.io"], resources: ["storageclasses"], verbs: READ }],
      samples: [a("list", "", "persistentvolumes", { clusterScoped: true }), a("get", "storage.k8s.io", "storageclasses", { name: "*", clusterScoped: true })] },
    { name: "custom:crd-viewer", weight: 1, rules: [{ apiGroups: ["apiextensions.k8s.io"], resources: ["customresourcedefinitions"], verbs: READ }],
      samples: [a("list", "apiextensions.k8s.io", "customresourcedefinitions", { clusterScoped: true })] },
    { name: "custom:metrics-reader", weight: 2, rules: [{ nonResourceURLs: ["/metrics", "/metrics/*"], verbs: ["get"] }],
      samples: [{ verb: "get", group: "", resource: "", path: "/metrics" }, { verb: "get", group: "", resource: "", path: "/metrics/cadvisor" }] },
    { name: "custom:log-reader", weight: 3, rules: [{ apiGroups: [""], resources: ["pods", "pods/log"], verbs: ["get", "list"] }],
      samples: [a("get", "", "pods", { subresource: "log", name: "*" }), a("list", "", "pods")] },
    { name: "custom:event-watcher", weight: 2, rules: [{ apiGroups: ["", "events.k8s.io"], resources: ["events"], verbs: ["list", "watch"] }],
      samples: [a("watch", "", "events"), a("list", "events.k8s.io", "events")] },
    { name: "custom:cluster-auditor", weight: 1, rules: [{ apiGroups: ["*"], resources: ["*"], verbs: READ }, { nonResourceURLs: ["*"], verbs: ["get"] }],
      samples: [a("list", "apps", "deployments"), a("get", "", "secrets", { name: "*" }), a("list", "", "nodes", { clusterScoped: true })] },
  ];
  for (let k = 0; k < operators; k++) {
    const group = `op${k}.example.com`;
    out.push(
      { name: `operator-${k}`, weight: 2, rules: [
        { apiGroups: [group], resources: ["*"], verbs: ["*"] },
        { apiGroups: [""], resources: ["configmaps", "services", "pods"], verbs: ["get", "list", "watch", "create", "update", "patch", "delete"] },
        { apiGroups: ["apps"], resources: ["deployments", "statefulsets"], verbs: ["get", "list", "watch", "create", "update", "patch", "delete"] },
        { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["get", "create", "update"] }],
        samples: [a("watch", group, "widgets"), a("update", group, "widgets", { subresource: "status", name: "*" }),
          a("update", "coordination.k8s.io", "leases", { name: "*" }), a("create", "apps", "statefulsets"), a("list", "", "pods")] },
      // aggregated into view/edit/admin, as CRD operators ship them
      { name: `op${k}-view`, weight: 0, labels: { "rbac.authorization.k8s.io/aggregate-to-view": "true" },
        rules: [{ apiGroups: [group], resources: ["widgets", "gadgets"], verbs: READ }], samples: [] },
      { name: `op${k}-edit`, weight: 0, labels: { "rbac.authorization.k8s.io/aggregate-to-edit": "true" },
        rules: [{ apiGroups: [group], resources: ["widgets", "gadgets"], verbs: ["create", "update", "patch", "delete"] }], samples: [] },
    );
  }
  return out;
}

/** Builds a policy with `size` bindings in total (bootstrap ones included). */
export function generatePolicy(size: number, seed = 0x5eed): Corpus {
  const rng = new Rng(seed ^ Math.imul(size, 0x9e3779b1));
  const boot = bootstrap();
  const bootstrapBindings = boot.items.filter((o: any) => o.kind.endsWith("Binding")).length;
  const generated = Math.max(0, size - bootstrapBindings);
  const crbCount = Math.round(generated * 0.1);
  const rbCount = generated - crbCount;
  const nsCount = Math.max(1, Math.round(size / 20));
  const users = Math.max(10, Math.round(size * 0.3));
  const teams = Math.max(3, Math.round(size / 40));
  const operators = Math.min(12, Math.max(1, Math.round(size / 2000)));
  const missingEvery = 250; // ~0.4% of bindings name a role that does not exist, and at least one of each kind
  const crbMissingAt = Math.floor(crbCount / 2);
  const rbMissingAt = Math.floor(rbCount / 3);

  const objects: object[] = [boot];
  const grants: GrantInfo[] = [];
  let subjectsTotal = 0, missing = 0, roles = 0;

  const user = () => `user-${rng.skewed(users)}@example.com`;
  const team = () => `team-${rng.skewed(teams)}`;
  const binding = (kind: GrantInfo["kind"], name: string, ns: string, roleKind: string, roleName: string,
    subjects: SubjectRef[], samples: Action[]) => {
    subjectsTotal += subjects.length;
    objects.push({
      apiVersion: RBAC_V1, kind, metadata: meta(name, kind === "RoleBinding" ? ns : undefined),
      roleRef: { apiGroup: RBAC_GROUP, kind: roleKind, name: roleName },
      subjects: subjects.map((s) => s.kind === "ServiceAccount"
        ? { kind: s.kind, name: s.name, ...(s.namespace !== undefined ? { namespace: s.namespace } : {}) }
        : { kind: s.kind, apiGroup: RBAC_GROUP, name: s.name }),
    });
    grants.push({ kind, namespace: ns, subjects, samples });
  };

  // namespaces and their service accounts (decided first: ClusterRoleBindings name service accounts too)
  const namespaces = Array.from({ length: nsCount }, (_, i) => {
    const app = APP_WORDS[i % APP_WORDS.length];
    const name = `${app}-${Math.floor(i / APP_WORDS.length)}`;
    const sas = ["default", app, `${app}-worker`, "ci-deployer", "monitoring"];
    return { name, app, serviceAccounts: ["default", ...rng.sample(sas.slice(1), rng.range(1, 3))] };
  });

  // cluster-scoped: custom ClusterRoles, then their ClusterRoleBindings
  const templates = customClusterRoles(operators);
  for (const t of templates) {
    objects.push({ apiVersion: RBAC_V1, kind: "ClusterRole", metadata: meta(t.name, undefined, t.labels), rules: t.rules });
  }
  const bindable = templates.filter((t) => t.weight > 0).map((t) => [t, t.weight] as const);
  for (let i = 0; i < crbCount; i++) {
    const subjects: SubjectRef[] = [];
    for (let n = rng.weighted([[1, 5], [2, 3], [3, 2]] as const); subjects.length < n;) {
      const kind = rng.weighted([["Group", 4], ["User", 3], ["ServiceAccount", 3]] as const);
      if (kind === "Group") subjects.push({ kind, name: team() });
      else if (kind === "User") subjects.push({ kind, name: user() });
      else {
        const ns = rng.pick(namespaces);
        subjects.push({ kind, name: rng.pick(ns.serviceAccounts), namespace: ns.name });
      }
    }
    if (i % missingEvery === missingEvery - 1 || i === crbMissingAt) {
      missing++;
      binding("ClusterRoleBinding", `legacy-crb-${i}`, "", "ClusterRole", `deleted-clusterrole-${i % 7}`, subjects, []);
      continue;
    }
    const t = rng.weighted(bindable);
    binding("ClusterRoleBinding", `${t.name.replace(/^custom:/, "")}-${i}`, "", "ClusterRole", t.name, subjects, t.samples);
  }

  // RoleBindings per namespace, with weights so that namespaces differ in size
  const weights = namespaces.map(() => 0.5 + rng.next());
  const totalWeight = weights.reduce((x, y) => x + y, 0);
  const counts = weights.map((w) => Math.floor((rbCount * w) / totalWeight));
  for (let left = rbCount - counts.reduce((x, y) => x + y, 0); left > 0; left--) counts[rng.int(nsCount)]++;

  let rbSeq = 0;
  namespaces.forEach((ns, nsIndex) => {
    const own = rng.sample(NAMESPACE_ROLES, rng.range(3, 5));
    for (const t of own) {
      roles++;
      objects.push({ apiVersion: RBAC_V1, kind: "Role", metadata: meta(t.name, ns.name), rules: t.rules(ns.app) });
    }
    for (let i = 0; i < counts[nsIndex]; i++, rbSeq++) {
      const subjects: SubjectRef[] = [];
      for (let n = rng.weighted([[1, 5], [2, 3], [3, 2]] as const); subjects.length < n;) {
        const kind = rng.weighted([["ServiceAccount", 35], ["User", 45], ["Group", 20]] as const);
        if (kind === "Group") subjects.push({ kind, name: team() });
        else if (kind === "User") subjects.push({ kind, name: user() });
        // why: the API requires a namespace on ServiceAccount subjects, but old manifests omit it (it then means
        // the binding's namespace); keep a few of those
        else subjects.push({ kind, name: rng.pick(ns.serviceAccounts), ...(rng.chance(0.95) ? { namespace: ns.name } : {}) });
      }
      if (rbSeq % missingEvery === missingEvery - 1 || rbSeq === rbMissingAt) {
        missing++;
        const missingRole = rng.chance(0.5);
        binding("RoleBinding", `legacy-${i}`, ns.name, missingRole ? "Role" : "ClusterRole",
          missingRole ? "removed-role" : `deleted-clusterrole-${i % 7}`, subjects, []);
        continue;
      }
      const target = rng.weighted([["role", 50], ["view", 18], ["edit", 15], ["admin", 7], ["custom", 10]] as const);
      if (target === "role") {
        const t = rng.pick(own);
        binding("RoleBinding", `${t.name}-${i}`, ns.name, "Role", t.name, subjects, t.samples(ns.app));
      } else if (target === "custom") {
        const t = rng.weighted(bindable);
        binding("RoleBinding", `${t.name.replace(/^custom:/, "")}-${i}`, ns.name, "ClusterRole", t.name, subjects,
          t.samples.filter((s) => !s.clusterScoped && s.path === undefined));
      } else {
        binding("RoleBinding", `${ns.app}-${target}-${i}`, ns.name, "ClusterRole", target, subjects, BUILTIN_SAMPLES[target]);
      }
    }
  });

  const bootRoles = boot.items.filter((o: any) => o.kind === "Role").length;
  const bootClusterRoles = boot.items.filter((o: any) => o.kind === "ClusterRole").length;
  return {
    size, seed, objects, namespaces, grants, users, teams,
    stats: {
      bindings: bootstrapBindings + generated,
      clusterRoleBindings: boot.items.filter((o: any) => o.kind === "ClusterRoleBinding").length + crbCount,
      roleBindings: boot.items.filter((o: any) => o.kind === "RoleBinding").length + rbCount,
      roles: bootRoles + roles, clusterRoles: bootClusterRoles + templates.length, namespaces: nsCount,
      subjects: subjectsTotal, missingRoleRefs: missing, bootstrapBindings,
    },
  };
}

// ---- requests ------------------------------------------------------------------------------------------------

export interface SubjectAccessReviewSpec {
  user?: string;
  groups?: string[];
  resourceAttributes?: { namespace?: string; verb?: string; group?: string; version?: string; resource?: string; subresource?: string; name?: string };
  nonResourceAttributes?: { path?: string; verb?: string };
}

const SA_GROUPS = (ns: string) => ["system:serviceaccounts", `system:serviceaccounts:${ns}`, "system:authenticated"];

interface Principal { user: string; groups: string[] }

function principalFor(s: SubjectRef, grantNamespace: string, c: Corpus, rng: Rng): Principal {
  if (s.kind === "ServiceAccount") {
    const ns = s.namespace ?? grantNamespace;
    return { user: `system:serviceaccount:${ns}:${s.name}`, groups: SA_GROUPS(ns) };
  }
  if (s.kind === "User") {
    const k = Number(/^user-(\d+)@/.exec(s.name)?.[1] ?? 0);
    return { user: s.name, groups: [...teamsOf(k, c.teams), "system:authenticated"] };
  }
  // a member of the group: some of them hold bindings of their own, most do not
  const t = Number(s.name.slice("team-".length));
  const k = t + c.teams * rng.int(Math.max(1, Math.ceil((c.users * 1.5) / c.teams)));
  return { user: `user-${k}@example.com`, groups: [...new Set([s.name, ...teamsOf(k, c.teams)])].concat("system:authenticated") };
}

function resourceSpec(p: Principal, act: Action, namespace: string, rng: Rng): SubjectAccessReviewSpec {
  if (act.path !== undefined) return { user: p.user, groups: p.groups, nonResourceAttributes: { path: act.path, verb: act.verb } };
  let name = act.name ?? "";
  if (name === "*") name = `${act.resource}-${rng.int(50)}`;
  const ra: NonNullable<SubjectAccessReviewSpec["resourceAttributes"]> = {
    namespace: act.clusterScoped ? "" : namespace, verb: act.verb, group: act.group,
    version: "v1", resource: act.resource,
  };
  if (act.subresource) ra.subresource = act.subresource;
  if (name !== "") ra.name = name;
  return { user: p.user, groups: p.groups, resourceAttributes: ra };
}

/**
 * A deterministic mix of SubjectAccessReview specs against `c`: principals named by the policy (users, service
 * accounts, members of bound groups, bootstrap components) and some it does not know; resource requests (with
 * namespaces, subresources, names) and ~17% non-resource requests. 54–62% of the mix is allowed (the bench
 * prints the measured share).
 */
export function generateRequests(c: Corpus, count: number, seed = 0xbeef): SubjectAccessReviewSpec[] {
  const rng = new Rng(seed ^ Math.imul(c.size, 0x85ebca6b));
  const out: SubjectAccessReviewSpec[] = [];
  const otherNamespace = () => rng.chance(0.1) ? `no-such-namespace-${rng.int(5)}` : rng.pick(c.namespaces).name;
  const anyAction = (): Action => rng.chance(0.6) ? rng.pick(SENSITIVE) : rng.pick(ADMIN_SAMPLES);
  const nonResource = (): Action => ({ verb: rng.chance(0.9) ? "get" : "post", group: "", resource: "", path: rng.pick(NON_RESOURCE_PATHS) });
  const components: [Principal, Action[], string][] = [
    [{ user: "system:kube-scheduler", groups: ["system:authenticated"] },
      [a("bind", "", "pods", { subresource: "binding", name: "*" }), a("list", "", "nodes", { clusterScoped: true }),
        a("create", "", "events"), a("get", "coordination.k8s.io", "leases", { name: "kube-scheduler" })], "kube-system"],
    [{ user: "system:kube-controller-manager", groups: ["system:authenticated"] },
      [a("get", "", "secrets", { name: "*" }), a("create", "", "events"), a("get", "", "configmaps", { name: "extension-apiserver-authentication" }),
        a("update", "coordination.k8s.io", "leases", { name: "kube-controller-manager" })], "kube-system"],
    [{ user: "system:serviceaccount:kube-system:deployment-controller", groups: SA_GROUPS("kube-system") },
      [a("update", "apps", "deployments", { name: "*" }), a("create", "apps", "replicasets"), a("update", "apps", "deployments", { subresource: "status", name: "*" })], ""],
    [{ user: "system:kube-proxy", groups: ["system:authenticated"] },
      [a("list", "", "endpoints"), a("watch", "discovery.k8s.io", "endpointslices"), a("list", "", "nodes", { clusterScoped: true })], ""],
    [{ user: "system:serviceaccount:kube-system:namespace-controller", groups: SA_GROUPS("kube-system") },
      [a("delete", "", "pods", { name: "*" }), a("deletecollection", "apps", "deployments"), a("get", "", "namespaces", { name: "*", clusterScoped: true })], ""],
  ];

  while (out.length < count) {
    const who = rng.weighted([["bound", 68], ["sa", 8], ["component", 6], ["unknown", 10], ["anonymous", 3], ["nonresource", 5]] as const);
    if (who === "bound") {
      const g = c.grants[rng.int(c.grants.length)];
      const p = principalFor(rng.pick(g.subjects), g.namespace, c, rng);
      const ns = g.kind === "RoleBinding" && rng.chance(0.9) ? g.namespace : otherNamespace();
      const act = g.samples.length > 0 && rng.chance(0.57) ? rng.pick(g.samples) : rng.chance(0.2) ? nonResource() : anyAction();
      out.push(resourceSpec(p, act, ns, rng));
    } else if (who === "sa") {
      // a service account of a namespace, bound or not (every namespace's "default" exists)
      const ns = rng.pick(c.namespaces);
      const sa = rng.chance(0.8) ? rng.pick(ns.serviceAccounts) : "builder";
      const p = { user: `system:serviceaccount:${ns.name}:${sa}`, groups: SA_GROUPS(ns.name) };
      const act = rng.chance(0.5) ? rng.pick(NAMESPACE_ROLES).samples(ns.app)[0] : anyAction();
      out.push(resourceSpec(p, act, rng.chance(0.9) ? ns.name : otherNamespace(), rng));
    } else if (who === "component") {
      const [p, acts, ns] = rng.pick(components);
      out.push(resourceSpec(p, rng.pick(acts), ns !== "" ? ns : rng.chance(0.1) ? "kube-system" : otherNamespace(), rng));
    } else if (who === "unknown") {
      const p = rng.chance(0.5)
        ? { user: `user-${c.users * 10 + rng.int(1000)}@example.com`, groups: ["team-unknown", "system:authenticated"] }
        : { user: `contractor-${rng.int(100)}@partner.example`, groups: ["system:authenticated"] };
      out.push(resourceSpec(p, rng.chance(0.3) ? nonResource() : rng.pick(VIEW_SAMPLES), otherNamespace(), rng));
    } else if (who === "anonymous") {
      out.push(resourceSpec({ user: "system:anonymous", groups: ["system:unauthenticated"] },
        rng.chance(0.7) ? nonResource() : rng.pick(VIEW_SAMPLES), otherNamespace(), rng));
    } else {
      const g = c.grants[rng.int(c.grants.length)];
      const p = principalFor(rng.pick(g.subjects), g.namespace, c, rng);
      out.push(resourceSpec(p, nonResource(), "", rng));
    }
  }
  return out;
}

// ---- CLI -----------------------------------------------------------------------------------------------------

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const size = Number(process.argv[2] ?? 1000);
  const c = generatePolicy(size);
  if (process.argv.includes("--json")) {
    const items = c.objects.flatMap((o: any) => (o.kind === "List" ? o.items : [o]));
    process.stdout.write(JSON.stringify({ apiVersion: "v1", kind: "List", items }) + "\n");
  } else {
    const reqs = generateRequests(c, 10_000);
    const nonRes = reqs.filter((r) => r.nonResourceAttributes).length;
    console.log({ ...c.stats, users: c.users, teams: c.teams, jsonBytes: JSON.stringify(c.objects).length,
      requests: reqs.length, nonResourceShare: nonRes / reqs.length });
  }
}
