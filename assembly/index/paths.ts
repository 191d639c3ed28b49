// Request paths of non-resource decisions, remembered per snapshot. A stream of non-resource requests repeats a
// few paths (/healthz, /readyz, /livez, /metrics, /api, /apis, /version: probes and discovery), so each path's
// bytes are decoded and interned once, and each role's answer for it is remembered beside it: a decision on a known
// path costs one hash of its bytes and, per candidate role, a look in the entry instead of a scan of the role's
// URLs and prefixes.
//
// A table hangs off its snapshot (Snapshot.paths) and lives exactly as long: role ids, vocabulary ids and packed
// rule addresses in an entry mean what they mean in that snapshot only. It is bounded, two slots a path (its own and
// the neighbour): a path whose two slots hold other paths replaces one of them (with an empty memo), so unbounded
// distinct paths (a scanner in front of the Envoy filter) cost a decode each, never memory.
import { Snapshot } from "./snapshot";

const SLOTS: i32 = 256;
// why: a path's requesters reach a handful of roles with non-resource rules (system:discovery,
// system:public-info-viewer, a monitoring role, cluster-admin); 8 keys are one cache line
const MEMO: i32 = 8;
const NO_KEY: i64 = -1;

export class PathEntry {
  bytes: ArrayBuffer;
  text: string;
  id: i32; // the path's vocabulary id (ID_UNKNOWN when no rule names it exactly)
  // (role << 32 | verb id + 1) -> the role's first non-resource rule that allows the verb on this path, or -1;
  // the most recent MEMO keys, replaced round-robin
  private keys: StaticArray<i64> = new StaticArray<i64>(MEMO);
  private rules: StaticArray<i32> = new StaticArray<i32>(MEMO);
  private next: i32 = 0;

  constructor(bytes: ArrayBuffer, text: string, id: i32) {
    this.bytes = bytes;
    this.text = text;
    this.id = id;
    for (let i = 0; i < MEMO; i++) unchecked(this.keys[i] = NO_KEY);
  }

  // Whether this is the path of len UTF-8 bytes at ptr.
  // @ts-ignore: decorator
  @inline
  is(ptr: usize, len: u32): bool {
    const bytes = this.bytes;
    return <u32>bytes.byteLength == len && sameBytes(changetype<usize>(bytes), ptr, len);
  }

  // The first non-resource rule of `role` (one of s's roles) that allows `verb` (an id, or ID_UNKNOWN) on this
  // path, or -1: Snapshot.urlRule, remembered.
  rule(s: Snapshot, role: i32, verb: i32): i32 {
    // why: verb + 1 keeps ID_UNKNOWN (-1) in the low word without touching the role's bits
    const key = (<i64>role << 32) | <i64>(<u32>(verb + 1));
    const keys = this.keys;
    for (let i = 0; i < MEMO; i++) if (unchecked(keys[i]) == key) return unchecked(this.rules[i]);
    const r = s.urlRule(role, verb, this.id, this.text);
    const at = this.next;
    unchecked(keys[at] = key);
    unchecked(this.rules[at] = r);
    this.next = (at + 1) & (MEMO - 1);
    return r;
  }
}

export class PathTable {
  snapshot: Snapshot;
  private entries: StaticArray<PathEntry | null> = new StaticArray<PathEntry | null>(SLOTS);

  constructor(s: Snapshot) {
    this.snapshot = s;
  }

  // The entry of the UTF-8 path of len bytes at ptr.
  entry(ptr: usize, len: u32): PathEntry {
    const slot = <i32>(hashBytes(ptr, len) & <u32>(SLOTS - 1));
    // why: two-way: a path whose slot another hot path holds takes the neighbour, so two colliding probe paths do
    // not evict each other on every request
    const entries = this.entries;
    const a = unchecked(entries[slot]);
    if (a != null && a.is(ptr, len)) return a;
    const other = slot ^ 1;
    const b = unchecked(entries[other]);
    if (b != null && b.is(ptr, len)) return b;
    const bytes = new ArrayBuffer(<i32>len);
    memory.copy(changetype<usize>(bytes), ptr, len);
    const text = String.UTF8.decodeUnsafe(ptr, <usize>len);
    const e = new PathEntry(bytes, text, this.snapshot.vocab.lookup(text));
    // the new path goes where the slot is free, or replaces the slot's own path
    unchecked(entries[a != null && b == null ? other : slot] = e);
    return e;
  }
}

// Whether len bytes at a and b are equal, four at a time (memory.compare goes byte by byte).
// @ts-ignore: decorator
@inline
function sameBytes(a: usize, b: usize, len: u32): bool {
  const end = a + <usize>len;
  for (; a + 4 <= end; a += 4, b += 4) if (load<u32>(a) != load<u32>(b)) return false;
  for (; a < end; a++, b++) if (load<u8>(a) != load<u8>(b)) return false;
  return true;
}

// A hash of len bytes at ptr, four bytes a step (paths are short, and hashed on every non-resource decision).
function hashBytes(ptr: usize, len: u32): u32 {
  let h: u32 = 0x9e3779b9 ^ len;
  const end = ptr + <usize>len;
  let p = ptr;
  for (; p + 4 <= end; p += 4) h = rotl<u32>((h ^ load<u32>(p)) * 0x85ebca6b, 13);
  for (; p < end; p++) h = (h ^ <u32>load<u8>(p)) * 0xc2b2ae35;
  h ^= h >>> 16;
  h *= 0x7feb352d;
  return h ^ (h >>> 15);
}

// The snapshot's path table, made on first use.
export function pathTable(s: Snapshot): PathTable {
  let t = s.paths;
  if (t == null) {
    t = new PathTable(s);
    s.paths = t;
  }
  return changetype<PathTable>(t);
}
