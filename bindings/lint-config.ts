// The lint configuration as engine.lint() takes it: JSON types checked here (the core reads typed JSON and traps on
// a value of the wrong type, see ABI.md "Traps"), values checked by the core. Both fail with BAD_CONFIG and a path.
import { EngineError } from "./errors.js";
import type { LintConfig, LintOptions } from "./types.js";

type Obj = Record<string, unknown>;

const FIELDS: Record<string, "strings" | "stringMap" | "integer" | "string" | "customChecks" | "suppressions"> = {
  only: "strings",
  skip: "strings",
  severity: "stringMap",
  sensitiveNamespaces: "strings",
  sensitiveConfigMaps: "strings",
  maxTokenExpirationSeconds: "integer",
  customChecks: "customChecks",
  suppressions: "suppressions",
  today: "string",
};
const CUSTOM_FIELDS: Record<string, "string" | "strings"> = {
  id: "string", severity: "string", verbs: "strings", apiGroups: "strings", resources: "strings", message: "string",
};
const SUPPRESSION_FIELDS: Record<string, "string"> = { concept: "string", object: "string", reason: "string", expires: "string" };

function bad(message: string, path: string): EngineError {
  return new EngineError("BAD_CONFIG", message, path);
}

function isObject(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function checkStrings(v: unknown, path: string): void {
  if (!Array.isArray(v)) throw bad("must be a list of strings", path);
  v.forEach((x, i) => {
    if (typeof x !== "string") throw bad("must be a string", `${path}[${i}]`);
  });
}

function checkString(v: unknown, path: string): void {
  // why: YAML 1.1 loaders turn an unquoted 2026-01-31 into a Date
  if (v instanceof Date) throw bad("must be a YYYY-MM-DD string (quote the date)", path);
  if (typeof v !== "string") throw bad("must be a string", path);
}

function checkRecord(v: unknown, path: string, fields: Record<string, "string" | "strings">): void {
  if (!isObject(v)) throw bad("must be a mapping", path);
  for (const [k, x] of Object.entries(v)) {
    const kind = fields[k];
    if (kind === undefined) throw bad(`unknown field \`${k}\``, `${path}.${k}`);
    if (kind === "string") checkString(x, `${path}.${k}`);
    else checkStrings(x, `${path}.${k}`);
  }
}

function checkField(key: string, v: unknown): void {
  const kind = FIELDS[key];
  if (kind === undefined) throw bad(`unknown field \`${key}\``, key);
  if (kind === "strings") checkStrings(v, key);
  else if (kind === "string") checkString(v, key);
  else if (kind === "integer") {
    if (typeof v !== "number" || !Number.isSafeInteger(v)) throw bad("must be a whole number of seconds", key);
  } else if (kind === "stringMap") {
    if (!isObject(v)) throw bad("must be a mapping of check id to severity", key);
    for (const [k, x] of Object.entries(v)) if (typeof x !== "string") throw bad("must be a string", `${key}[${JSON.stringify(k)}]`);
  } else {
    if (!Array.isArray(v)) throw bad("must be a list", key);
    const fields = kind === "customChecks" ? CUSTOM_FIELDS : SUPPRESSION_FIELDS;
    v.forEach((x, i) => checkRecord(x, `${key}[${i}]`, fields));
  }
}

/** Today's date (UTC) as YYYY-MM-DD, for suppression expiry. */
export function today(now = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/**
 * The config the core receives: options.config with options.only replacing its `only` (when given), options.skip
 * added to its `skip`, and `today` defaulted to the current UTC date. Throws EngineError BAD_CONFIG on a wrong type.
 */
export function lintConfigFor(options: LintOptions = {}): LintConfig {
  const cfg = options.config ?? {};
  if (!isObject(cfg)) throw bad("the lint configuration must be a mapping", "");
  for (const [k, v] of Object.entries(cfg)) if (v !== undefined && v !== null) checkField(k, v);
  const out: Obj = {};
  for (const [k, v] of Object.entries(cfg)) if (v !== undefined && v !== null) out[k] = v;
  if (options.only !== undefined) {
    checkStrings(options.only, "only");
    out.only = options.only;
  }
  if (options.skip !== undefined) {
    checkStrings(options.skip, "skip");
    out.skip = [...((out.skip as string[] | undefined) ?? []), ...options.skip];
  }
  if (out.today === undefined) out.today = today();
  return out as LintConfig;
}
