// Whether a list of effective rules triggers a role-anchored concept, and where: the first offending rule and the
// YAML node inside it. `namespaced` is true when the rules act through a Role or a RoleBinding (no cluster-scoped
// resources then).
import { PolicyRule, VERB_ALL, API_GROUP_ALL, RESOURCE_ALL } from "../model/policy";
import { Permission, findGrant, grantedVerbs, describeTarget, targets, CERTIFICATES, Target } from "./permissions";
import { permission, bindPermission, configMapWritePermission } from "./concepts";
import { CustomCheck } from "./config";

export class Hit {
  extraRule: i32 = -1; // a second rule the concept needs (csr-approve: the signer rule)
  constructor(public rule: i32, public field: string, public what: string) {}
}

function at(rule: i32, list: string, index: i32): string {
  return "rules[" + rule.toString() + "]." + list + "[" + index.toString() + "]";
}

function firstIndex(list: string[], v: string): i32 {
  return list.indexOf(v);
}

function wildcardVerbs(rules: PolicyRule[]): Hit | null {
  for (let r = 0; r < rules.length; r++) {
    const i = firstIndex(rules[r].verbs, VERB_ALL);
    if (i >= 0) return new Hit(r, at(r, "verbs", i), "allows every verb (`*`)");
  }
  return null;
}

function wildcardResources(rules: PolicyRule[]): Hit | null {
  for (let r = 0; r < rules.length; r++) {
    const res = rules[r].resources;
    for (let i = 0; i < res.length; i++) {
      if (res[i].startsWith("*")) return new Hit(r, at(r, "resources", i), "covers every resource with `" + res[i] + "`");
    }
  }
  return null;
}

function wildcardGroups(rules: PolicyRule[]): Hit | null {
  for (let r = 0; r < rules.length; r++) {
    const i = firstIndex(rules[r].apiGroups, API_GROUP_ALL);
    if (i >= 0) return new Hit(r, at(r, "apiGroups", i), "matches every API group (`*`)");
  }
  return null;
}

function wildcardURLs(rules: PolicyRule[]): Hit | null {
  for (let r = 0; r < rules.length; r++) {
    const urls = rules[r].nonResourceURLs;
    for (let i = 0; i < urls.length; i++) {
      if (urls[i].endsWith("*")) return new Hit(r, at(r, "nonResourceURLs", i), "allows every path matching `" + urls[i] + "`");
    }
  }
  return null;
}

// why: a rule restricted by resourceNames is not the cluster-admin shape, whatever its wildcards
function fullWildcard(rules: PolicyRule[]): Hit | null {
  for (let r = 0; r < rules.length; r++) {
    const rule = rules[r];
    if (rule.resourceNames.length > 0) continue;
    const v = firstIndex(rule.verbs, VERB_ALL);
    if (v >= 0 && rule.apiGroups.includes(API_GROUP_ALL) && rule.resources.includes(RESOURCE_ALL)) {
      return new Hit(r, at(r, "verbs", v), "has a rule with every verb on every resource of every API group (`*`/`*`/`*`)");
    }
  }
  return null;
}

export function hasFullWildcard(rules: PolicyRule[]): bool {
  return fullWildcard(rules) != null;
}

export function permissionHit(rules: PolicyRule[], p: Permission, namespaced: bool): Hit | null {
  const g = findGrant(rules, p, namespaced);
  if (g == null) return null;
  const verbs = grantedVerbs(rules[g.rule], p, namespaced, g.target);
  let what = "allows " + verbs + " on " + describeTarget(g.target);
  if (rules[g.rule].resourceNames.length > 0) what += " (resourceNames " + rules[g.rule].resourceNames.join(", ") + ")";
  return new Hit(g.rule, g.fieldPath(), what);
}

// why: approving a CSR needs both the approval subresource and `approve` on a signer; signer scopes are names
// ("kubernetes.io/kube-apiserver-client" or the domain wildcard "kubernetes.io/*"), so a scoped rule still counts
const CLIENT_SIGNERS = ["kubernetes.io/*", "kubernetes.io/kube-apiserver-client", "kubernetes.io/kube-apiserver-client-kubelet"];

function csrApprove(rules: PolicyRule[], namespaced: bool): Hit | null {
  const approval = findGrant(rules, new Permission(["update", "patch"], targets(CERTIFICATES, ["certificatesigningrequests/approval"])), namespaced);
  if (approval == null) return null;
  const signerPerm = new Permission(["approve"], targets(CERTIFICATES, ["signers"]));
  signerPerm.scopedCounts = true;
  signerPerm.names = CLIENT_SIGNERS;
  const signer = findGrant(rules, signerPerm, namespaced);
  if (signer == null) return null;
  const h = new Hit(approval.rule, approval.fieldPath(), "can approve certificatesigningrequests (rules[" +
    approval.rule.toString() + "]) for a kube-apiserver client signer (rules[" + signer.rule.toString() + "])");
  h.extraRule = signer.rule;
  return h;
}

export function customPermission(c: CustomCheck): Permission {
  const t = new Array<Target>();
  for (let g = 0; g < c.apiGroups.length; g++) {
    const list = targets(c.apiGroups[g], c.resources);
    for (let i = 0; i < list.length; i++) t.push(list[i]);
  }
  return new Permission(c.verbs, t);
}

// why: the parameterised permissions are rebuilt only when their name lists change (once per lint run)
let bindNamesSeen: string[] | null = null;
let bindScoped: Permission = bindPermission([]);
const bindUnscoped: Permission = bindPermission([]);
let configMapsSeen: string[] | null = null;
let configMapWrite: Permission = configMapWritePermission([]);

function bindFor(names: string[]): Permission {
  if (bindNamesSeen !== names) {
    bindScoped = bindPermission(names);
    bindNamesSeen = names;
  }
  return bindScoped;
}

function configMapsFor(names: string[]): Permission {
  if (configMapsSeen !== names) {
    configMapWrite = configMapWritePermission(names);
    configMapsSeen = names;
  }
  return configMapWrite;
}

// The hit of a built-in role concept (bindNames / configMaps parameterise rbac-bind and kube-system-configmap-write).
export function conceptHit(id: string, rules: PolicyRule[], namespaced: bool, bindNames: string[], configMaps: string[]): Hit | null {
  if (id == "wildcard-verbs") return wildcardVerbs(rules);
  if (id == "wildcard-resources") return wildcardResources(rules);
  if (id == "wildcard-api-groups") return wildcardGroups(rules);
  if (id == "wildcard-nonresource-urls") return namespaced ? null : wildcardURLs(rules);
  if (id == "full-wildcard-rule") return fullWildcard(rules);
  if (id == "csr-approve") return csrApprove(rules, namespaced);
  if (id == "rbac-bind") {
    const h = permissionHit(rules, bindUnscoped, namespaced);
    return h != null || bindNames.length == 0 ? h : permissionHit(rules, bindFor(bindNames), namespaced);
  }
  if (id == "kube-system-configmap-write") return permissionHit(rules, configMapsFor(configMaps), namespaced);
  const p = permission(id);
  return p == null ? null : permissionHit(rules, p, namespaced);
}

export const WILDCARD_CONCEPTS: string[] = [
  "wildcard-verbs", "wildcard-resources", "wildcard-api-groups", "wildcard-nonresource-urls", "full-wildcard-rule",
];
