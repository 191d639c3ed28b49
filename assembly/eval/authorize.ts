// The RBAC decision: authorizingVisitor of plugin/pkg/auth/authorizer/rbac/rbac.go over the bindings
// that name the requester, in the fixed order ClusterRoleBindings then RoleBindings of the namespace.
import { Snapshot } from "../index/snapshot";
import { ID_UNKNOWN } from "../index/vocab";
import { ruleKey, RoleIndex, ID_LIMIT } from "../index/role-index";
import { I64Table } from "../util/i64-table";
import { firstPackedRule } from "../index/packed-rules";
import {
  ViewCache, viewCache, word, probeOffset, othersOffset, nonResourceOffset, errorsOffset, coldAddress, V_SIZE,
  V_MERGED_MASK, V_MERGED_SLOTS, V_OTHERS_FIRST, V_NOTHERS, V_NNONRES, V_NERRORS, P_WORDS, P_SLOTS, P_MASK, P_OTHERS,
  K_ROLE, K_POSITION, K_SUBJECT, RULE_BITS, RULE_MASK,
} from "../index/views";
import { KIND_CLUSTER_ROLE_BINDING, SUBJECT_SERVICE_ACCOUNT, Subject } from "../model/policy";
import { goQuote } from "../util/quote";
import { PathEntry } from "../index/paths";

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
  // INVARIANT: path and pathEntry are written together, by setNonResource or setPath only: decide() trusts an entry
  // over the path, so one left from an earlier request would decide this one on the wrong path
  path: string = "";
  pathId: i32 = ID_UNKNOWN; // set by decide(), or by setPath()
  pathEntry: PathEntry | null = null; // the path's entry in the snapshot's path table, when the caller has it

  // @ts-ignore: decorator
  @inline
  setGroupCount(n: i32): void {
    if (n > this.groups.length) this.groups = new StaticArray<i32>(n);
    this.groupCount = n;
  }

  // @ts-ignore: decorator
  @inline
  setResource(verb: i32, apiGroup: i32, resource: i32, subresource: i32, name: i32, namespace: i32): void {
    this.isResource = true;
    this.verb = verb;
    this.apiGroup = apiGroup;
    this.resource = resource;
    this.subresource = subresource;
    this.name = name;
    this.namespace = namespace;
  }

  // @ts-ignore: decorator
  @inline
  setNonResource(verb: i32, path: string): void {
    this.isResource = false;
    this.verb = verb;
    this.path = path;
    this.pathEntry = null;
    this.namespace = 0;
  }

  // A non-resource request whose path is an entry of the decision's snapshot's path table (index/paths.ts).
  // @ts-ignore: decorator
  @inline
  setPath(verb: i32, e: PathEntry): void {
    this.isResource = false;
    this.verb = verb;
    this.path = e.text;
    this.pathId = e.id;
    this.pathEntry = e;
    this.namespace = 0;
  }
}

// The outcome of one decision. When allowed, binding and subject say who granted it;
// otherwise errorCount distinct resolution errors are in errorIds (ids of Snapshot.errors).
export class Decision {
  allowed: bool = false;
  rule: i32 = -1;
  errorIds: StaticArray<i32> = new StaticArray<i32>(16);
  errorCount: i32 = 0;
  // the view the decision went through (its denial reason is the same for every request it denies): its cache
  // and record offset (valid until the next decision)
  views: ViewCache | null = null;
  at: i32 = -1;
  candidate: i32 = -1; // the granting candidate of the view

  reset(): void {
    this.views = null;
    this.at = -1;
    this.candidate = -1;
    this.allowed = false;
    this.rule = -1;
    this.errorCount = 0;
  }

  // The granting binding's position, -1 when not allowed. Read from the view's record only when asked (building
  // a reason, explaining): the decision itself does not touch those words.
  get binding(): i32 {
    const v = this.views;
    if (!this.allowed || v == null) return -1;
    return load<i32>(coldAddress(v.base(this.at), this.candidate, K_POSITION));
  }

  // The index of the first subject of the granting binding that names the requester, -1 when not allowed.
  get subject(): i32 {
    const v = this.views;
    if (!this.allowed || v == null) return -1;
    return load<i32>(coldAddress(v.base(this.at), this.candidate, K_SUBJECT));
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

// The key of the request in the roles' plain-rule tables, or -1 when no plain rule can match it.
// @ts-ignore: decorator
@inline
function plainKey(q: Request, combined: i32): i64 {
  if (q.verb < 0 || q.apiGroup < 0 || combined < 0) return -1;
  // why: plain tables hold only ids below ID_LIMIT; a larger id would alias another key
  if (q.verb >= ID_LIMIT || q.apiGroup >= ID_LIMIT || combined >= ID_LIMIT) return -1;
  return ruleKey(q.verb, q.apiGroup, combined);
}

// The first non-resource rule of role `role` that allows q (q.pathId set), or -1.
// @ts-ignore: decorator
@inline
function roleAllowsPath(s: Snapshot, role: i32, q: Request): i32 {
  return s.urlRule(role, q.verb, q.pathId, q.path);
}

// The first rule of role `role` (index `ix`) that allows q, or -1. key: plainKey(q, combined).
// @ts-ignore: decorator
@inline
function roleAllowsKeyed(s: Snapshot, role: i32, ix: RoleIndex, q: Request, combined: i32, key: i64): i32 {
  if (!q.isResource) return roleAllowsPath(s, role, q);
  const best = key >= 0 ? ix.plain.get(key) : -1;
  const others = s.othersAddress(role);
  return others == 0 ? best : firstPackedRule(others, q.verb, q.apiGroup, combined, q.subresource, q.name, best);
}

// The first rule of role `role` that allows q (combined: the request's "resource/subresource" id).
export function roleAllowsCompiled(s: Snapshot, role: i32, q: Request, combined: i32): i32 {
  return roleAllowsKeyed(s, role, unchecked(s.roleIndexes[role]), q, combined, q.isResource ? plainKey(q, combined) : -1);
}

// The decision of authorizingVisitor: the bindings that name the requester (its view), in visiting order,
// until one allows; a denial reports the resolution errors of every binding visited.
export function decide(s: Snapshot, q: Request, d: Decision): void {
  d.reset();
  const cache = viewCache(s);
  const at = cache.get(q.user, q.groups, q.groupCount, q.namespace);
  d.views = cache;
  d.at = at;
  const b = cache.base(at);
  const n = word(b, V_SIZE);
  if (n > 0) {
    if (q.isResource) {
      const combined = s.combinedResourceId(q.resource, q.subresource);
      const key = plainKey(q, combined);
      const mergedMask = word(b, V_MERGED_MASK);
      if (mergedMask < 0) {
        const probe = b + (<usize>probeOffset(b) << 2);
        for (let c = 0; c < n; c++) {
          const p = probe + (<usize>(c * P_WORDS) << 2);
          // why: everything a candidate's role answers with is read from the view's words and the packed tables
          const mask = load<i32>(p, P_MASK << 2);
          let rule = mask >= 0 && key >= 0
            ? I64Table.lookup(changetype<StaticArray<i64>>(<usize>load<i32>(p, P_SLOTS << 2)), mask, key) : -1;
          const others = <usize>load<i32>(p, P_OTHERS << 2);
          if (others != 0) rule = firstPackedRule(others, q.verb, q.apiGroup, combined, q.subresource, q.name, rule);
          if (rule >= 0) {
            grant(b, c, rule, d);
            return;
          }
        }
      } else {
        // the first candidate with a plain rule for the key; one before it can only allow by another rule
        const hit = key >= 0 ? I64Table.lookup(changetype<StaticArray<i64>>(<usize>word(b, V_MERGED_SLOTS)), mergedMask, key) : -1;
        const first = hit >= 0 ? hit >>> RULE_BITS : i32.MAX_VALUE;
        if (word(b, V_OTHERS_FIRST) <= first) {
          const others = othersOffset(b);
          for (let i = 0, m = word(b, V_NOTHERS); i < m; i++) {
            const c = word(b, others + i);
            if (c > first) break;
            const role = load<i32>(coldAddress(b, c, K_ROLE));
            const rule = roleAllowsKeyed(s, role, unchecked(s.roleIndexes[role]), q, combined, key);
            if (rule >= 0) {
              grant(b, c, rule, d);
              return;
            }
          }
        }
        if (hit >= 0) {
          let rule = hit & RULE_MASK;
          if (rule == RULE_MASK) rule = unchecked(s.roleIndexes[load<i32>(coldAddress(b, first, K_ROLE))]).plain.get(key);
          grant(b, first, rule, d);
          return;
        }
      }
    } else {
      const entry = q.pathEntry;
      if (entry == null) q.pathId = s.vocab.lookup(q.path);
      const nr = nonResourceOffset(b);
      for (let i = 0, m = word(b, V_NNONRES); i < m; i++) {
        const c = word(b, nr + i);
        const role = load<i32>(coldAddress(b, c, K_ROLE));
        const rule = entry != null ? entry.rule(s, role, q.verb) : roleAllowsPath(s, role, q);
        if (rule >= 0) {
          grant(b, c, rule, d);
          return;
        }
      }
    }
  }
  const errors = errorsOffset(b);
  for (let i = 0, m = word(b, V_NERRORS); i < m; i++) d.addError(word(b, errors + i));
}

// @ts-ignore: decorator
@inline
function grant(b: usize, candidate: i32, rule: i32, d: Decision): void {
  d.allowed = true;
  d.candidate = candidate;
  d.rule = rule;
  // why: "if you can pass with the rules supplied, you do not have to fail": no errors
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
