// The permission concepts of guardrails.md §0.2 as exact requests (permissions.ts). Scoped rules (resourceNames) do
// not count, except for impersonate, rbac-bind and kube-system-configmap-write, whose Permission says so.
import { Permission, Target, targets, CORE, RBAC, ADMISSION } from "./permissions";

const READ = ["get", "list", "watch"];
const WRITE = ["create", "update", "patch"];
const WRITE_DELETE = ["create", "update", "patch", "delete"];

function p(verbs: string[], t: Target[]): Permission {
  return new Permission(verbs, t);
}

function concat(a: Target[], b: Target[]): Target[] {
  const out = a.slice(0);
  for (let i = 0; i < b.length; i++) out.push(b[i]);
  return out;
}

// Concepts whose trigger is one Permission, in the order findings are reported.
export const PERMISSION_CONCEPTS: string[] = [
  "secrets-read", "secrets-write", "pods-create", "workload-create", "pods-exec", "pods-attach", "pods-portforward",
  "pods-ephemeral-containers", "nodes-proxy", "rbac-escalate", "rbac-binding-write", "rbac-role-write", "impersonate",
  "sa-token-create", "webhook-config-write", "admission-policy-write", "persistentvolumes-create",
  "network-resources-write", "crd-write",
];

let table: Map<string, Permission> | null = null;

function build(): Map<string, Permission> {
  const m = new Map<string, Permission>();
  m.set("secrets-read", p(READ, targets(CORE, ["secrets"])));
  m.set("secrets-write", p(WRITE, targets(CORE, ["secrets"])));
  m.set("pods-create", p(["create"], targets(CORE, ["pods"])));
  // why: only the controllers themselves; `*/scale` changes replica counts, not pod templates
  m.set("workload-create", p(WRITE, concat(concat(targets("apps", ["deployments", "daemonsets", "statefulsets", "replicasets"]),
    targets("batch", ["jobs", "cronjobs"])), targets(CORE, ["replicationcontrollers"]))));
  // why: exec, attach and port-forward are WebSocket upgrades of GET as well as POST (create)
  m.set("pods-exec", p(["create", "get"], targets(CORE, ["pods/exec"])));
  m.set("pods-attach", p(["create", "get"], targets(CORE, ["pods/attach"])));
  m.set("pods-portforward", p(["create", "get"], targets(CORE, ["pods/portforward"])));
  m.set("pods-ephemeral-containers", p(["update", "patch"], targets(CORE, ["pods/ephemeralcontainers"])));
  // why: GET on nodes/proxy reaches the kubelet's exec endpoints over WebSocket; it is not read-only
  m.set("nodes-proxy", p(["get", "create"], targets(CORE, ["nodes/proxy"])));
  m.set("rbac-escalate", p(["escalate"], targets(RBAC, ["roles", "clusterroles"])));
  m.set("rbac-binding-write", p(WRITE, targets(RBAC, ["rolebindings", "clusterrolebindings"])));
  m.set("rbac-role-write", p(WRITE, targets(RBAC, ["roles", "clusterroles"])));
  const imp = p(["impersonate"], targets(CORE, ["users", "groups", "serviceaccounts"]));
  imp.scopedCounts = true;
  m.set("impersonate", imp);
  m.set("sa-token-create", p(["create"], targets(CORE, ["serviceaccounts/token"])));
  m.set("webhook-config-write", p(WRITE_DELETE, targets(ADMISSION,
    ["mutatingwebhookconfigurations", "validatingwebhookconfigurations"])));
  m.set("admission-policy-write", p(WRITE_DELETE, targets(ADMISSION, ["validatingadmissionpolicies",
    "validatingadmissionpolicybindings", "mutatingadmissionpolicies", "mutatingadmissionpolicybindings"])));
  m.set("persistentvolumes-create", p(["create"], targets(CORE, ["persistentvolumes"])));
  m.set("network-resources-write", p(WRITE_DELETE, concat(concat(targets(CORE, ["services", "endpoints"]),
    targets("discovery.k8s.io", ["endpointslices"])), concat(targets("networking.k8s.io", ["networkpolicies", "ingresses"]),
    targets("extensions", ["networkpolicies", "ingresses"])))));
  m.set("crd-write", p(WRITE_DELETE, targets("apiextensions.k8s.io", ["customresourcedefinitions"])));
  return m;
}

export function permission(concept: string): Permission | null {
  if (table == null) table = build();
  return table!.has(concept) ? table!.get(concept) : null;
}

// bind on roles/clusterroles; names: the role names whose binding counts even when scoped ([] = unscoped only).
export function bindPermission(names: string[]): Permission {
  const b = p(["bind"], targets(RBAC, ["roles", "clusterroles"]));
  // why: kube-apiserver checks `bind` in the namespace of the binding being created, so a Role granting bind on
  // clusterroles lets its holder bind those ClusterRoles in that namespace
  b.anyScope = true;
  b.scopedCounts = names.length > 0;
  b.names = names;
  return b;
}

// Writes of ConfigMaps; names: the sensitive ConfigMap names for which a scoped rule counts.
export function configMapWritePermission(names: string[]): Permission {
  const w = p(WRITE_DELETE, targets(CORE, ["configmaps"]));
  w.scopedCounts = true;
  w.names = names;
  return w;
}

export const DEFAULT_SENSITIVE_CONFIGMAPS: string[] = [
  "aws-auth", "coredns", "kube-proxy", "kubeadm-config", "kubelet-config", "extension-apiserver-authentication",
  "cluster-info", "kube-dns",
];

// Concepts a workload's ServiceAccount must not hold (workload-privileged-sa), besides full-wildcard-rule and csr-approve.
export const PRIVILEGED_CONCEPTS: string[] = [
  "secrets-read", "secrets-write", "pods-create", "workload-create", "pods-exec", "pods-attach",
  "pods-ephemeral-containers", "nodes-proxy", "rbac-escalate", "impersonate", "sa-token-create", "webhook-config-write",
];
