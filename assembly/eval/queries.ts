// Questions asked of a snapshot: who can (the subject locator), the rules a subject holds
// (RulesFor / SelfSubjectRulesReview), and where a decision comes from.
//
// Two forms of each answer: the compact one (whoCanInto, rulesForInto: i32 words naming bindings, subjects and
// rules by number, see bindings/ABI.md "Compact query answers (1.3)") that the bindings turn into objects with
// tables fetched once, and the JSON exports' form (whoCan, rulesFor), kept as the reference the compact answers
// are tested against, word for word.
import { Snapshot, IndexedBinding } from "../index/snapshot";
import { ID_UNKNOWN } from "../index/vocab";
import { Request, roleAllowsCompiled } from "./authorize";
import { Binding, PolicyRule, Role, KIND_CLUSTER_ROLE } from "../model/policy";
import { QueryIndex, queryIndex, forgetQueryIndex as forgetCompactIndex, Words } from "../index/query-index";
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

// per-query scratch shared by every snapshot (exports run one at a time)
const entries = new Words(); // (slot, binding, rule) per grant, in binding order
const slotSubject = new Words();
const slotCount = new Words();
const slotCursor = new Words(); // last binding granted to the slot while visiting; write cursor while writing
const errorBindings = new Words();
const candidates = new Array<i32>();

// @ts-ignore: decorator
@inline
function visitForWhoCan(s: Snapshot, ix: QueryIndex, b: i32, q: Request, combined: i32, stamp: i32): void {
  const ib = unchecked(s.bindings[b]);
  const role = ib.role;
  if (role < 0) {
    errorBindings.push(b);
    return;
  }
  let rule: i32;
  if (unchecked(ix.roleStamp[role]) == stamp) {
    rule = unchecked(ix.roleRule[role]);
  } else {
    rule = roleAllowsCompiled(s, role, q, combined);
    unchecked(ix.roleStamp[role] = stamp);
    unchecked(ix.roleRule[role] = rule);
  }
  if (rule < 0) return;
  const end = unchecked(ix.subjectStart[b + 1]);
  for (let k = unchecked(ix.subjectStart[b]); k < end; k++) {
    const sid = unchecked(ix.subjectIds[k]);
    let slot: i32;
    if (unchecked(ix.subjectStamp[sid]) == stamp) {
      slot = unchecked(ix.subjectSlot[sid]);
      // why: a binding that lists the same subject twice grants it once
      if (unchecked(slotCursor.data[slot]) == b) continue;
    } else {
      slot = slotSubject.length;
      unchecked(ix.subjectStamp[sid] = stamp);
      unchecked(ix.subjectSlot[sid] = slot);
      slotSubject.push(sid);
      slotCount.push(0);
      slotCursor.push(-1);
    }
    unchecked(slotCursor.data[slot] = b);
    unchecked(slotCount.data[slot] = unchecked(slotCount.data[slot]) + 1);
    entries.push(slot);
    entries.push(b);
    entries.push(rule);
  }
}

// whoCan as words: [subject count] then per subject (system:masters first, then in order of first grant)
// [subject id, grant count, (binding, rule index) per grant in binding order], then [error count][binding]*
// for the visited bindings whose roleRef does not resolve. The same answer as whoCan() + rbac_who_can.
export function whoCanInto(s: Snapshot, q: Request, out: Words): void {
  const ix = queryIndex(s);
  ix.nextStamp();
  const stamp = ix.stamp;
  const combined = q.isResource ? s.combinedResourceId(q.resource, q.subresource) : ID_UNKNOWN;
  if (!q.isResource) q.pathId = s.vocab.lookup(q.path);
  entries.reset();
  slotSubject.reset();
  slotCount.reset();
  slotCursor.reset();
  errorBindings.reset();
  // the subject locator always answers system:masters (subject 0) first
  unchecked(ix.subjectStamp[0] = stamp);
  unchecked(ix.subjectSlot[0] = 0);
  slotSubject.push(0);
  slotCount.push(0);
  slotCursor.push(-1);
  for (let b = 0, n = s.clusterBindingCount; b < n; b++) visitForWhoCan(s, ix, b, q, combined, stamp);
  if (q.namespace > 0 && ix.nsBindings.has(q.namespace)) {
    const l = ix.nsBindings.get(q.namespace);
    for (let i = 0, n = l.length; i < n; i++) visitForWhoCan(s, ix, unchecked(l[i]), q, combined, stamp);
  }
  const slots = slotSubject.length;
  let at = 1;
  for (let k = 0; k < slots; k++) {
    unchecked(slotCursor.data[k] = at + 2);
    at += 2 + 2 * unchecked(slotCount.data[k]);
  }
  const total = at + 1 + errorBindings.length;
  out.reset();
  if (out.data.length < total) out.grow(total);
  const d = out.data;
  unchecked(d[0] = slots);
  for (let k = 0; k < slots; k++) {
    const h = unchecked(slotCursor.data[k]) - 2;
    unchecked(d[h] = unchecked(slotSubject.data[k]));
    unchecked(d[h + 1] = unchecked(slotCount.data[k]));
  }
  for (let i = 0, n = entries.length; i < n; i += 3) {
    const slot = unchecked(entries.data[i]);
    const c = unchecked(slotCursor.data[slot]);
    unchecked(d[c] = unchecked(entries.data[i + 1]));
    unchecked(d[c + 1] = unchecked(entries.data[i + 2]));
    unchecked(slotCursor.data[slot] = c + 2);
  }
  unchecked(d[at] = errorBindings.length);
  for (let i = 0, n = errorBindings.length; i < n; i++) unchecked(d[at + 1 + i] = unchecked(errorBindings.data[i]));
  out.length = total;
}

function addCandidates(l: i32[] | null): void {
  if (l == null) return;
  for (let i = 0, n = l.length; i < n; i++) candidates.push(unchecked(l[i]));
}

// rulesFor as words: [binding count][binding]* (the applicable bindings whose role resolves, in visiting order;
// every rule of each binding's role is an answer), then [error count][error id]* (distinct resolution errors of
// the applicable bindings, in visiting order; ids of Snapshot.errors). The same answer as rulesFor().
export function rulesForInto(s: Snapshot, q: Request, out: Words): void {
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
  candidates.sort();
  errorBindings.reset();
  out.reset();
  out.push(0);
  let prev = -1;
  for (let i = 0, n = candidates.length; i < n; i++) {
    const b = unchecked(candidates[i]);
    if (b == prev) continue;
    prev = b;
    const ib = unchecked(s.bindings[b]);
    if (ib.role >= 0) {
      out.push(b);
      continue;
    }
    let dup = false;
    for (let k = 0; k < errorBindings.length; k++) if (unchecked(errorBindings.data[k]) == ib.errorId) dup = true;
    if (!dup) errorBindings.push(ib.errorId);
  }
  unchecked(out.data[0] = out.length - 1);
  out.push(errorBindings.length);
  for (let i = 0; i < errorBindings.length; i++) out.push(unchecked(errorBindings.data[i]));
}
