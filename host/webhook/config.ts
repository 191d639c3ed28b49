// Admission guardrail configuration (--config): mode, per-check actions, allowlists and exemptions.
// Schema (YAML or JSON), every field optional:
//   apiVersion: rbac-guard.io/v1alpha1
//   kind: AdmissionConfig
//   mode: enforce | warn | shadow            # default enforce
//   defaults: {critical: warn, high: warn, medium: audit, low: audit, info: off}   # action by severity
//   checks:                                  # by check id or concept; a plain action or a mapping
//     wildcard-verbs: {action: deny, serviceAccountsOnly: true}   # other holders fall back to `defaults`
//     secrets-read: off
//   clusterAdminAllowlist:                   # cluster-admin-binding findings these cover are not acted on
//     bindings: ["ClusterRoleBinding//break-glass-*"]                 # object-key globs
//     subjects: ["Group//platform-admins", "ServiceAccount/flux-system/*"]   # Kind/namespace/name globs
//   exempt: {users: [globs], groups: [globs], namespaces: [globs]}   # requests allowed without evaluation
//   incompleteContext: deny | warn | audit   # unknown referenced role, unsynced cache (default deny)
//   lint: {...}                              # passed to engine.lint({config}) as is
// Actions: deny (refuse in enforce mode), warn (AdmissionResponse warning), audit (auditAnnotations only), off.
import { parse as parseYAML } from "yaml";
import { ConfigError, globToRegExp, type Matcher } from "./policy.js";

export type AdmissionMode = "enforce" | "warn" | "shadow";
export type Action = "deny" | "warn" | "audit" | "off";
export type Severity = "critical" | "high" | "medium" | "low" | "info";

export interface CheckRule {
  action: Action;
  /** Applies only when a ServiceAccount (or an all-ServiceAccounts group) holds the finding; else `defaults`. */
  serviceAccountsOnly?: boolean;
}

export interface AdmissionConfig {
  mode: AdmissionMode;
  defaults: Record<Severity, Action>;
  checks: Record<string, CheckRule>;
  clusterAdminAllowlist: { bindings: Matcher; subjects: Matcher; empty: boolean };
  exempt: { users: Matcher; groups: Matcher; namespaces: Matcher };
  incompleteContext: Exclude<Action, "off">;
  lint?: unknown;
}

const ACTIONS: readonly Action[] = ["deny", "warn", "audit", "off"];
const MODES: readonly AdmissionMode[] = ["enforce", "warn", "shadow"];
const SEVERITIES: readonly Severity[] = ["critical", "high", "medium", "low", "info"];

/** Wildcard grants count as an enforced guardrail only when a ServiceAccount holds them. */
export const SA_WILDCARD_CHECKS = ["wildcard-verbs", "wildcard-resources", "full-wildcard-rule"];

/** The built-in defaults, used without --config and as the base a config file overrides. */
export function defaultChecks(): Record<string, CheckRule> {
  const checks: Record<string, CheckRule> = {};
  for (const id of SA_WILDCARD_CHECKS) checks[id] = { action: "deny", serviceAccountsOnly: true };
  checks["default-sa-binding"] = { action: "deny" };
  checks["anonymous-binding"] = { action: "deny" };
  checks["cluster-admin-binding"] = { action: "deny" };
  // why: medium in the catalog, but named token guardrails of the admission webhook: warned, not only audited
  for (const id of ["legacy-sa-token-secret", "default-sa-used", "projected-token-long-expiry"]) checks[id] = { action: "warn" };
  return checks;
}

const NOTHING: Matcher = () => false;

function matcher(list: string[] | undefined): Matcher {
  if (!list || list.length === 0) return NOTHING;
  const res = list.map(globToRegExp);
  return (v) => res.some((r) => r.test(v));
}

export function defaultConfig(): AdmissionConfig {
  return {
    mode: "enforce",
    defaults: { critical: "warn", high: "warn", medium: "audit", low: "audit", info: "off" },
    checks: defaultChecks(),
    clusterAdminAllowlist: { bindings: NOTHING, subjects: NOTHING, empty: true },
    exempt: { users: NOTHING, groups: NOTHING, namespaces: NOTHING },
    incompleteContext: "deny",
  };
}

function mapping(v: unknown, where: string): Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw new ConfigError(`${where} must be a mapping`);
  return v as Record<string, unknown>;
}

function known(o: Record<string, unknown>, keys: string[], where: string): void {
  for (const k of Object.keys(o)) if (!keys.includes(k)) throw new ConfigError(`${where}.${k} is not a known field`);
}

function strings(v: unknown, where: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((s) => typeof s !== "string")) throw new ConfigError(`${where} must be a list of strings`);
  return v as string[];
}

function action(v: unknown, where: string): Action {
  if (typeof v !== "string" || !ACTIONS.includes(v as Action)) {
    throw new ConfigError(`${where} must be one of ${ACTIONS.join(", ")}`);
  }
  return v as Action;
}

/** Parses and validates a config document; throws ConfigError naming the offending field. */
export function parseConfig(text: string, file = "config"): AdmissionConfig {
  let doc: unknown;
  try {
    doc = parseYAML(text, { maxAliasCount: 100 });
  } catch (e) {
    throw new ConfigError(`${file}: ${(e as Error).message}`);
  }
  const cfg = defaultConfig();
  if (doc === null || doc === undefined) return cfg;
  const d = mapping(doc, file);
  known(d, ["apiVersion", "kind", "metadata", "mode", "defaults", "checks", "clusterAdminAllowlist", "exempt",
    "incompleteContext", "lint"], file);
  if (d.kind !== undefined && d.kind !== "AdmissionConfig") throw new ConfigError(`${file}: kind must be AdmissionConfig`);
  if (d.mode !== undefined) {
    if (!MODES.includes(d.mode as AdmissionMode)) throw new ConfigError(`${file}.mode must be one of ${MODES.join(", ")}`);
    cfg.mode = d.mode as AdmissionMode;
  }
  if (d.defaults !== undefined) {
    const o = mapping(d.defaults, `${file}.defaults`);
    known(o, [...SEVERITIES], `${file}.defaults`);
    for (const s of SEVERITIES) if (o[s] !== undefined) cfg.defaults[s] = action(o[s], `${file}.defaults.${s}`);
  }
  if (d.checks !== undefined) {
    const o = mapping(d.checks, `${file}.checks`);
    for (const [id, v] of Object.entries(o)) {
      const where = `${file}.checks.${id}`;
      if (typeof v === "string") {
        cfg.checks[id] = { action: action(v, where) };
        continue;
      }
      const r = mapping(v, where);
      known(r, ["action", "serviceAccountsOnly"], where);
      if (r.serviceAccountsOnly !== undefined && typeof r.serviceAccountsOnly !== "boolean") {
        throw new ConfigError(`${where}.serviceAccountsOnly must be true or false`);
      }
      cfg.checks[id] = { action: action(r.action, `${where}.action`), serviceAccountsOnly: r.serviceAccountsOnly as boolean | undefined };
    }
  }
  if (d.clusterAdminAllowlist !== undefined) {
    const o = mapping(d.clusterAdminAllowlist, `${file}.clusterAdminAllowlist`);
    known(o, ["bindings", "subjects"], `${file}.clusterAdminAllowlist`);
    const b = strings(o.bindings, `${file}.clusterAdminAllowlist.bindings`);
    const s = strings(o.subjects, `${file}.clusterAdminAllowlist.subjects`);
    for (const k of [...(b ?? []), ...(s ?? [])]) {
      if (k.split("/").length !== 3) throw new ConfigError(`${file}.clusterAdminAllowlist entry \`${k}\` must be Kind/namespace/name`);
    }
    cfg.clusterAdminAllowlist = { bindings: matcher(b), subjects: matcher(s), empty: !b?.length && !s?.length };
  }
  if (d.exempt !== undefined) {
    const o = mapping(d.exempt, `${file}.exempt`);
    known(o, ["users", "groups", "namespaces"], `${file}.exempt`);
    cfg.exempt = {
      users: matcher(strings(o.users, `${file}.exempt.users`)),
      groups: matcher(strings(o.groups, `${file}.exempt.groups`)),
      namespaces: matcher(strings(o.namespaces, `${file}.exempt.namespaces`)),
    };
  }
  if (d.incompleteContext !== undefined) {
    const a = action(d.incompleteContext, `${file}.incompleteContext`);
    if (a === "off") throw new ConfigError(`${file}.incompleteContext must be deny, warn or audit`);
    cfg.incompleteContext = a;
  }
  if (d.lint !== undefined) cfg.lint = d.lint;
  return cfg;
}

export function isSeverity(s: unknown): s is Severity {
  return typeof s === "string" && SEVERITIES.includes(s as Severity);
}
