// The RBAC model as Kubernetes stores it (rbac.authorization.k8s.io/v1), host- and wire-independent.
// Field names follow the API so that someone who knows rbac/v1 types.go finds the same names here.
import { Inventory } from "./inventory";

// INVARIANT: the model's lists are read-only once built. A list is filled before it is assigned (decoders build
// their own arrays), so the defaults below are shared empty arrays: a snapshot holds hundreds of thousands of
// lists, most of them empty, and a fresh empty array per field would cost two allocations and a visit at every
// collection. Never push onto a model list; assign a new array instead.
export const NO_STRINGS: string[] = [];
const NO_RULES: PolicyRule[] = [];
const NO_SUBJECTS: Subject[] = [];
const NO_REQUIREMENTS: LabelSelectorRequirement[] = [];

export const KIND_ROLE = "Role";
export const KIND_CLUSTER_ROLE = "ClusterRole";
export const KIND_ROLE_BINDING = "RoleBinding";
export const KIND_CLUSTER_ROLE_BINDING = "ClusterRoleBinding";
export const SUBJECT_USER = "User";
export const SUBJECT_GROUP = "Group";
export const SUBJECT_SERVICE_ACCOUNT = "ServiceAccount";
export const SERVICE_ACCOUNT_USERNAME_PREFIX = "system:serviceaccount:";

export const VERB_ALL = "*";
export const API_GROUP_ALL = "*";
export const RESOURCE_ALL = "*";
export const NON_RESOURCE_ALL = "*";

export class PolicyRule {
  verbs: string[] = NO_STRINGS;
  apiGroups: string[] = NO_STRINGS;
  resources: string[] = NO_STRINGS;
  resourceNames: string[] = NO_STRINGS;
  nonResourceURLs: string[] = NO_STRINGS;

  // Semantic deep equality: the aggregation controller's ruleExists (nil and empty are equal).
  equals(o: PolicyRule): bool {
    return sameStrings(this.verbs, o.verbs) && sameStrings(this.apiGroups, o.apiGroups) &&
      sameStrings(this.resources, o.resources) && sameStrings(this.resourceNames, o.resourceNames) &&
      sameStrings(this.nonResourceURLs, o.nonResourceURLs);
  }
}

export function sameStrings(a: string[], b: string[]): bool {
  if (a.length != b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] != b[i]) return false;
  return true;
}

export class Subject {
  kind: string = "";
  apiGroup: string = "";
  name: string = "";
  namespace: string = "";
}

export class RoleRef {
  apiGroup: string = "";
  kind: string = "";
  name: string = "";
}

const EMPTY_ROLE_REF = new RoleRef();

export class LabelSelectorRequirement {
  key: string = "";
  operator: string = "";
  values: string[] = NO_STRINGS;
}

export class LabelSelector {
  matchLabelKeys: string[] = NO_STRINGS;
  matchLabelValues: string[] = NO_STRINGS;
  matchExpressions: LabelSelectorRequirement[] = NO_REQUIREMENTS;
}

// A Role or a ClusterRole (namespace "" for the latter).
export class Role {
  kind: string = KIND_ROLE;
  namespace: string = "";
  name: string = "";
  labelKeys: string[] = NO_STRINGS;
  labelValues: string[] = NO_STRINGS;
  rules: PolicyRule[] = NO_RULES;
  // null when the ClusterRole has no aggregationRule; an empty array is a rule selecting nothing
  aggregationRule: LabelSelector[] | null = null;
  // index of the object in the input, for messages
  source: i32 = -1;

  isCluster(): bool { return this.kind == KIND_CLUSTER_ROLE; }

  label(key: string): string | null {
    for (let i = 0; i < this.labelKeys.length; i++) if (this.labelKeys[i] == key) return this.labelValues[i];
    return null;
  }
}

// A RoleBinding or a ClusterRoleBinding (namespace "" for the latter).
export class Binding {
  kind: string = KIND_ROLE_BINDING;
  namespace: string = "";
  name: string = "";
  roleRef: RoleRef = EMPTY_ROLE_REF;
  subjects: Subject[] = NO_SUBJECTS;
  source: i32 = -1;

  isCluster(): bool { return this.kind == KIND_CLUSTER_ROLE_BINDING; }
}

export class Policy {
  roles: Role[] = [];
  bindings: Binding[] = [];
  // the other objects the guardrail checks read (ServiceAccounts, workloads, ...), and every object's metadata
  inventory: Inventory = new Inventory();
}
