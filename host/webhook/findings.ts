// Lint findings at admission: which findings the incoming object is responsible for, who holds them, and the
// action each one gets under the admission config.
import type { LintFinding } from "../../bindings/index.js";
import type { AdmissionConfig, Action } from "./config.js";
import { SA_WILDCARD_CHECKS, isSeverity } from "./config.js";

/** One lint finding, as engine.lint() reports it. */
export type Finding = LintFinding;

/** What admission needs of a lint run (engine.lint()'s result, or a test double's). */
export interface LintOutput {
  findings: Finding[];
}

/** A finding attributed to the incoming object, with the subjects holding it and the action decided. */
export interface Attributed {
  finding: Finding;
  holders: string[];
  action: Action;
  /** Why the action is not the configured one (allowlisted), for the record. */
  note?: string;
}

const SA_GROUP = /^system:serviceaccounts(:|$)/;

/** A subject as `Kind/namespace/name`, whatever shape lint used (a key string or an rbac/v1 Subject). */
export function subjectKey(s: unknown, defaultNamespace = ""): string {
  if (typeof s === "string") return s;
  if (s && typeof s === "object") {
    const o = s as Record<string, unknown>;
    const kind = typeof o.kind === "string" ? o.kind : "";
    const ns = typeof o.namespace === "string" && o.namespace !== "" ? o.namespace : (kind === "ServiceAccount" ? defaultNamespace : "");
    return `${kind}/${ns}/${typeof o.name === "string" ? o.name : ""}`;
  }
  return String(s);
}

export function isServiceAccountHolder(key: string): boolean {
  if (key.startsWith("ServiceAccount/")) return true;
  if (key.startsWith("Group/")) return SA_GROUP.test(key.slice(key.lastIndexOf("/") + 1));
  // why: a `system:serviceaccount:ns:name` User subject is how some tools write an SA
  return key.startsWith("User/") && key.includes("/system:serviceaccount:");
}

/** Subjects bound to each role (`Role/ns/name`, `ClusterRole//name`) and each binding's own subjects, by key. */
export class HolderIndex {
  private readonly byRole = new Map<string, string[]>();
  private readonly byBinding = new Map<string, string[]>();

  constructor(objects: readonly unknown[]) {
    for (const o of objects as any[]) {
      if (o?.kind !== "RoleBinding" && o?.kind !== "ClusterRoleBinding") continue;
      const ns = o.kind === "RoleBinding" ? (o.metadata?.namespace ?? "") : "";
      const subjects = Array.isArray(o.subjects) ? o.subjects.map((s: unknown) => subjectKey(s, ns)) : [];
      this.byBinding.set(`${o.kind}/${ns}/${o.metadata?.name ?? ""}`, subjects);
      const ref = o.roleRef ?? {};
      const roleKey = ref.kind === "Role" ? `Role/${ns}/${ref.name}` : `ClusterRole//${ref.name}`;
      const list = this.byRole.get(roleKey) ?? [];
      list.push(...subjects);
      this.byRole.set(roleKey, list);
    }
  }

  /** The finding's own subjects, else the subjects of the binding it is on or of the bindings of its role. */
  holders(f: Finding): string[] {
    if (Array.isArray(f.subjects) && f.subjects.length > 0) return [...new Set(f.subjects.map((s: unknown) => subjectKey(s)))].sort();
    const direct = this.byBinding.get(f.object) ?? this.byRole.get(f.object) ?? [];
    return [...new Set(direct)].sort();
  }
}

function collectStrings(v: unknown, out: string[], depth = 0): void {
  if (depth > 6) return;
  if (typeof v === "string") out.push(v);
  else if (Array.isArray(v)) for (const x of v) collectStrings(x, out, depth + 1);
  else if (v && typeof v === "object") for (const x of Object.values(v)) collectStrings(x, out, depth + 1);
}

/** Whether a finding's path names the object `key` (as an element, or inside a rendered chain like `a → b`). */
export function pathInvolves(path: unknown, key: string): boolean {
  const strings: string[] = [];
  collectStrings(path, strings);
  for (const s of strings) {
    if (s === key) return true;
    let at = s.indexOf(key);
    while (at >= 0) {
      const after = s.charAt(at + key.length);
      const before = at === 0 ? "" : s.charAt(at - 1);
      if (!/[A-Za-z0-9.:_-]/.test(after) && !/[A-Za-z0-9/]/.test(before)) return true;
      at = s.indexOf(key, at + 1);
    }
  }
  return false;
}

/** Identity of a finding across two lint runs: check, object, field and holders (new holders = a new finding). */
export function findingKey(f: Finding, holders: string[]): string {
  return `${f.id}|${f.concept}|${f.object}|${JSON.stringify(f.fieldPath ?? "")}|${holders.join(",")}`;
}

/** The action for one finding: the check's rule (by id, then concept), else the default for its severity. */
export function actionFor(f: Finding, holders: string[], cfg: AdmissionConfig): { action: Action; note?: string } {
  const rule = cfg.checks[f.id] ?? cfg.checks[f.concept];
  const bySA = holders.some(isServiceAccountHolder);
  let action: Action;
  if (rule && (!rule.serviceAccountsOnly || bySA)) action = rule.action;
  else action = cfg.defaults[isSeverity(f.severity) ? f.severity : "high"];
  if (action === "deny" && f.concept === "cluster-admin-binding" && !cfg.clusterAdminAllowlist.empty) {
    const al = cfg.clusterAdminAllowlist;
    if (al.bindings(f.object) || (holders.length > 0 && holders.every((h) => al.subjects(h)))) {
      return { action: "audit", note: "allowlisted" };
    }
  }
  return { action };
}

export { SA_WILDCARD_CHECKS };
