// `rbac-guard lint`: the guardrail checks over manifests, as text, JSON or SARIF 2.1.0, with a .rbac-guard.yaml
// configuration (suppressions, severity overrides, custom checks) and a --fail-on threshold for CI.
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Option, type Command } from "commander";
import { createEngine, EngineError, type CheckInfo, type LintConfig, type LintFinding, type LintResult, type Severity } from "../../bindings/index.js";
import type { SourcePosition } from "../k8s/types.js";
import { CONFIG_FILE, parseConfig, type ParsedConfig } from "../lint/config.js";
import { formatJson } from "../lint/format-json.js";
import { formatText, PLAIN } from "../lint/format-text.js";
import { failing, findingPosition, objectIndexByKey } from "../lint/report.js";
import { fileUri, sarifText } from "../lint/sarif.js";
import {
  addInputOptions, CliError, EXIT, loadEngine, paragraphs, printInputError, printWarning, style, usageError, version,
  type InputOptions, type Loaded,
} from "./common.js";
import { tabwrite } from "./format.js";
import { progressBar } from "./progress.js";

export type LintFormat = "text" | "json" | "sarif";
export type FailOn = Severity | "none";

export interface LintOptions extends InputOptions {
  format?: LintFormat;
  output?: string;
  failOn?: FailOn;
  /** a file, or false for --no-config */
  config?: string | false;
  only?: string[];
  skip?: string[];
  explain?: boolean;
  listChecks?: boolean;
}

/** --only/--skip: comma-separated ids, repeatable. */
function idList(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(",").map((s) => s.trim()).filter((s) => s !== "")];
}

export const CONFIG_HELP = `Configuration (${CONFIG_FILE}; every key is optional; unknown keys and malformed entries are errors):
  only: [secrets-read, pods-exec]       # run only these checks (--only replaces it)
  skip: [unused-role]                   # do not run these (--skip adds to it)
  severity:                             # replace a check's severity: critical, high, medium or low
    default-sa-binding: high
  sensitiveNamespaces: [payments]       # treated like kube-system
  sensitiveConfigMaps: [my-auth]        # kube-system ConfigMaps treated as sensitive, besides aws-auth, coredns, ...
  maxTokenExpirationSeconds: 7200       # projected-token-long-expiry threshold (default 86400)
  customChecks:                         # your own dangerous permissions (exact RBAC matching, unscoped rules)
    - id: payments-config-readers
      severity: high
      verbs: [get, list]
      apiGroups: [""]                   # "" is the core group
      resources: [configmaps]
      message: reads the payment provider settings   # optional
  suppressions:                         # suppressed findings are listed apart; they neither count nor fail
    - concept: cluster-admin-binding    # a check id, or "*" for any
      object: ClusterRoleBinding//debug-*  # Kind/namespace/name glob: * matches any run of characters
      reason: INC-4821, removed with the replay job  # required
      expires: "2026-03-31"             # optional, the last day it applies; then reported as expired-suppression
The object a finding is about can also carry the annotation rbac-guard.io/ignore: "<check>[,<check>]: <reason>".`;

export function register(program: Command): Command {
  const cmd = program
    .command("lint")
    .summary("run the guardrail checks (over-broad grants, token hygiene, leftovers) and report findings")
    .description(paragraphs(`Run rbac-guard's guardrail checks over RBAC manifests and the workloads, ServiceAccounts and Secrets next to
them: wildcard and cluster-admin grants, Secret and pod access, exec, impersonation, escalation, tokens that never
expire or that every pod gets, debug leftovers and unused roles. Checks work on effective permissions (aggregated
ClusterRoles, RoleBinding scope, group subjects) and each finding names the object to change, the subjects that hold
the permission and the path to them: workload → ServiceAccount → binding → role → rule.

Findings are grouped by severity (text), or written as JSON (--format json: every finding with its file, line and
column) or SARIF 2.1.0 (--format sarif, for GitHub code scanning: upload it with github/codeql-action/upload-sarif;
file URIs are relative to the current directory, uriBaseId %SRCROOT%, so run lint from the repository root).

The configuration is --config FILE, else ${CONFIG_FILE} in the directory of the first -f path (the directory itself
when it is one), else ${CONFIG_FILE} in the current directory; --no-config ignores both. A malformed configuration is
an error with its file:line:col (exit 2).`))
    .addOption(new Option("--format <format>", "output format: text, json or sarif").choices(["text", "json", "sarif"]).default("text"))
    .option("-o, --output <file>", "write the report to FILE instead of standard output")
    .addOption(new Option("--fail-on <severity>", "exit 1 when an unsuppressed finding is at or above this severity")
      .choices(["critical", "high", "medium", "low", "none"]).default("high"))
    .option("--config <file>", `lint configuration (default: ${CONFIG_FILE} next to the input, or in the current directory)`)
    .option("--no-config", `do not read a ${CONFIG_FILE}`)
    .option("--only <ids>", "run only these checks (comma-separated, repeatable; replaces the configuration's only)", idList)
    .option("--skip <ids>", "do not run these checks (comma-separated, repeatable; added to the configuration's skip)", idList)
    .option("--explain", "text output: add each finding's remediation")
    .option("--list-checks", "print the checks (id, severity, anchor, title) and exit; with --format json, the whole catalog");
  addInputOptions(cmd);
  cmd.addHelpText("after", `
${CONFIG_HELP}

Examples:
  # Everything, grouped by severity, with remediations
  rbac-guard lint -f examples/cluster --explain

  # CI: fail on high and critical findings (the default), SARIF for GitHub code scanning
  rbac-guard lint -f k8s/ --format sarif -o rbac-guard.sarif

  # Only the Secret checks, as JSON; never fail
  rbac-guard lint -f k8s/ --only secrets-read,secrets-write --format json --fail-on none

  # A live cluster's RBAC and workloads
  kubectl get roles,rolebindings,clusterroles,clusterrolebindings,serviceaccounts,secrets,deployments -A -o yaml \\
    | rbac-guard lint -f -

  # The checks, and a check's rationale and remediation
  rbac-guard lint --list-checks
  rbac-guard lint --list-checks --format json

Exit codes: 0 no unsuppressed finding at or above --fail-on (default high), 1 there is one, 2 unreadable input or
configuration, or usage error, 3 policy engine failure.`);
  cmd.action(async (opts: LintOptions) => {
    process.exitCode = await runLintCommand(opts);
  });
  return cmd;
}

// ---------- configuration ----------

/** The configuration file to read: --config, else .rbac-guard.yaml next to the first input, else in the cwd. */
export function findConfig(opts: Pick<LintOptions, "config" | "filename">): string | undefined {
  if (opts.config === false) return undefined;
  if (typeof opts.config === "string") return opts.config;
  const dirs: string[] = [];
  const first = opts.filename?.[0];
  if (first !== undefined && first !== "-") {
    try {
      dirs.push(statSync(first).isDirectory() ? first : path.dirname(first));
    } catch { /* the loader reports it */ }
  }
  dirs.push(".");
  for (const dir of dirs) {
    const file = path.join(dir, CONFIG_FILE);
    if (existsSync(file)) return file;
  }
  return undefined;
}

/** Reads and checks the configuration; prints its errors (file:line:col) and throws CliError(2) when there are. */
export function readConfig(file: string | undefined): ParsedConfig | undefined {
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(`cannot read the lint configuration ${file}: ${code === "ENOENT" ? "no such file" : (e as Error).message}`, EXIT.INPUT);
  }
  const parsed = parseConfig(text, file);
  for (const e of parsed.errors) printInputError(e.file, e.line, e.column, e.message);
  if (parsed.errors.length > 0) {
    throw new CliError(`${parsed.errors.length} error${parsed.errors.length === 1 ? "" : "s"} in the lint configuration ${file}`, EXIT.INPUT);
  }
  return parsed;
}

// ---------- running ----------

export interface LintRun {
  loaded: Loaded;
  config?: ParsedConfig;
  result: LintResult;
  checks: CheckInfo[];
  /** where a finding is (memoised) */
  locate(f: LintFinding): SourcePosition | undefined;
  /** where an object (`Kind/namespace/name`) starts */
  locateObject(key: string): SourcePosition | undefined;
}

/** Checks --only/--skip ids: the built-in checks and the configuration's custom checks. */
function checkIds(ids: string[] | undefined, flag: string, known: Set<string>): void {
  for (const id of ids ?? []) {
    if (!known.has(id)) throw usageError(`${flag}: unknown check \`${id}\` (rbac-guard lint --list-checks lists them)`);
  }
}

/** Loads the inputs and the configuration and runs the checks; the caller formats. */
export async function runLint(opts: LintOptions): Promise<LintRun> {
  const config = readConfig(findConfig(opts));
  const loaded = await loadEngine(opts);
  const { engine, objects } = loaded;
  const checks = engine.checks();
  const known = new Set([...checks.map((c) => c.id), ...(config?.config.customChecks ?? []).map((c) => c.id)]);
  checkIds(opts.only, "--only", known);
  checkIds(opts.skip, "--skip", known);

  const progress = progressBar(process.stderr, objects.length, { enabled: !opts.quiet });
  progress.update(0, 3, `running ${checks.length} checks over ${objects.length} objects`);
  let result: LintResult;
  try {
    result = engine.lint({ only: opts.only, skip: opts.skip, config: config?.config ?? ({} as LintConfig) });
  } catch (e) {
    progress.end();
    throw configError(e, config, opts);
  }
  for (const w of result.warnings) {
    if (opts.quiet) continue;
    const o = objects[w.object];
    const at = o ? findingPosition(objects, { objectIndex: w.object, fieldPath: w.path } as LintFinding) : undefined;
    printWarning(`${at ? `${at.file}:${at.line}:${at.column}: ` : ""}${w.message} [${w.code}]`);
  }

  // findings are located once; on long inputs the bar moves as they are
  const cache = new Map<LintFinding, SourcePosition | undefined>();
  const extra = (f: LintFinding) => (config && f.objectIndex < 0 && f.fieldPath ? config.positionOf(f.fieldPath) : undefined);
  const locate = (f: LintFinding) => {
    if (!cache.has(f)) cache.set(f, findingPosition(objects, f, extra));
    return cache.get(f);
  };
  const n = result.findings.length;
  result.findings.forEach((f, i) => {
    if (i % 256 === 0) progress.update(1 + i / Math.max(1, n), 3, `locating ${n} findings`);
    locate(f);
  });
  progress.update(2, 3, "writing the report");
  progress.end();
  let byKey: Map<string, number> | undefined;
  const locateObject = (key: string) => {
    byKey ??= objectIndexByKey(objects);
    const i = byKey.get(key);
    return i === undefined ? undefined : objects[i].source;
  };
  return { loaded, config, result, checks, locate, locateObject };
}

/** An engine BAD_CONFIG error at its place: in the configuration file, or in --only/--skip. */
function configError(e: unknown, config: ParsedConfig | undefined, opts: LintOptions): unknown {
  if (!(e instanceof EngineError) || e.code !== "BAD_CONFIG") return e;
  const p = e.path ?? "";
  const cli = /^(only|skip)\[(\d+)\]/.exec(p);
  if (cli) {
    const [, key, index] = cli;
    const fromConfig = key === "only" ? opts.only === undefined : Number(index) < (config?.config.skip?.length ?? 0);
    if (!fromConfig || !config) return usageError(`--${key}: ${e.message}`);
  }
  if (!config) return usageError(`lint configuration: ${e.message}${p ? ` (${p})` : ""}`);
  const at = config.positionOf(p);
  printInputError(config.file, at?.line, at?.column, `${e.message}${p ? ` (${p})` : ""}`);
  return new CliError(`1 error in the lint configuration ${config.file}`, EXIT.INPUT);
}

// ---------- output ----------

/** package.json's homepage (or repository URL), for SARIF's informationUri; undefined when it has none. */
export function informationUri(): string | undefined {
  for (const rel of ["../../package.json", "../../../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(fileURLToPath(new URL(rel, import.meta.url)), "utf8"));
      if (pkg?.name !== "rbac-guard") continue;
      const repo = typeof pkg.repository === "string" ? pkg.repository : pkg.repository?.url;
      const uri = typeof pkg.homepage === "string" ? pkg.homepage : typeof repo === "string" ? repo.replace(/^git\+/, "") : undefined;
      return uri && /^https?:\/\//.test(uri) ? uri : undefined;
    } catch { /* try the next */ }
  }
  return undefined;
}

/** A file's URI for SARIF: relative to the current directory (under %SRCROOT%), or an absolute file:// URI outside it. */
export function sarifUri(file: string, cwd = process.cwd()): string {
  if (file.startsWith("<")) return fileUri(file); // <stdin>
  const rel = path.relative(cwd, path.resolve(cwd, file));
  if (rel === "" || rel.startsWith("..") || path.isAbsolute(rel)) return fileUri(path.resolve(cwd, file));
  return fileUri(rel.split(path.sep).join("/"));
}

export function renderReport(run: LintRun, format: LintFormat, opts: { explain?: boolean; color?: boolean } = {}): string {
  if (format === "json") return formatJson(run.result, run.locate);
  if (format === "sarif") {
    const cwd = process.cwd();
    return sarifText({
      findings: run.result.findings,
      checks: run.checks,
      customChecks: run.config?.config.customChecks,
      files: run.loaded.files,
      locate: (f) => run.locate(f),
      locateObject: (key) => run.locateObject(key),
      uriFor: (file) => sarifUri(file, cwd),
      uriBaseId: "%SRCROOT%",
      originalUriBaseIds: { "%SRCROOT%": pathToFileURL(cwd + path.sep).href },
      toolVersion: version(),
      informationUri: informationUri(),
    });
  }
  return formatText(run.result, {
    style: opts.color ? style(process.stdout) : PLAIN,
    explain: opts.explain,
    checks: run.checks,
    locate: run.locate,
  });
}

function writeReport(text: string, file: string | undefined): void {
  if (file === undefined) {
    process.stdout.write(text);
    return;
  }
  try {
    writeFileSync(file, text);
  } catch (e) {
    throw new CliError(`cannot write ${file}: ${(e as Error).message}`, EXIT.INPUT);
  }
}

/** The --list-checks table (built-in checks, then the configuration's custom checks). */
export function checkListText(checks: readonly CheckInfo[], config?: LintConfig): string {
  const rows = [["ID", "SEVERITY", "ANCHOR", "TITLE"]];
  for (const c of checks) rows.push([c.id, c.severity, c.anchor, c.title]);
  for (const c of config?.customChecks ?? []) rows.push([c.id, c.severity, "role", c.message ?? "custom check"]);
  return tabwrite(rows);
}

async function listChecks(opts: LintOptions): Promise<number> {
  if (opts.format === "sarif") throw usageError("--list-checks prints text or json (--format text|json)");
  const config = readConfig(findConfig({ config: opts.config, filename: opts.filename }));
  const checks = (await createEngine([])).checks();
  const text = opts.format === "json" ? JSON.stringify(checks, null, 2) + "\n" : checkListText(checks, config?.config);
  writeReport(text, opts.output);
  return EXIT.OK;
}

async function runLintCommand(opts: LintOptions): Promise<number> {
  if (opts.listChecks) return listChecks(opts);
  const run = await runLint(opts);
  const format = opts.format ?? "text";
  const color = opts.output === undefined && format === "text";
  writeReport(renderReport(run, format, { explain: opts.explain, color }), opts.output);
  return failing(run.result.findings, opts.failOn ?? "high").length > 0 ? EXIT.NO : EXIT.OK;
}
