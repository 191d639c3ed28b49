// Lint findings as text for a terminal: grouped by severity (critical → low), each with its place in the input
// files, message and path (and remediation with `explain`); suppressed findings listed apart, dimmed; one summary
// line. Colours come from a style object (identity functions when colours are off). Browser-safe.
import type { CheckInfo, LintFinding, LintResult, Severity } from "../../bindings/types.js";
import type { SourcePosition } from "../k8s/types.js";
import { countsText, pathText, positionText, SEVERITIES } from "./report.js";

/** The colours the text report uses; the CLI's Style (host/cli/common.ts) is this type. */
export interface TextStyle {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
}

export const PLAIN: TextStyle = { bold: (s) => s, dim: (s) => s, red: (s) => s, green: (s) => s, yellow: (s) => s, cyan: (s) => s };

export interface TextOptions {
  style?: TextStyle;
  /** add each finding's remediation (from the catalog) on a line of its own */
  explain?: boolean;
  /** engine.checks(), for the remediation */
  checks?: readonly CheckInfo[];
  /** where a finding is in the input (or undefined) */
  locate?: (finding: LintFinding) => SourcePosition | undefined;
}

function paint(style: TextStyle, severity: Severity, s: string): string {
  switch (severity) {
    case "critical": return style.red(style.bold(s));
    case "high": return style.red(s);
    case "medium": return style.yellow(s);
    default: return style.cyan(s);
  }
}

/** `24 findings: 2 critical, 8 high, 10 medium, 4 low (0 suppressed) in 146 objects`. */
export function summaryLine(result: Pick<LintResult, "summary">): string {
  const s = result.summary;
  const n = s.unsuppressed;
  return `${n} finding${n === 1 ? "" : "s"}: ${countsText(s.bySeverity)} (${s.suppressed} suppressed) in ${s.objects} ` +
    `object${s.objects === 1 ? "" : "s"}`;
}

function suppressionText(f: LintFinding): string {
  const s = f.suppressed!;
  const until = s.expires ? ` (until ${s.expires})` : "";
  const by = s.source === "annotation" ? "by annotation rbac-guard.io/ignore" : "by the lint configuration";
  return `suppressed ${by}: ${s.reason}${until}`;
}

/** The text report. Ends with a newline. */
export function formatText(result: LintResult, opts: TextOptions = {}): string {
  const st = opts.style ?? PLAIN;
  const remediation = new Map((opts.checks ?? []).map((c) => [c.id, c.remediation]));
  const out: string[] = [];
  const where = (f: LintFinding) => positionText(opts.locate?.(f));

  const entry = (f: LintFinding, dimmed: boolean) => {
    const d = (s: string) => (dimmed ? st.dim(s) : s);
    const sev = dimmed ? f.severity : paint(st, f.severity, f.severity);
    const id = dimmed ? f.id : st.bold(f.id);
    out.push(d(`  ${where(f)}  `) + (dimmed ? d(`${sev}  ${id}  ${f.object}`) : `${sev}  ${id}  ${f.object}`));
    out.push(d(`      ${f.message}`));
    if (f.path.length > 0) out.push(d(`      path: ${pathText(f.path)}`));
    if (dimmed) out.push(d(`      ${suppressionText(f)}`));
    const fix = remediation.get(f.id);
    if (opts.explain && fix) out.push(d(`      fix: ${fix}`));
  };

  for (const severity of SEVERITIES) {
    const group = result.findings.filter((f) => !f.suppressed && f.severity === severity);
    if (group.length === 0) continue;
    out.push(paint(st, severity, st.bold(`${severity.toUpperCase()} (${group.length})`)));
    for (const f of group) entry(f, false);
    out.push("");
  }
  const suppressed = result.findings.filter((f) => f.suppressed);
  if (suppressed.length > 0) {
    out.push(st.dim(st.bold(`SUPPRESSED (${suppressed.length})`)));
    for (const f of suppressed) entry(f, true);
    out.push("");
  }
  const line = summaryLine(result);
  out.push(result.summary.unsuppressed === 0 ? st.green(line) : st.bold(line));
  return out.join("\n") + "\n";
}
