// fast-check generators for RBAC policies and requests. Vocabularies are deliberately tiny so that names,
// wildcards and duplicates collide: '*' verbs/groups/resources, '*/scale', 'pods/*', 'pods/log', resourceNames
// including "", URLs with trailing '*', ServiceAccounts with and without namespace, bindings to missing roles,
// odd roleRef and subject kinds, RoleBindings without namespace, duplicate object names, aggregated ClusterRoles.
import fc from "fast-check";

/** Runs per property: FC_RUNS (default 300) scaled by `factor`, at least 1. */
export function runs(factor = 1): number {
  const base = Number(process.env.FC_RUNS ?? 300);
  return Math.max(1, Math.round((Number.isFinite(base) && base > 0 ? base : 300) * factor));
}
/** FC_SEED reproduces a run that failed. */
export const seed = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : undefined;

const RBAC = "rbac.authorization.k8s.io";
const AV = RBAC + "/v1";

export const V = {
  ruleVerbs: ["get", "list", "create", "escalate", "*"],
  requestVerbs: ["get", "list", "create", "escalate", "", "*", "GET"],
  ruleGroups: ["", "apps", "*", RBAC],
  requestGroups: ["", "apps", "*", RBAC, "Apps"],
  ruleResources: ["pods", "pods/log", "pods/*", "*/scale", "deployments", "deployments/scale", "*", "*/*", "roles", "clusterroles", "pods/log/x"],
  requestResources: ["pods", "deployments", "roles", "*", "pods/log"],
  requestSubresources: ["", "", "log", "scale", "*", "status", "log/x"],
  names: ["a", "b", ""],
  ruleURLs: ["/healthz", "/api/*", "/api", "*", "/h*", "/api/**", "/*/v1"],
  requestPaths: ["/healthz", "/api", "/api/", "/api/v1", "", "/h", "/healthz/etcd", "/*/v1"],
  users: ["alice", "bob", "system:serviceaccount:ns1:sa", "system:serviceaccount:ns2:sa", "system:serviceaccount:ns1:default", ""],
  groups: ["dev", "ops", "system:masters", ""],
  namespaces: ["ns1", "ns2"],
  requestNamespaces: ["", "ns1", "ns2", "*"],
  roleNames: ["r1", "r2"],
  clusterRoleNames: ["c1", "c2", "c3", "agg"],
  bindingNames: ["b1", "b2", "b3"],
};

const pick = <T>(xs: T[]) => fc.constantFrom(...xs);
const sub = (xs: string[], max = 3) => fc.subarray(xs, { maxLength: max });
const some = (xs: string[], max = 2) => fc.subarray(xs, { minLength: 1, maxLength: max });

export interface RuleIn { verbs?: string[]; apiGroups?: string[]; resources?: string[]; resourceNames?: string[]; nonResourceURLs?: string[] }

/** A PolicyRule: resource, non-resource, mixed, or degenerate; absent fields sometimes. */
export const ruleArb: fc.Arbitrary<RuleIn> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ verbs: some(V.ruleVerbs), apiGroups: some(V.ruleGroups), resources: some(V.ruleResources),
    resourceNames: sub(V.names, 2) }, { requiredKeys: ["verbs", "apiGroups", "resources"] }) },
  { weight: 2, arbitrary: fc.record({ verbs: some(V.ruleVerbs), nonResourceURLs: some(V.ruleURLs) }) },
  { weight: 1, arbitrary: fc.record({ verbs: sub(V.ruleVerbs), apiGroups: sub(V.ruleGroups), resources: sub(V.ruleResources),
    resourceNames: sub(V.names, 2), nonResourceURLs: sub(V.ruleURLs) }, { requiredKeys: [] }) },
);

export interface Options {
  /** generate RoleBindings whose metadata has no namespace (default true) */
  rbWithoutNamespace?: boolean;
  /** generate aggregated ClusterRoles (default true) */
  aggregation?: boolean;
}

const subjectArb = fc.oneof(
  { weight: 3, arbitrary: pick(V.users).map((name) => ({ kind: "User", apiGroup: RBAC, name })) },
  { weight: 3, arbitrary: pick(V.groups).map((name) => ({ kind: "Group", apiGroup: RBAC, name })) },
  { weight: 3, arbitrary: fc.tuple(pick(["sa", "default"]), fc.option(pick(["ns1", "ns2", ""]), { nil: undefined }))
    .map(([name, namespace]) => (namespace === undefined ? { kind: "ServiceAccount", name } : { kind: "ServiceAccount", name, namespace })) },
  { weight: 1, arbitrary: fc.tuple(pick(["user", "Robot"]), pick(["alice", "dev"])).map(([kind, name]) => ({ kind, name })) },
);

// roleRefs mostly name a role of the right kind (which may still be absent from the policy)
const roleRefArb = fc.oneof(
  { weight: 5, arbitrary: pick([...V.clusterRoleNames, "missing"]).map((name) => ({ apiGroup: RBAC, kind: "ClusterRole", name })) },
  { weight: 3, arbitrary: pick([...V.roleNames, "missing"]).map((name) => ({ apiGroup: RBAC, kind: "Role", name })) },
  { weight: 1, arbitrary: fc.tuple(pick(["clusterrole", "Role", "ClusterRole", ""]), pick([...V.roleNames, ...V.clusterRoleNames]))
    .map(([kind, name]) => ({ apiGroup: RBAC, kind, name })) },
);

const selectorArb = fc.constantFrom<object[]>(
  [{ matchLabels: { team: "x" } }],
  [{ matchLabels: { team: "y" } }, { matchLabels: { team: "x" } }],
  [{ matchExpressions: [{ key: "team", operator: "In", values: ["x", "y"] }] }],
  [{}],
  [{ matchLabels: { "bad key!": "x" } }],
);

const labelsArb = fc.option(pick(["x", "y"]).map((team) => ({ team })), { nil: undefined });

const rulesArb = fc.oneof({ weight: 9, arbitrary: fc.array(ruleArb, { minLength: 1, maxLength: 3 }) }, { weight: 1, arbitrary: fc.constant([]) });

const roleArb = fc.record({ name: pick(V.roleNames), ns: pick(V.namespaces), rules: rulesArb })
  .map(({ name, ns, rules }) => ({ apiVersion: AV, kind: "Role", metadata: { name, namespace: ns }, rules }));

const clusterRoleArb = (o: Options) => fc.record({ name: pick(V.clusterRoleNames), labels: labelsArb, rules: rulesArb,
  agg: o.aggregation === false ? fc.constant(undefined) : fc.option(selectorArb, { nil: undefined, freq: 3 }) })
  .map(({ name, labels, rules, agg }) => ({
    apiVersion: AV, kind: "ClusterRole", metadata: labels ? { name, labels } : { name }, rules,
    ...(agg ? { aggregationRule: { clusterRoleSelectors: agg } } : {}),
  }));

/** Bindings, mostly to the given roles (a RoleBinding to a Role in the Role's namespace), sometimes to anything. */
function bindingArb(o: Options, roles: any[], clusterRoles: any[]): fc.Arbitrary<object> {
  // why: an empty subject list is legal but grants nothing; keep it rare
  const subjects = fc.oneof({ weight: 9, arbitrary: fc.array(subjectArb, { minLength: 1, maxLength: 3 }) }, { weight: 1, arbitrary: fc.constant([]) });
  const crRefs = clusterRoles.map((r) => ({ apiGroup: RBAC, kind: "ClusterRole", name: r.metadata.name }));
  const ref = crRefs.length > 0 ? fc.oneof({ weight: 4, arbitrary: pick(crRefs) }, { weight: 1, arbitrary: roleRefArb }) : roleRefArb;
  const crb = fc.record({ name: pick(V.bindingNames), roleRef: ref, subjects })
    .map(({ name, roleRef, subjects }) => ({ apiVersion: AV, kind: "ClusterRoleBinding", metadata: { name }, roleRef, subjects }));
  const rbNamespaces: (string | undefined)[] = o.rbWithoutNamespace === false ? [...V.namespaces, "*"] : [...V.namespaces, "*", undefined];
  const rbAny = fc.record({ name: pick(V.bindingNames), ns: pick(rbNamespaces), roleRef: ref, subjects });
  const rbToRole = roles.length > 0
    ? fc.record({ name: pick(V.bindingNames), role: pick(roles), subjects })
      .map(({ name, role, subjects }) => ({ name, ns: role.metadata.namespace as string | undefined, subjects,
        roleRef: { apiGroup: RBAC, kind: "Role", name: role.metadata.name } }))
    : rbAny;
  const rb = fc.oneof(rbAny, rbToRole).map(({ name, ns, roleRef, subjects }) => ({
    apiVersion: AV, kind: "RoleBinding", metadata: ns === undefined ? { name } : { name, namespace: ns }, roleRef, subjects,
  }));
  return fc.oneof(crb, rb);
}

/** A policy: up to 3 Roles, 4 ClusterRoles and 6 bindings, shuffled (names collide, so later duplicates replace earlier ones). */
export const policyArb = (o: Options = {}): fc.Arbitrary<object[]> =>
  fc.tuple(fc.array(roleArb, { maxLength: 3 }), fc.array(clusterRoleArb(o), { maxLength: 4 }))
    .chain(([roles, clusterRoles]) => fc.array(bindingArb(o, roles, clusterRoles), { minLength: 1, maxLength: 6 })
      .chain((bindings) => {
        const all: object[] = [...roles, ...clusterRoles, ...bindings];
        return fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length });
      }));

/** The attributes of a request (resource or non-resource), without user fields. */
export const attributesArb: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ namespace: pick(V.requestNamespaces), verb: pick(V.requestVerbs), group: pick(V.requestGroups),
    resource: pick(V.requestResources), subresource: pick(V.requestSubresources), name: pick(V.names) })
    .map((ra) => ({ resourceAttributes: ra })) },
  { weight: 1, arbitrary: fc.record({ verb: pick(V.requestVerbs), path: pick(V.requestPaths) }).map((na) => ({ nonResourceAttributes: na })) },
);

/** A requester: a user name and a few groups. */
export const requesterArb = fc.record({ user: pick(V.users), groups: sub(V.groups, 2) });

/** A full SubjectAccessReview spec. */
export const specArb = fc.tuple(requesterArb, attributesArb).map(([who, attrs]) => ({ ...who, ...attrs }));

/** Every requester of the vocabulary (users × small group sets), for exhaustive checks. */
export const ALL_REQUESTERS: { user: string; groups: string[] }[] = V.users.flatMap((user) =>
  [[], ["dev"], ["ops"], ["system:masters"], [""], ["dev", "ops"]].map((groups) => ({ user, groups })));

// ---- requests derived from a policy, so that allows (and near misses) are common ----------------------------------

function requestersOf(objects: any[]): { user: string; groups: string[] }[] {
  const out: { user: string; groups: string[] }[] = [];
  for (const o of objects) {
    if (o.kind !== "RoleBinding" && o.kind !== "ClusterRoleBinding") continue;
    for (const s of o.subjects ?? []) {
      if (s.kind === "User") out.push({ user: s.name, groups: [] });
      if (s.kind === "Group") out.push({ user: "carol", groups: [s.name] });
      if (s.kind === "ServiceAccount") {
        const ns = s.namespace || (o.kind === "RoleBinding" ? o.metadata?.namespace ?? "" : "");
        out.push({ user: `system:serviceaccount:${ns || "ns1"}:${s.name}`, groups: [] });
      }
    }
  }
  return out;
}

function attributesOfRules(objects: any[], nss?: string[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const namespaces = nss ?? [...new Set(objects.map((o) => o.metadata?.namespace).filter((n) => typeof n === "string")), ""];
  for (const o of objects) {
    for (const r of (o.kind === "Role" || o.kind === "ClusterRole" ? o.rules ?? [] : []) as RuleIn[]) {
      const verb = (r.verbs ?? []).find((v) => v !== "*") ?? "get";
      for (const url of r.nonResourceURLs ?? []) out.push({ nonResourceAttributes: { verb, path: url.replace(/\*+$/, "") + (url.endsWith("*") ? "x" : "") } });
      for (const res of r.resources ?? []) {
        const [resource, ...rest] = res.split("/");
        const group = (r.apiGroups ?? []).find((g) => g !== "*") ?? "";
        const name = (r.resourceNames ?? [])[0] ?? "a";
        for (const namespace of namespaces) {
          out.push({ resourceAttributes: { namespace, verb, group, resource: resource === "*" ? "pods" : resource, subresource: rest.join("/"), name } });
        }
      }
    }
  }
  return out;
}

function requesterOf(s: any, binding: any): { user: string; groups: string[] } | undefined {
  if (s.kind === "User") return { user: s.name, groups: [] };
  if (s.kind === "Group") return { user: "carol", groups: [s.name] };
  if (s.kind === "ServiceAccount") {
    const ns = s.namespace || (binding.kind === "RoleBinding" ? binding.metadata?.namespace ?? "" : "");
    return { user: `system:serviceaccount:${ns || "ns1"}:${s.name}`, groups: [] };
  }
  return undefined;
}

/** Complete specs along a grant path: binding -> subject -> its role (by name, unaggregated) -> rule -> request. */
function grantPaths(objects: any[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const b of objects) {
    if (b.kind !== "RoleBinding" && b.kind !== "ClusterRoleBinding") continue;
    const ns = b.kind === "RoleBinding" ? b.metadata?.namespace ?? "" : "";
    const roles = objects.filter((o) => o.kind === b.roleRef.kind && o.metadata?.name === b.roleRef.name &&
      (o.kind === "ClusterRole" || o.metadata?.namespace === ns));
    const attrs = attributesOfRules(roles, b.kind === "RoleBinding" ? [ns] : ["", "ns1"]);
    for (const s of b.subjects ?? []) {
      const who = requesterOf(s, b);
      if (who) for (const a of attrs) out.push({ ...who, ...a });
    }
  }
  return out;
}

/** A spec for this policy: random, along a grant path, or a grant path's requester or attributes with random others. */
export function specFor(objects: object[]): fc.Arbitrary<Record<string, unknown>> {
  const who = requestersOf(objects), what = attributesOfRules(objects), paths = grantPaths(objects);
  const derivedWho = who.length > 0 ? fc.oneof(pick(who), requesterArb) : requesterArb;
  const derivedWhat = what.length > 0 ? fc.oneof({ weight: 3, arbitrary: pick(what) }, { weight: 1, arbitrary: attributesArb }) : attributesArb;
  const mixed = fc.tuple(derivedWho, derivedWhat).map(([w, a]) => ({ ...w, ...a }));
  return paths.length > 0
    ? fc.oneof({ weight: 2, arbitrary: specArb }, { weight: 2, arbitrary: mixed }, { weight: 3, arbitrary: pick(paths) })
    : fc.oneof(specArb, mixed);
}

/** A policy with `min..max` specs drawn by specFor. */
export const policyWithSpecs = (o: Options = {}, min = 4, max = 10) =>
  policyArb(o).chain((objects) => fc.tuple(fc.constant(objects), fc.array(specFor(objects), { minLength: min, maxLength: max })));

/** A policy with attribute blocks (no user fields) drawn like specFor's. */
export const policyWithAttributes = (o: Options = {}, min = 3, max = 6) =>
  policyArb(o).chain((objects) => {
    const what = attributesOfRules(objects);
    const a = what.length > 0 ? fc.oneof({ weight: 3, arbitrary: pick(what) }, { weight: 1, arbitrary: attributesArb }) : attributesArb;
    return fc.tuple(fc.constant(objects), fc.array(a, { minLength: min, maxLength: max }));
  });

/** A policy, specs for it, and one more binding (to its roles or anything) under a name no other binding uses. */
export const policyWithSpecsAndExtraBinding = (o: Options = {}) =>
  policyWithSpecs(o).chain(([objects, specs]) => {
    const roles = objects.filter((x: any) => x.kind === "Role");
    const clusterRoles = objects.filter((x: any) => x.kind === "ClusterRole");
    // why: a binding with an existing kind/namespace/name would replace it, which may well remove an allow
    const extra = bindingArb(o, roles, clusterRoles).map((b: any) => ({ ...b, metadata: { ...b.metadata, name: "zz-added" } }));
    return fc.tuple(fc.constant(objects), fc.constant(specs), extra);
  });

/** A policy and Role/ClusterRole writes to check for escalation: rules taken from the policy (often held) or random. */
export const policyWithEscalations = (o: Options = {}) =>
  policyWithSpecs(o, 2, 5).chain(([objects, specs]) => {
    const held = objects.flatMap((x: any) => (x.kind === "Role" || x.kind === "ClusterRole" ? x.rules ?? [] : [])) as RuleIn[];
    const rules = held.length > 0
      ? fc.oneof(fc.subarray(held, { maxLength: Math.min(3, held.length) }), fc.array(ruleArb, { maxLength: 2 }),
        fc.tuple(fc.subarray(held, { maxLength: Math.min(2, held.length) }), ruleArb).map(([a, b]) => [...a, b]))
      : fc.array(ruleArb, { maxLength: 2 });
    const input = (spec: any) => fc.record({ kind: pick(["Role", "ClusterRole"] as const), name: pick(["r1", "c1", "a", ""]),
      namespace: pick(["ns1", "ns2", ""]), operation: pick(["create", "update"] as const), rules }, { requiredKeys: ["kind", "name", "namespace", "rules"] })
      .map((x) => ({ user: spec.user as string, groups: spec.groups as string[], ...x }));
    return fc.tuple(fc.constant(objects), fc.tuple(...specs.map(input)));
  });
