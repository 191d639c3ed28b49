// The resolved policy model both baselines (indexed TS, Cedar) are built from: the naive oracle's own parse of the
// objects (List flattening, duplicate replacement, ClusterRole aggregation, role-reference resolution with its
// exact error texts). Reading the oracle's private fields keeps one definition of those semantics; none of this is
// on a decision's hot path.
import { NaiveAuthorizer, type PolicyRule, type Subject } from "../../test/oracle/k8s-rbac.js";

export type { PolicyRule, Subject };

export interface ModelBinding {
  kind: "ClusterRoleBinding" | "RoleBinding";
  name: string;
  /** "" for a ClusterRoleBinding */
  namespace: string;
  roleRef: { kind: string; name: string };
  subjects: Subject[];
  /** the referenced role's rules after aggregation, or the resolution error text Kubernetes reports */
  resolved: PolicyRule[] | string;
  /** key of the resolved role ("ClusterRole/name" or "Role/ns/name"), "" when unresolved */
  roleKey: string;
}

export interface PolicyModel {
  /** ClusterRoleBindings in visiting order, then RoleBindings in visiting order (all namespaces) */
  bindings: ModelBinding[];
  /** every role by key, with its (aggregated) rules */
  roles: Map<string, PolicyRule[]>;
}

interface NaiveInternals {
  roles: Map<string, PolicyRule[]>;
  clusterRoles: Map<string, PolicyRule[]>;
  clusterRoleBindings: { name: string; namespace: string; roleRef: { kind: string; name: string }; subjects: Subject[] }[];
  roleBindings: NaiveInternals["clusterRoleBindings"];
  roleReferenceRules(b: NaiveInternals["clusterRoleBindings"][number], ns: string): PolicyRule[] | string;
}

export function policyModel(objects: object[], opts: { aggregate?: boolean } = {}): PolicyModel {
  const naive = new NaiveAuthorizer(objects, opts) as unknown as NaiveInternals;
  const roles = new Map<string, PolicyRule[]>();
  for (const [k, rules] of naive.clusterRoles) roles.set(`ClusterRole/${k}`, rules);
  for (const [k, rules] of naive.roles) roles.set(`Role/${k}`, rules);
  const bindings: ModelBinding[] = [];
  const add = (kind: ModelBinding["kind"], b: NaiveInternals["clusterRoleBindings"][number]) => {
    // why: a ClusterRoleBinding resolves in namespace "" (where no Role exists), a RoleBinding in its own
    const ns = kind === "ClusterRoleBinding" ? "" : b.namespace;
    const resolved = naive.roleReferenceRules.call(naive, b, ns);
    const roleKey = typeof resolved === "string" ? "" : b.roleRef.kind === "Role" ? `Role/${ns}/${b.roleRef.name}` : `ClusterRole/${b.roleRef.name}`;
    bindings.push({ kind, name: b.name, namespace: ns, roleRef: b.roleRef, subjects: b.subjects, resolved, roleKey });
  };
  for (const b of naive.clusterRoleBindings) add("ClusterRoleBinding", b);
  for (const b of naive.roleBindings) add("RoleBinding", b);
  return { bindings, roles };
}
