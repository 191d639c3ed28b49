// `rbac-guard can-i --list`: the table kubectl auth can-i --list prints for a SelfSubjectRulesReview status,
// reproduced step by step from kubectl (staging/src/k8s.io/kubectl/pkg/cmd/auth/cani.go printStatus, with
// pkg/util/rbac BreakdownRule/CompactRules/SortableRuleSlice and describe.CombineResourceGroup).
import type { Grant, RulesForResult } from "../../bindings/index.js";
import { grantText, tabwrite } from "./format.js";

/** rbacv1.PolicyRule as kubectl handles it, with the grants the rule came from (for --explain). */
interface ListRule {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
  resourceNames: string[];
  nonResourceURLs: string[];
  sources: Grant[];
}

/** convertToPolicyRule: resource rules first, then non-resource rules. */
function convert(status: RulesForResult): ListRule[] {
  const out: ListRule[] = [];
  for (const r of status.resourceRules) {
    out.push({ verbs: r.verbs ?? [], apiGroups: r.apiGroups ?? [], resources: r.resources ?? [],
      resourceNames: r.resourceNames ?? [], nonResourceURLs: [], sources: [r.source] });
  }
  for (const r of status.nonResourceRules) {
    out.push({ verbs: r.verbs ?? [], apiGroups: [], resources: [], resourceNames: [], nonResourceURLs: r.nonResourceURLs ?? [],
      sources: [r.source] });
  }
  return out;
}

/** rbac.BreakdownRule: at most one verb, one resource and one resource name per rule. */
function breakdown(rule: ListRule): ListRule[] {
  const sub: ListRule[] = [];
  const one = (apiGroups: string[], resources: string[], verbs: string[], resourceNames: string[], nonResourceURLs: string[]) =>
    sub.push({ verbs, apiGroups, resources, resourceNames, nonResourceURLs, sources: rule.sources });
  for (const group of rule.apiGroups) {
    for (const resource of rule.resources) {
      for (const verb of rule.verbs) {
        if (rule.resourceNames.length > 0) {
          for (const name of rule.resourceNames) one([group], [resource], [verb], [name], []);
        } else {
          one([group], [resource], [verb], [], []);
        }
      }
    }
  }
  // non-resource URLs only combine with verbs
  for (const url of rule.nonResourceURLs) {
    for (const verb of rule.verbs) one([], [], [verb], [], [url]);
  }
  return sub;
}

/**
 * rbac.CompactRules: rules with one API group, one resource, at most one resource name and nothing else are merged
 * per (group, resource, name), their verbs appended in order (duplicates kept, as kubectl keeps them); the others
 * (non-resource rules) stay as they are. kubectl then appends the merged rules in map order, which the sort below
 * makes irrelevant: no two merged rules print alike.
 */
function compact(rules: ListRule[]): ListRule[] {
  const compacted: ListRule[] = [];
  const simple = new Map<string, ListRule>();
  for (const rule of rules) {
    const isSimple = rule.resourceNames.length <= 1 && rule.nonResourceURLs.length === 0 &&
      rule.apiGroups.length === 1 && rule.resources.length === 1;
    if (!isSimple) {
      compacted.push(rule);
      continue;
    }
    const key = JSON.stringify([rule.apiGroups[0], rule.resources[0], rule.resourceNames.length > 0, rule.resourceNames[0] ?? ""]);
    const existing = simple.get(key);
    if (existing) {
      existing.verbs.push(...rule.verbs);
      existing.sources.push(...rule.sources);
    } else {
      simple.set(key, { ...rule, verbs: [...rule.verbs], sources: [...rule.sources] });
    }
  }
  compacted.push(...simple.values());
  return compacted;
}

/** Go's %v of a []string. */
function goList(items: readonly string[]): string {
  return `[${items.join(" ")}]`;
}

/** The generated (gogo protobuf) PolicyRule.String() that kubectl's SortableRuleSlice compares. */
function policyRuleString(r: ListRule): string {
  return `&PolicyRule{Verbs:${goList(r.verbs)},APIGroups:${goList(r.apiGroups)},Resources:${goList(r.resources)},` +
    `ResourceNames:${goList(r.resourceNames)},NonResourceURLs:${goList(r.nonResourceURLs)},}`;
}

/** describe.CombineResourceGroup: `resource.group[/subresource]` of the first resource and group; core group plain. */
export function combineResourceGroup(resources: readonly string[], groups: readonly string[]): string {
  if (resources.length === 0) return "";
  const slash = resources[0].indexOf("/");
  let combined = slash < 0 ? resources[0] : resources[0].slice(0, slash);
  if (groups.length > 0 && groups[0] !== "") combined += "." + groups[0];
  if (slash >= 0) combined += "/" + resources[0].slice(slash + 1);
  return combined;
}

/** The rows kubectl prints, in its order (sort.Stable by PolicyRule.String(), byte-wise as Go compares strings). */
export function listRows(status: RulesForResult): ListRule[] {
  const rules = compact(convert(status).flatMap(breakdown));
  const keyed = rules.map((r) => ({ r, key: Buffer.from(policyRuleString(r), "utf8") }));
  keyed.sort((a, b) => Buffer.compare(a.key, b.key)); // Array.prototype.sort is stable
  return keyed.map((k) => k.r);
}

export interface ListTableOptions {
  noHeaders?: boolean;
  /** add a Source column: the grants the row's rules come from */
  explain?: boolean;
}

/** kubectl auth can-i --list's table (printAccessHeaders + printAccess through kubectl's tab writer). */
export function listTable(status: RulesForResult, opts: ListTableOptions = {}): string {
  const rows: string[][] = [];
  const header = ["Resources", "Non-Resource URLs", "Resource Names", "Verbs"];
  if (opts.explain) header.push("Source");
  if (!opts.noHeaders) rows.push(header);
  for (const r of listRows(status)) {
    const row = [combineResourceGroup(r.resources, r.apiGroups), goList(r.nonResourceURLs), goList(r.resourceNames), goList(r.verbs)];
    if (opts.explain) row.push([...new Set(r.sources.map(grantText))].join(", "));
    rows.push(row);
  }
  return tabwrite(rows);
}
