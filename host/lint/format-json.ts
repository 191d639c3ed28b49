// Lint findings as JSON for scripts: {"findings": [...], "summary": {...}}, each finding with the file, line and
// column of its offending node (its fieldPath located in the input; the object's start when the node has no
// position; null when the finding is about no input file). Browser-safe.
import type { LintFinding, LintPathStep, LintResult, LintSubject, LintSummary } from "../../bindings/types.js";
import type { SourcePosition } from "../k8s/types.js";

export interface JsonFinding {
  id: string;
  concept: string;
  severity: LintFinding["severity"];
  object: string;
  fieldPath: string;
  message: string;
  subjects: LintSubject[];
  path: LintPathStep[];
  file: string | null;
  line: number | null;
  column: number | null;
  suppressed?: LintFinding["suppressed"];
}

export interface JsonReport {
  findings: JsonFinding[];
  summary: LintSummary;
}

export function toJsonReport(result: LintResult, locate?: (f: LintFinding) => SourcePosition | undefined): JsonReport {
  const findings = result.findings.map((f): JsonFinding => {
    const p = locate?.(f);
    const out: JsonFinding = {
      id: f.id,
      concept: f.concept,
      severity: f.severity,
      object: f.object,
      fieldPath: f.fieldPath,
      message: f.message,
      subjects: f.subjects,
      path: f.path,
      file: p?.file ?? null,
      line: p?.line ?? null,
      column: p?.column ?? null,
    };
    if (f.suppressed) out.suppressed = f.suppressed;
    return out;
  });
  return { findings, summary: result.summary };
}

/** The JSON report, two-space indented, with a final newline. */
export function formatJson(result: LintResult, locate?: (f: LintFinding) => SourcePosition | undefined): string {
  return JSON.stringify(toJsonReport(result, locate), null, 2) + "\n";
}
