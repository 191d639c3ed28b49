// The part of the cluster context a workload's findings depend on. Workload checks are anchored on the workload
// and read only its ServiceAccount (automount, existence) and what that ServiceAccount's token is granted:
// bindings naming the ServiceAccount (also cross-namespace), its groups or its user name, and the roles they
// resolve to (every ClusterRole is kept: aggregation selects ClusterRoles by label). Linting this subset instead of the
// whole cluster keeps Pod admission cheap; only findings anchored on the workload are counted from it.
import type { Snapshot } from "./snapshot.js";

export const WORKLOAD_KINDS = new Set(["Pod", "Deployment", "DaemonSet", "StatefulSet", "ReplicaSet", "Job", "CronJob", "ReplicationController"]);
const BINDING_KINDS = new Set(["RoleBinding", "ClusterRoleBinding"]);

/** The pod spec of a workload object (Pod, template, CronJob's job template), or undefined. */
export function podSpecOf(o: any): any {
  switch (o?.kind) {
    case "Pod": return o.spec;
    case "CronJob": return o.spec?.jobTemplate?.spec?.template?.spec;
    default: return o?.spec?.template?.spec;
  }
}

/** The ServiceAccount a workload runs as (`default` when none is named; the deprecated field counts too). */
export function serviceAccountOf(o: any): string {
  const spec = podSpecOf(o) ?? {};
  const name = spec.serviceAccountName || spec.serviceAccount;
  return typeof name === "string" && name !== "" ? name : "default";
}

interface Index {
  always: unknown[]; // ClusterRoles (aggregation selects them by label, so all of them stay)
  roles: Map<string, unknown>; // Roles by `namespace/name`: kept only when a kept RoleBinding refers to them
  byNamespace: Map<string, unknown[]>; // ServiceAccounts and the Namespace object, by namespace
  bySubject: Map<string, unknown[]>; // bindings by subject key (`ServiceAccount/ns/name`, `Group//g`, `User//u`)
}

function subjectKeys(b: any): string[] {
  const ns = b.kind === "RoleBinding" ? (b.metadata?.namespace ?? "") : "";
  const out: string[] = [];
  for (const s of Array.isArray(b.subjects) ? b.subjects : []) {
    if (s?.kind === "ServiceAccount") out.push(`ServiceAccount/${s.namespace || ns}/${s.name}`);
    else if (s?.kind === "Group" || s?.kind === "User") out.push(`${s.kind}//${s.name}`);
  }
  return out;
}

function buildIndex(objects: readonly unknown[]): Index {
  const idx: Index = { always: [], roles: new Map(), byNamespace: new Map(), bySubject: new Map() };
  const push = <K>(m: Map<K, unknown[]>, k: K, o: unknown) => {
    const l = m.get(k);
    if (l) l.push(o);
    else m.set(k, [o]);
  };
  for (const o of objects as any[]) {
    const kind = o?.kind;
    if (kind === "ClusterRole") idx.always.push(o);
    else if (kind === "Role") idx.roles.set(`${o.metadata?.namespace ?? ""}/${o.metadata?.name ?? ""}`, o);
    else if (kind === "ServiceAccount") push(idx.byNamespace, o.metadata?.namespace ?? "", o);
    else if (kind === "Namespace") push(idx.byNamespace, o.metadata?.name ?? "", o);
    else if (BINDING_KINDS.has(kind)) for (const k of new Set(subjectKeys(o))) push(idx.bySubject, k, o);
  }
  return idx;
}

/** The context objects a workload in `namespace` running as `serviceAccount` is judged against. */
export function workloadContext(snap: Snapshot, namespace: string, serviceAccount: string): unknown[] {
  const idx = snap.cached("workload-index", () => buildIndex(snap.objects));
  const out = new Set<unknown>(idx.always);
  for (const o of idx.byNamespace.get(namespace) ?? []) out.add(o);
  for (const k of [
    `ServiceAccount/${namespace}/${serviceAccount}`,
    `User//system:serviceaccount:${namespace}:${serviceAccount}`,
    "Group//system:serviceaccounts",
    `Group//system:serviceaccounts:${namespace}`,
    "Group//system:authenticated",
  ]) {
    for (const o of idx.bySubject.get(k) ?? []) {
      out.add(o);
      const b = o as any;
      if (b.kind === "RoleBinding" && b.roleRef?.kind === "Role") {
        const role = idx.roles.get(`${b.metadata?.namespace ?? ""}/${b.roleRef.name}`);
        if (role) out.add(role);
      }
    }
  }
  return [...out];
}
