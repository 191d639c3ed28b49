// Severity levels of guardrail findings, and how scope grades them.
// INVARIANT: a higher number is more severe; names are the wire's ("critical", "high", "medium", "low").

export const LOW: i32 = 0;
export const MEDIUM: i32 = 1;
export const HIGH: i32 = 2;
export const CRITICAL: i32 = 3;

// Where a grant reaches: cluster-wide or a sensitive namespace (kube-system), one ordinary namespace, or nowhere.
export const SCOPE_NONE: i32 = 0;
export const SCOPE_NAMESPACE: i32 = 1;
export const SCOPE_CLUSTER: i32 = 2;

export function severityName(level: i32): string {
  if (level >= CRITICAL) return "critical";
  if (level == HIGH) return "high";
  if (level == MEDIUM) return "medium";
  return "low";
}

// -1 when the name is not a severity
export function severityLevel(name: string): i32 {
  if (name == "critical") return CRITICAL;
  if (name == "high") return HIGH;
  if (name == "medium") return MEDIUM;
  if (name == "low") return LOW;
  return -1;
}

// The catalog severity holds for the widest scope; each step narrower is one level lower (never below low).
export function graded(base: i32, scope: i32): i32 {
  const level = base - (SCOPE_CLUSTER - scope);
  return level < LOW ? LOW : level;
}
