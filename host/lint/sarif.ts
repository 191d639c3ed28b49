// Lint findings as a SARIF 2.1.0 log (OASIS Static Analysis Results Interchange Format), for code-scanning UIs.
// Pure and browser-safe: no Node imports, no clock, no randomness; the same input gives the same bytes.
//
// - one `reportingDescriptor` (rule) per check of the catalog (engine.checks()), plus one per custom check id that
//   appears in the findings; rule help = the check's rationale and remediation
// - one result per finding, suppressed ones included with a `suppressions` entry (annotation: inSource, config:
//   external), as SARIF consumers expect
// - level: critical/high → error, medium → warning, low → note; `security-severity` for GitHub code scanning
// - the finding's offending node (objectIndex + fieldPath, located by the caller) is the physical location; the
//   anchor object is the logical location; the workload → ServiceAccount → binding → role → rule path is a code flow,
//   and its steps whose objects have a position are also related locations (what GitHub code scanning shows)
// - partialFingerprints: a hash of check id, anchor object and fieldPath (stable across line moves and re-orderings)
import type { Log, ReportingDescriptor, Result, Location, ThreadFlowLocation, Artifact } from "sarif";
import type { CheckInfo, CustomCheck, LintFinding, Severity } from "../../bindings/types.js";

export const SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";
export const SARIF_VERSION = "2.1.0";
export const TOOL_NAME = "rbac-guard";

/** A position in one of the input files (1-based line and column, UTF-16 code units, as the loader reports). */
export interface SarifPosition {
  file: string;
  line: number;
  column?: number;
  endLine?: number;
}

export interface SarifInput {
  findings: readonly LintFinding[];
  /** engine.checks(): rule metadata */
  checks: readonly CheckInfo[];
  /** the lint configuration's custom checks: a rule each (with help from their definition) */
  customChecks?: readonly CustomCheck[];
  /** where the finding's offending node is (objectIndex + fieldPath); undefined: not in a file */
  locate?: (finding: LintFinding, index: number) => SarifPosition | undefined;
  /** where an object (`Kind/namespace/name`) starts, for the steps of a finding's path */
  locateObject?: (key: string) => SarifPosition | undefined;
  /** the input files, listed as the run's artifacts in this order */
  files?: readonly string[];
  /** file name → artifact URI; default: fileUri() */
  uriFor?: (file: string) => string;
  /** set on every artifact location with a relative URI (e.g. "%SRCROOT%" when files are relative to a checkout) */
  uriBaseId?: string;
  /** run.originalUriBaseIds: where each uriBaseId pointed on the machine that ran the tool (absolute, ending in /) */
  originalUriBaseIds?: Record<string, string>;
  toolVersion?: string;
  informationUri?: string;
}

const LEVEL: Record<Severity, "error" | "warning" | "note"> = {
  critical: "error", high: "error", medium: "warning", low: "note",
};

// why: GitHub code scanning maps >= 9.0 to critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low; the lower bound of
// each band keeps a severity override in the config (which changes the level) in the same band as the rule's default
export const SECURITY_SEVERITY: Record<Severity, string> = { critical: "9.0", high: "7.0", medium: "5.0", low: "3.0" };

/** The SARIF level of a severity. */
export function sarifLevel(severity: Severity): "error" | "warning" | "note" {
  return LEVEL[severity] ?? "warning";
}

/**
 * A URI reference for a file name as the loader reports it: absolute paths become `file://` URIs, anything else
 * stays a relative reference; every path segment is percent-encoded (spaces, `#`, `?`, non-ASCII).
 */
export function fileUri(file: string): string {
  const posix = file.replace(/\\/g, "/");
  const drive = /^[A-Za-z]:\//.test(posix);
  const enc = (p: string) => p.split("/").map((seg) => (/^[A-Za-z]:$/.test(seg) ? seg : encodeURIComponent(seg))).join("/");
  if (posix.startsWith("/")) return `file://${enc(posix)}`;
  if (drive) return `file:///${enc(posix)}`;
  return enc(posix);
}

/** FNV-1a, 64 bits, as 16 hex digits: a stable fingerprint without crypto (so it runs anywhere, synchronously). */
export function fingerprint(text: string): string {
  let h1 = 0x811c9dc5 | 0;
  let h2 = 0xcbf29ce4 | 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c ^ (h1 >>> 16), 0x01000193);
  }
  return (h2 >>> 0).toString(16).padStart(8, "0") + (h1 >>> 0).toString(16).padStart(8, "0");
}

const tags = ["security", "kubernetes", "rbac"];

const pascal = (s: string) => s.replace(/(^|[^A-Za-z0-9]+)([A-Za-z0-9])/g, (_, _d, ch: string) => ch.toUpperCase());

// why: SARIF wants `name` (readable) to differ from `id` (opaque); a one-word id would give the same text, so its
// title is used instead ("impersonate" → "ImpersonateUsersGroupsOrServiceAccounts")
function ruleName(id: string, title: string): string {
  const n = pascal(id);
  return n.toLowerCase() === id.toLowerCase() ? pascal(title) : n;
}

function ruleOf(c: CheckInfo): ReportingDescriptor {
  const related = c.tools.length > 0 ? `\n\nSame concept in other tools: ${c.tools.join(", ")}.` : "";
  return {
    id: c.id,
    name: ruleName(c.id, c.title),
    shortDescription: { text: c.title },
    fullDescription: { text: c.rationale },
    help: {
      text: `${c.rationale}\n\nRemediation: ${c.remediation}${related}`,
      markdown: `${c.rationale}\n\n**Remediation:** ${c.remediation}${related}`,
    },
    defaultConfiguration: { level: sarifLevel(c.severity) },
    properties: { tags, precision: "high", "security-severity": SECURITY_SEVERITY[c.severity], anchor: c.anchor, tools: c.tools },
  };
}

// a custom check of the configuration, or (without its definition) an id only findings name
function customRule(id: string, severity: Severity, def?: CustomCheck): ReportingDescriptor {
  const what = def
    ? `${def.verbs.join(", ")} on ${def.resources.join(", ")} (API groups: ${def.apiGroups.map((g) => (g === "" ? '"" (core)' : g)).join(", ")})`
    : "";
  const full = def
    ? `Custom check of the lint configuration: a role grants ${what} without resourceNames.${def.message ? ` Why it matters: ${def.message.replace(/\.?$/, ".")}` : ""}`
    : `Custom check \`${id}\` of the lint configuration.`;
  const help = `${full}\n\nRemediation: remove the permission, scope it with resourceNames, or suppress the finding with a reason in the configuration.`;
  return {
    id,
    name: `Custom${pascal(id)}`,
    shortDescription: { text: def?.message ? `${def.message} (custom check)` : `Custom check ${id}` },
    fullDescription: { text: full },
    help: { text: help, markdown: help.replace("Remediation:", "**Remediation:**") },
    defaultConfiguration: { level: sarifLevel(severity) },
    properties: { tags: [...tags, "custom"], precision: "high", "security-severity": SECURITY_SEVERITY[severity] },
  };
}

interface Ctx {
  uri: (file: string) => string;
  uriBaseId?: string;
  artifactIndex: Map<string, number>;
}

// a URI with a scheme (file:///...) is absolute: SARIF wants no uriBaseId on it
const ABSOLUTE_URI = /^[A-Za-z][A-Za-z0-9+.-]*:/;

function physical(ctx: Ctx, p: SarifPosition): NonNullable<Location["physicalLocation"]> {
  const startLine = Math.max(1, p.line);
  const region: NonNullable<NonNullable<Location["physicalLocation"]>["region"]> = { startLine };
  if (p.column !== undefined) region.startColumn = Math.max(1, p.column);
  if (p.endLine !== undefined && p.endLine >= startLine) region.endLine = p.endLine;
  const artifactLocation: NonNullable<Location["physicalLocation"]>["artifactLocation"] = { uri: ctx.uri(p.file) };
  if (ctx.uriBaseId && !ABSOLUTE_URI.test(artifactLocation.uri!)) artifactLocation.uriBaseId = ctx.uriBaseId;
  const index = ctx.artifactIndex.get(p.file);
  if (index !== undefined) artifactLocation.index = index;
  return { artifactLocation, region };
}

function stepText(step: LintFinding["path"][number]): string {
  const what = step.kind === "Rule" ? `rule #${step.ruleIndex ?? 0} of ${step.object}` : step.object;
  return `${step.kind}: ${what}`;
}

function resultOf(ctx: Ctx, input: SarifInput, f: LintFinding, i: number, ruleIndex: number, occurrence: number): Result {
  const logical = {
    fullyQualifiedName: f.fieldPath ? `${f.object}.${f.fieldPath}` : f.object,
    name: f.fieldPath || f.object,
    kind: "object",
  };
  const at = input.locate?.(f, i);
  const location: Location = { logicalLocations: [logical] };
  if (at) location.physicalLocation = physical(ctx, at);
  const r: Result = {
    ruleId: f.id,
    ruleIndex,
    level: sarifLevel(f.severity),
    message: { text: f.message },
    locations: [location],
    partialFingerprints: {
      // the n-th repeat of the same (id, object, fieldPath) in one run gets its own value, as GitHub expects
      "rbacGuardFinding/v1": fingerprint([f.id, f.object, f.fieldPath].join("|")) + (occurrence > 0 ? `:${occurrence}` : ""),
    },
    properties: {
      severity: f.severity,
      concept: f.concept,
      object: f.object,
      fieldPath: f.fieldPath,
      subjects: f.subjects,
      path: f.path,
    },
  };
  if (f.path.length > 0) {
    const related: Location[] = [];
    const steps: ThreadFlowLocation[] = f.path.map((step) => {
      const loc: Location = {
        message: { text: stepText(step) },
        logicalLocations: [{ fullyQualifiedName: step.object, kind: "object" }],
      };
      const p = step.kind === "Rule" && step.object === f.object && at ? at : input.locateObject?.(step.object);
      if (p) {
        loc.physicalLocation = physical(ctx, p);
        related.push({ id: related.length + 1, ...loc });
      }
      return { location: loc };
    });
    r.codeFlows = [{ message: { text: "workload → ServiceAccount → binding → role → rule" }, threadFlows: [{ locations: steps }] }];
    if (related.length > 0) r.relatedLocations = related;
  }
  if (f.suppressed) {
    r.suppressions = [{
      kind: f.suppressed.source === "annotation" ? "inSource" : "external",
      status: "accepted",
      justification: f.suppressed.expires ? `${f.suppressed.reason} (until ${f.suppressed.expires})` : f.suppressed.reason,
    }];
  }
  return r;
}

/** Builds the SARIF log of one lint run. */
export function toSarif(input: SarifInput): Log {
  const rules: ReportingDescriptor[] = input.checks.map(ruleOf);
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  for (const c of input.customChecks ?? []) {
    if (ruleIndex.has(c.id)) continue;
    ruleIndex.set(c.id, rules.length);
    rules.push(customRule(c.id, c.severity, c));
  }
  for (const f of input.findings) {
    if (!ruleIndex.has(f.id)) {
      ruleIndex.set(f.id, rules.length);
      rules.push(customRule(f.id, f.severity));
    }
  }
  const files = input.files ?? [];
  const ctx: Ctx = {
    uri: input.uriFor ?? fileUri,
    uriBaseId: input.uriBaseId,
    artifactIndex: new Map(files.map((f, i) => [f, i])),
  };
  const artifacts: Artifact[] = files.map((f) => {
    const location: Artifact["location"] = { uri: ctx.uri(f) };
    if (ctx.uriBaseId && !ABSOLUTE_URI.test(location.uri!)) location.uriBaseId = ctx.uriBaseId;
    return { location, roles: ["analysisTarget"] };
  });
  const driver: Log["runs"][number]["tool"]["driver"] = { name: TOOL_NAME, rules };
  if (input.toolVersion) {
    driver.version = input.toolVersion;
    driver.semanticVersion = input.toolVersion;
  }
  if (input.informationUri) driver.informationUri = input.informationUri;
  const run: Log["runs"][number] = {
    tool: { driver },
    columnKind: "utf16CodeUnits",
    results: [],
  };
  const seen = new Map<string, number>();
  run.results = input.findings.map((f, i) => {
    const key = [f.id, f.object, f.fieldPath].join("\u0000");
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    return resultOf(ctx, input, f, i, ruleIndex.get(f.id)!, n);
  });
  if (input.originalUriBaseIds) {
    run.originalUriBaseIds = Object.fromEntries(Object.entries(input.originalUriBaseIds).map(([k, uri]) => [k, { uri }]));
  }
  if (artifacts.length > 0) run.artifacts = artifacts;
  return { $schema: SARIF_SCHEMA, version: SARIF_VERSION, runs: [run] };
}

/** toSarif() serialised with two-space indentation and a final newline. */
export function sarifText(input: SarifInput): string {
  return JSON.stringify(toSarif(input), null, 2) + "\n";
}
