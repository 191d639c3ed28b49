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
