// What a subject can reach, in a few words: "cluster-admin via ClusterRoleBinding//debug-payments-tmp", "read Secrets,
// exec into pods in namespace payments via RoleBinding/payments/oncall-exec → Role/payments/oncall-exec". Asked of
// the engine itself (whoCan for the cluster-admin shape, authorize + explain for each dangerous action), so it says
// what Kubernetes would allow, aggregation, groups and RoleBinding scope included. Browser-safe.
import type { Engine } from "../../bindings/engine.js";
import type { LintFinding, LintSubject, ResourceAttributes, SubjectAccessReviewSpec } from "../../bindings/types.js";
import { sameSubject } from "./report.js";

/** A dangerous action, asked as a SubjectAccessReview; cluster-scoped ones are asked without a namespace only. */
interface Capability {
  label: string;
  attrs: Omit<ResourceAttributes, "namespace">;
  clusterScoped?: boolean;
}

// why: the actions behind the critical and high checks, most dangerous first
export const CAPABILITIES: readonly Capability[] = [
  { label: "impersonate users", attrs: { verb: "impersonate", resource: "users" }, clusterScoped: true },
  { label: "impersonate groups", attrs: { verb: "impersonate", resource: "groups" }, clusterScoped: true },
  { label: "escalate roles", attrs: { verb: "escalate", group: "rbac.authorization.k8s.io", resource: "clusterroles" }, clusterScoped: true },
  { label: "bind roles", attrs: { verb: "bind", group: "rbac.authorization.k8s.io", resource: "clusterroles" }, clusterScoped: true },
  { label: "proxy to kubelets", attrs: { verb: "get", resource: "nodes", subresource: "proxy" }, clusterScoped: true },
  { label: "write admission webhooks", attrs: { verb: "create", group: "admissionregistration.k8s.io", resource: "mutatingwebhookconfigurations" }, clusterScoped: true },
  { label: "read Secrets", attrs: { verb: "get", resource: "secrets" } },
  { label: "write Secrets", attrs: { verb: "create", resource: "secrets" } },
  { label: "create pods", attrs: { verb: "create", resource: "pods" } },
  { label: "create workloads", attrs: { verb: "create", group: "apps", resource: "deployments" } },
  { label: "exec into pods", attrs: { verb: "create", resource: "pods", subresource: "exec" } },
  { label: "impersonate ServiceAccounts", attrs: { verb: "impersonate", resource: "serviceaccounts" } },
  { label: "mint tokens", attrs: { verb: "create", resource: "serviceaccounts", subresource: "token" } },
  { label: "write role bindings", attrs: { verb: "create", group: "rbac.authorization.k8s.io", resource: "rolebindings" } },
  { label: "write ConfigMaps", attrs: { verb: "update", resource: "configmaps" } },
  { label: "write Services", attrs: { verb: "create", resource: "services" } },
];

/** One way a subject reaches something: what, where, through which binding and role. */
export interface Reach {
  /** "cluster-admin" or the capabilities' labels */
  what: string[];
  /** "" = cluster-wide, else the namespace */
  namespace: string;
  binding: string;
  role: string;
}

export interface SubjectReach {
  subject: LintSubject;
  reach: Reach[];
  /** workloads holding the subject's token (ServiceAccounts only), from the findings' paths */
  workloads: string[];
}

/** The user and groups a subject authenticates as (with the groups kube-apiserver adds). */
export function identityOf(s: LintSubject): { user: string; groups: string[] } {
  if (s.kind === "ServiceAccount") {
    return { user: `system:serviceaccount:${s.namespace}:${s.name}`,
      groups: ["system:serviceaccounts", `system:serviceaccounts:${s.namespace}`, "system:authenticated"] };
  }
  if (s.kind === "Group") return { user: "", groups: [s.name] };
  return { user: s.name, groups: s.name === "system:anonymous" ? ["system:unauthenticated"] : ["system:authenticated"] };
}

/** `ServiceAccount payments/api: cluster-admin via ClusterRoleBinding//debug-payments-tmp`-style text of one reach. */
export function reachText(r: Reach): string {
  const where = r.namespace === "" ? "" : ` in namespace ${r.namespace}`;
  if (r.what.length === 1 && r.what[0] === "cluster-admin") {
    return r.namespace === "" ? `cluster-admin via ${r.binding}` : `admin of namespace ${r.namespace} via ${r.binding} → ${r.role}`;
  }
  return `${r.what.join(", ")}${r.namespace === "" ? " cluster-wide" : where} via ${r.binding} → ${r.role}`;
}

/**
 * What each subject can reach. `namespaces` are where namespaced actions are asked when they are not allowed
 * cluster-wide (the namespaces of the input's RoleBindings, say).
 */
export function subjectReach(engine: Engine, subjects: readonly LintSubject[], findings: readonly LintFinding[],
  namespaces: readonly string[]): SubjectReach[] {
  // the cluster-admin shape (`*` verbs on `*` resources of `*` groups): cluster-wide, then namespace by namespace
  // (RoleBindings only: a ClusterRoleBinding was found cluster-wide already)
  const admins = ["", ...namespaces].map((namespace) => ({
    namespace,
    subjects: engine.whoCan({ resourceAttributes: { verb: "*", group: "*", resource: "*", namespace } }).subjects,
  }));
  return subjects.map((subject) => {
    const reach: Reach[] = [];
    const viaAdmin = new Set<string>();
    for (const { namespace, subjects: holders } of admins) {
      for (const a of holders) {
        if (!sameSubject({ kind: a.kind, name: a.name, namespace: a.kind === "ServiceAccount" ? a.namespace : "" }, subject)) continue;
        for (const g of a.grants) {
          if (viaAdmin.has(g.binding) || (namespace !== "" && !g.binding.startsWith("RoleBinding/"))) continue;
          viaAdmin.add(g.binding);
          reach.push({ what: ["cluster-admin"], namespace, binding: g.binding, role: g.role });
        }
      }
    }
    const id = identityOf(subject);
    // grants by (namespace, binding, role), in capability order
    const byGrant = new Map<string, Reach>();
    const ask = (c: Capability, namespace: string): boolean => {
      const spec: SubjectAccessReviewSpec = { ...id, resourceAttributes: { ...c.attrs, namespace } };
      const x = engine.explain(spec);
      if (!x.allowed || !x.grant || viaAdmin.has(x.grant.binding)) return x.allowed;
      const key = JSON.stringify([namespace, x.grant.binding, x.grant.role]);
      let r = byGrant.get(key);
      if (!r) {
        r = { what: [], namespace, binding: x.grant.binding, role: x.grant.role };
        byGrant.set(key, r);
      }
      if (!r.what.includes(c.label)) r.what.push(c.label);
      return true;
    };
    for (const c of CAPABILITIES) {
      if (ask(c, "") || c.clusterScoped) continue;
      for (const ns of namespaces) ask(c, ns);
    }
    reach.push(...[...byGrant.values()].sort((a, b) => (a.namespace === "" ? 0 : 1) - (b.namespace === "" ? 0 : 1)));
    const workloads: string[] = [];
    if (subject.kind === "ServiceAccount") {
      const sa = `ServiceAccount/${subject.namespace}/${subject.name}`;
      for (const f of findings) {
        if (f.suppressed) continue;
        const i = f.path.findIndex((p) => p.kind === "ServiceAccount" && p.object === sa);
        if (i > 0 && f.path[i - 1].kind === "Workload" && !workloads.includes(f.path[i - 1].object)) workloads.push(f.path[i - 1].object);
      }
    }
    return { subject, reach, workloads };
  });
}
