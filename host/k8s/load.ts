// Kubernetes object loader: YAML/JSON files, directories and stdin → objects with source positions and
// diagnostics. parseText/formatDiagnostic live in ./parse.js (browser-safe); loadObjects in ./load-fs.js (Node).
export {
  parseText,
  formatDiagnostic,
  apiGroupOf,
  rbacKindOf,
  formatPath,
  RBAC_GROUP,
  RBAC_KINDS,
  RBAC_V1,
  SUBJECT_KINDS,
} from "./parse.js";
export * from "./types.js";
export { loadObjects, STDIN_NAME, type LoadOptions } from "./load-fs.js";
