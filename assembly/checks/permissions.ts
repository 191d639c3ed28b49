// Dangerous permissions as exact RBAC requests, and the search for the first rule that grants one. Matching is the
// authorizer's (eval/match.ts): apiGroups count, resourceNames have no wildcard, `*/sub` covers a subresource of any
// resource, `pods/*` is literal, verbs and resources are case-sensitive.
import { PolicyRule } from "../model/policy";
import { verbMatches, apiGroupMatches, resourceMatches } from "../eval/match";

export const CORE = "";
export const RBAC = "rbac.authorization.k8s.io";
export const CERTIFICATES = "certificates.k8s.io";
export const ADMISSION = "admissionregistration.k8s.io";

// Built-in resources without a namespace. why: a Role, or a ClusterRole reached through a RoleBinding, grants only
// namespaced resources, so rules about these are inert there.
const CLUSTER_SCOPED: string[] = [
  "nodes", "namespaces", "persistentvolumes", "componentstatuses", "clusterroles", "clusterrolebindings",
  "mutatingwebhookconfigurations", "validatingwebhookconfigurations", "validatingadmissionpolicies",
  "validatingadmissionpolicybindings", "mutatingadmissionpolicies", "mutatingadmissionpolicybindings",
  "customresourcedefinitions", "apiservices", "certificatesigningrequests", "signers", "clustertrustbundles",
  "storageclasses", "csidrivers", "csinodes", "volumeattachments", "priorityclasses", "runtimeclasses", "ingressclasses",
  "podsecuritypolicies", "flowschemas", "prioritylevelconfigurations", "ipaddresses", "servicecidrs", "deviceclasses",
  "resourceslices", "tokenreviews", "subjectaccessreviews", "selfsubjectaccessreviews", "selfsubjectrulesreviews",
  "selfsubjectreviews", "users", "groups", "uids", "userextras",
];

export function isClusterScoped(resource: string): bool {
  const slash = resource.indexOf("/");
  return CLUSTER_SCOPED.includes(slash < 0 ? resource : resource.substring(0, slash));
}

// One API group and resource ("pods" or "pods/exec").
export class Target {
  subresource: string;
  clusterScoped: bool;
  constructor(public group: string, public resource: string) {
    const slash = resource.indexOf("/");
    this.subresource = slash < 0 ? "" : resource.substring(slash + 1);
    this.clusterScoped = isClusterScoped(resource);
  }
}

// A set of requests: any verb of `verbs` on any target.
export class Permission {
  // when true, rules with resourceNames count too (restricted to `names` when that list is non-empty)
  scopedCounts: bool = false;
  names: string[] = [];
  // when true, cluster-scoped resources count through a Role or RoleBinding too (see concepts.ts: bind)
  anyScope: bool = false;
  constructor(public verbs: string[], public targets: Target[]) {}
}

export function targets(group: string, resources: string[]): Target[] {
  const out = new Array<Target>(resources.length);
  for (let i = 0; i < resources.length; i++) out[i] = new Target(group, resources[i]);
  return out;
}

// The first rule granting a permission, and the offending node in it.
export class RuleHit {
  constructor(public rule: i32, public verbIndex: i32, public verb: string, public target: Target) {}

  fieldPath(): string {
    return "rules[" + this.rule.toString() + "].verbs[" + this.verbIndex.toString() + "]";
  }
}

function verbIndex(rule: PolicyRule, verb: string): i32 {
  for (let i = 0; i < rule.verbs.length; i++) if (rule.verbs[i] == "*" || rule.verbs[i] == verb) return i;
  return -1;
}

function namesAllow(rule: PolicyRule, p: Permission, verb: string, t: Target): bool {
  if (rule.resourceNames.length == 0) return true;
  if (!p.scopedCounts) return false;
  // why: a create of a new object has no name yet at authorization time, so resourceNames never allow it
  if (verb == "create" && t.resource.indexOf("/") < 0) return false;
  if (p.names.length == 0) return true;
  for (let i = 0; i < rule.resourceNames.length; i++) if (p.names.includes(rule.resourceNames[i])) return true;
  return false;
}

export function ruleGrants(rule: PolicyRule, p: Permission, namespaced: bool, verb: string, t: Target): bool {
  if (namespaced && t.clusterScoped && !p.anyScope) return false;
  return verbMatches(rule, verb) && apiGroupMatches(rule, t.group) && resourceMatches(rule, t.resource, t.subresource) &&
    namesAllow(rule, p, verb, t);
}

function anyVerb(rule: PolicyRule, verbs: string[]): bool {
  for (let i = 0; i < verbs.length; i++) if (verbMatches(rule, verbs[i])) return true;
  return false;
}

// The first rule (and verb, target) of `rules` granting `p`; namespaced: through a Role or a RoleBinding.
export function findGrant(rules: PolicyRule[], p: Permission, namespaced: bool): RuleHit | null {
  for (let r = 0; r < rules.length; r++) {
    const rule = rules[r];
    if (rule.resources.length == 0 || !anyVerb(rule, p.verbs)) continue;
    for (let t = 0; t < p.targets.length; t++) {
      for (let v = 0; v < p.verbs.length; v++) {
        const verb = p.verbs[v];
        if (ruleGrants(rule, p, namespaced, verb, p.targets[t])) return new RuleHit(r, verbIndex(rule, verb), verb, p.targets[t]);
      }
    }
  }
  return null;
}

// The verbs of `p` the rule grants on the hit's target, for messages ("get, list").
export function grantedVerbs(rule: PolicyRule, p: Permission, namespaced: bool, t: Target): string {
  let out = "";
  for (let v = 0; v < p.verbs.length; v++) {
    if (!ruleGrants(rule, p, namespaced, p.verbs[v], t)) continue;
    out += (out.length > 0 ? ", " : "") + p.verbs[v];
  }
  return out;
}

export function describeTarget(t: Target): string {
  return t.group.length == 0 ? t.resource : t.group + " " + t.resource;
}
