// A policy snapshot: roles resolved (aggregation applied), rules compiled to interned ids, and
// bindings indexed by subject so that a decision touches only the bindings that name the requester.
import { Binding, Policy, PolicyRule, Role, KIND_ROLE, KIND_CLUSTER_ROLE, SUBJECT_USER, SUBJECT_GROUP,
  SUBJECT_SERVICE_ACCOUNT, VERB_ALL, API_GROUP_ALL, RESOURCE_ALL, NON_RESOURCE_ALL } from "../model/policy";
import { serviceAccountUsername, trimTrailingStars } from "../eval/match";
import { aggregateClusterRoles } from "./aggregate";
import { Vocab, ID_UNKNOWN, hashUnits } from "./vocab";
import { I64Table } from "../util/i64-table";
import { RoleIndex } from "./role-index";
import { packRules, packUrlRules, firstPackedUrlRule } from "./packed-rules";
import { ViewCache } from "./views";
import { PathTable } from "./paths";
import { Diagnostics } from "../util/diagnostics";
import { goQuote } from "../util/quote";

// INVARIANT: compiled lists are read-only; empty ones are these shared arrays (most rules have no resourceNames,
// no URLs, no "*/sub" entries), which saves allocations at load and visits at every collection.
const NO_IDS = new StaticArray<i32>(0);
const NO_PREFIXES: string[] = [];

export class CompiledRule {
  verbAll: bool = false;
  verbs: StaticArray<i32> = NO_IDS;
  groupAll: bool = false;
  groups: StaticArray<i32> = NO_IDS;
  resourceAll: bool = false;
  // ids of whole entries ("pods", "pods/log"), compared with the request's combined resource id
  resources: StaticArray<i32> = NO_IDS;
  // subresource ids of "*/sub" entries
  starSubs: StaticArray<i32> = NO_IDS;
  // empty: every name
  names: StaticArray<i32> = NO_IDS;
  urlAll: bool = false;
  urls: StaticArray<i32> = NO_IDS;
  urlPrefixes: string[] = NO_PREFIXES;
}

export const SUBJECT_KIND_OTHER: u8 = 0;
export const SUBJECT_KIND_USER: u8 = 1; // User and ServiceAccount: compared with the user name
export const SUBJECT_KIND_GROUP: u8 = 2;

export class IndexedBinding {
  binding: Binding;
  // global position: ClusterRoleBindings first, then RoleBindings, each in input order
  position: i32 = 0;
  role: i32 = -1; // index into Snapshot.roles, or -1 when the roleRef does not resolve
  error: string = ""; // the resolution error when role == -1
  errorId: i32 = 0; // id of `error` in Snapshot.errorIds
  subjectKinds: StaticArray<u8>;
  subjectKeys: StaticArray<i32>;
  constructor(b: Binding) {
    this.binding = b;
    this.subjectKinds = new StaticArray<u8>(b.subjects.length);
    this.subjectKeys = new StaticArray<i32>(b.subjects.length);
  }
}

function nsKey(ns: i32, key: i32): i64 {
  return (<i64>ns << 32) | <i64>(<u32>key);
}

// Binding lists keyed by (namespace << 32 | subject key): the table maps a key to its list's index.
export class BindingLists {
  index: I64Table = new I64Table(64);
  lists: i32[][] = [];

  add(key: i64, binding: i32): void {
    const at = this.index.get(key);
    if (at < 0) {
      this.index.set(key, this.lists.length);
      this.lists.push([binding]);
      return;
    }
    const list = unchecked(this.lists[at]);
    if (list[list.length - 1] != binding) list.push(binding);
  }

  // @ts-ignore: decorator
  @inline
  get(key: i64): i32[] | null {
    const at = this.index.get(key);
    return at < 0 ? null : unchecked(this.lists[at]);
  }
}

// Roles by (namespace, name), without building "namespace\0name" key strings: open addressing over role indexes
// (index + 1; 0 = empty), compared by the roles' own fields.
class RoleTable {
  private slots: StaticArray<i32>;
  private mask: i32;

  constructor(private roles: Role[], count: i32) {
    let cap = 16;
    while (cap < count * 2) cap <<= 1;
    this.slots = new StaticArray<i32>(cap);
    this.mask = cap - 1;
  }

  // @ts-ignore: decorator
  @inline
  private static hash(namespace: string, name: string): u32 {
    return (hashUnits(changetype<usize>(namespace), <usize>namespace.length << 1) * 31) ^
      hashUnits(changetype<usize>(name), <usize>name.length << 1);
  }

  // INVARIANT: at most `count` (the constructor's) roles are set, so the table never fills beyond half.
  set(index: i32): void {
    const r = unchecked(this.roles[index]);
    let i = <i32>RoleTable.hash(r.namespace, r.name) & this.mask;
    while (true) {
      const v = unchecked(this.slots[i]);
      if (v == 0) break;
      const o = unchecked(this.roles[v - 1]);
      if (o.name == r.name && o.namespace == r.namespace) break; // why: as Map.set, the later role wins
      i = (i + 1) & this.mask;
    }
    unchecked(this.slots[i] = index + 1);
  }

  get(namespace: string, name: string): i32 {
    let i = <i32>RoleTable.hash(namespace, name) & this.mask;
    while (true) {
      const v = unchecked(this.slots[i]);
      if (v == 0) return -1;
      const o = unchecked(this.roles[v - 1]);
      if (o.name == name && o.namespace == namespace) return v - 1;
      i = (i + 1) & this.mask;
    }
  }
}

const ROLE_LISTER = "role.rbac.authorization.k8s.io";
const CLUSTER_ROLE_LISTER = "clusterrole.rbac.authorization.k8s.io";
const ROLE_STORAGE = "roles.rbac.authorization.k8s.io";
const CLUSTER_ROLE_STORAGE = "clusterroles.rbac.authorization.k8s.io";

// A roleRefError as the escalation check reports it: it resolves roles through the API's storage (storage_rbac.go's
// AuthorizerAdapters), whose NotFound names the resource in the plural: kube-apiserver v1.20.2 says
// `clusterroles.rbac.authorization.k8s.io "x" not found` there where a SubjectAccessReview says `clusterrole.…`
// (test/e2e/escalation.test.ts). Other errors are the same in both.
export function storageRoleRefError(e: string): string {
  if (e.startsWith(ROLE_LISTER + " ")) return ROLE_STORAGE + e.substring(ROLE_LISTER.length);
  if (e.startsWith(CLUSTER_ROLE_LISTER + " ")) return CLUSTER_ROLE_STORAGE + e.substring(CLUSTER_ROLE_LISTER.length);
  return e;
}

export class Snapshot {
  vocab: Vocab = new Vocab();
  roles: Role[];
  compiled: CompiledRule[][] = [];
  roleIndexes: RoleIndex[] = [];
  clusterRoleByName: RoleTable;
  roleByKey: RoleTable;
  bindings: IndexedBinding[] = []; // ClusterRoleBindings, then RoleBindings
  clusterBindingCount: i32 = 0;
  // key: (namespace id << 32 | subject key id); namespace id 0 (the empty string) for ClusterRoleBindings
  byUser: BindingLists = new BindingLists();
  byGroup: BindingLists = new BindingLists();
  // (resource id << 32 | subresource id) -> id of "resource/subresource", for every entry with a "/"
  combined: I64Table = new I64Table();
  errorIds: Map<string, i32> = new Map();
  errors: string[] = [];
  diagnostics: Diagnostics;
  // requester views, built on demand by the decision path (index/views.ts)
  views: ViewCache | null = null;
  // non-resource request paths, decoded and interned once (index/paths.ts)
  paths: PathTable | null = null;
  // the slots of every role's non-empty plain-rule table, copied side by side in role order (a namespace's Roles
  // are neighbours): the decision path probes these, so the tables a requester reaches share pages instead of
  // lying wherever their builds left them in the heap. plainAt[role]: the role's first word, -1 for an empty table.
  plainPacked: StaticArray<i64> = [];
  plainAt: StaticArray<i32> = [];
  // every role's resource rules outside its plain table, packed side by side (index/packed-rules.ts) for the same
  // reason: othersAt[role] is the role's first word, -1 when it has none
  othersPacked: StaticArray<i32> = [];
  othersAt: StaticArray<i32> = [];
  // and its non-resource rules: urlsAt[role] is the role's first word in urlsPacked, -1 when it has none
  urlsPacked: StaticArray<i32> = [];
  urlsAt: StaticArray<i32> = [];

  constructor(policy: Policy, aggregate: bool, diags: Diagnostics) {
    this.diagnostics = diags;
    const roles = policy.roles;
    this.roles = roles;
    this.clusterRoleByName = new RoleTable(roles, roles.length);
    this.roleByKey = new RoleTable(roles, roles.length);
    if (aggregate) aggregateClusterRoles(this.roles, diags);
    this.compiled = new Array<CompiledRule[]>(this.roles.length);
    this.roleIndexes = new Array<RoleIndex>(this.roles.length);
    for (let i = 0; i < this.roles.length; i++) {
      const r = this.roles[i];
      if (r.isCluster()) this.clusterRoleByName.set(i);
      else this.roleByKey.set(i);
      const rules = this.compileRules(r.rules);
      unchecked(this.compiled[i] = rules);
      unchecked(this.roleIndexes[i] = new RoleIndex(rules));
    }
    this.packPlainTables();
    this.packOtherRules();
    for (let pass = 0; pass < 2; pass++) {
      for (let i = 0; i < policy.bindings.length; i++) {
        const b = policy.bindings[i];
        if (b.isCluster() != (pass == 0)) continue;
        this.addBinding(b);
      }
      if (pass == 0) this.clusterBindingCount = this.bindings.length;
    }
  }

  private packPlainTables(): void {
    const n = this.roleIndexes.length;
    const at = new StaticArray<i32>(n);
    let words = 0;
    for (let i = 0; i < n; i++) {
      const t = unchecked(this.roleIndexes[i]).plain;
      if (t.size == 0) {
        unchecked(at[i] = -1);
        continue;
      }
      unchecked(at[i] = words);
      words += t.capacity << 1;
    }
    const packed = new StaticArray<i64>(words);
    for (let i = 0; i < n; i++) {
      const w = unchecked(at[i]);
      if (w < 0) continue;
      const t = unchecked(this.roleIndexes[i]).plain;
      memory.copy(changetype<usize>(packed) + (<usize>w << 3), changetype<usize>(t.slotArray), <usize>t.capacity << 4);
    }
    this.plainPacked = packed;
    this.plainAt = at;
  }

  private packOtherRules(): void {
    const n = this.roleIndexes.length;
    const othersAt = new StaticArray<i32>(n);
    const urlsAt = new StaticArray<i32>(n);
    const others = new Array<i32>();
    const urls = new Array<i32>();
    for (let i = 0; i < n; i++) {
      const ix = unchecked(this.roleIndexes[i]);
      const rules = unchecked(this.compiled[i]);
      unchecked(othersAt[i] = ix.others.length == 0 ? -1 : others.length);
      if (ix.others.length > 0) packRules(rules, ix.others, others);
      unchecked(urlsAt[i] = ix.nonResource.length == 0 ? -1 : urls.length);
      if (ix.nonResource.length > 0) packUrlRules(rules, ix.nonResource, urls);
    }
    this.othersPacked = StaticArray.fromArray(others);
    this.othersAt = othersAt;
    this.urlsPacked = StaticArray.fromArray(urls);
    this.urlsAt = urlsAt;
  }

  // The address of role's packed other rules (index/packed-rules.ts), 0 when it has none.
  othersAddress(role: i32): usize {
    const w = unchecked(this.othersAt[role]);
    return w < 0 ? 0 : changetype<usize>(this.othersPacked) + (<usize>w << 2);
  }

  // The address of role's packed non-resource rules, 0 when it has none.
  urlsAddress(role: i32): usize {
    const w = unchecked(this.urlsAt[role]);
    return w < 0 ? 0 : changetype<usize>(this.urlsPacked) + (<usize>w << 2);
  }

  // The first non-resource rule of role that allows verb (an id) on path (pathId: its vocabulary id), or -1.
  urlRule(role: i32, verb: i32, pathId: i32, path: string): i32 {
    const urls = this.urlsAddress(role);
    return urls == 0 ? -1 : firstPackedUrlRule(urls, verb, pathId, changetype<usize>(path), path.length);
  }

  // The address of role's packed plain-table slots (probe them with its table's mask), 0 for an empty table.
  plainSlotsAddress(role: i32): usize {
    const w = unchecked(this.plainAt[role]);
    return w < 0 ? 0 : changetype<usize>(this.plainPacked) + (<usize>w << 3);
  }

  private compileRules(rules: PolicyRule[]): CompiledRule[] {
    const out = new Array<CompiledRule>(rules.length);
    for (let i = 0; i < rules.length; i++) out[i] = this.compileRule(rules[i]);
    return out;
  }

  private ids(list: string[], all: string): StaticArray<i32> {
    if (list.length == 0) return NO_IDS;
    const out = new StaticArray<i32>(list.length);
    for (let i = 0; i < list.length; i++) out[i] = this.vocab.intern(list[i]);
    return out;
  }

  private compileRule(r: PolicyRule): CompiledRule {
    const c = new CompiledRule();
    c.verbAll = r.verbs.includes(VERB_ALL);
    c.verbs = this.ids(r.verbs, VERB_ALL);
    c.groupAll = r.apiGroups.includes(API_GROUP_ALL);
    c.groups = this.ids(r.apiGroups, API_GROUP_ALL);
    c.resourceAll = r.resources.includes(RESOURCE_ALL);
    c.resources = this.ids(r.resources, RESOURCE_ALL);
    let subs: i32[] | null = null;
    for (let i = 0; i < r.resources.length; i++) {
      const res = r.resources[i];
      // why: every split of "a/b/c" can be the request's resource/subresource ("a"+"b/c", "a/b"+"c")
      for (let p = res.indexOf("/"); p >= 0; p = res.indexOf("/", p + 1)) {
        const key = nsKey(this.vocab.intern(res.substring(0, p)), this.vocab.intern(res.substring(p + 1)));
        this.combined.set(key, c.resources[i]);
      }
      if (res.startsWith("*/") && res.length > 2) {
        if (subs == null) subs = new Array<i32>();
        subs.push(this.vocab.intern(res.substring(2)));
      }
    }
    if (subs != null) c.starSubs = StaticArray.fromArray(subs);
    c.names = this.ids(r.resourceNames, "");
    c.urlAll = r.nonResourceURLs.includes(NON_RESOURCE_ALL);
    c.urls = this.ids(r.nonResourceURLs, NON_RESOURCE_ALL);
    let prefixes: string[] | null = null;
    for (let i = 0; i < r.nonResourceURLs.length; i++) {
      const u = r.nonResourceURLs[i];
      if (!u.endsWith("*")) continue;
      if (prefixes == null) prefixes = new Array<string>();
      prefixes.push(trimTrailingStars(u));
    }
    if (prefixes != null) c.urlPrefixes = prefixes;
    return c;
  }

  // GetRoleReferenceRules of rule.go: which role a binding's roleRef names, or the error it gives.
  resolveRoleRef(b: Binding): i32 {
    const ref = b.roleRef;
    if (ref.kind == KIND_ROLE) {
      // why: a ClusterRoleBinding looks its Role up in namespace "", where none can exist
      if (b.namespace.length == 0) return -1;
      return this.roleByKey.get(b.namespace, ref.name);
    }
    if (ref.kind == KIND_CLUSTER_ROLE) return this.clusterRoleByName.get("", ref.name);
    return -1;
  }

  // The error the RBAC authorizer reports for a binding whose role it cannot resolve (its informer listers name the
  // resource in the singular); storageRoleRefError gives the API storage's form of the same error.
  roleRefError(b: Binding): string {
    const ref = b.roleRef;
    if (ref.kind == KIND_ROLE) return ROLE_LISTER + " " + goQuote(ref.name) + " not found";
    if (ref.kind == KIND_CLUSTER_ROLE) return CLUSTER_ROLE_LISTER + " " + goQuote(ref.name) + " not found";
    return "unsupported role reference kind: " + goQuote(ref.kind);
  }

  private addBinding(b: Binding): void {
    const ib = new IndexedBinding(b);
    const index = this.bindings.length;
    ib.position = index;
    ib.role = this.resolveRoleRef(b);
    if (ib.role < 0) {
      ib.error = this.roleRefError(b);
      if (!this.errorIds.has(ib.error)) {
        this.errorIds.set(ib.error, this.errors.length);
        this.errors.push(ib.error);
      }
      ib.errorId = this.errorIds.get(ib.error);
    }
    const ns = b.isCluster() ? 0 : this.vocab.intern(b.namespace);
    for (let i = 0; i < b.subjects.length; i++) {
      const s = b.subjects[i];
      let kind = SUBJECT_KIND_OTHER;
      let key = ID_UNKNOWN;
      if (s.kind == SUBJECT_USER) {
        kind = SUBJECT_KIND_USER;
        key = this.vocab.intern(s.name);
      } else if (s.kind == SUBJECT_GROUP) {
        kind = SUBJECT_KIND_GROUP;
        key = this.vocab.intern(s.name);
      } else if (s.kind == SUBJECT_SERVICE_ACCOUNT) {
        const u = serviceAccountUsername(s, b.namespace);
        if (u.length > 0) {
          kind = SUBJECT_KIND_USER;
          key = this.vocab.intern(u);
        }
      }
      ib.subjectKinds[i] = kind;
      ib.subjectKeys[i] = key;
      // why: a RoleBinding applies only to requests in its (non-empty) namespace
      if (!b.isCluster() && b.namespace.length == 0) continue;
      if (kind == SUBJECT_KIND_USER) this.byUser.add(nsKey(ns, key), index);
      else if (kind == SUBJECT_KIND_GROUP) this.byGroup.add(nsKey(ns, key), index);
    }
    this.bindings.push(ib);
  }

  // Index of the first subject of the binding that matches the requester (appliesTo), or -1.
  firstMatchingSubject(ib: IndexedBinding, user: i32, groups: StaticArray<i32>, nGroups: i32): i32 {
    for (let i = 0; i < ib.subjectKinds.length; i++) {
      const k = unchecked(ib.subjectKinds[i]);
      const key = unchecked(ib.subjectKeys[i]);
      if (k == SUBJECT_KIND_USER) {
        if (key == user && user != ID_UNKNOWN) return i;
      } else if (k == SUBJECT_KIND_GROUP) {
        for (let g = 0; g < nGroups; g++) if (unchecked(groups[g]) == key) return i;
      }
    }
    return -1;
  }

  combinedResourceId(resource: i32, subresource: i32): i32 {
    if (subresource == 0) return resource;
    if (resource == ID_UNKNOWN || subresource == ID_UNKNOWN) return ID_UNKNOWN;
    return this.combined.get(nsKey(resource, subresource));
  }

  userBindings(ns: i32, user: i32): i32[] | null {
    return this.byUser.get(nsKey(ns, user));
  }

  groupBindings(ns: i32, group: i32): i32[] | null {
    return this.byGroup.get(nsKey(ns, group));
  }
}
