// Lint exports (ABI 1.2): rbac_lint runs the guardrail checks over a snapshot, rbac_checks returns the catalog.
import { JSON } from "json-as";
import { readUTF8, output } from "./memory";
import { WarningDTO } from "./dto";
import { LintFindingDTO, LintPathStepDTO, LintResultDTO, LintSubjectDTO, LintSuppressionDTO,
  SeverityCountsDTO, TopSubjectDTO, CheckInfoDTO, ChecksResultDTO } from "./lint-dto";
import { snapshot, unknownSnapshot, failure } from "./registry";
import { parseLintConfig } from "./json-input";
import { lintInputs } from "./lint-registry";
import { runLint } from "../checks/lint";
import { catalog } from "../checks/catalog";
import { Finding } from "../checks/finding";
import { severityName } from "../checks/severity";
import { Summary } from "../checks/summary";

function findingDTO(f: Finding): LintFindingDTO {
  const d = new LintFindingDTO();
  d.id = f.id;
  d.concept = f.concept;
  d.severity = severityName(f.severity);
  d.object = f.object;
  d.objectIndex = f.objectIndex;
  d.fieldPath = f.fieldPath;
  d.message = f.message;
  for (let i = 0; i < f.subjects.length; i++) {
    const s = new LintSubjectDTO();
    s.kind = f.subjects[i].kind;
    s.name = f.subjects[i].name;
    s.namespace = f.subjects[i].namespace;
    d.subjects.push(s);
  }
  for (let i = 0; i < f.path.length; i++) {
    const p = new LintPathStepDTO();
    p.kind = f.path[i].kind;
    p.object = f.path[i].object;
    p.ruleIndex = f.path[i].ruleIndex;
    d.path.push(p);
  }
  const sup = f.suppressed;
  if (sup != null) {
    const s = new LintSuppressionDTO();
    s.reason = sup.reason;
    s.expires = sup.expires;
    s.source = sup.source;
    d.suppressed = s;
  }
  return d;
}

function counts(c: StaticArray<i32>): SeverityCountsDTO {
  const d = new SeverityCountsDTO();
  d.low = c[0];
  d.medium = c[1];
  d.high = c[2];
  d.critical = c[3];
  return d;
}

function summaryInto(out: LintResultDTO, s: Summary): void {
  out.summary.bySeverity = counts(s.counts);
  out.summary.unsuppressed = s.counts[0] + s.counts[1] + s.counts[2] + s.counts[3];
  out.summary.suppressed = s.suppressed;
  out.summary.objects = s.objects;
  for (let i = 0; i < s.topSubjects.length; i++) {
    const t = s.topSubjects[i];
    const d = new TopSubjectDTO();
    d.kind = t.subject.kind;
    d.name = t.subject.name;
    d.namespace = t.subject.namespace;
    d.findings = t.findings;
    d.bySeverity = counts(t.counts);
    out.summary.topSubjects.push(d);
  }
}

// Input: the lint configuration as UTF-8 JSON (empty = defaults). Output: {"type":"success","findings","summary",
// "warnings"} or a failure with code BAD_CONFIG and the offending path.
export function rbac_lint(id: i32, ptr: usize, len: u32, flags: u32): usize {
  if (flags != 0) return failure("BAD_FLAGS", "unknown flags for rbac_lint", "");
  const s = snapshot(id);
  const inputs = lintInputs(id);
  if (s == null || inputs == null) return unknownSnapshot(id);
  const text = len == 0 ? "{}" : readUTF8(ptr, len);
  const cfg = parseLintConfig(text);
  const err = cfg.validate();
  if (err != null) return failure("BAD_CONFIG", err.message, err.path);
  const r = runLint(s, inputs.inventory, cfg, inputs.aggregated);
  const out = new LintResultDTO();
  for (let i = 0; i < r.findings.length; i++) out.findings.push(findingDTO(r.findings[i]));
  summaryInto(out, r.summary);
  for (let i = 0; i < r.warnings.items.length; i++) {
    const d = r.warnings.items[i];
    const w = new WarningDTO();
    w.code = d.code;
    w.message = d.message;
    w.object = d.object;
    w.path = d.path;
    out.warnings.push(w);
  }
  return output(JSON.stringify(out));
}

// The catalog of built-in checks: {"type":"success","checks":[{id, severity, anchor, title, rationale, remediation, tools}]}.
export function rbac_checks(flags: u32): usize {
  if (flags != 0) return failure("BAD_FLAGS", "unknown flags for rbac_checks", "");
  const out = new ChecksResultDTO();
  const list = catalog();
  for (let i = 0; i < list.length; i++) {
    const c = list[i];
    const d = new CheckInfoDTO();
    d.id = c.id;
    d.severity = severityName(c.severity);
    d.anchor = c.anchor;
    d.title = c.title;
    d.rationale = c.rationale;
    d.remediation = c.remediation;
    d.tools = c.tools;
    out.checks.push(d);
  }
  return output(JSON.stringify(out));
}
