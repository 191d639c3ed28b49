// Naive TypeScript ports of the Kubernetes v1.20 RBAC *queries* around the authorizer, for differential tests:
//   - Covers / breakdownRule / ruleCovers / resourceCoversAll / nonResourceURLCovers
//     (pkg/registry/rbac/validation/policy_comparator.go; later k8s.io/component-helpers/auth/rbac/validation)
//   - CompactRules (pkg/registry/rbac/validation/policy_compact.go), CompactString (pkg/apis/rbac/v1/helpers.go)
//   - ConfirmNoEscalation's refusal text (pkg/registry/rbac/validation/rule.go) and the role storage's
//     EscalationAllowed (system:masters) / RoleEscalationAuthorized ("escalate" verb) short cuts
//   - the RBAC authorizer's RulesFor split into resource and non-resource rules (selfsubjectrulesreview/rest.go)
// The subject locator (AllowedSubjects) and RulesFor live on NaiveAuthorizer (k8s-rbac.ts), which owns the policy.
import { NaiveAuthorizer, aggregateError, goCompare, goQuote, ruleAllows, toRule, attributesOf,
  type PolicyRule, type SubjectAccessReviewSpec } from "./k8s-rbac.js";

export type { PolicyRule } from "./k8s-rbac.js";

const RBAC_GROUP = "rbac.authorization.k8s.io";
const SYSTEM_PRIVILEGED_GROUP = "system:masters";

/** Any loosely-typed rule (missing fields = empty lists), normalised like the rest of the oracle. */
export const normalizeRule = (r: unknown): PolicyRule => toRule(r);

const rule = (p: Partial<PolicyRule>): PolicyRule => ({
  verbs: p.verbs ?? [], apiGroups: p.apiGroups ?? [], resources: p.resources ?? [],
  resourceNames: p.resourceNames ?? [], nonResourceURLs: p.nonResourceURLs ?? [],
});

// ---- policy_comparator.go -------------------------------------------------------------------------------------

/** breakdownRule: one rule per (group, resource, verb[, name]), then one per (url, verb). */
export function breakdownRule(r: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const g of r.apiGroups) {
    for (const res of r.resources) {
      for (const v of r.verbs) {
        if (r.resourceNames.length > 0) {
          for (const n of r.resourceNames) out.push(rule({ apiGroups: [g], resources: [res], verbs: [v], resourceNames: [n] }));
        } else {
          out.push(rule({ apiGroups: [g], resources: [res], verbs: [v] }));
        }
      }
    }
  }
  for (const u of r.nonResourceURLs) for (const v of r.verbs) out.push(rule({ nonResourceURLs: [u], verbs: [v] }));
  return out;
}

const has = (set: string[], e: string) => set.includes(e);
const hasAll = (set: string[], contains: string[]) => contains.every((e) => set.includes(e));

export function resourceCoversAll(set: string[], covers: string[]): boolean {
  if (has(set, "*") || hasAll(set, covers)) return true;
  for (const path of covers) {
    if (has(set, path)) continue;
    const slash = path.indexOf("/");
    if (slash < 0) return false;
    // strings.SplitN(path, "/", 2): "*/" + everything after the first slash
    if (!has(set, "*/" + path.slice(slash + 1))) return false;
  }
  return true;
}

export function nonResourceURLCovers(owner: string, sub: string): boolean {
  if (owner === sub) return true;
  return owner.endsWith("*") && sub.startsWith(owner.replace(/\*+$/, ""));
}

const nonResourceURLsCoversAll = (set: string[], covers: string[]) =>
  covers.every((p) => set.some((o) => nonResourceURLCovers(o, p)));

export function ruleCovers(owner: PolicyRule, sub: PolicyRule): boolean {
  const verbs = has(owner.verbs, "*") || hasAll(owner.verbs, sub.verbs);
  const groups = has(owner.apiGroups, "*") || hasAll(owner.apiGroups, sub.apiGroups);
  const resources = resourceCoversAll(owner.resources, sub.resources);
  const urls = nonResourceURLsCoversAll(owner.nonResourceURLs, sub.nonResourceURLs);
  const names = sub.resourceNames.length === 0
    ? owner.resourceNames.length === 0
    : owner.resourceNames.length === 0 || hasAll(owner.resourceNames, sub.resourceNames);
  return verbs && groups && resources && names && urls;
}

/** Covers(ownerRules, servantRules): whether every broken-down servant rule is covered, and those that are not. */
export function covers(ownerIn: unknown[], servantIn: unknown[]): { covers: boolean; uncovered: PolicyRule[] } {
  const owner = ownerIn.map(normalizeRule), servant = servantIn.map(normalizeRule);
  const uncovered: PolicyRule[] = [];
  for (const sub of servant.flatMap(breakdownRule)) {
    if (!owner.some((o) => ruleCovers(o, sub))) uncovered.push(sub);
  }
  return { covers: uncovered.length === 0, uncovered };
}

// ---- policy_compact.go + helpers.go -----------------------------------------------------------------------------

/**
 * CompactRules: rules with exactly one group and one resource, at most one name and no URLs, that differ only in
 * verbs are merged (verbs appended in order). Go emits the merged rules in map order; callers sort the strings.
 */
export function compactRules(rules: PolicyRule[]): PolicyRule[] {
  const out: PolicyRule[] = [];
  const simple = new Map<string, PolicyRule>();
  for (const r of rules) {
    const isSimple = r.resourceNames.length <= 1 && r.nonResourceURLs.length === 0 &&
      r.apiGroups.length === 1 && r.resources.length === 1;
    if (!isSimple) { out.push(r); continue; }
    const key = JSON.stringify([r.apiGroups[0], r.resources[0], r.resourceNames.length > 0, r.resourceNames[0] ?? ""]);
    const existing = simple.get(key);
    if (existing) existing.verbs.push(...r.verbs);
    else simple.set(key, { ...r, verbs: [...r.verbs], apiGroups: [...r.apiGroups], resources: [...r.resources],
      resourceNames: [...r.resourceNames], nonResourceURLs: [] });
  }
  return [...out, ...simple.values()];
}

/** fmt's %q of a []string: ["a" "b"]. */
export const quoteList = (l: string[]) => `[${l.map(goQuote).join(" ")}]`;

/** rbacv1helpers.CompactString. */
export function compactString(r: PolicyRule): string {
  const parts: string[] = [];
  if (r.apiGroups.length > 0) parts.push(`APIGroups:${quoteList(r.apiGroups)}`);
  if (r.resources.length > 0) parts.push(`Resources:${quoteList(r.resources)}`);
  if (r.nonResourceURLs.length > 0) parts.push(`NonResourceURLs:${quoteList(r.nonResourceURLs)}`);
  if (r.resourceNames.length > 0) parts.push(`ResourceNames:${quoteList(r.resourceNames)}`);
  if (r.verbs.length > 0) parts.push(`Verbs:${quoteList(r.verbs)}`);
  return `{${parts.join(", ")}}`;
}

/** sets.NewString(CompactString(compacted)...).List(): de-duplicated, sorted in Go (UTF-8 byte) order. */
export function missingDescriptions(uncovered: PolicyRule[]): string[] {
  return [...new Set(compactRules(uncovered).map(compactString))].sort(goCompare);
}

/** ConfirmNoEscalation's error text for a servant that is not covered. */
export function escalationMessage(user: string, groups: string[], missing: string[], resolutionErrors: string[]): string {
  let msg = `user ${goQuote(user)} (groups=${quoteList(groups)}) is attempting to grant RBAC permissions not currently held:\n` +
    missing.join("\n");
  // why: Go formats []error{aggregate} with %v, so one aggregate inside brackets; the roles were looked up in the API's
  // storage (storage_rbac.go), whose NotFound names the resource in the plural
  const storage = (e: string) => e.replace(/^(cluster)?role\.rbac\.authorization\.k8s\.io /, (m) => m.replace("role.", "roles."));
  if (resolutionErrors.length > 0) msg += `; resolution errors: [${aggregateError(resolutionErrors.map(storage))}]`;
  return msg;
}

// ---- role storage: create/update of a Role or ClusterRole ---------------------------------------------------------

export interface EscalationInput {
  user: string; groups?: string[]; namespace?: string; kind: "Role" | "ClusterRole"; name: string; operation?: "create" | "update";
  rules: unknown[];
}
export interface EscalationOutcome {
  allowed: boolean; via: "" | "system:masters" | "escalate" | "covered"; message: string;
  uncovered: PolicyRule[]; missing: string[];
}

/**
 * pkg/registry/rbac/{role,clusterrole}/policybased/storage.go, with RBAC as the only authorizer:
 * EscalationAllowed (a member of system:masters), else RoleEscalationAuthorized (the "escalate" verb on
 * roles/clusterroles in the object's namespace, a ClusterRole being cluster-scoped, with the RequestInfo name:
 * "" for a create, whose URL names no object, the object's name for an update), else ConfirmNoEscalation
 * (RulesFor(user, namespace) must cover the new rules).
 * ClusterRole aggregationRule checks are not modelled.
 */
export function checkEscalation(authorizer: NaiveAuthorizer, input: EscalationInput): EscalationOutcome {
  const groups = input.groups ?? [];
  const none = { message: "", uncovered: [], missing: [] };
  if (groups.includes(SYSTEM_PRIVILEGED_GROUP)) return { allowed: true, via: "system:masters", ...none };
  const namespace = input.kind === "ClusterRole" ? "" : input.namespace ?? "";
  const escalate = authorizer.authorize({
    user: input.user, groups,
    resourceAttributes: { verb: "escalate", group: RBAC_GROUP, resource: input.kind === "ClusterRole" ? "clusterroles" : "roles",
      name: input.operation === "update" ? input.name : "", namespace },
  });
  if (escalate.allowed) return { allowed: true, via: "escalate", ...none };
  const owner = authorizer.rulesFor(input.user, groups, namespace);
  const result = covers(owner.rules, input.rules);
  if (result.covers) return { allowed: true, via: "covered", ...none };
  const missing = missingDescriptions(result.uncovered);
  return { allowed: false, via: "", message: escalationMessage(input.user, groups, missing, owner.errors),
    uncovered: result.uncovered, missing };
}

// ---- SelfSubjectRulesReview under RBAC ------------------------------------------------------------------------------

export interface ResourceRule { verbs: string[]; apiGroups: string[]; resources: string[]; resourceNames: string[] }
export interface NonResourceRule { verbs: string[]; nonResourceURLs: string[] }

/** RBACAuthorizer.RulesFor: a rule with resources becomes a resource rule, one with URLs a non-resource rule (both if both). */
export function subjectRulesReview(authorizer: NaiveAuthorizer, user: string, groups: string[], namespace: string):
  { resourceRules: ResourceRule[]; nonResourceRules: NonResourceRule[]; incomplete: false; evaluationError: string } {
  const { rules, evaluationError } = authorizer.rulesFor(user, groups, namespace);
  const resourceRules: ResourceRule[] = [], nonResourceRules: NonResourceRule[] = [];
  for (const r of rules) {
    if (r.resources.length > 0) {
      resourceRules.push({ verbs: r.verbs, apiGroups: r.apiGroups, resources: r.resources, resourceNames: r.resourceNames });
    }
    if (r.nonResourceURLs.length > 0) nonResourceRules.push({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs });
  }
  return { resourceRules, nonResourceRules, incomplete: false, evaluationError };
}

/** RulesAllow(attributes, rules...) of rbac.go for a SubjectAccessReview spec (user fields unused). */
export function rulesAllow(spec: SubjectAccessReviewSpec, rules: unknown[]): boolean {
  const a = attributesOf(spec);
  if (!a) throw new Error("exactly one of nonResourceAttributes or resourceAttributes must be specified");
  return rules.map(normalizeRule).some((r) => ruleAllows(a, r));
}
