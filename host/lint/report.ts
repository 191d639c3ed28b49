// What every lint report format shares: severity order, where a finding sits in the input files, the text of a
// finding's path and subjects. Browser-safe: no Node imports.
import type { LintFinding, LintPathStep, LintSubject, Severity, SeverityCounts } from "../../bindings/types.js";
import type { LoadedObject, SourcePosition } from "../k8s/types.js";
import { parseFieldPath } from "./locate.js";

/** Most severe first. */
export const SEVERITIES: readonly Severity[] = ["critical", "high", "medium", "low"];

const RANK: Record<Severity, number> = { critical: 4, high: 3, medium: 2, low: 1 };

export function isSeverity(v: unknown): v is Severity {
  return typeof v === "string" && Object.prototype.hasOwnProperty.call(RANK, v);
}

/** Is `severity` at or above `threshold`? */
export function atOrAbove(severity: Severity, threshold: Severity): boolean {
  return RANK[severity] >= RANK[threshold];
}

/** Unsuppressed findings at or above `threshold` ("none": never any). */
export function failing(findings: readonly LintFinding[], threshold: Severity | "none"): LintFinding[] {
  if (threshold === "none") return [];
  return findings.filter((f) => !f.suppressed && atOrAbove(f.severity, threshold));
}

/** "2 critical, 8 high, 10 medium, 4 low". */
export function countsText(c: SeverityCounts, { skipZero = false } = {}): string {
  return SEVERITIES.filter((s) => !skipZero || c[s] > 0).map((s) => `${c[s]} ${s}`).join(", ");
}

/** `ServiceAccount payments/api`, `User alice@example.com`, `Group oncall`. */
export function subjectText(s: LintSubject): string {
  return s.namespace ? `${s.kind} ${s.namespace}/${s.name}` : `${s.kind} ${s.name}`;
}

export function sameSubject(a: LintSubject, b: LintSubject): boolean {
  return a.kind === b.kind && a.name === b.name && a.namespace === b.namespace;
}

/**
 * A finding's path as one line: `Deployment/shop/storefront → ServiceAccount/shop/default →
 * RoleBinding/shop/default-edit → ClusterRole//edit → rule #3`. A rule of another role than the step before it (a
 * ClusterRole aggregated into the bound one) names its role: `rule #0 of ClusterRole//system:aggregate-to-edit`.
 */
export function pathText(path: readonly LintPathStep[]): string {
  const parts: string[] = [];
  path.forEach((step, i) => {
    if (step.kind !== "Rule") {
      parts.push(step.object);
      return;
    }
    const rule = `rule #${step.ruleIndex ?? 0}`;
    parts.push(i > 0 && path[i - 1].object === step.object ? rule : `${rule} of ${step.object}`);
  });
  return parts.join(" → ");
}

/** Where a finding is, when it is not about an input object (expired-suppression: a config entry). */
export type ExtraLocator = (finding: LintFinding) => SourcePosition | undefined;

/**
 * Where a finding's offending node is: the position of its fieldPath in the anchor object (the deepest prefix of the
 * path that has a position: a default the loader filled in has none), else where the object starts. Findings about
 * no input object (objectIndex -1) are asked of `extra` (the lint configuration's positions).
 */
export function findingPosition(objects: readonly LoadedObject[], f: LintFinding, extra?: ExtraLocator): SourcePosition | undefined {
  const o = f.objectIndex >= 0 ? objects[f.objectIndex] : undefined;
  if (!o) return extra?.(f);
  const path = parseFieldPath(f.fieldPath) ?? [];
  for (let n = path.length; n > 0; n--) {
    const p = o.positionOf(path.slice(0, n));
    if (p) return p;
  }
  return o.source;
}

/** `file:line:col` (or `file` alone, or "-" when unknown). */
export function positionText(p: SourcePosition | undefined): string {
  if (!p) return "-";
  return `${p.file}:${p.line}:${p.column}`;
}

/** `Kind/namespace/name` of every input object → index of its first occurrence, for path steps. */
export function objectIndexByKey(objects: readonly LoadedObject[]): Map<string, number> {
  const m = new Map<string, number>();
  objects.forEach((o, i) => {
    const obj = (o.object ?? {}) as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } };
    const s = (v: unknown) => (typeof v === "string" ? v : "");
    const key = `${s(obj.kind)}/${s(obj.metadata?.namespace)}/${s(obj.metadata?.name)}`;
    if (!m.has(key)) m.set(key, i);
  });
  return m;
}
