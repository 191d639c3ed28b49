// Pure matchers, as pkg/apis/rbac/v1/evaluation_helpers.go defines them. String-based: used by the
// queries and checks; the decision hot path uses the interned equivalents in eval/authorize.ts.
import { PolicyRule, VERB_ALL, API_GROUP_ALL, RESOURCE_ALL, NON_RESOURCE_ALL, Subject,
  SUBJECT_USER, SUBJECT_GROUP, SUBJECT_SERVICE_ACCOUNT, SERVICE_ACCOUNT_USERNAME_PREFIX } from "../model/policy";

export function verbMatches(rule: PolicyRule, requestedVerb: string): bool {
  for (let i = 0; i < rule.verbs.length; i++) {
    const v = rule.verbs[i];
    if (v == VERB_ALL || v == requestedVerb) return true;
  }
  return false;
}

export function apiGroupMatches(rule: PolicyRule, requestedGroup: string): bool {
  for (let i = 0; i < rule.apiGroups.length; i++) {
    const g = rule.apiGroups[i];
    if (g == API_GROUP_ALL || g == requestedGroup) return true;
  }
  return false;
}

// combined is "resource/subresource" (or "resource" when there is no subresource).
export function resourceMatches(rule: PolicyRule, combined: string, subresource: string): bool {
  for (let i = 0; i < rule.resources.length; i++) {
    const r = rule.resources[i];
    if (r == RESOURCE_ALL || r == combined) return true;
    // why: "*/scale" matches the scale subresource of any resource; "pods/*" is not a wildcard
    if (subresource.length == 0) continue;
    if (r.length == subresource.length + 2 && r.startsWith("*/") && r.endsWith(subresource)) return true;
  }
  return false;
}

export function resourceNameMatches(rule: PolicyRule, requestedName: string): bool {
  if (rule.resourceNames.length == 0) return true;
  for (let i = 0; i < rule.resourceNames.length; i++) if (rule.resourceNames[i] == requestedName) return true;
  return false;
}

export function trimTrailingStars(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) == 0x2a) end--;
  return s.substring(0, end);
}

export function nonResourceURLMatches(rule: PolicyRule, requestedURL: string): bool {
  for (let i = 0; i < rule.nonResourceURLs.length; i++) {
    const u = rule.nonResourceURLs[i];
    if (u == NON_RESOURCE_ALL || u == requestedURL) return true;
    // why: a trailing "*" is a prefix match; "/apis/*" matches "/apis/" but not "/apis"
    if (u.endsWith("*") && requestedURL.startsWith(trimTrailingStars(u))) return true;
  }
  return false;
}

export function combinedResource(resource: string, subresource: string): string {
  return subresource.length > 0 ? resource + "/" + subresource : resource;
}

export function ruleAllowsResource(rule: PolicyRule, verb: string, apiGroup: string, resource: string,
  subresource: string, name: string): bool {
  return verbMatches(rule, verb) && apiGroupMatches(rule, apiGroup) &&
    resourceMatches(rule, combinedResource(resource, subresource), subresource) &&
    resourceNameMatches(rule, name);
}

export function ruleAllowsNonResource(rule: PolicyRule, verb: string, path: string): bool {
  return verbMatches(rule, verb) && nonResourceURLMatches(rule, path);
}

// The user name a ServiceAccount subject stands for, or "" when it can never match (no namespace).
// bindingNamespace is "" for a ClusterRoleBinding.
export function serviceAccountUsername(s: Subject, bindingNamespace: string): string {
  const ns = s.namespace.length > 0 ? s.namespace : bindingNamespace;
  if (ns.length == 0) return "";
  return SERVICE_ACCOUNT_USERNAME_PREFIX + ns + ":" + s.name;
}

// appliesToUser of rule.go, with the request's user and groups as strings.
export function appliesToUser(user: string, groups: string[], s: Subject, bindingNamespace: string): bool {
  if (s.kind == SUBJECT_USER) return user == s.name;
  if (s.kind == SUBJECT_GROUP) return groups.includes(s.name);
  if (s.kind == SUBJECT_SERVICE_ACCOUNT) {
    const u = serviceAccountUsername(s, bindingNamespace);
    return u.length > 0 && u == user;
  }
  return false;
}
