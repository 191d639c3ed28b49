// An open-addressing hash table from i64 keys to i32 values, for the decision hot path:
// one probe sequence per lookup, no allocation, -1 for a missing key (std Map needs has() then get()).
// A slot is two adjacent i64 words [key, value], so a probe that finds its key reads one cache line.
// INVARIANT: keys are never EMPTY (i64.MIN_VALUE); callers build keys from non-negative ids.

export const EMPTY: i64 = i64.MIN_VALUE;

export class I64Table {
  private slots: StaticArray<i64>; // [key, value] pairs
  private mask: i32;
  size: i32 = 0;

  constructor(capacity: i32 = 16) {
    let cap = 16;
    while (cap < capacity * 2) cap <<= 1;
    this.slots = I64Table.emptySlots(cap);
    this.mask = cap - 1;
  }

  private static emptySlots(cap: i32): StaticArray<i64> {
    const slots = new StaticArray<i64>(cap << 1);
    for (let i = 0; i < cap; i++) unchecked(slots[i << 1] = EMPTY);
    return slots;
  }

  // @ts-ignore: decorator
  @inline
  private static slotOf(key: i64, mask: i32): i32 {
    // why: Fibonacci hashing spreads (namespace << 32 | id) keys, whose low bits repeat
    return <i32>(<u64>(key * 0x9e3779b97f4a7c15) >>> 40) & mask;
  }

  get(key: i64): i32 {
    return I64Table.lookup(this.slots, this.mask, key);
  }

  // A lookup in a table's slots (see slotArray/slotMask), for owners that keep the slots of a finished table, or
  // read them once per call, and save the indirection through the table object.
  // @ts-ignore: decorator
  @inline
  static lookup(slots: StaticArray<i64>, mask: i32, key: i64): i32 {
    let i = I64Table.slotOf(key, mask);
    while (true) {
      const k = unchecked(slots[i << 1]);
      if (k == key) return <i32>unchecked(slots[(i << 1) + 1]);
      if (k == EMPTY) return -1;
      i = (i + 1) & mask;
    }
  }

  // INVARIANT: valid until the next set() that grows the table
  get slotArray(): StaticArray<i64> {
    return this.slots;
  }

  get slotMask(): i32 {
    return this.mask;
  }

  set(key: i64, value: i32): void {
    if ((this.size + 1) * 2 > this.mask + 1) this.grow();
    const slots = this.slots;
    let i = I64Table.slotOf(key, this.mask);
    while (true) {
      const k = unchecked(slots[i << 1]);
      if (k == key) {
        unchecked(slots[(i << 1) + 1] = <i64>value);
        return;
      }
      if (k == EMPTY) {
        unchecked(slots[i << 1] = key);
        unchecked(slots[(i << 1) + 1] = <i64>value);
        this.size++;
        return;
      }
      i = (i + 1) & this.mask;
    }
  }

  // Iteration over the slots: for i in [0, capacity), keyAt(i) is a key, or EMPTY for a free slot.
  // @ts-ignore: decorator
  @inline
  get capacity(): i32 {
    return this.mask + 1;
  }

  // @ts-ignore: decorator
  @inline
  keyAt(i: i32): i64 {
    return unchecked(this.slots[i << 1]);
  }

  // @ts-ignore: decorator
  @inline
  valueAt(i: i32): i32 {
    return <i32>unchecked(this.slots[(i << 1) + 1]);
  }

  private grow(): void {
    const old = this.slots;
    const oldCap = this.mask + 1;
    const cap = oldCap << 1;
    this.slots = I64Table.emptySlots(cap);
    this.mask = cap - 1;
    this.size = 0;
    for (let i = 0; i < oldCap; i++) {
      const k = unchecked(old[i << 1]);
      if (k != EMPTY) this.set(k, <i32>unchecked(old[(i << 1) + 1]));
    }
  }
}
