// Questions asked of a snapshot: who can (the subject locator), the rules a subject holds
// (RulesFor / SelfSubjectRulesReview), and where a decision comes from.
//
// Two forms of each answer: the compact one (whoCanInto, rulesForInto: i32 words naming bindings, subjects and
// rules by number, see bindings/ABI.md "Compact query answers (2.1)") that the bindings turn into objects with
// tables fetched once, and the JSON exports' form (whoCan, rulesFor), kept as the reference the compact answers
// are tested against, word for word.
import { Snapshot, IndexedBinding } from "../index/snapshot";
import { ID_UNKNOWN } from "../index/vocab";
import { Request, roleAllowsCompiled } from "./authorize";
import { Binding, PolicyRule, Role, KIND_CLUSTER_ROLE } from "../model/policy";
import { queryIndex, forgetQueryIndex as forgetCompactIndex } from "../index/query-index";
export { bindingKey, roleRefKey, SYSTEM_PRIVILEGED_GROUP } from "../index/query-index";

export function roleKey(r: Role): string {
  return r.kind + "/" + r.namespace + "/" + r.name;
}

// Bindings grouped by (role, namespace), built on first use. Namespace id 0 holds ClusterRoleBindings.
export class RoleBindingsIndex {
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

const indexes = new Map<usize, RoleBindingsIndex>();

function roleBindingsIndex(s: Snapshot): RoleBindingsIndex {
  const k = changetype<usize>(s);
  if (!indexes.has(k)) indexes.set(k, new RoleBindingsIndex(s));
  return indexes.get(k);
}

export function forgetQueryIndex(s: Snapshot): void {
  indexes.delete(changetype<usize>(s));
  forgetCompactIndex(s);
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
  const ix = roleBindingsIndex(s);
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

// ---- compact answers ------------------------------------------------------------------------------------------

// @ts-ignore: decorator
@inline
function at(a: StaticArray<i32>, i: i32): i32 {
  return load<i32>(changetype<usize>(a) + (<usize>i << 2));
}

// @ts-ignore: decorator
@inline
function put(a: StaticArray<i32>, i: i32, v: i32): void {
  store<i32>(changetype<usize>(a) + (<usize>i << 2), v);
}

// whoCan as words in ix.answer: [granting binding count] then per granting binding, in binding order,
// [binding, rule index, k] and k subject words: a subject already answered is its answer index (0 is
// system:masters, always answered first), a new one is -(subject id + 1) and takes the next index; then
// [error count][binding]* for the visited bindings whose roleRef does not resolve. A binding that names the same
// subject twice grants it once. The same answer as whoCan() + rbac_who_can, in a tenth of the words.
export function whoCanInto(s: Snapshot, q: Request): void {
  const ix = queryIndex(s);
  ix.nextStamp();
  const stamp = ix.stamp;
  const combined = q.isResource ? s.combinedResourceId(q.resource, q.subresource) : ID_UNKNOWN;
  if (!q.isResource) q.pathId = s.vocab.lookup(q.path);
  const out = ix.answer;
  const roleState = ix.roleState;
  const subjectState = ix.subjectState;
  const slotLast = ix.slotLast;
  const subjectStart = ix.subjectStart;
  const subjectIds = ix.subjectIds;
  const bindingRole = ix.bindingRole;
  const errors = ix.errorScratch;
  let nErrors = 0;
  // the subject locator always answers system:masters (subject 0) first
  put(subjectState, 0, stamp);
  put(subjectState, 1, 0);
  put(slotLast, 0, -1);
  let slots = 1;
  let granting = 0;
  let w = 1;
  const nsList = q.namespace > 0 && ix.nsBindings.has(q.namespace) ? ix.nsBindings.get(q.namespace) : null;
  const nCluster = s.clusterBindingCount;
  const nNs = nsList == null ? 0 : nsList.length;
  for (let i = 0, n = nCluster + nNs; i < n; i++) {
    const b = i < nCluster ? i : unchecked(nsList![i - nCluster]);
    const role = at(bindingRole, b);
    if (role < 0) {
      put(errors, nErrors++, b);
      continue;
    }
    let rule: i32;
    if (at(roleState, role << 1) == stamp) {
      rule = at(roleState, (role << 1) + 1);
    } else {
      rule = roleAllowsCompiled(s, role, q, combined);
      put(roleState, role << 1, stamp);
      put(roleState, (role << 1) + 1, rule);
    }
    if (rule < 0) continue;
    const end = at(subjectStart, b + 1);
    let k = at(subjectStart, b);
    if (k == end) continue;
    const header = w;
    w += 3;
    for (; k < end; k++) {
      const sid = at(subjectIds, k);
      if (at(subjectState, sid << 1) == stamp) {
        const slot = at(subjectState, (sid << 1) + 1);
        // why: a binding that lists the same subject twice grants it once
        if (at(slotLast, slot) == b) continue;
        put(slotLast, slot, b);
        put(out, w++, slot);
      } else {
        put(subjectState, sid << 1, stamp);
        put(subjectState, (sid << 1) + 1, slots);
        put(slotLast, slots, b);
        slots++;
        put(out, w++, -(sid + 1));
      }
    }
    put(out, header, b);
    put(out, header + 1, rule);
    put(out, header + 2, w - header - 3);
    granting++;
  }
  put(out, 0, granting);
  put(out, w++, nErrors);
  for (let i = 0; i < nErrors; i++) put(out, w++, at(errors, i));
}

const candidates = new Array<i32>();

function addCandidates(l: i32[] | null): void {
  if (l == null) return;
  for (let i = 0, n = l.length; i < n; i++) candidates.push(unchecked(l[i]));
}

// rulesFor as words in ix.answer: [binding count][binding]* (the applicable bindings whose role resolves, in
// visiting order; every rule of each binding's role is an answer), then [error count][error id]* (distinct
// resolution errors of the applicable bindings, in visiting order; ids of Snapshot.errors). As rulesFor().
export function rulesForInto(s: Snapshot, q: Request): void {
  const ix = queryIndex(s);
  const out = ix.answer;
  candidates.length = 0;
  const spaces = q.namespace > 0 ? 2 : 1;
  for (let sp = 0; sp < spaces; sp++) {
    const ns = sp == 0 ? 0 : q.namespace;
    if (q.user != ID_UNKNOWN) addCandidates(s.userBindings(ns, q.user));
    for (let g = 0; g < q.groupCount; g++) {
      const gid = unchecked(q.groups[g]);
      if (gid != ID_UNKNOWN) addCandidates(s.groupBindings(ns, gid));
    }
  }
  if (candidates.length > 1) candidates.sort();
  const errors = ix.errorScratch;
  let nErrors = 0;
  let w = 1;
  let prev = -1;
  for (let i = 0, n = candidates.length; i < n; i++) {
    const b = unchecked(candidates[i]);
    if (b == prev) continue;
    prev = b;
    if (at(ix.bindingRole, b) >= 0) {
      put(out, w++, b);
      continue;
    }
    const e = unchecked(s.bindings[b]).errorId;
    let dup = false;
    for (let k = 0; k < nErrors; k++) if (at(errors, k) == e) dup = true;
    if (!dup) put(errors, nErrors++, e);
  }
  put(out, 0, w - 1);
  put(out, w++, nErrors);
  for (let i = 0; i < nErrors; i++) put(out, w++, at(errors, i));
}
