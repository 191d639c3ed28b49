// Shared CLI plumbing: exit codes, errors, colours, the -f input options and loading them into an engine.
import type { TextStyle } from "../lint/format-text.js";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CommanderError, type Command } from "commander";
import { createEngine, EngineError, type Engine } from "../../bindings/index.js";
import { loadObjects, STDIN_NAME, type LoadDiagnostic, type LoadedObject } from "../k8s/load.js";

/** Process exit codes, shared by every command (documented in the root --help). */
export const EXIT = {
  OK: 0, // success; can-i: yes
  NO: 1, // can-i: no (later commands: findings)
  INPUT: 2, // unreadable input or usage error
  ENGINE: 3, // the policy engine failed (EngineError: ABI_MISMATCH, MODULE_NOT_FOUND, ENGINE_TRAP, ...)
} as const;

export const EXIT_CODES_HELP = `Exit codes:
  0  success; can-i: the answer is yes; check-escalation: every role is allowed
  1  can-i: the answer is no; check-escalation: a role would be refused (commands that report findings: there are
     findings)
  2  unreadable input (missing file, YAML/JSON syntax error, malformed review) or usage error
  3  policy engine failure (the WebAssembly core is missing, has another ABI version, or trapped)`;

/** An error the CLI reports as `error: message` before exiting with `exitCode`. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
    this.name = "CliError";
  }
}

export function usageError(message: string): CliError {
  return new CliError(message, EXIT.INPUT);
}

// ---------- colours ----------

/** The colours the CLI prints with: the text report's (host/lint stays free of Node, so it owns the type). */
export type Style = TextStyle;

/** Colours only on a TTY, and never when NO_COLOR is set (https://no-color.org); FORCE_COLOR forces them on. */
export function colorEnabled(stream: NodeJS.WriteStream): boolean {
  const env = process.env;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "" && env.FORCE_COLOR !== "0") return true;
  return stream.isTTY === true && env.TERM !== "dumb";
}

export function style(stream: NodeJS.WriteStream): Style {
  const on = colorEnabled(stream);
  const w = (open: number, close: number) => (s: string) => (on ? `\x1b[${open}m${s}\x1b[${close}m` : s);
  return { bold: w(1, 22), dim: w(2, 22), red: w(31, 39), green: w(32, 39), yellow: w(33, 39), cyan: w(36, 39) };
}

const err = () => style(process.stderr);

export function printError(message: string): void {
  process.stderr.write(`${err().red(err().bold("error:"))} ${message}\n`);
}

export function printWarning(message: string): void {
  process.stderr.write(`${err().yellow("warning:")} ${message}\n`);
}

function where(file: string, line?: number, column?: number): string {
  let w = file;
  if (line !== undefined) {
    w += `:${line}`;
    if (column !== undefined) w += `:${column}`;
  }
  return w;
}

/** Errors as `file:line:col: error: message [CODE]`; warnings as `warning: file:line:col: message [CODE]`. */
export function printDiagnostic(d: LoadDiagnostic): void {
  const at = where(d.file, d.line, d.column);
  if (d.severity === "error") process.stderr.write(`${at}: ${err().red(err().bold("error:"))} ${d.message} [${d.code}]\n`);
  else printWarning(`${at}: ${d.message} [${d.code}]`);
}

/** An input error at a position, in the same form as the loader's. */
export function printInputError(file: string, line: number | undefined, column: number | undefined, message: string): void {
  process.stderr.write(`${where(file, line, column)}: ${err().red(err().bold("error:"))} ${message}\n`);
}

/** Help text as paragraphs (blank-line separated; single line breaks become spaces) for commander to wrap. */
export function paragraphs(text: string): string {
  return text.trim().split(/\n\s*\n/).map((p) => p.replace(/\s*\n\s*/g, " ")).join("\n\n");
}

// ---------- options ----------

export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export interface InputOptions {
  filename?: string[];
  aggregate: boolean;
  quiet?: boolean;
}

/** -f/--filename (repeatable), --no-aggregate, --quiet. */
export function addInputOptions(cmd: Command): Command {
  return cmd
    .option(
      "-f, --filename <path>",
      "RBAC manifests to load: a file, a directory (read recursively: *.yaml, *.yml, *.json) or - for stdin; repeatable",
      collect,
    )
    .option("--no-aggregate", "do not resolve ClusterRole aggregationRules (use the rules as written)")
    .option("--quiet", "do not print warnings");
}

export function version(): string {
  // why: from source (host/cli/) package.json is two levels up, from dist/host/cli/ three
  for (const rel of ["../../package.json", "../../../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(fileURLToPath(new URL(rel, import.meta.url)), "utf8"));
      if (pkg?.name === "rbac-guard" && typeof pkg.version === "string") return pkg.version;
    } catch { /* try the next */ }
  }
  return "0.0.0";
}

// ---------- loading ----------

export interface Loaded {
  objects: LoadedObject[];
  engine: Engine;
  /** Loader and engine warnings (printed unless --quiet). */
  warnings: number;
  /** Distinct source files objects or diagnostics came from. */
  files: string[];
}

/** Where an engine warning's object came from, when it is known. */
function objectWhere(objects: LoadedObject[], index: number): string {
  const o = objects[index];
  if (!o) return "";
  return `${where(o.source.file, o.source.line, o.source.column)}: `;
}

/**
 * Loads every -f input, prints the loader's diagnostics (errors always, warnings unless --quiet) and builds an
 * engine. Throws CliError(2) when any input could not be read, EngineError (exit 3) when the engine fails.
 */
export async function loadEngine(opts: InputOptions): Promise<Loaded> {
  const paths = opts.filename ?? [];
  if (paths.length === 0) throw usageError("no input: give RBAC manifests with -f/--filename (a file, a directory or -)");
  const result = await loadObjects(paths);
  let errors = 0;
  let warnings = 0;
  for (const d of result.diagnostics) {
    if (d.severity === "error") {
      errors++;
      printDiagnostic(d);
    } else {
      warnings++;
      if (!opts.quiet) printDiagnostic(d);
    }
  }
  if (errors > 0) {
    throw new CliError(`${errors} input error${errors === 1 ? "" : "s"}; nothing was evaluated`, EXIT.INPUT);
  }
  const engine = await createEngine(result.objects.map((o) => o.object), { aggregate: opts.aggregate !== false });
  for (const w of engine.warnings) {
    warnings++;
    if (!opts.quiet) printWarning(`${objectWhere(result.objects, w.object)}${w.message} [${w.code}]`);
  }
  const files = [...new Set([...result.objects.map((o) => o.source.file), ...result.diagnostics.map((d) => d.file)])];
  return { objects: result.objects, engine, warnings, files };
}

export { STDIN_NAME };

// ---------- top-level error handling ----------

/** Maps anything a command threw to an exit code, printing it unless commander already did. */
export function exitCodeFor(e: unknown): number {
  if (e instanceof CommanderError) {
    // commander printed its message (or the help) already
    if (e.code === "commander.helpDisplayed" || e.code === "commander.version") return EXIT.OK;
    if (e.exitCode === 0) return EXIT.OK;
    return EXIT.INPUT;
  }
  if (e instanceof CliError) {
    printError(e.message);
    return e.exitCode;
  }
  if (e instanceof EngineError) {
    printError(`policy engine failure: ${e.message} [${e.code}]`);
    return EXIT.ENGINE;
  }
  printError(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  return EXIT.ENGINE;
}
