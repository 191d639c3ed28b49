// Principal views: for one requester (user, groups) and one namespace, the bindings that can apply to it,
// merged once into Kubernetes' visiting order (ClusterRoleBindings, then the namespace's RoleBindings, each in
// position order), with each binding's role and index resolved and the resolution errors a denial would report.
//
// A decision first finds its view (one hash probe and an identity check), then asks each candidate role one hash
// probe for the (verb, group, resource) key. Views are built on first use and kept in a bounded cache per
// snapshot: the set of requesters is small next to the set of requests, and a view depends on nothing but the
// immutable snapshot and its key, so a cached view can never be stale.
//
// Memory layout. A decision's cost at 10k+ bindings is its cache misses, not its instructions: thousands of
// distinct requesters make every view cold. So a view is one record of i32 words in one arena (no objects, no
// pointers between them), laid out in the order a decision reads it:
//
//   header  V_USER .. V_NERRORS               the key, counts, and the denial's reason handle
//   groups  [nGroups]                         the rest of the key
//   probe   [size × P_WORDS]                  per candidate: its role's plain-table slots and mask, grant handle (P_*)
//   cold    [size × K_WORDS]                  per candidate: binding position, role, subject (K_*)
//   others  [nOthers]                         candidates whose role has resource rules outside its plain table
//   nonRes  [nNonResource]                    candidates whose role has non-resource rules
//   errors  [nErrors]                         distinct resolution errors, in visiting order
//
// A decision reads the header, the key and the probe words in order and stops at the granting candidate; the words
// after them are read for a denial's errors, a grant's first reason, and the merged and non-resource paths.
import { Snapshot } from "./snapshot";
import { I64Table, EMPTY } from "../util/i64-table";
import { ID_UNKNOWN } from "./vocab";

// why: bound the cache's memory: arena words plus merged-table words (about 4 bytes a unit); when a new view
// would pass the budget (~128 MiB), the cache starts over
const MAX_VIEWS: i32 = 65536;
const MAX_WEIGHT: i64 = 1 << 25;
// why: a merged table is one probe where the candidates would take several, but it copies every key of every
// candidate role into a table of this view's own: the aggregated roles (about 400 keys each for admin and edit in
// the v1.20 bootstrap objects) make such a view 16 KiB of slots, and thousands of cold views cost more misses than
// the probes they save, while shared role tables (the bootstrap roles every requester reaches) stay in cache
// across requesters. Measured on the 10k-binding benchmark (batch path, one process, against never merging):
// merging from 2 candidates (tables up to 64 keys) cost 1.4x the time, from 6 candidates (up to 512 keys) 1.5x.
// So only requesters with very many bindings get a merged table.
const MERGE_MIN_CANDIDATES: i32 = 16;
const MERGE_MAX_KEYS: i32 = 4096;

// Header words of a view record.
export const V_USER: i32 = 0;
export const V_NS: i32 = 1; // 0 for a view without RoleBindings (cluster-scoped request, or a namespace no binding names)
export const V_NGROUPS: i32 = 2;
export const V_SIZE: i32 = 3; // candidates whose roleRef resolves
export const V_OTHERS_FIRST: i32 = 4; // the first candidate with resource rules outside its plain table (MAX: none)
export const V_DENY: i32 = 5; // host-visible reason handle of a denial through this view, once computed (-1: not yet)
export const V_MERGED_MASK: i32 = 6; // the merged plain table's slot mask, -1 when the view has none
export const V_MERGED_SLOTS: i32 = 7; // its slots' address (kept alive by ViewCache.tables)
export const V_NOTHERS: i32 = 8;
export const V_NNONRES: i32 = 9;
export const V_NERRORS: i32 = 10;
export const V_HEADER: i32 = 11;

// Probe words per candidate: the role's plain-table slots (address in Snapshot.plainPacked) and mask (-1 when the
// role has no plain keys), the address of its packed other resource rules (Snapshot.othersPacked, 0 when it has
// none), and the host-visible reason handle of a grant by this candidate, once computed (-1: not yet), beside
// them so that a grant reads no other line. A candidate with neither has no resource rules: nothing to probe.
export const P_SLOTS: i32 = 0;
export const P_MASK: i32 = 1;
export const P_OTHERS: i32 = 2;
export const P_HANDLE: i32 = 3;
export const P_WORDS: i32 = 4;

// Cold words per candidate, read when a grant's reason is first built, and by the merged and non-resource paths.
export const K_POSITION: i32 = 0; // the binding's position
export const K_ROLE: i32 = 1; // its role
export const K_SUBJECT: i32 = 2; // the first subject of the binding that names this requester (appliesTo)
export const K_WORDS: i32 = 3;

// A merged plain-table value: (candidate << RULE_BITS) | rule index in the candidate's role, RULE_MASK when the
// rule index does not fit (then the role's own table tells it).
export const RULE_BITS: i32 = 12;
export const RULE_MASK: i32 = (1 << RULE_BITS) - 1;
const MAX_MERGED_CANDIDATES: i32 = 1 << (31 - RULE_BITS);

// Word offsets of a record's sections, from its header.
// @ts-ignore: decorator
@inline
export function probeOffset(b: usize): i32 {
  return V_HEADER + load<i32>(b + (<usize>V_NGROUPS << 2));
}

// @ts-ignore: decorator
@inline
export function coldOffset(b: usize): i32 {
  return probeOffset(b) + load<i32>(b + (<usize>V_SIZE << 2)) * P_WORDS;
}

// @ts-ignore: decorator
@inline
export function othersOffset(b: usize): i32 {
  return coldOffset(b) + load<i32>(b + (<usize>V_SIZE << 2)) * K_WORDS;
}

// @ts-ignore: decorator
@inline
export function nonResourceOffset(b: usize): i32 {
  return othersOffset(b) + load<i32>(b + (<usize>V_NOTHERS << 2));
}

// @ts-ignore: decorator
@inline
export function errorsOffset(b: usize): i32 {
  return nonResourceOffset(b) + load<i32>(b + (<usize>V_NNONRES << 2));
}

// @ts-ignore: decorator
@inline
export function word(b: usize, at: i32): i32 {
  return load<i32>(b + (<usize>at << 2));
}

// Address of candidate c's probe word k in the record at b.
// @ts-ignore: decorator
@inline
export function probeAddress(b: usize, c: i32, k: i32): usize {
  return b + (<usize>(probeOffset(b) + c * P_WORDS + k) << 2);
}

// Address of candidate c's cold word k in the record at b.
// @ts-ignore: decorator
@inline
export function coldAddress(b: usize, c: i32, k: i32): usize {
  return b + (<usize>(coldOffset(b) + c * K_WORDS + k) << 2);
}

const EMPTY_TABLE = new I64Table(1);

// Scratch for building views (no allocation per build once warmed up).
const lists = new Array<i32[]>();
let cursors = new StaticArray<i32>(66);
let merged = new StaticArray<i32>(256);
const errorScratch = new Array<i32>();

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

// @ts-ignore: decorator
@inline
function mix(h: u64, x: i32): u64 {
  h ^= <u64>(<u32>x);
  h *= 0x9e3779b97f4a7c15;
  return h ^ (h >> 31);
}

export class ViewCache {
  snapshot: Snapshot;
  // key hash -> word offset of the view's record in `arena`
  table: I64Table = new I64Table(256);
  // INVARIANT: arena[0, top) holds `count` committed records; offsets stay valid when the arena grows
  arena: StaticArray<i32> = new StaticArray<i32>(1 << 14);
  top: i32 = 0;
  count: i32 = 0;
  weight: i64 = 0;
  // merged tables' slots, kept alive here (records hold their addresses)
  tables: StaticArray<i64>[] = [];

  constructor(s: Snapshot) {
    this.snapshot = s;
  }

  // The address of the record at word offset `at` (valid until the next view is built).
  // @ts-ignore: decorator
  @inline
  base(at: i32): usize {
    return changetype<usize>(this.arena) + (<usize>at << 2);
  }

  // The record of (user, groups in the given order, namespace); RoleBindings count only for a namespace id > 0.
  get(user: i32, groups: StaticArray<i32>, nGroups: i32, namespace: i32): i32 {
    const ns = namespace > 0 ? namespace : 0;
    let h = mix(mix(0xcbf29ce484222325, user), ns);
    for (let g = 0; g < nGroups; g++) h = mix(h, unchecked(groups[g]));
    // why: I64Table keys must not be i64.MIN_VALUE; a non-negative key never is
    const key = <i64>(h >> 1);
    const t = this.table;
    const at = I64Table.lookup(t.slotArray, t.slotMask, key);
    if (at >= 0) {
      if (this.sameKey(at, user, groups, nGroups, ns)) return at;
      // why: a hash collision: answer from a view of its own, built past the committed records and not kept
      // (never from the other requester's)
      return this.build(user, groups, nGroups, ns);
    }
    if (this.count == MAX_VIEWS || this.weight > MAX_WEIGHT) this.reset();
    const v = this.build(user, groups, nGroups, ns);
    const words = this.recordWords(v);
    this.top = v + words;
    this.count++;
    this.weight += <i64>words;
    this.table.set(key, v);
    return v;
  }

  private sameKey(at: i32, user: i32, groups: StaticArray<i32>, nGroups: i32, ns: i32): bool {
    const b = this.base(at);
    if (word(b, V_USER) != user || word(b, V_NS) != ns || word(b, V_NGROUPS) != nGroups) return false;
    for (let g = 0; g < nGroups; g++) if (word(b, V_HEADER + g) != unchecked(groups[g])) return false;
    return true;
  }

  private recordWords(at: i32): i32 {
    const b = this.base(at);
    return errorsOffset(b) + word(b, V_NERRORS);
  }

  private reset(): void {
    this.table = new I64Table(256);
    this.arena = new StaticArray<i32>(1 << 14);
    this.top = 0;
    this.count = 0;
    this.weight = 0;
    this.tables = [];
  }

  private reserve(words: i32): void {
    const need = this.top + words;
    let cap = this.arena.length;
    if (need <= cap) return;
    while (cap < need) cap <<= 1;
    const grown = new StaticArray<i32>(cap);
    memory.copy(changetype<usize>(grown), changetype<usize>(this.arena), <usize>this.top << 2);
    this.arena = grown;
  }

  // Writes the view's record at `top` (not committed) and returns its offset.
  private build(user: i32, groups: StaticArray<i32>, nGroups: i32, namespace: i32): i32 {
    const s = this.snapshot;
    const n = mergeCandidates(s, user, groups, nGroups, namespace);
    let size = 0;
    let plainKeys = 0;
    let nOthers = 0;
    let nNonResource = 0;
    errorScratch.length = 0;
    for (let i = 0; i < n; i++) {
      const ib = unchecked(s.bindings[unchecked(merged[i])]);
      if (ib.role < 0) {
        if (!errorScratch.includes(ib.errorId)) errorScratch.push(ib.errorId);
        continue;
      }
      const ix = unchecked(s.roleIndexes[ib.role]);
      size++;
      plainKeys += ix.plain.size;
      if (ix.others.length > 0) nOthers++;
      if (ix.nonResource.length > 0) nNonResource++;
    }
    const nErrors = errorScratch.length;
    const words = V_HEADER + nGroups + size * (P_WORDS + K_WORDS) + nOthers + nNonResource + nErrors;
    this.reserve(words);
    // why: with few candidates a probe per candidate costs what one probe in a merged table costs; merge only
    // when it saves probes, and not past a size where the copy costs more misses than it saves
    const merge = size >= MERGE_MIN_CANDIDATES && size < MAX_MERGED_CANDIDATES && plainKeys > 0 &&
      plainKeys <= MERGE_MAX_KEYS;
    const plain = merge ? new I64Table(plainKeys) : EMPTY_TABLE;
    const at = this.top;
    const b = this.base(at);
    store<i32>(b + (<usize>V_USER << 2), user);
    store<i32>(b + (<usize>V_NS << 2), namespace);
    store<i32>(b + (<usize>V_NGROUPS << 2), nGroups);
    store<i32>(b + (<usize>V_SIZE << 2), size);
    store<i32>(b + (<usize>V_DENY << 2), -1);
    store<i32>(b + (<usize>V_NOTHERS << 2), nOthers);
    store<i32>(b + (<usize>V_NNONRES << 2), nNonResource);
    store<i32>(b + (<usize>V_NERRORS << 2), nErrors);
    for (let g = 0; g < nGroups; g++) store<i32>(b + (<usize>(V_HEADER + g) << 2), unchecked(groups[g]));
    const probe = probeOffset(b);
    const cold = coldOffset(b);
    let othersAt = othersOffset(b);
    let nonResourceAt = nonResourceOffset(b);
    const errorsAt = errorsOffset(b);
    let othersFirst = i32.MAX_VALUE;
    let c = 0;
    for (let i = 0; i < n; i++) {
      const pos = unchecked(merged[i]);
      const ib = unchecked(s.bindings[pos]);
      if (ib.role < 0) continue;
      const ix = unchecked(s.roleIndexes[ib.role]);
      const p = b + (<usize>(probe + c * P_WORDS) << 2);
      store<i32>(p, <i32>s.plainSlotsAddress(ib.role));
      store<i32>(p, ix.plain.size == 0 ? -1 : ix.plain.slotMask, P_MASK << 2);
      store<i32>(p, <i32>s.othersAddress(ib.role), P_OTHERS << 2);
      store<i32>(p, -1, P_HANDLE << 2);
      const k = b + (<usize>(cold + c * K_WORDS) << 2);
      store<i32>(k, pos, K_POSITION << 2);
      store<i32>(k, ib.role, K_ROLE << 2);
      store<i32>(k, s.firstMatchingSubject(ib, user, groups, nGroups), K_SUBJECT << 2);
      if (ix.others.length > 0) {
        if (othersFirst == i32.MAX_VALUE) othersFirst = c;
        store<i32>(b + (<usize>othersAt << 2), c);
        othersAt++;
      }
      if (ix.nonResource.length > 0) {
        store<i32>(b + (<usize>nonResourceAt << 2), c);
        nonResourceAt++;
      }
      const t = ix.plain;
      if (merge && t.size > 0) {
        for (let j = 0, cap = t.capacity; j < cap; j++) {
          const key = t.keyAt(j);
          // why: keep the first candidate that has the key: it is the one Kubernetes' visitor reaches first
          if (key != EMPTY && plain.get(key) < 0) plain.set(key, (c << RULE_BITS) | min(t.valueAt(j), RULE_MASK));
        }
      }
      c++;
    }
    for (let e = 0; e < nErrors; e++) store<i32>(b + (<usize>(errorsAt + e) << 2), unchecked(errorScratch[e]));
    store<i32>(b + (<usize>V_OTHERS_FIRST << 2), othersFirst);
    if (merge) {
      this.tables.push(plain.slotArray);
      store<i32>(b + (<usize>V_MERGED_SLOTS << 2), <i32>changetype<usize>(plain.slotArray));
      store<i32>(b + (<usize>V_MERGED_MASK << 2), plain.slotMask);
      this.weight += <i64>(plain.capacity * 4);
    } else {
      store<i32>(b + (<usize>V_MERGED_SLOTS << 2), 0);
      store<i32>(b + (<usize>V_MERGED_MASK << 2), -1);
    }
    return at;
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
