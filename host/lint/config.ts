// The lint configuration file (.rbac-guard.yaml), read with positions: every key is known and every value has the
// type it needs, or the file is refused with file:line:col errors (nothing is silently ignored). Values the engine
// judges (check ids, severities, dates) are checked by engine.lint(); its BAD_CONFIG path maps back to a position
// here through positionOf(). Browser-safe: the caller reads the file.
//
//   only: [ids]                     run only these checks
//   skip: [ids]                     do not run these checks
//   severity: {id: critical|high|medium|low}
//   sensitiveNamespaces: [ns]       treated like kube-system
//   sensitiveConfigMaps: [names]    kube-system ConfigMaps treated as sensitive, besides the built-in list
//   maxTokenExpirationSeconds: n    projected-token-long-expiry threshold (default 86400)
//   customChecks: [{id, severity, verbs, apiGroups, resources, message?}]
//   suppressions: [{concept, object, reason, expires?}]   concept "*" = any; object a Kind/namespace/name glob
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from "yaml";
import type { LintConfig } from "../../bindings/types.js";
import type { SourcePosition } from "../k8s/types.js";
import { parseFieldPath } from "./locate.js";

export const CONFIG_FILE = ".rbac-guard.yaml";

/** An error in the configuration file, at a position when there is one. */
export interface ConfigError {
  file: string;
  line?: number;
  column?: number;
  message: string;
}

export interface ParsedConfig {
  file: string;
  /** the engine's configuration (empty when there were errors) */
  config: LintConfig;
  errors: ConfigError[];
  /** where an engine path ("suppressions[2].reason", `severity["x"]`) is in the file: its key, or the nearest parent */
  positionOf(enginePath: string): SourcePosition | undefined;
}

type Kind = "strings" | "string" | "severityMap" | "seconds" | "customChecks" | "suppressions";

const TOP: Record<string, Kind> = {
  only: "strings",
  skip: "strings",
  severity: "severityMap",
  sensitiveNamespaces: "strings",
  sensitiveConfigMaps: "strings",
  maxTokenExpirationSeconds: "seconds",
  customChecks: "customChecks",
  suppressions: "suppressions",
};

interface EntryField {
  kind: "string" | "strings";
  required: boolean;
}

const CUSTOM_CHECK: Record<string, EntryField> = {
  id: { kind: "string", required: true },
  severity: { kind: "string", required: true },
  verbs: { kind: "strings", required: true },
  apiGroups: { kind: "strings", required: true },
  resources: { kind: "strings", required: true },
  message: { kind: "string", required: false },
};

const SUPPRESSION: Record<string, EntryField> = {
  concept: { kind: "string", required: true },
  object: { kind: "string", required: true },
  reason: { kind: "string", required: true },
  expires: { kind: "string", required: false },
};

function known(keys: Record<string, unknown>): string {
  return Object.keys(keys).join(", ");
}

function describe(n: unknown): string {
  if (isMap(n)) return "a mapping";
  if (isSeq(n)) return "a list";
  if (isScalar(n)) {
    const v = n.value;
    if (v === null) return "empty";
    if (typeof v === "string") return `the string ${JSON.stringify(v)}`;
    return `${typeof v} ${String(v)}`;
  }
  return "something else";
}

/** Parses and checks the text of a configuration file. */
export function parseConfig(text: string, file: string): ParsedConfig {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: true, uniqueKeys: true });
  const errors: ConfigError[] = [];
  const at = (offset: number | undefined): { line?: number; column?: number } => {
    if (offset === undefined) return {};
    const p = lc.linePos(offset);
    return { line: p.line, column: p.col };
  };
  const nodeAt = (n: Node | null | undefined) => at(n?.range?.[0]);
  const err = (n: Node | null | undefined, message: string) => errors.push({ file, ...nodeAt(n), message });

  for (const e of doc.errors) {
    errors.push({ file, line: e.linePos?.[0].line, column: e.linePos?.[0].col, message: e.message.split("\n")[0] });
  }
  const positionOf = (enginePath: string): SourcePosition | undefined => locateIn(doc, lc, file, enginePath);
  if (errors.length > 0) return { file, config: {}, errors, positionOf };

  const resolve = (n: unknown): unknown => (isAlias(n) ? n.resolve(doc) : n);
  const root = resolve(doc.contents);
  const config: Record<string, unknown> = {};
  if (root === null || root === undefined || (isScalar(root) && root.value === null)) {
    return { file, config: {}, errors, positionOf }; // an empty file (or only comments): no settings
  }
  if (!isMap(root)) {
    err(root as Node, `the configuration must be a mapping of settings (${known(TOP)}), not ${describe(root)}`);
    return { file, config: {}, errors, positionOf };
  }

  const strings = (n: unknown, what: string): string[] | undefined => {
    const v = resolve(n);
    if (!isSeq(v)) {
      err(v as Node, `${what} must be a list of strings, not ${describe(v)}`);
      return undefined;
    }
    const out: string[] = [];
    let ok = true;
    for (const item of v.items) {
      const it = resolve(item);
      if (isScalar(it) && typeof it.value === "string") out.push(it.value);
      else {
        err(it as Node, `${what}: each entry must be a string, not ${describe(it)} (quote it)`);
        ok = false;
      }
    }
    return ok ? out : undefined;
  };
  const string = (n: unknown, what: string): string | undefined => {
    const v = resolve(n);
    if (isScalar(v) && typeof v.value === "string") return v.value;
    err(v as Node, `${what} must be a string, not ${describe(v)}`);
    return undefined;
  };
  const entries = (n: unknown, what: string, fields: Record<string, EntryField>): Record<string, unknown>[] | undefined => {
    const v = resolve(n);
    if (!isSeq(v)) {
      err(v as Node, `${what} must be a list of mappings (${known(fields)}), not ${describe(v)}`);
      return undefined;
    }
    const out: Record<string, unknown>[] = [];
    v.items.forEach((item, i) => {
      const it = resolve(item);
      const label = `${what}[${i}]`;
      if (!isMap(it)) {
        err(it as Node, `${label} must be a mapping (${known(fields)}), not ${describe(it)}`);
        return;
      }
      const entry: Record<string, unknown> = {};
      for (const pair of it.items) {
        const key = isScalar(pair.key) ? pair.key.value : undefined;
        if (typeof key !== "string" || !(key in fields)) {
          err(pair.key as Node, `unknown key ${JSON.stringify(String(key))} in ${label} (known: ${known(fields)})`);
          continue;
        }
        const val = fields[key].kind === "string" ? string(pair.value, `${label}.${key}`) : strings(pair.value, `${label}.${key}`);
        if (val !== undefined) entry[key] = val;
      }
      for (const [k, f] of Object.entries(fields)) {
        if (f.required && !it.items.some((p) => isScalar(p.key) && p.key.value === k)) err(it, `${label} needs \`${k}\``);
      }
      out.push(entry);
    });
    return out;
  };

  for (const pair of root.items) {
    const key = isScalar(pair.key) ? pair.key.value : undefined;
    if (typeof key !== "string" || !(key in TOP)) {
      err(pair.key as Node, `unknown key ${JSON.stringify(String(key))} (known: ${known(TOP)})`);
      continue;
    }
    const value = resolve(pair.value);
    if (value === null || value === undefined || (isScalar(value) && value.value === null)) continue; // `skip:` alone
    switch (TOP[key]) {
      case "strings": {
        const v = strings(value, key);
        if (v) config[key] = v;
        break;
      }
      case "seconds": {
        if (isScalar(value) && typeof value.value === "number" && Number.isSafeInteger(value.value)) config[key] = value.value;
        else err(value as Node, `${key} must be a whole number of seconds, not ${describe(value)}`);
        break;
      }
      case "severityMap": {
        if (!isMap(value)) {
          err(value as Node, `${key} must be a mapping of check id to severity (critical, high, medium, low), not ${describe(value)}`);
          break;
        }
        const m: Record<string, string> = {};
        for (const p of value.items) {
          const id = isScalar(p.key) ? p.key.value : undefined;
          if (typeof id !== "string") {
            err(p.key as Node, `${key}: each key must be a check id`);
            continue;
          }
          const s = string(p.value, `${key}.${id}`);
          if (s !== undefined) m[id] = s;
        }
        config[key] = m;
        break;
      }
      case "customChecks": {
        const v = entries(value, key, CUSTOM_CHECK);
        if (v) config[key] = v;
        break;
      }
      case "suppressions": {
        const v = entries(value, key, SUPPRESSION);
        if (v) config[key] = v;
        break;
      }
      default:
        break;
    }
  }
  return { file, config: errors.length > 0 ? {} : (config as LintConfig), errors, positionOf };
}

// An engine path's place in the document: for a mapping key the key itself (`reason:` of a suppression), for a list
// index the item; when the path goes further than the document (a missing key) the deepest node it reaches.
function locateIn(doc: Document, lc: LineCounter, file: string, enginePath: string): SourcePosition | undefined {
  const path = parseFieldPath(enginePath);
  if (!path) return undefined;
  const pos = (offset: number | undefined): SourcePosition | undefined => {
    if (offset === undefined) return undefined;
    const p = lc.linePos(offset);
    return { file, line: p.line, column: p.col };
  };
  let node: unknown = doc.contents;
  let best = pos((node as Node | null)?.range?.[0]);
  for (const seg of path) {
    if (isAlias(node)) node = node.resolve(doc);
    if (typeof seg === "number") {
      if (!isSeq(node) || seg >= node.items.length) return best;
      node = node.items[seg];
      best = pos((node as Node | null)?.range?.[0]) ?? best;
    } else {
      if (!isMap(node)) return best;
      const pair = node.items.find((p) => isScalar(p.key) && p.key.value === seg);
      if (!pair) return best;
      best = pos((pair.key as Node).range?.[0]) ?? best;
      node = pair.value;
    }
  }
  return best;
}
