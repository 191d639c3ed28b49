// Kubernetes' default RBAC objects: which names are assumed to exist, and whether an object is an *unmodified*
// default. why: a `system:` prefix or the bootstrapping label alone is no proof (Polaris and rbac-tool can be evaded
// that way); only the exact content of a default counts, checked here by fingerprint (bootstrap-data.ts).
import { Binding, Role, PolicyRule, LabelSelector, KIND_CLUSTER_ROLE, KIND_ROLE } from "../model/policy";
import { ObjectMeta } from "../model/inventory";
import { BOOTSTRAP_FINGERPRINTS } from "./bootstrap-data";

const BOOTSTRAP_LABEL = "kubernetes.io/bootstrapping";
const BOOTSTRAP_VALUE = "rbac-defaults";

function byCodeUnits(a: string, b: string): i32 {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortedJoin(list: string[], sep: string): string {
  const copy = list.slice(0);
  copy.sort(byCodeUnits);
  return copy.join(sep);
}

function ruleCanon(r: PolicyRule): string {
  return sortedJoin(r.verbs, ",") + ";" + sortedJoin(r.apiGroups, ",") + ";" + sortedJoin(r.resources, ",") + ";" +
    sortedJoin(r.resourceNames, ",") + ";" + sortedJoin(r.nonResourceURLs, ",");
}

function selectorCanon(s: LabelSelector): string {
  const labels = new Array<string>();
  for (let i = 0; i < s.matchLabelKeys.length; i++) labels.push(s.matchLabelKeys[i] + "=" + s.matchLabelValues[i]);
  const exprs = new Array<string>();
  for (let i = 0; i < s.matchExpressions.length; i++) {
    const e = s.matchExpressions[i];
    exprs.push(e.key + " " + e.operator + " " + sortedJoin(e.values, ","));
  }
  return "L" + sortedJoin(labels, ",") + "E" + sortedJoin(exprs, ",");
}

// INVARIANT: the same canonical text as test/tools/gen-bootstrap-fingerprints.ts. An aggregated ClusterRole is
// identified by its aggregationRule alone (its rules are the controller's), any other role by its rules.
export function roleCanonical(r: Role): string {
  const parts = new Array<string>();
  if (r.isCluster() && r.aggregationRule != null) {
    const sels = r.aggregationRule!;
    for (let i = 0; i < sels.length; i++) parts.push(selectorCanon(sels[i]));
    return "A" + sortedJoin(parts, "|");
  }
  for (let i = 0; i < r.rules.length; i++) parts.push(ruleCanon(r.rules[i]));
  return "R" + sortedJoin(parts, "|");
}

export function bindingCanonical(b: Binding): string {
  const parts = new Array<string>();
  for (let i = 0; i < b.subjects.length; i++) {
    const s = b.subjects[i];
    parts.push(s.kind + ":" + s.namespace + ":" + s.name);
  }
  return b.roleRef.kind + ":" + b.roleRef.name + "#" + sortedJoin(parts, "|");
}

export function fnv1a64(s: string): string {
  let h: u64 = 0xcbf29ce484222325;
  for (let i = 0; i < s.length; i++) {
    h ^= <u64>s.charCodeAt(i);
    h *= 0x100000001b3;
  }
  let out = h.toString(16);
  while (out.length < 16) out = "0" + out;
  return out;
}

let table: Map<string, string[]> | null = null;

function fingerprints(): Map<string, string[]> {
  if (table == null) {
    const m = new Map<string, string[]>();
    for (let i = 0; i < BOOTSTRAP_FINGERPRINTS.length; i++) {
      const parts = BOOTSTRAP_FINGERPRINTS[i].split(" ");
      m.set(parts[0], parts.slice(1));
    }
    table = m;
  }
  return table!;
}

// The fingerprints a default object with this key may have, or null when the key is no default's (or the object
// lacks the bootstrapping label). Checked before any canonical text is built: most objects stop here.
function candidates(key: string, meta: ObjectMeta | null): string[] | null {
  if (meta == null) return null;
  const label = meta.label(BOOTSTRAP_LABEL);
  if (label == null || label != BOOTSTRAP_VALUE) return null;
  const t = fingerprints();
  return t.has(key) ? t.get(key) : null;
}

export function isDefaultRole(r: Role, meta: ObjectMeta | null): bool {
  const c = candidates(r.kind + "/" + r.namespace + "/" + r.name, meta);
  return c != null && c.includes(fnv1a64(roleCanonical(r)));
}

export function isDefaultBinding(b: Binding, meta: ObjectMeta | null): bool {
  const c = candidates(b.kind + "/" + b.namespace + "/" + b.name, meta);
  return c != null && c.includes(fnv1a64(bindingCanonical(b)));
}

// The default bindings whose subjects the binding checks exempt (guardrails.md §0.1), and exactly those subjects.
const EXEMPT_BINDINGS: string[] = [
  "cluster-admin", "Group:system:masters",
  "system:basic-user", "Group:system:authenticated",
  "system:discovery", "Group:system:authenticated",
  "system:public-info-viewer", "Group:system:authenticated|Group:system:unauthenticated",
  "system:service-account-issuer-discovery", "Group:system:serviceaccounts",
  "system:monitoring", "Group:system:monitoring",
];

// An unmodified known bootstrap ClusterRoleBinding: exact name, roleRef (same name) and subjects, plus the label.
export function isExemptBinding(b: Binding, meta: ObjectMeta | null): bool {
  if (!b.isCluster() || meta == null) return false;
  const label = meta.label(BOOTSTRAP_LABEL);
  if (label == null || label != BOOTSTRAP_VALUE) return false;
  if (b.roleRef.kind != KIND_CLUSTER_ROLE || b.roleRef.name != b.name) return false;
  const subjects = new Array<string>();
  for (let i = 0; i < b.subjects.length; i++) {
    const s = b.subjects[i];
    if (s.namespace.length > 0) return false;
    subjects.push(s.kind + ":" + s.name);
  }
  const got = sortedJoin(subjects, "|");
  for (let i = 0; i < EXEMPT_BINDINGS.length; i += 2) {
    if (EXEMPT_BINDINGS[i] == b.name) return EXEMPT_BINDINGS[i + 1] == got;
  }
  return false;
}

// Bootstrap roles are assumed to exist even when the snapshot lacks them: ClusterRoles cluster-admin, admin, edit,
// view and system:*, and the Roles kube-apiserver creates in kube-system and kube-public.
export function isAssumedRole(kind: string, namespace: string, name: string): bool {
  if (kind == KIND_CLUSTER_ROLE) {
    return name == "cluster-admin" || name == "admin" || name == "edit" || name == "view" || name.startsWith("system:");
  }
  if (kind != KIND_ROLE || (namespace != "kube-system" && namespace != "kube-public")) return false;
  return name == "extension-apiserver-authentication-reader" || name.startsWith("system:");
}

// A role name kube-apiserver's bootstrap policy defines (for unused-role, which ignores them).
export function isBootstrapRoleName(r: Role): bool {
  if (fingerprints().has(r.kind + "/" + r.namespace + "/" + r.name)) return true;
  return isAssumedRole(r.kind, r.namespace, r.name);
}
