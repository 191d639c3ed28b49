// Public types of the library API (SubjectAccessReview v1 shapes).

export interface ResourceAttributes {
  namespace?: string;
  verb?: string;
  group?: string;
  version?: string;
  resource?: string;
  subresource?: string;
  name?: string;
}

export interface NonResourceAttributes {
  path?: string;
  verb?: string;
}

/** A SubjectAccessReview v1 `spec`. Exactly one of the attribute blocks must be set. */
export interface SubjectAccessReviewSpec {
  user?: string;
  groups?: string[];
  uid?: string;
  extra?: Record<string, string[]>;
  resourceAttributes?: ResourceAttributes;
  nonResourceAttributes?: NonResourceAttributes;
}

export interface AuthorizeResult {
  allowed: boolean;
  /** RBAC never denies; set only by guardrail policies. */
  denied?: boolean;
  /** Kubernetes' reason text, byte for byte. */
  reason: string;
  /** Set when the request could not be evaluated; `allowed` is then false. */
  evaluationError?: string;
}

export interface EngineOptions {
  /** Resolve ClusterRole aggregation as the controller would (default true). */
  aggregate?: boolean;
  /** A compiled core module to use instead of the bundled one. */
  module?: WebAssembly.Module;
}

export interface EngineWarning {
  code: string;
  message: string;
  /** Index of the object in the input, or -1. */
  object: number;
  path: string;
}

export interface SnapshotStats {
  roles: number;
  clusterRoleBindings: number;
  roleBindings: number;
  vocabulary: number;
}

/** rbac/v1 PolicyRule. */
export interface PolicyRule {
  verbs?: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

/** How a subject holds a permission: the binding and role ("Kind/namespace/name") and the rule index. */
export interface Grant {
  binding: string;
  role: string;
  ruleIndex: number;
}

/** An rbac/v1 Subject, as the binding wrote it, with the grants that make it an answer. */
export interface WhoCanSubject {
  kind: string;
  apiGroup: string;
  name: string;
  namespace: string;
  grants: Grant[];
}

export interface WhoCanResult {
  subjects: WhoCanSubject[];
  /** resolution errors of bindings whose role does not exist (Kubernetes keeps going, as we do) */
  errors: string[];
}

export interface ResourceRuleWithSource {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
  resourceNames: string[];
  source: Grant;
}

export interface NonResourceRuleWithSource {
  verbs: string[];
  nonResourceURLs: string[];
  source: Grant;
}

export interface RulesForResult {
  resourceRules: ResourceRuleWithSource[];
  nonResourceRules: NonResourceRuleWithSource[];
  incomplete: boolean;
  evaluationError?: string;
}

export interface CoversResult {
  covers: boolean;
  /** broken-down servant rules no owner rule covers, in servant-rule order */
  uncovered: Required<PolicyRule>[];
  /** the compacted lines kube-apiserver prints for them, sorted */
  missing: string[];
}

export interface EscalationInput {
  user: string;
  groups?: string[];
  /** the namespace of a Role (ignored for a ClusterRole) */
  namespace?: string;
  kind: "Role" | "ClusterRole";
  name: string;
  rules: PolicyRule[];
}

export interface EscalationResult {
  allowed: boolean;
  /** why it is allowed: "system:masters", "escalate" (the user holds the verb) or "covered" */
  via: "" | "system:masters" | "escalate" | "covered";
  /** kube-apiserver's refusal text (without the "... is forbidden: " prefix) when not allowed */
  message: string;
  uncovered: Required<PolicyRule>[];
  missing: string[];
}

export interface ExplainResult extends AuthorizeResult {
  grant?: Grant;
}
