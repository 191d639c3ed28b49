// Principal views: for one requester (user, groups) and one namespace, the bindings that can apply to it,
// merged once into Kubernetes' visiting order (ClusterRoleBindings, then the namespace's RoleBindings, each in
// position order), with each binding's role and index resolved and the resolution errors a denial would report.
//
// A decision first finds its view (one hash probe and an identity check), then asks each candidate role one hash
// probe for the (verb, group, resource) key. Views are built on first use and kept in a bounded cache per
// snapshot: the set of requesters is small next to the set of requests, and a view depends on nothing but the
// immutable snapshot and its key, so a cached view can never be stale.
import { Snapshot } from "./snapshot";
import { RoleIndex } from "./role-index";
import { I64Table, EMPTY } from "../util/i64-table";
import { ID_UNKNOWN } from "./vocab";

// why: bound the cache's memory (a weight unit is about 8 bytes: table words and candidate words); when a new
// view would pass the budget (~128 MiB), the cache starts over
const MAX_VIEWS: i32 = 65536;
const MAX_WEIGHT: i64 = 1 << 24;
const MERGE_MIN_CANDIDATES: i32 = 2;
const MERGE_MAX_KEYS: i32 = 4096;

// Per-candidate words of View.cands.
export const C_POSITION: i32 = 0; // the binding's position
export const C_ROLE: i32 = 1; // its role
export const C_SUBJECT: i32 = 2; // the first subject of the binding that names this requester (appliesTo)
export const C_HANDLE: i32 = 3; // host-visible reason handle of a grant by this candidate, once computed (-1: not yet)
// the role's plain-rule table, read without going through its RoleIndex and I64Table objects: the address of its
// slots (kept alive by the snapshot's RoleIndex; a finished table never moves) and its mask
export const C_SLOTS: i32 = 4;
export const C_MASK: i32 = 5;
export const C_OTHERS: i32 = 6; // how many of the role's resource rules are outside its plain table
export const C_WORDS: i32 = 7;

// A merged plain-table value: (candidate << RULE_BITS) | rule index in the candidate's role, RULE_MASK when the
// rule index does not fit (then the role's own table tells it).
export const RULE_BITS: i32 = 12;
export const RULE_MASK: i32 = (1 << RULE_BITS) - 1;
const MAX_MERGED_CANDIDATES: i32 = 1 << (31 - RULE_BITS);

export class View {
  user: i32;
  namespace: i32; // 0 for a view without RoleBindings (cluster-scoped request, or a namespace no binding names)
  size: i32 = 0; // candidates whose roleRef resolves
  // true when `plain` merges the candidates' plain tables; otherwise each candidate's role table is probed
  merged: bool = false;
  // the first candidate whose role has resource rules outside its plain table (i32.MAX_VALUE: none)
  othersFirst: i32 = i32.MAX_VALUE;
  // the host-visible reason handle of a denial through this view, once computed (-1: not yet)
  denyHandle: i32 = -1;
  // plain-table slots and candidate words this view holds (the cache's memory budget counts them)
  weight: i32 = 0;
  groups: StaticArray<i32>;
  // INVARIANT: candidates in ascending position, C_WORDS words each (see C_*); `indexes` parallel
  cands: StaticArray<i32> = [];
  indexes: StaticArray<RoleIndex> = [];
  // (verb, group, resource) key of a plain rule -> merged value of the first candidate whose role has it:
  // the slots of a finished I64Table, kept here to save an indirection (I64Table.lookup)
  plainSlots: StaticArray<i64> = EMPTY_TABLE.slotArray;
  plainMask: i32 = EMPTY_TABLE.slotMask;
  // ascending candidates whose role has resource rules outside its plain table; and with non-resource rules
  others: StaticArray<i32> = [];
  nonResource: StaticArray<i32> = [];
  // distinct resolution errors (ids of Snapshot.errors) of the candidates that do not resolve, in visiting order
  errors: StaticArray<i32> = [];

  constructor(user: i32, groups: StaticArray<i32>, namespace: i32) {
    this.user = user;
    this.groups = groups;
    this.namespace = namespace;
  }

  // @ts-ignore: decorator
  @inline
  cand(c: i32, word: i32): i32 {
    return unchecked(this.cands[c * C_WORDS + word]);
  }
}

const EMPTY_TABLE = new I64Table(1);

// Scratch for building views (no allocation per build beyond the view itself once warmed up).
const lists = new Array<i32[]>();
let cursors = new StaticArray<i32>(66);
let merged = new StaticArray<i32>(256);

function appendMerged(n: i32, v: i32): i32 {
  if (n == merged.length) {
    const grown = new StaticArray<i32>(n * 2);
    for (let i = 0; i < n; i++) unchecked(grown[i] = unchecked(merged[i]));
    merged = grown;
  }
  unchecked(merged[n] = v);
  return n + 1;
}

// The bindings that name the requester, ascending and without duplicates, into `merged`; returns their count.
function mergeCandidates(s: Snapshot, user: i32, groups: StaticArray<i32>, nGroups: i32, namespace: i32): i32 {
  lists.length = 0;
  for (let pass = 0; pass < 2; pass++) {
    const ns = pass == 0 ? 0 : namespace;
    if (pass == 1 && ns <= 0) break;
    if (user != ID_UNKNOWN) {
      const l = s.userBindings(ns, user);
      if (l != null) lists.push(l);
    }
    for (let g = 0; g < nGroups; g++) {
      const gid = unchecked(groups[g]);
      if (gid == ID_UNKNOWN) continue;
      const l = s.groupBindings(ns, gid);
      if (l != null) lists.push(l);
    }
  }
  const nLists = lists.length;
  if (cursors.length < nLists) cursors = new StaticArray<i32>(nLists * 2);
  for (let k = 0; k < nLists; k++) unchecked(cursors[k] = 0);
  let n = 0;
  // why: a k-way merge of the ascending lists; each list is short, and a view is built once
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
    if (min == i32.MAX_VALUE) break;
    for (let k = 0; k < nLists; k++) {
      const l = unchecked(lists[k]);
      const c = unchecked(cursors[k]);
      if (c < l.length && unchecked(l[c]) == min) unchecked(cursors[k] = c + 1);
    }
    n = appendMerged(n, min);
  }
  return n;
}

export function buildView(s: Snapshot, user: i32, groups: StaticArray<i32>, nGroups: i32, namespace: i32): View {
  const own = new StaticArray<i32>(nGroups);
  for (let g = 0; g < nGroups; g++) unchecked(own[g] = unchecked(groups[g]));
  const v = new View(user, own, namespace);
  const n = mergeCandidates(s, user, groups, nGroups, namespace);
  let resolved = 0;
  let plainKeys = 0;
  for (let i = 0; i < n; i++) {
    const role = unchecked(s.bindings[unchecked(merged[i])]).role;
    if (role < 0) continue;
    resolved++;
    plainKeys += unchecked(s.roleIndexes[role]).plain.size;
  }
  const cands = new StaticArray<i32>(resolved * C_WORDS);
  const indexes = new StaticArray<RoleIndex>(resolved);
  const errors = new Array<i32>();
  const others = new Array<i32>();
  const nonResource = new Array<i32>();
  // why: with few candidates a probe per candidate costs what one probe in a merged table costs; merge only
  // when it saves probes, and not past a size where building it costs more than it saves
  const merge = resolved >= MERGE_MIN_CANDIDATES && resolved < MAX_MERGED_CANDIDATES && plainKeys > 0 &&
    plainKeys <= MERGE_MAX_KEYS;
  const plain = merge ? new I64Table(plainKeys) : EMPTY_TABLE;
  let r = 0;
  for (let i = 0; i < n; i++) {
    const at = unchecked(merged[i]);
    const ib = unchecked(s.bindings[at]);
    if (ib.role < 0) {
      if (!errors.includes(ib.errorId)) errors.push(ib.errorId);
      continue;
    }
    const ix = unchecked(s.roleIndexes[ib.role]);
    const w = r * C_WORDS;
    unchecked(cands[w + C_POSITION] = at);
    unchecked(cands[w + C_ROLE] = ib.role);
    unchecked(cands[w + C_SUBJECT] = s.firstMatchingSubject(ib, user, groups, nGroups));
    unchecked(cands[w + C_HANDLE] = -1);
    unchecked(cands[w + C_SLOTS] = <i32>changetype<usize>(ix.plain.slotArray));
    unchecked(cands[w + C_MASK] = ix.plain.slotMask);
    unchecked(cands[w + C_OTHERS] = ix.others.length);
    unchecked(indexes[r] = ix);
    if (ix.others.length > 0) others.push(r);
    if (ix.nonResource.length > 0) nonResource.push(r);
    const t = ix.plain;
    if (merge && t.size > 0) {
      for (let k = 0, cap = t.capacity; k < cap; k++) {
        const key = t.keyAt(k);
        // why: keep the first candidate that has the key: it is the one Kubernetes' visitor reaches first
        if (key != EMPTY && plain.get(key) < 0) plain.set(key, (r << RULE_BITS) | min(t.valueAt(k), RULE_MASK));
      }
    }
    r++;
  }
  v.size = resolved;
  v.cands = cands;
  v.indexes = indexes;
  v.plainSlots = plain.slotArray;
  v.plainMask = plain.slotMask;
  v.merged = merge;
  v.others = StaticArray.fromArray(others);
  v.othersFirst = others.length > 0 ? others[0] : i32.MAX_VALUE;
  v.nonResource = StaticArray.fromArray(nonResource);
  v.errors = StaticArray.fromArray(errors);
  v.weight = (merge ? plain.capacity * 2 : 0) + resolved * (C_WORDS + 1) + 16;
  return v;
}

// @ts-ignore: decorator
@inline
function mix(h: u64, x: i32): u64 {
  h ^= <u64>(<u32>x);
  h *= 0x9e3779b97f4a7c15;
  return h ^ (h >> 31);
}

function sameKey(v: View, user: i32, groups: StaticArray<i32>, nGroups: i32, namespace: i32): bool {
  if (v.user != user || v.namespace != namespace || v.groups.length != nGroups) return false;
  const own = v.groups;
  for (let g = 0; g < nGroups; g++) if (unchecked(own[g]) != unchecked(groups[g])) return false;
  return true;
}

export class ViewCache {
  snapshot: Snapshot;
  table: I64Table = new I64Table(256);
  // INVARIANT: views[0, count) are the cached views; the table maps a key's hash to an index here
  views: StaticArray<View | null> = new StaticArray<View | null>(64);
  count: i32 = 0;
  weight: i64 = 0;

  constructor(s: Snapshot) {
    this.snapshot = s;
  }

  // The view of (user, groups in the given order, namespace); RoleBindings count only for a namespace id > 0.
  get(user: i32, groups: StaticArray<i32>, nGroups: i32, namespace: i32): View {
    const ns = namespace > 0 ? namespace : 0;
    let h = mix(mix(0xcbf29ce484222325, user), ns);
    for (let g = 0; g < nGroups; g++) h = mix(h, unchecked(groups[g]));
    // why: I64Table keys must not be i64.MIN_VALUE; a non-negative key never is
    const key = <i64>(h >> 1);
    const at = this.table.getWide(key);
    if (at >= 0) {
      // why: the table holds the view's address (the views array keeps it alive): one indirection less
      const v = changetype<View>(<usize>at);
      if (sameKey(v, user, groups, nGroups, ns)) return v;
      // why: a hash collision: answer from a view of its own, uncached (never from the other requester's)
      return buildView(this.snapshot, user, groups, nGroups, ns);
    }
    const v = buildView(this.snapshot, user, groups, nGroups, ns);
    if (this.count == MAX_VIEWS || this.weight + <i64>v.weight > MAX_WEIGHT) {
      this.views = new StaticArray<View | null>(64);
      this.count = 0;
      this.table = new I64Table(256);
      this.weight = 0;
    }
    if (this.count == this.views.length) {
      const grown = new StaticArray<View | null>(this.count * 2);
      for (let i = 0; i < this.count; i++) unchecked(grown[i] = unchecked(this.views[i]));
      this.views = grown;
    }
    this.weight += <i64>v.weight;
    this.table.setWide(key, <i64>changetype<usize>(v));
    unchecked(this.views[this.count++] = v);
    return v;
  }
}

// why: the cache hangs off its snapshot, so it lives exactly as long as the snapshot (hosts that swap snapshots
// without dropping them, like the Envoy filter on a config reload, leak nothing)
export function viewCache(s: Snapshot): ViewCache {
  let c = s.views;
  if (c == null) {
    c = new ViewCache(s);
    s.views = c;
  }
  return changetype<ViewCache>(c);
}

// Releases a snapshot's views now (they are rebuilt on demand).
export function forgetViews(s: Snapshot): void {
  s.views = null;
}
