// Interned strings. Every string a decision compares (verbs, groups, resources, names, namespaces,
// subject keys) gets a small integer id once per snapshot, so the hot path compares integers.
// INVARIANT: id 0 is the empty string; -1 means "not in this snapshot" (it can only match wildcards).

export const ID_EMPTY: i32 = 0;
export const ID_UNKNOWN: i32 = -1;

export class Vocab {
  strings: string[] = [];
  // open addressing: slot -> id + 1 (0 = empty); one hash and one probe sequence per intern (a Map needs has + get)
  private slots: StaticArray<i32> = new StaticArray<i32>(1024);
  private mask: i32 = 1023;

  constructor() {
    this.intern("");
  }

  intern(s: string): i32 {
    let i = <i32>hashString(s) & this.mask;
    while (true) {
      const v = unchecked(this.slots[i]);
      if (v == 0) break;
      if (unchecked(this.strings[v - 1]) == s) return v - 1;
      i = (i + 1) & this.mask;
    }
    const id = this.strings.length;
    this.strings.push(s);
    unchecked(this.slots[i] = id + 1);
    if ((id + 1) * 2 > this.mask) this.grow();
    return id;
  }

  lookup(s: string): i32 {
    let i = <i32>hashString(s) & this.mask;
    while (true) {
      const v = unchecked(this.slots[i]);
      if (v == 0) return ID_UNKNOWN;
      if (unchecked(this.strings[v - 1]) == s) return v - 1;
      i = (i + 1) & this.mask;
    }
  }

  private grow(): void {
    const cap = (this.mask + 1) << 1;
    const slots = new StaticArray<i32>(cap);
    const mask = cap - 1;
    for (let id = 0; id < this.strings.length; id++) {
      let i = <i32>hashString(unchecked(this.strings[id])) & mask;
      while (unchecked(slots[i]) != 0) i = (i + 1) & mask;
      unchecked(slots[i] = id + 1);
    }
    this.slots = slots;
    this.mask = mask;
  }
}

// FNV-1a over the UTF-16 code units, finished with a multiply so that the low bits (the slot) mix well.
// @ts-ignore: decorator
@inline
function hashString(s: string): u32 {
  return hashUnits(changetype<usize>(s), <usize>s.length << 1);
}

// The same hash over `bytes` bytes of UTF-16 code units anywhere in memory (decode-wire.ts hashes its input in place).
export function hashUnits(p: usize, bytes: usize): u32 {
  let h: u32 = 0x811c9dc5;
  for (let i: usize = 0; i < bytes; i += 2) h = (h ^ <u32>load<u16>(p + i)) * 0x01000193;
  return (h ^ (h >>> 15)) * 0x2c1b3c6d;
}

// Sorted-free membership test for the short id lists of a rule.
// @ts-ignore: decorator
@inline
export function hasId(list: StaticArray<i32>, id: i32): bool {
  for (let i = 0, n = list.length; i < n; i++) if (unchecked(list[i]) == id) return true;
  return false;
}
