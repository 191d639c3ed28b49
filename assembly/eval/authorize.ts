// The RBAC decision: authorizingVisitor of plugin/pkg/auth/authorizer/rbac/rbac.go over the bindings
// that name the requester, in the fixed order ClusterRoleBindings then RoleBindings of the namespace.
import { Snapshot, CompiledRule, IndexedBinding } from "../index/snapshot";
import { hasId, ID_UNKNOWN } from "../index/vocab";
import { ruleKey } from "../index/role-index";
import { KIND_CLUSTER_ROLE_BINDING, SUBJECT_SERVICE_ACCOUNT, Subject } from "../model/policy";
import { goQuote } from "../util/quote";

// A request with every string already interned in the snapshot's vocabulary (ID_UNKNOWN when absent).
export class Request {
  user: i32 = ID_UNKNOWN;
  groups: StaticArray<i32> = new StaticArray<i32>(64);
  groupCount: i32 = 0;
  isResource: bool = true;
  verb: i32 = ID_UNKNOWN;
  apiGroup: i32 = ID_UNKNOWN;
  resource: i32 = ID_UNKNOWN;
  subresource: i32 = 0;
  name: i32 = 0;
  namespace: i32 = 0;
  path: string = "";
  pathId: i32 = ID_UNKNOWN; // set by decide()

  setGroupCount(n: i32): void {
    if (n > this.groups.length) this.groups = new StaticArray<i32>(n);
    this.groupCount = n;
  }
}

// The outcome of one decision. When allowed, binding and subject say who granted it;
// otherwise errorCount distinct resolution errors are in errorIds (ids of Snapshot.errors).
export class Decision {
  allowed: bool = false;
  binding: i32 = -1;
  subject: i32 = -1;
  rule: i32 = -1;
  errorIds: StaticArray<i32> = new StaticArray<i32>(16);
  errorCount: i32 = 0;

  reset(): void {
    this.allowed = false;
    this.binding = -1;
    this.subject = -1;
    this.rule = -1;
    this.errorCount = 0;
  }

  addError(id: i32): void {
    for (let i = 0; i < this.errorCount; i++) if (unchecked(this.errorIds[i]) == id) return;
    if (this.errorCount == this.errorIds.length) {
      const grown = new StaticArray<i32>(this.errorCount * 2);
      for (let i = 0; i < this.errorCount; i++) grown[i] = this.errorIds[i];
      this.errorIds = grown;
    }
    unchecked(this.errorIds[this.errorCount++] = id);
  }
}

// @ts-ignore: decorator
@inline
export function ruleAllows(r: CompiledRule, q: Request, combined: i32): bool {
  if (!r.verbAll && !hasId(r.verbs, q.verb)) return false;
  if (q.isResource) {
    if (!r.groupAll && !hasId(r.groups, q.apiGroup)) return false;
    if (!r.resourceAll && !hasId(r.resources, combined)) {
      if (q.subresource <= 0 || !hasId(r.starSubs, q.subresource)) return false;
    }
    return r.names.length == 0 || hasId(r.names, q.name);
  }
  if (r.urlAll || hasId(r.urls, q.pathId)) return true;
  for (let i = 0; i < r.urlPrefixes.length; i++) if (q.path.startsWith(unchecked(r.urlPrefixes[i]))) return true;
  return false;
}

// Returns the index of the first rule of the binding's role that allows, or -1.
function bindingAllows(s: Snapshot, ib: IndexedBinding, q: Request, combined: i32): i32 {
  return roleAllowsCompiled(s, ib.role, q, combined);
}

// The first rule of role `role` that allows q (combined: the request's "resource/subresource" id).
export function roleAllowsCompiled(s: Snapshot, role: i32, q: Request, combined: i32): i32 {
  const rules = unchecked(s.compiled[role]);
  const ix = unchecked(s.roleIndexes[role]);
  if (!q.isResource) {
    const nr = ix.nonResource;
    for (let i = 0, n = nr.length; i < n; i++) {
      const at = unchecked(nr[i]);
      if (ruleAllows(unchecked(rules[at]), q, combined)) return at;
    }
    return -1;
  }
  let best = -1;
  if (q.verb >= 0 && q.apiGroup >= 0 && combined >= 0) best = ix.plain.get(ruleKey(q.verb, q.apiGroup, combined));
  const others = ix.others;
  for (let i = 0, n = others.length; i < n; i++) {
    const at = unchecked(others[i]);
    if (best >= 0 && at > best) break;
    if (ruleAllows(unchecked(rules[at]), q, combined)) return at;
  }
  return best;
}

// Scratch for the k-way merge of candidate lists (no allocation per decision once warmed up).
const lists = new Array<i32[]>();
let cursors = new StaticArray<i32>(66);
const SMALL = 64;
const small = new StaticArray<i32>(SMALL);

// Visits the bindings that name the requester, in position order, until one allows.
export function decide(s: Snapshot, q: Request, d: Decision): void {
  d.reset();
  lists.length = 0;
  if (q.user != ID_UNKNOWN) {
    const l = s.userBindings(0, q.user);
    if (l != null) lists.push(l);
  }
  for (let g = 0; g < q.groupCount; g++) {
    const gid = unchecked(q.groups[g]);
    if (gid == ID_UNKNOWN) continue;
    const l = s.groupBindings(0, gid);
    if (l != null) lists.push(l);
  }
  // why: RoleBindings apply only when the request names a namespace (and we know it)
  if (q.namespace > 0) {
    if (q.user != ID_UNKNOWN) {
      const l = s.userBindings(q.namespace, q.user);
      if (l != null) lists.push(l);
    }
    for (let g = 0; g < q.groupCount; g++) {
      const gid = unchecked(q.groups[g]);
      if (gid == ID_UNKNOWN) continue;
      const l = s.groupBindings(q.namespace, gid);
      if (l != null) lists.push(l);
    }
  }
  const nLists = lists.length;
  if (nLists == 0) return;
  const combined = q.isResource ? s.combinedResourceId(q.resource, q.subresource) : ID_UNKNOWN;
  if (!q.isResource) q.pathId = s.vocab.lookup(q.path);
  if (nLists == 1) {
    const l = unchecked(lists[0]);
    for (let i = 0, n = l.length; i < n; i++) {
      if (visit(s, unchecked(l[i]), q, combined, d)) return;
    }
    return;
  }
  // why: requesters usually reach a handful of bindings; sorting them beats a k-way merge
  let total = 0;
  for (let k = 0; k < nLists; k++) total += unchecked(lists[k]).length;
  if (total <= SMALL) {
    let n = 0;
    for (let k = 0; k < nLists; k++) {
      const l = unchecked(lists[k]);
      for (let i = 0, m = l.length; i < m; i++) {
        const v = unchecked(l[i]);
        let j = n;
        while (j > 0 && unchecked(small[j - 1]) > v) {
          unchecked(small[j] = unchecked(small[j - 1]));
          j--;
        }
        unchecked(small[j] = v);
        n++;
      }
    }
    let prev = -1;
    for (let i = 0; i < n; i++) {
      const v = unchecked(small[i]);
      if (v == prev) continue;
      prev = v;
      if (visit(s, v, q, combined, d)) return;
    }
    return;
  }
  if (cursors.length < nLists) cursors = new StaticArray<i32>(nLists * 2);
  for (let k = 0; k < nLists; k++) unchecked(cursors[k] = 0);
  while (true) {
    let min = i32.MAX_VALUE;
    for (let k = 0; k < nLists; k++) {
      const l = unchecked(lists[k]);
      const c = unchecked(cursors[k]);
      if (c < l.length) {
        const v = unchecked(l[c]);
        if (v < min) min = v;
      }
    }
    if (min == i32.MAX_VALUE) return;
    for (let k = 0; k < nLists; k++) {
      const l = unchecked(lists[k]);
      const c = unchecked(cursors[k]);
      if (c < l.length && unchecked(l[c]) == min) unchecked(cursors[k] = c + 1);
    }
    if (visit(s, min, q, combined, d)) return;
  }
}

// @ts-ignore: decorator
@inline
function visit(s: Snapshot, index: i32, q: Request, combined: i32, d: Decision): bool {
  const ib = unchecked(s.bindings[index]);
  if (ib.role < 0) {
    d.addError(ib.errorId);
    return false;
  }
  const rule = bindingAllows(s, ib, q, combined);
  if (rule < 0) return false;
  d.allowed = true;
  d.binding = index;
  d.rule = rule;
  d.subject = s.firstMatchingSubject(ib, q.user, q.groups, q.groupCount);
  d.errorCount = 0; // why: "if you can pass with the rules supplied, you do not have to fail"
  return true;
}

// describeSubject of rule.go
export function describeSubject(subj: Subject, bindingNamespace: string): string {
  if (subj.kind == SUBJECT_SERVICE_ACCOUNT) {
    const ns = subj.namespace.length > 0 ? subj.namespace : bindingNamespace;
    return subj.kind + " " + goQuote(subj.name + "/" + ns);
  }
  return subj.kind + " " + goQuote(subj.name);
}

// The reason text kube-apiserver gives for the decision, byte for byte.
export function reasonText(s: Snapshot, d: Decision): string {
  if (d.allowed) {
    const ib = s.bindings[d.binding];
    const b = ib.binding;
    const subj = b.subjects[d.subject];
    if (b.kind == KIND_CLUSTER_ROLE_BINDING) {
      return "RBAC: allowed by ClusterRoleBinding " + goQuote(b.name) + " of " + b.roleRef.kind + " " +
        goQuote(b.roleRef.name) + " to " + describeSubject(subj, "");
    }
    return "RBAC: allowed by RoleBinding " + goQuote(b.name + "/" + b.namespace) + " of " + b.roleRef.kind + " " +
      goQuote(b.roleRef.name) + " to " + describeSubject(subj, b.namespace);
  }
  if (d.errorCount == 0) return "";
  if (d.errorCount == 1) return "RBAC: " + s.errors[d.errorIds[0]];
  let out = "RBAC: [";
  for (let i = 0; i < d.errorCount; i++) {
    if (i > 0) out += ", ";
    out += s.errors[d.errorIds[i]];
  }
  return out + "]";
}
