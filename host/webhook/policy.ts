// Authorization guardrail policy (--policy): deny-list entries by subject and request attributes.
// Schema (YAML or JSON):
//   apiVersion: rbac-guard.io/v1alpha1
//   kind: GuardrailPolicy
//   deny:
//     - name: no-secrets-in-kube-system          # required, unique; named in the denial reason
//       reason: kube-system Secrets are off limits # optional text for the reason
//       subjects: {users: [globs], groups: [globs], serviceAccounts: ["ns/name" globs]}   # any of them matches
//       except:   {users, groups, serviceAccounts}                                       # break-glass exceptions
//       verbs: [globs]  apiGroups: [globs]  resources: ["resource" | "resource/subresource" globs]
//       namespaces: [globs]                        # resource requests only
//       nonResourceURLs: [globs]                   # makes the entry apply to non-resource requests only
// Absent attribute lists match anything. A request attribute `*` (e.g. verb "*") matches every entry value, and a
// request namespace "" (all namespaces / cluster scope) matches every entry namespace: the request covers them.
import { parse as parseYAML } from "yaml";
import type { SubjectAccessReviewSpec } from "../../bindings/index.js";

const SA_PREFIX = "system:serviceaccount:";
const FIELDS = ["verbs", "apiGroups", "resources", "namespaces", "nonResourceURLs"] as const;
type AttrField = (typeof FIELDS)[number];

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** `*` matches any run of characters (`/` and `:` included), `?` one character; everything else is literal. */
export function globToRegExp(glob: string): RegExp {
  let re = "^";
  for (const ch of glob) {
    if (ch === "*") re += ".*";
    else if (ch === "?") re += ".";
    else re += ch.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(re + "$", "s");
}

export type Matcher = (value: string) => boolean;

function compileList(list: string[]): Matcher {
  const exact = new Set(list.filter((g) => !g.includes("*") && !g.includes("?")));
  const globs = list.filter((g) => !exact.has(g)).map(globToRegExp);
  return (v) => exact.has(v) || globs.some((r) => r.test(v));
}

export interface SubjectSelector {
  users?: string[];
  groups?: string[];
  serviceAccounts?: string[];
}

export interface DenyEntry extends SubjectSelector {
  name: string;
  reason?: string;
}

interface CompiledSubjects {
  users?: Matcher;
  groups?: Matcher;
  serviceAccounts?: Matcher;
}

interface CompiledEntry {
  name: string;
  reason?: string;
  subjects: CompiledSubjects;
  except?: CompiledSubjects;
  attrs: Partial<Record<AttrField, Matcher>>;
  nonResource: boolean;
}

export interface GuardrailPolicy {
  entries: CompiledEntry[];
  /** The first entry that denies the request, or undefined. */
  match(spec: SubjectAccessReviewSpec): { name: string; reason?: string } | undefined;
}

function stringList(v: unknown, where: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((s) => typeof s !== "string")) throw new ConfigError(`${where} must be a list of strings`);
  if (v.length === 0) throw new ConfigError(`${where} must not be empty (leave it out to match anything)`);
  return v as string[];
}

function compileSubjects(v: unknown, where: string, required: boolean): CompiledSubjects | undefined {
  if (v === undefined || v === null) {
    if (required) throw new ConfigError(`${where} is required (use users: ["*"] to match everyone)`);
    return undefined;
  }
  if (typeof v !== "object" || Array.isArray(v)) throw new ConfigError(`${where} must be a mapping`);
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!["users", "groups", "serviceAccounts"].includes(k)) throw new ConfigError(`${where}.${k} is not a known field`);
  }
  const out: CompiledSubjects = {};
  for (const k of ["users", "groups", "serviceAccounts"] as const) {
    const list = stringList(o[k], `${where}.${k}`);
    if (k === "serviceAccounts") {
      for (const s of list ?? []) {
        if (!s.includes("/")) throw new ConfigError(`${where}.serviceAccounts entry \`${s}\` must be namespace/name (globs allowed)`);
      }
    }
    if (list) out[k] = compileList(list);
  }
  if (required && !out.users && !out.groups && !out.serviceAccounts) throw new ConfigError(`${where} selects no subject`);
  return out;
}

function subjectMatches(s: CompiledSubjects, user: string, groups: string[]): boolean {
  if (s.users?.(user)) return true;
  if (s.groups && groups.some((g) => s.groups!(g))) return true;
  if (s.serviceAccounts && user.startsWith(SA_PREFIX)) {
    const rest = user.slice(SA_PREFIX.length);
    const colon = rest.indexOf(":");
    if (colon > 0 && s.serviceAccounts(`${rest.slice(0, colon)}/${rest.slice(colon + 1)}`)) return true;
  }
  return false;
}

/** A request value covers an entry list when it is `*` (the request asks for everything) or matches it. */
function covers(m: Matcher | undefined, value: string, wildcard: boolean): boolean {
  if (!m) return true;
  if (wildcard && value === "*") return true;
  return m(value);
}

function entryMatches(e: CompiledEntry, spec: SubjectAccessReviewSpec, groups: string[]): boolean {
  const user = spec.user ?? "";
  if (!subjectMatches(e.subjects, user, groups)) return false;
  if (e.except && subjectMatches(e.except, user, groups)) return false;
  const ra = spec.resourceAttributes;
  if (ra) {
    if (e.nonResource) return false;
    const resource = ra.subresource ? `${ra.resource ?? ""}/${ra.subresource}` : (ra.resource ?? "");
    const ns = ra.namespace ?? "";
    return covers(e.attrs.verbs, ra.verb ?? "", true) &&
      covers(e.attrs.apiGroups, ra.group ?? "", true) &&
      (covers(e.attrs.resources, resource, true) || (ra.resource === "*" && e.attrs.resources !== undefined)) &&
      (ns === "" || covers(e.attrs.namespaces, ns, false));
  }
  const na = spec.nonResourceAttributes;
  if (!na || !e.nonResource) return false;
  return covers(e.attrs.verbs, na.verb ?? "", true) && covers(e.attrs.nonResourceURLs, na.path ?? "", false);
}

/** Parses and validates a policy document; throws ConfigError naming the offending field. */
export function parsePolicy(text: string, file = "policy"): GuardrailPolicy {
  let doc: unknown;
  try {
    doc = parseYAML(text, { maxAliasCount: 100 });
  } catch (e) {
    throw new ConfigError(`${file}: ${(e as Error).message}`);
  }
  if (doc === null || doc === undefined) doc = {};
  if (typeof doc !== "object" || Array.isArray(doc)) throw new ConfigError(`${file}: the policy must be a mapping`);
  const d = doc as Record<string, unknown>;
  if (d.kind !== undefined && d.kind !== "GuardrailPolicy") throw new ConfigError(`${file}: kind must be GuardrailPolicy`);
  for (const k of Object.keys(d)) {
    if (!["apiVersion", "kind", "metadata", "deny"].includes(k)) throw new ConfigError(`${file}: ${k} is not a known field`);
  }
  const deny = d.deny ?? [];
  if (!Array.isArray(deny)) throw new ConfigError(`${file}: deny must be a list`);
  const names = new Set<string>();
  const entries: CompiledEntry[] = deny.map((raw, i) => {
    const where = `${file}: deny[${i}]`;
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw new ConfigError(`${where} must be a mapping`);
    const r = raw as Record<string, unknown>;
    for (const k of Object.keys(r)) {
      if (!["name", "reason", "subjects", "except", ...FIELDS].includes(k)) throw new ConfigError(`${where}.${k} is not a known field`);
    }
    if (typeof r.name !== "string" || r.name === "") throw new ConfigError(`${where}.name must be a non-empty string`);
    if (names.has(r.name)) throw new ConfigError(`${where}.name \`${r.name}\` is used twice`);
    names.add(r.name);
    if (r.reason !== undefined && typeof r.reason !== "string") throw new ConfigError(`${where}.reason must be a string`);
    const attrs: Partial<Record<AttrField, Matcher>> = {};
    for (const f of FIELDS) {
      const list = stringList(r[f], `${where}.${f}`);
      if (list) attrs[f] = compileList(list);
    }
    const nonResource = attrs.nonResourceURLs !== undefined;
    if (nonResource && (attrs.apiGroups || attrs.resources || attrs.namespaces)) {
      throw new ConfigError(`${where}: nonResourceURLs cannot be combined with apiGroups, resources or namespaces`);
    }
    return {
      name: r.name,
      reason: r.reason as string | undefined,
      subjects: compileSubjects(r.subjects, `${where}.subjects`, true)!,
      except: compileSubjects(r.except, `${where}.except`, false),
      attrs,
      nonResource,
    };
  });
  return {
    entries,
    match(spec) {
      const groups = Array.isArray(spec.groups) ? spec.groups.filter((g): g is string => typeof g === "string") : [];
      for (const e of entries) {
        if (entryMatches(e, spec, groups)) return { name: e.name, reason: e.reason };
      }
      return undefined;
    },
  };
}

export const EMPTY_POLICY: GuardrailPolicy = parsePolicy("deny: []");
