// Types shared by the Kubernetes object loader (host/k8s/parse.ts, host/k8s/load-fs.ts).
// Browser-safe: no Node imports.

/** 1-based line and column (UTF-16 code units, as editors and yaml count them). */
export interface SourcePosition {
  file: string;
  line: number;
  column: number;
}

export type PathSegment = string | number;

export interface LoadedObject {
  /** The parsed and normalised Kubernetes object (plain JSON value). */
  object: any;
  /** Where the object starts (the first key of its mapping). */
  source: SourcePosition;
  /**
   * Position of the value at a path inside `object` (e.g. ["rules", 0, "verbs", 1]); undefined when that value
   * does not come from the source (a default filled in by normalisation, a missing key).
   * Indices are those of the normalised object: entries dropped by normalisation are accounted for.
   */
  positionOf(path: PathSegment[]): SourcePosition | undefined;
}

/**
 * Stable diagnostic codes. Errors: the input (or part of it) could not be read. Warnings: an object was skipped or
 * normalised; objects are never rejected for their shape.
 */
export type LoadDiagnosticCode =
  // errors
  | "NOT_FOUND" // a path does not exist
  | "READ_ERROR" // a path exists but cannot be read (permissions, I/O)
  | "TOO_LARGE" // a file or stdin is larger than the size limit
  | "YAML_SYNTAX" // a YAML document does not parse; that document contributes no object
  | "JSON_SYNTAX" // JSON input does not parse; values before the error are kept
  | "ALIAS_LIMIT" // a YAML document expands too many aliases (billion laughs)
  | "CIRCULAR_ALIAS" // a YAML alias refers to a node that contains it (the value would be circular)
  | "PARSE_FAILED" // the parser gave up (e.g. nesting too deep)
  // warnings
  | "EMPTY_DIRECTORY" // a directory holds no .yaml/.yml/.json file
  | "YAML_WARNING" // a warning of the YAML parser (unresolved tag, ...)
  | "NOT_AN_OBJECT" // a document or list item is not a mapping: skipped
  | "MISSING_KIND" // a mapping without a string `kind`: skipped
  | "LIST_TOO_DEEP" // lists nested deeper than the limit: inner list skipped
  | "MISSING_API_VERSION" // no string apiVersion ("" set; RBAC kinds get rbac.authorization.k8s.io/v1)
  | "DEPRECATED_API_VERSION" // rbac.authorization.k8s.io/v1beta1 or v1alpha1: v1 semantics applied
  | "UNKNOWN_API_VERSION" // another rbac.authorization.k8s.io version: v1 semantics applied
  | "MISSING_NAME" // an RBAC object without metadata.name ("" set)
  | "MISSING_NAMESPACE" // a Role/RoleBinding without namespace ("default" set), or a ClusterRoleBinding's ServiceAccount subject without one
  | "IGNORED_NAMESPACE" // a ClusterRole/ClusterRoleBinding with a namespace (removed, as the API server does)
  | "INVALID_FIELD" // a value of the wrong type: replaced, stringified or dropped (the message says which)
  | "MISSING_FIELD" // a required field of a nested value is missing ("" set, or the entry dropped)
  | "MISSING_ROLE_REF" // a binding without roleRef ({apiGroup:"",kind:"",name:""} set)
  | "INVALID_ROLE_REF" // roleRef kind/apiGroup Kubernetes would not accept
  | "NO_SUBJECTS" // a binding with missing or empty subjects ([] set)
  | "UNKNOWN_SUBJECT_KIND"; // a subject kind other than User, Group, ServiceAccount

export interface LoadDiagnostic {
  severity: "error" | "warning";
  code: LoadDiagnosticCode | (string & {});
  message: string;
  file: string;
  line?: number;
  column?: number;
  /** Path inside the object, as written in the source, that the diagnostic is about (when it is about one). */
  path?: PathSegment[];
}

export interface LoadResult {
  objects: LoadedObject[];
  diagnostics: LoadDiagnostic[];
}

export interface ParseOptions {
  /** Inputs longer than this (in UTF-16 code units for parseText, bytes for files) are refused with TOO_LARGE. */
  maxBytes?: number;
  /** Passed to yaml's toJS; documents expanding more aliases fail with ALIAS_LIMIT. */
  maxAliasCount?: number;
}

export const MAX_FILE_BYTES = 64 * 1024 * 1024;
export const MAX_ALIAS_COUNT = 100;
/** `kind: List` inside `kind: List` ... deeper than this is skipped with LIST_TOO_DEEP. */
export const MAX_LIST_DEPTH = 8;
