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
  /**
   * "create" (the default: a POST, whose request names no role, so the `escalate` verb is checked with name "") or
   * "update" (a PUT or PATCH of the named role, server-side apply included: `escalate` is checked on that name)
   */
  operation?: "create" | "update";
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

// ---- lint (ABI 1.2) ------------------------------------------------------------------------------------------------

export type Severity = "critical" | "high" | "medium" | "low";

/** A custom dangerous permission: a role-anchored check matched exactly (unscoped rules only). */
export interface CustomCheck {
  id: string;
  severity: Severity;
  verbs: string[];
  /** "" is the core group */
  apiGroups: string[];
  /** resources or "resource/subresource" */
  resources: string[];
  message?: string;
}

/** Suppresses findings of `concept` ("*" = any) on objects matching `object` (a `Kind/namespace/name` glob). */
export interface SuppressionEntry {
  concept: string;
  object: string;
  /** required */
  reason: string;
  /** YYYY-MM-DD, last day the suppression applies; after it the suppression is reported (expired-suppression) */
  expires?: string;
}

/** The lint configuration (the semantics of a .rbac-guard.yaml). Every field is optional. */
export interface LintConfig {
  /** run only these checks (ids) */
  only?: string[];
  skip?: string[];
  /** severity overrides by check id (replace the graded severity) */
  severity?: Record<string, Severity>;
  /** namespaces treated like kube-system, besides kube-system */
  sensitiveNamespaces?: string[];
  /** ConfigMap names treated as sensitive by kube-system-configmap-write, besides the built-in list */
  sensitiveConfigMaps?: string[];
  /** projected-token-long-expiry threshold (default 86400) */
  maxTokenExpirationSeconds?: number;
  customChecks?: CustomCheck[];
  suppressions?: SuppressionEntry[];
  /** YYYY-MM-DD; engine.lint() fills in the current UTC date */
  today?: string;
}

export interface LintOptions {
  /** replaces config.only */
  only?: string[];
  /** added to config.skip */
  skip?: string[];
  config?: LintConfig;
}

export interface LintSubject {
  kind: string;
  name: string;
  namespace: string;
}

export interface LintPathStep {
  kind: "Workload" | "ServiceAccount" | "Binding" | "Role" | "Rule";
  /** `Kind/namespace/name` */
  object: string;
  /** for "Rule": the index in the role's rules as written */
  ruleIndex?: number;
}

export interface LintFinding {
  /** check id (the concept id, or a custom check's id) */
  id: string;
  concept: string;
  severity: Severity;
  /** `Kind/namespace/name` of the anchor (the suppression's object glob for expired-suppression) */
  object: string;
  /** index of the anchor in the input objects, -1 for configuration findings */
  objectIndex: number;
  /** the offending node inside the object ("rules[2].verbs[0]", "subjects[1]"; "" = the object itself) */
  fieldPath: string;
  message: string;
  /** the subjects that hold the permission (or that the binding names) */
  subjects: LintSubject[];
  /** workload → ServiceAccount → binding → role → rule */
  path: LintPathStep[];
  suppressed?: { reason: string; expires?: string; source: "annotation" | "config" };
}

export interface SeverityCounts {
  critical: number;
  high: number;
  medium: number;
  low: number;
}

export interface LintSummary {
  /** unsuppressed findings by severity */
  bySeverity: SeverityCounts;
  unsuppressed: number;
  suppressed: number;
  /** input objects read */
  objects: number;
  /** the subjects holding the most severe findings, most dangerous first (at most 10) */
  topSubjects: (LintSubject & { findings: number; bySeverity: SeverityCounts })[];
}

export interface LintResult {
  findings: LintFinding[];
  summary: LintSummary;
  /** malformed `rbac-guard.io/ignore` annotations and the like */
  warnings: EngineWarning[];
}

export interface CheckInfo {
  id: string;
  /** severity at the widest scope */
  severity: Severity;
  anchor: string;
  title: string;
  rationale: string;
  remediation: string;
  /** the same concept in other tools ("Trivy KSV041") */
  tools: string[];
}
