// The results panel: the summary (objects read, findings by severity, exports), the input problems (parse errors at
// their line, loader and engine warnings) and the findings grouped by severity, each with its message, its
// workload → ServiceAccount → binding → role → rule path and the check's remediation.
import type { CheckInfo, LintFinding, Severity } from "../../bindings/web.js";
import type { LoadDiagnostic } from "../k8s/types.js";
import { byId, h } from "./dom.js";
import { PAGE_SIZE, type AnalyzeResult, type FindingGroup, type FindingLocation, type LocatedWarning } from "./protocol.js";

export const SEVERITIES: Severity[] = ["critical", "high", "medium", "low"];
const LABEL: Record<Severity, string> = { critical: "Critical", high: "High", medium: "Medium", low: "Low" };

export interface ResultActions {
  /** shows a finding's lines */
  selectFinding(f: LintFinding, button: HTMLButtonElement): void;
  /** shows an object of a finding's path (and the rule, for a Rule step) */
  showObject(key: string, fieldPath: string, button: HTMLButtonElement): void;
  /** shows a position of an input problem */
  showPosition(loc: FindingLocation, what: string): void;
  exportJson(): void;
  exportSarif(): void;
}

export function severityBadge(s: Severity): HTMLElement {
  return h("span", { class: `badge sev-${s}` }, LABEL[s] ?? s);
}

function plural(n: number, word: string): string {
  return `${n.toLocaleString("en-US")} ${word}${n === 1 ? "" : "s"}`;
}

export function renderSummary(r: AnalyzeResult, elapsedMs: number, actions: ResultActions): void {
  const s = r.summary;
  const counts = SEVERITIES.map((sev) => h("li", { class: "count", "data-severity": sev },
    severityBadge(sev), " ", h("span", { class: "count-n" }, s.bySeverity[sev].toLocaleString("en-US"))));
  const errors = r.diagnostics.filter((d) => d.severity === "error").length;
  byId("summary").replaceChildren(
    h("p", { class: "summary-line", id: "summary-line" },
      h("strong", {}, plural(r.objects, "object")), ` read from ${plural(r.files.length, "file")}`,
      errors > 0 ? ` (${plural(errors, "input error")})` : "", " · ",
      h("strong", {}, plural(s.unsuppressed, "finding")),
      s.suppressed > 0 ? ` (${s.suppressed.toLocaleString("en-US")} suppressed)` : ""),
    h("ul", { class: "counts", "aria-label": "Findings by severity" }, counts),
    h("p", { class: "exports" },
      h("button", { type: "button", id: "export-json", onclick: actions.exportJson }, "Download findings (JSON)"), " ",
      h("button", { type: "button", id: "export-sarif", onclick: actions.exportSarif }, "Download SARIF")),
    h("p", { class: "hint timing" }, `Analyzed in ${Math.round(elapsedMs)} ms (parse ${Math.round(r.timings.parse)}, ` +
      `policy load ${Math.round(r.timings.engine)}, checks ${Math.round(r.timings.lint)}).`),
  );
}

function diagnosticItem(d: LoadDiagnostic, actions: ResultActions): HTMLElement {
  const where = d.line !== undefined ? `${d.file}:${d.line}:${d.column ?? 1}` : d.file;
  const pos = d.line !== undefined
    ? h("button", { type: "button", class: "link", onclick: () => actions.showPosition(
      { file: d.file, line: d.line!, column: d.column ?? 1, from: d.line!, to: d.line! }, `${d.severity}: ${d.message}`) }, where)
    : h("span", {}, where);
  return h("li", { class: `diag diag-${d.severity}`, "data-code": d.code },
    pos, " ", h("span", { class: `diag-sev diag-sev-${d.severity}` }, d.severity), " ", d.message, " ", h("code", {}, d.code));
}

function warningItem(w: LocatedWarning, actions: ResultActions): HTMLElement {
  const loc = w.location;
  const where = loc
    ? h("button", { type: "button", class: "link", onclick: () => actions.showPosition(loc, w.message) }, `${loc.file}:${loc.line}`)
    : h("span", {}, w.objectKey || "policy");
  return h("li", { class: "diag diag-warning", "data-code": w.code },
    where, " ", h("span", { class: "diag-sev diag-sev-warning" }, "warning"), " ", w.message, " ", h("code", {}, w.code));
}

export function renderDiagnostics(r: AnalyzeResult, actions: ResultActions): void {
  const errors = r.diagnostics.filter((d) => d.severity === "error");
  const warnings = r.diagnostics.filter((d) => d.severity === "warning");
  const out: HTMLElement[] = [];
  if (errors.length > 0) {
    out.push(h("section", { class: "diagnostics errors", "aria-labelledby": "errors-h" },
      h("h3", { id: "errors-h" }, `Input errors (${errors.length})`),
      h("p", { class: "hint" }, "These documents could not be read and are not part of the snapshot."),
      h("ul", { id: "error-list" }, errors.map((d) => diagnosticItem(d, actions)))));
  }
  const nWarn = warnings.length + r.engineWarnings.length;
  if (nWarn > 0) {
    out.push(h("details", { class: "diagnostics warnings" },
      h("summary", {}, `Input warnings (${nWarn})`),
      h("ul", { id: "warning-list" }, warnings.map((d) => diagnosticItem(d, actions)),
        r.engineWarnings.map((w) => warningItem(w, actions)))));
  }
  byId("diagnostics").replaceChildren(...out);
}

function findingItem(f: LintFinding, checks: Map<string, CheckInfo>, actions: ResultActions): HTMLElement {
  const check = checks.get(f.id);
  const select = h("button", { type: "button", class: "finding-select", "aria-pressed": "false", "data-finding": f.id },
    severityBadge(f.severity), " ",
    h("span", { class: "finding-title" }, check?.title ?? f.id), " ",
    h("span", { class: "finding-object" }, f.object));
  select.addEventListener("click", () => actions.selectFinding(f, select));
  const path = f.path.length > 0
    ? h("ol", { class: "finding-path", "aria-label": "How the permission is held" },
      f.path.map((step) => {
        const rule = step.kind === "Rule";
        const label = rule ? `rule #${step.ruleIndex ?? 0}` : step.object;
        const btn = h("button", { type: "button", class: "link", title: rule ? `${step.object} rules[${step.ruleIndex ?? 0}]` : step.object },
          label);
        btn.addEventListener("click", () => actions.showObject(step.object, rule ? `rules[${step.ruleIndex ?? 0}]` : "", btn));
        return h("li", {}, h("span", { class: "step-kind" }, step.kind), " ", btn);
      }))
    : null;
  return h("li", { class: `finding sev-${f.severity}`, "data-id": f.id, "data-object": f.object, "data-severity": f.severity },
    select,
    h("p", { class: "finding-message" }, f.message),
    path,
    check ? h("p", { class: "finding-fix" }, h("strong", {}, "Fix: "), check.remediation) : null,
    f.suppressed ? h("p", { class: "hint" }, `Suppressed (${f.suppressed.source}): ${f.suppressed.reason}` +
      (f.suppressed.expires ? `, until ${f.suppressed.expires}` : "")) : null,
    h("p", { class: "finding-meta hint" }, "check ", h("code", {}, f.id),
      f.fieldPath ? [" · field ", h("code", {}, f.fieldPath)] : null));
}

/** A list showing a group's first page, with a button that fetches the next page from the worker. */
function pagedList(group: FindingGroup, first: LintFinding[], total: number, ctx: ListContext, label: string): HTMLElement[] {
  const list = h("ol", { class: "finding-list", "aria-label": label });
  const more = h("button", { type: "button", class: "small show-more" });
  let shown = 0;
  const add = (items: LintFinding[]) => {
    list.append(...items.map((f) => findingItem(f, ctx.checks, ctx.actions)));
    shown += items.length;
    const left = total - shown;
    more.hidden = left <= 0 || items.length === 0;
    more.textContent = `Show ${Math.min(PAGE_SIZE, left)} more (${left.toLocaleString("en-US")} not shown)`;
  };
  more.addEventListener("click", async () => {
    const focusIndex = shown;
    more.disabled = true;
    try {
      add(await ctx.fetchPage(group, shown, PAGE_SIZE));
    } finally {
      more.disabled = false;
    }
    // keep keyboard users where the new items start
    list.querySelectorAll<HTMLButtonElement>(".finding-select")[focusIndex]?.focus();
  });
  add(first);
  return [list, more];
}

export interface ListContext {
  checks: Map<string, CheckInfo>;
  actions: ResultActions;
  fetchPage(group: FindingGroup, offset: number, limit: number): Promise<LintFinding[]>;
}

export function renderFindings(r: Pick<AnalyzeResult, "firstPages" | "counts">, ctx: ListContext): void {
  const groups: HTMLElement[] = [];
  for (const sev of SEVERITIES) {
    const n = r.counts[sev];
    if (n === 0) continue;
    const id = `group-${sev}`;
    groups.push(h("section", { class: `sev-group sev-${sev}`, id, "aria-labelledby": `${id}-h` },
      h("h3", { id: `${id}-h` }, severityBadge(sev), " ", plural(n, "finding")),
      pagedList(sev, r.firstPages[sev], n, ctx, `${LABEL[sev]} findings`)));
  }
  if (r.counts.suppressed > 0) {
    groups.push(h("details", { class: "sev-group suppressed" },
      h("summary", {}, `Suppressed findings (${r.counts.suppressed.toLocaleString("en-US")})`),
      pagedList("suppressed", r.firstPages.suppressed, r.counts.suppressed, ctx, "Suppressed findings")));
  }
  if (groups.length === 0) groups.push(h("p", { class: "no-findings" }, "No findings: none of the checks fired on this snapshot."));
  byId("findings").replaceChildren(...groups);
}

/** Marks `button` as the selected finding (aria-pressed) and clears the previous one. */
export function markSelected(button: HTMLButtonElement): void {
  for (const b of document.querySelectorAll<HTMLButtonElement>(".finding-select[aria-pressed='true']")) {
    b.setAttribute("aria-pressed", "false");
    b.closest(".finding")?.classList.remove("selected");
  }
  if (button.classList.contains("finding-select")) {
    button.setAttribute("aria-pressed", "true");
    button.closest(".finding")?.classList.add("selected");
  }
}
