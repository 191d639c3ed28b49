// What the query exports (who can, rules for) need beyond the decision index, built on a snapshot's first
// query and never at load: subjects numbered once (so de-duplication is an array lookup, not a string key),
// RoleBindings listed per namespace, per-role and per-subject scratch stamped per query (no clearing, no
// allocation once warm), and the string tables the bindings fetch once to turn compact answers into objects.
import { Snapshot } from "./snapshot";
import { I64Table } from "../util/i64-table";
import { Binding, Subject, SUBJECT_GROUP, SUBJECT_SERVICE_ACCOUNT, KIND_CLUSTER_ROLE } from "../model/policy";

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

function sameSubject(a: Subject, b: Subject): bool {
  return a.name == b.name && a.kind == b.kind && a.apiGroup == b.apiGroup && a.namespace == b.namespace;
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
    // why: subjects are bucketed by the id the snapshot already gave their name (user, group, service account
    // user name), so numbering them mostly hashes integers, not strings; a bucket is a chain of subject ids
    // (head in the table, then `next`), compared on all four fields
    const n = s.bindings.length;
    let total = 0;
    for (let i = 0; i < n; i++) total += s.bindings[i].binding.subjects.length;
    const heads = new I64Table(total + 1);
    const others = new Map<string, i32>(); // by name: subjects without such a key
    const next = new StaticArray<i32>(total + 1);
    const masters = new Subject();
    masters.kind = SUBJECT_GROUP;
    masters.apiGroup = RBAC_API_GROUP;
    masters.name = SYSTEM_PRIVILEGED_GROUP;
    const mastersKey = s.vocab.lookup(masters.name);
    if (mastersKey >= 0) heads.set(mastersKey, 0);
    else others.set(masters.name, 0);
    next[0] = -1;
    this.subjects.push(masters);
    this.subjectStart = new StaticArray<i32>(n + 1);
    this.subjectIds = new StaticArray<i32>(total);
    let at = 0;
    let lastNamespace = "";
    let lastNamespaceId = 0;
    for (let i = 0; i < n; i++) {
      const ib = s.bindings[i];
      const b = ib.binding;
      this.subjectStart[i] = at;
      for (let j = 0; j < b.subjects.length; j++) {
        const sj = b.subjects[j];
        // why: equal subjects must land in one bucket, so only keys that depend on the subject's own fields
        // qualify (not a ServiceAccount's without namespace: its user name takes the binding's namespace)
        const key = ib.subjectKeys[j];
        const keyed = key >= 0 && (sj.kind != SUBJECT_SERVICE_ACCOUNT || sj.namespace.length > 0);
        const head = keyed ? heads.get(key) : others.has(sj.name) ? others.get(sj.name) : -1;
        let id = head;
        while (id >= 0 && !sameSubject(unchecked(this.subjects[id]), sj)) id = unchecked(next[id]);
        if (id < 0) {
          id = this.subjects.length;
          this.subjects.push(sj);
          unchecked(next[id] = head);
          if (keyed) heads.set(key, id);
          else others.set(sj.name, id);
        }
        this.subjectIds[at++] = id;
      }
      // why: a RoleBinding without a namespace never applies (namespace id 0 is asked for cluster scope only)
      if (i >= s.clusterBindingCount && b.namespace.length > 0) {
        // why: RoleBindings usually come namespace by namespace; reuse the last lookup
        if (b.namespace != lastNamespace || lastNamespaceId == 0) {
          lastNamespace = b.namespace;
          lastNamespaceId = s.vocab.lookup(b.namespace);
        }
        const ns = lastNamespaceId;
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

// Writes the tables in two passes over the same walk: the first (no buffer yet) only counts words, the second
// writes them. A string is two words, its address and UTF-16 length: the strings stay where the snapshot holds
// them (the runtime never moves objects), so the host decodes only those it uses, and nothing is copied here.
class TableWriter {
  words: i32 = 0;
  wordPtr: usize = 0;

  start(base: usize): void {
    this.wordPtr = base;
    this.words = 0;
  }

  word(v: i32): void {
    if (this.wordPtr != 0) store<i32>(this.wordPtr + (<usize>this.words << 2), v);
    this.words++;
  }

  str(s: string): void {
    if (this.wordPtr != 0) {
      store<i32>(this.wordPtr + (<usize>this.words << 2), <i32>changetype<usize>(s));
      store<i32>(this.wordPtr + (<usize>this.words << 2) + 4, s.length);
    }
    this.words += 2;
  }

  list(l: string[]): void {
    this.word(l.length);
    for (let i = 0; i < l.length; i++) this.str(unchecked(l[i]));
  }
}

function writeTables(s: Snapshot, ix: QueryIndex, t: TableWriter): void {
  const n = s.bindings.length;
  t.word(n);
  for (let i = 0; i < n; i++) {
    const ib = s.bindings[i];
    const b = ib.binding;
    t.str(b.kind);
    t.str(b.namespace);
    t.str(b.name);
    t.str(b.roleRef.kind);
    t.str(b.roleRef.kind == KIND_CLUSTER_ROLE ? "" : b.namespace);
    t.str(b.roleRef.name);
    t.word(ib.role);
    t.str(ib.error); // "" when the roleRef resolves
  }
  t.word(ix.subjects.length);
  for (let i = 0; i < ix.subjects.length; i++) {
    const sj = ix.subjects[i];
    t.str(sj.kind);
    t.str(sj.apiGroup);
    t.str(sj.name);
    t.str(sj.namespace);
  }
  t.word(s.roles.length);
  for (let i = 0; i < s.roles.length; i++) {
    const rules = s.roles[i].rules;
    t.word(rules.length);
    for (let j = 0; j < rules.length; j++) {
      const r = rules[j];
      t.list(r.verbs);
      t.list(r.apiGroups);
      t.list(r.resources);
      t.list(r.resourceNames);
      t.list(r.nonResourceURLs);
    }
  }
  t.word(s.errors.length);
  for (let i = 0; i < s.errors.length; i++) t.str(s.errors[i]);
}

// The tables the bindings keep per snapshot to build answers: see bindings/ABI.md "Compact query answers (1.3)".
// Returns [u32 byte length of the rest][u32 word count][i32 words]; strings are (address, UTF-16 length) pairs.
export function queryTables(s: Snapshot): ArrayBuffer {
  const ix = queryIndex(s);
  const t = new TableWriter();
  writeTables(s, ix, t);
  const words = t.words;
  const size: usize = <usize>4 + (<usize>words << 2);
  const buf = new ArrayBuffer(<i32>(size + 4));
  const base = changetype<usize>(buf);
  store<u32>(base, <u32>size);
  store<u32>(base + 4, <u32>words);
  t.start(base + 8);
  writeTables(s, ix, t);
  return buf;
}
