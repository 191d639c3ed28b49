// What the query exports (who can, rules for) need beyond the decision index, built on a snapshot's first
// query and never at load: subjects numbered once (so de-duplication is an array lookup, not a string key),
// RoleBindings listed per namespace, per-role and per-subject scratch stamped per query (no clearing, no
// allocation once warm), and the string tables the bindings fetch once to turn compact answers into objects.
import { Snapshot } from "./snapshot";
import { Binding, Subject, PolicyRule, SUBJECT_GROUP, KIND_CLUSTER_ROLE } from "../model/policy";

export const RBAC_API_GROUP = "rbac.authorization.k8s.io";
export const SYSTEM_PRIVILEGED_GROUP = "system:masters";

// "Kind/namespace/name", the object key every rbac-guard answer uses.
export function bindingKey(b: Binding): string {
  return b.kind + "/" + b.namespace + "/" + b.name;
}

// The role a binding's roleRef names, as a key, whether or not it resolves.
export function roleRefKey(b: Binding): string {
  const ns = b.roleRef.kind == KIND_CLUSTER_ROLE ? "" : b.namespace;
  return b.roleRef.kind + "/" + ns + "/" + b.roleRef.name;
}

function subjectKey(kind: string, apiGroup: string, name: string, namespace: string): string {
  return kind + "\u0000" + apiGroup + "\u0000" + name + "\u0000" + namespace;
}

// A growable i32 buffer reused across queries.
export class Words {
  data: StaticArray<i32> = new StaticArray<i32>(256);
  length: i32 = 0;

  // @ts-ignore: decorator
  @inline
  reset(): void {
    this.length = 0;
  }

  push(v: i32): void {
    if (this.length == this.data.length) this.grow(this.length + 1);
    unchecked(this.data[this.length++] = v);
  }

  grow(min: i32): void {
    let n = this.data.length * 2;
    if (n < min) n = min;
    const d = new StaticArray<i32>(n);
    memory.copy(changetype<usize>(d), changetype<usize>(this.data), <usize>this.length << 2);
    this.data = d;
  }
}

export class QueryIndex {
  // INVARIANT: subject 0 is the group system:masters (the subject locator always answers it first)
  subjects: Subject[] = [];
  // subjects of binding b (global position): subjectIds[subjectStart[b] .. subjectStart[b + 1])
  subjectStart: StaticArray<i32> = new StaticArray<i32>(0);
  subjectIds: StaticArray<i32> = new StaticArray<i32>(0);
  // RoleBindings of a namespace id, ascending positions (ClusterRoleBindings are positions 0 .. clusterBindingCount)
  nsBindings: Map<i32, i32[]> = new Map();

  // role of binding b (-1: the roleRef does not resolve), flat for the who-can scan
  bindingRole: StaticArray<i32> = new StaticArray<i32>(0);

  // per-query scratch, valid where the stamp equals `stamp`: (stamp, rule index) per role, (stamp, answer index)
  // per subject; per answer index the last binding that granted it
  stamp: i32 = 0;
  roleState: StaticArray<i32> = new StaticArray<i32>(0);
  subjectState: StaticArray<i32> = new StaticArray<i32>(0);
  slotLast: StaticArray<i32> = new StaticArray<i32>(0);
  errorScratch: StaticArray<i32> = new StaticArray<i32>(0);
  // INVARIANT: large enough for any compact answer over this snapshot (see whoCanInto, rulesForInto)
  answer: StaticArray<i32> = new StaticArray<i32>(0);

  constructor(s: Snapshot) {
    const seen = new Map<string, i32>();
    const masters = new Subject();
    masters.kind = SUBJECT_GROUP;
    masters.apiGroup = RBAC_API_GROUP;
    masters.name = SYSTEM_PRIVILEGED_GROUP;
    seen.set(subjectKey(masters.kind, masters.apiGroup, masters.name, masters.namespace), 0);
    this.subjects.push(masters);
    const n = s.bindings.length;
    let total = 0;
    for (let i = 0; i < n; i++) total += s.bindings[i].binding.subjects.length;
    this.subjectStart = new StaticArray<i32>(n + 1);
    this.subjectIds = new StaticArray<i32>(total);
    let at = 0;
    for (let i = 0; i < n; i++) {
      const b = s.bindings[i].binding;
      this.subjectStart[i] = at;
      for (let j = 0; j < b.subjects.length; j++) {
        const sj = b.subjects[j];
        const key = subjectKey(sj.kind, sj.apiGroup, sj.name, sj.namespace);
        let id: i32;
        if (seen.has(key)) {
          id = seen.get(key);
        } else {
          id = this.subjects.length;
          seen.set(key, id);
          this.subjects.push(sj);
        }
        this.subjectIds[at++] = id;
      }
      // why: a RoleBinding without a namespace never applies (namespace id 0 is asked for cluster scope only)
      if (i >= s.clusterBindingCount && b.namespace.length > 0) {
        const ns = s.vocab.lookup(b.namespace);
        if (!this.nsBindings.has(ns)) this.nsBindings.set(ns, []);
        this.nsBindings.get(ns).push(i);
      }
    }
    this.subjectStart[n] = at;
    this.bindingRole = new StaticArray<i32>(n);
    for (let i = 0; i < n; i++) this.bindingRole[i] = s.bindings[i].role;
    this.roleState = new StaticArray<i32>(s.roles.length * 2);
    this.subjectState = new StaticArray<i32>(this.subjects.length * 2);
    this.slotLast = new StaticArray<i32>(this.subjects.length);
    this.errorScratch = new StaticArray<i32>(n + 1);
    // who-can: 2 + 3 words per granting binding + 1 per subject occurrence + 1 per error binding;
    // rules-for: 2 + 1 per binding + 1 per distinct error
    this.answer = new StaticArray<i32>(4 + 4 * n + total + s.errors.length);
  }

  // A fresh stamp for a query: every role and subject reads as unvisited.
  nextStamp(): void {
    this.stamp++;
    if (this.stamp == i32.MAX_VALUE) {
      // why: wrap-around would make stale entries look current
      for (let i = 0; i < this.roleState.length; i++) this.roleState[i] = 0;
      for (let i = 0; i < this.subjectState.length; i++) this.subjectState[i] = 0;
      this.stamp = 1;
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

// ---- the string tables (rbac_query_tables) ------------------------------------------------------------------

// Strings numbered once in the order first written; the table is [u32 count][u32 UTF-16 length]*[UTF-16LE].
class StringPool {
  ids: Map<string, i32> = new Map();
  list: string[] = [];

  id(s: string): i32 {
    if (this.ids.has(s)) return this.ids.get(s);
    const id = this.list.length;
    this.ids.set(s, id);
    this.list.push(s);
    return id;
  }
}

function pushList(w: Words, pool: StringPool, list: string[]): void {
  w.push(list.length);
  for (let i = 0; i < list.length; i++) w.push(pool.id(list[i]));
}

function pushRule(w: Words, pool: StringPool, r: PolicyRule): void {
  pushList(w, pool, r.verbs);
  pushList(w, pool, r.apiGroups);
  pushList(w, pool, r.resources);
  pushList(w, pool, r.resourceNames);
  pushList(w, pool, r.nonResourceURLs);
}

// The tables the bindings keep per snapshot to build answers: see bindings/ABI.md "Query tables (1.3)".
// Returns [u32 byte length of the rest][u32 word count][i32 words][u32 string count][u32 UTF-16 lengths][UTF-16LE].
export function queryTables(s: Snapshot): ArrayBuffer {
  const ix = queryIndex(s);
  const pool = new StringPool();
  const w = new Words();
  // bindings: binding key, role key, role (or -1), error string (or -1)
  w.push(s.bindings.length);
  for (let i = 0; i < s.bindings.length; i++) {
    const ib = s.bindings[i];
    w.push(pool.id(bindingKey(ib.binding)));
    w.push(pool.id(roleRefKey(ib.binding)));
    w.push(ib.role);
    w.push(ib.role < 0 ? pool.id(ib.error) : -1);
  }
  // subjects: kind, apiGroup, name, namespace
  w.push(ix.subjects.length);
  for (let i = 0; i < ix.subjects.length; i++) {
    const sj = ix.subjects[i];
    w.push(pool.id(sj.kind));
    w.push(pool.id(sj.apiGroup));
    w.push(pool.id(sj.name));
    w.push(pool.id(sj.namespace));
  }
  // roles: rule count, then per rule five string lists
  w.push(s.roles.length);
  for (let i = 0; i < s.roles.length; i++) {
    const rules = s.roles[i].rules;
    w.push(rules.length);
    for (let j = 0; j < rules.length; j++) pushRule(w, pool, rules[j]);
  }
  // resolution errors, by error id
  w.push(s.errors.length);
  for (let i = 0; i < s.errors.length; i++) w.push(pool.id(s.errors[i]));

  const strings = pool.list;
  let chars: usize = 0;
  for (let i = 0; i < strings.length; i++) chars += <usize>strings[i].length;
  const size: usize = <usize>8 + (<usize>w.length << 2) + (<usize>strings.length << 2) + (chars << 1);
  const buf = new ArrayBuffer(<i32>(size + 4));
  const base = changetype<usize>(buf);
  store<u32>(base, <u32>size);
  store<u32>(base + 4, <u32>w.length);
  memory.copy(base + 8, changetype<usize>(w.data), <usize>w.length << 2);
  let p = base + 8 + (<usize>w.length << 2);
  store<u32>(p, <u32>strings.length);
  p += 4;
  for (let i = 0; i < strings.length; i++) {
    store<u32>(p, <u32>strings[i].length);
    p += 4;
  }
  for (let i = 0; i < strings.length; i++) {
    const str = strings[i];
    const n = <usize>str.length << 1;
    memory.copy(p, changetype<usize>(str), n);
    p += n;
  }
  return buf;
}
