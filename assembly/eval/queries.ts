// Questions asked of a snapshot: who can (the subject locator), the rules a subject holds
// (RulesFor / SelfSubjectRulesReview), and where a decision comes from.
import { Snapshot, IndexedBinding } from "../index/snapshot";
import { ID_UNKNOWN } from "../index/vocab";
import { Request, roleAllowsCompiled } from "./authorize";
import { Binding, PolicyRule, Role, KIND_CLUSTER_ROLE } from "../model/policy";

export const SYSTEM_PRIVILEGED_GROUP = "system:masters";

// "Kind/namespace/name", the object key every rbac-guard answer uses.
export function bindingKey(b: Binding): string {
  return b.kind + "/" + b.namespace + "/" + b.name;
}

export function roleKey(r: Role): string {
  return r.kind + "/" + r.namespace + "/" + r.name;
}

// The role a binding's roleRef names, as a key, whether or not it resolves.
export function roleRefKey(b: Binding): string {
  const ns = b.roleRef.kind == KIND_CLUSTER_ROLE ? "" : b.namespace;
  return b.roleRef.kind + "/" + ns + "/" + b.roleRef.name;
}

// Bindings grouped by (role, namespace), built on first use. Namespace id 0 holds ClusterRoleBindings.
export class QueryIndex {
  byRole: Map<i64, i32[]> = new Map();
  clusterRoles: i32[] = [];
  rolesByNamespace: Map<string, i32[]> = new Map();
  errorBindings: Map<i32, i32[]> = new Map(); // namespace id -> bindings whose roleRef does not resolve

  constructor(s: Snapshot) {
    for (let i = 0; i < s.roles.length; i++) {
      const r = s.roles[i];
      if (r.isCluster()) {
        this.clusterRoles.push(i);
      } else {
        if (!this.rolesByNamespace.has(r.namespace)) this.rolesByNamespace.set(r.namespace, []);
        this.rolesByNamespace.get(r.namespace).push(i);
      }
    }
    for (let i = 0; i < s.bindings.length; i++) {
      const ib = s.bindings[i];
      // why: a RoleBinding without a namespace never applies (namespace id 0 is the cluster bucket)
      if (!ib.binding.isCluster() && ib.binding.namespace.length == 0) continue;
      const ns = ib.binding.isCluster() ? 0 : s.vocab.intern(ib.binding.namespace);
      if (ib.role < 0) {
        if (!this.errorBindings.has(ns)) this.errorBindings.set(ns, []);
        this.errorBindings.get(ns).push(i);
        continue;
      }
      const key = (<i64>ib.role << 32) | <i64>ns;
      if (!this.byRole.has(key)) this.byRole.set(key, []);
      this.byRole.get(key).push(i);
    }
  }
}

const indexes = new Map<usize, QueryIndex>();

export function queryIndex(s: Snapshot): QueryIndex {
  const k = changetype<usize>(s);
  if (!indexes.has(k)) indexes.set(k, new QueryIndex(s));
  return indexes.get(k);
}

export function forgetQueryIndex(s: Snapshot): void {
  indexes.delete(changetype<usize>(s));
}

// Index of the first rule of role `role` that allows the request's attributes, or -1.
export function roleAllows(s: Snapshot, role: i32, q: Request): i32 {
  const combined = q.isResource ? s.combinedResourceId(q.resource, q.subresource) : ID_UNKNOWN;
  if (!q.isResource) q.pathId = s.vocab.lookup(q.path);
  return roleAllowsCompiled(s, role, q, combined);
}

export class Grant {
  constructor(public binding: i32, public rule: i32) {}
}

export class WhoCanResult {
  // bindings (positions) whose role allows the attributes, in visiting order, with the rule index
  grants: Grant[] = [];
  // bindings whose roleRef does not resolve (AllowedSubjects collects their errors)
  errors: i32[] = [];
}

function byBinding(a: Grant, b: Grant): i32 {
  return a.binding - b.binding;
}

// AllowedSubjects of subject_locator.go: every binding (ClusterRoleBindings, then RoleBindings of the
// request namespace) whose role allows the attributes; user fields of the request are ignored.
export function whoCan(s: Snapshot, q: Request): WhoCanResult {
  const ix = queryIndex(s);
  const out = new WhoCanResult();
  const nsName = q.namespace > 0 ? s.vocab.strings[q.namespace] : "";
  const roles = ix.clusterRoles.slice(0);
  if (q.namespace > 0 && ix.rolesByNamespace.has(nsName)) {
    const nsRoles = ix.rolesByNamespace.get(nsName);
    for (let i = 0; i < nsRoles.length; i++) roles.push(nsRoles[i]);
  }
  for (let i = 0; i < roles.length; i++) {
    const role = roles[i];
    const clusterKey = (<i64>role << 32);
    const nsKey = (<i64>role << 32) | <i64>q.namespace;
    const hasCluster = s.roles[role].isCluster() && ix.byRole.has(clusterKey);
    const hasNs = q.namespace > 0 && ix.byRole.has(nsKey);
    if (!hasCluster && !hasNs) continue;
    const rule = roleAllows(s, role, q);
    if (rule < 0) continue;
    if (hasCluster) {
      const l = ix.byRole.get(clusterKey);
      for (let j = 0; j < l.length; j++) out.grants.push(new Grant(l[j], rule));
    }
    if (hasNs) {
      const l = ix.byRole.get(nsKey);
      for (let j = 0; j < l.length; j++) out.grants.push(new Grant(l[j], rule));
    }
  }
  out.grants.sort(byBinding);
  if (ix.errorBindings.has(0)) {
    const l = ix.errorBindings.get(0);
    for (let j = 0; j < l.length; j++) out.errors.push(l[j]);
  }
  if (q.namespace > 0 && ix.errorBindings.has(q.namespace)) {
    const l = ix.errorBindings.get(q.namespace);
    for (let j = 0; j < l.length; j++) out.errors.push(l[j]);
  }
  return out;
}

// The bindings that apply to the requester (appliesTo), in visiting order: the ClusterRoleBindings,
// then, for a non-empty namespace, its RoleBindings.
export function applicableBindings(s: Snapshot, q: Request): i32[] {
  const all = new Array<i32>();
  const spaces = q.namespace > 0 ? 2 : 1;
  for (let sp = 0; sp < spaces; sp++) {
    const ns = sp == 0 ? 0 : q.namespace;
    if (q.user != ID_UNKNOWN) {
      const l = s.userBindings(ns, q.user);
      if (l != null) for (let i = 0; i < l.length; i++) all.push(l[i]);
    }
    for (let g = 0; g < q.groupCount; g++) {
      const gid = q.groups[g];
      if (gid == ID_UNKNOWN) continue;
      const l = s.groupBindings(ns, gid);
      if (l != null) for (let i = 0; i < l.length; i++) all.push(l[i]);
    }
  }
  all.sort();
  const out = new Array<i32>();
  for (let i = 0; i < all.length; i++) if (i == 0 || all[i] != all[i - 1]) out.push(all[i]);
  return out;
}

export class RuleGrant {
  constructor(public rule: PolicyRule, public binding: i32, public ruleIndex: i32) {}
}

export class RulesForResult {
  rules: RuleGrant[] = [];
  errors: string[] = []; // distinct resolution errors, in visiting order
}

// RulesFor of rule.go: every rule of every applicable binding's role, and the resolution errors.
export function rulesFor(s: Snapshot, q: Request): RulesForResult {
  const out = new RulesForResult();
  const bs = applicableBindings(s, q);
  for (let i = 0; i < bs.length; i++) {
    const ib = s.bindings[bs[i]];
    if (ib.role < 0) {
      out.errors.push(ib.error);
      continue;
    }
    const rules = s.roles[ib.role].rules;
    for (let j = 0; j < rules.length; j++) out.rules.push(new RuleGrant(rules[j], bs[i], j));
  }
  return out;
}

// utilerrors.NewAggregate(errs).Error(): one message as is, several de-duplicated in brackets.
export function aggregateError(errs: string[]): string {
  if (errs.length == 0) return "";
  if (errs.length == 1) return errs[0];
  const seen = new Array<string>();
  for (let i = 0; i < errs.length; i++) if (!seen.includes(errs[i])) seen.push(errs[i]);
  if (seen.length == 1) return seen[0];
  return "[" + seen.join(", ") + "]";
}
