// An open-addressing hash table from i64 keys to i32 values, for the decision hot path:
// one probe sequence per lookup, no allocation, -1 for a missing key (std Map needs has() then get()).
// INVARIANT: keys are never EMPTY (i64.MIN_VALUE); callers build keys from non-negative ids.

const EMPTY: i64 = i64.MIN_VALUE;

export class I64Table {
  private keys: StaticArray<i64>;
  private vals: StaticArray<i32>;
  private mask: i32;
  size: i32 = 0;

  constructor(capacity: i32 = 16) {
    let cap = 16;
    while (cap < capacity * 2) cap <<= 1;
    this.keys = new StaticArray<i64>(cap);
    this.vals = new StaticArray<i32>(cap);
    this.mask = cap - 1;
    for (let i = 0; i < cap; i++) unchecked(this.keys[i] = EMPTY);
  }

  // @ts-ignore: decorator
  @inline
  private slot(key: i64): i32 {
    // why: Fibonacci hashing spreads (namespace << 32 | id) keys, whose low bits repeat
    return <i32>(<u64>(key * 0x9e3779b97f4a7c15) >>> 40) & this.mask;
  }

  get(key: i64): i32 {
    let i = this.slot(key);
    while (true) {
      const k = unchecked(this.keys[i]);
      if (k == key) return unchecked(this.vals[i]);
      if (k == EMPTY) return -1;
      i = (i + 1) & this.mask;
    }
  }

  set(key: i64, value: i32): void {
    if ((this.size + 1) * 2 > this.mask + 1) this.grow();
    let i = this.slot(key);
    while (true) {
      const k = unchecked(this.keys[i]);
      if (k == key) {
        unchecked(this.vals[i] = value);
        return;
      }
      if (k == EMPTY) {
        unchecked(this.keys[i] = key);
        unchecked(this.vals[i] = value);
        this.size++;
        return;
      }
      i = (i + 1) & this.mask;
    }
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldVals = this.vals;
    const cap = (this.mask + 1) << 1;
    this.keys = new StaticArray<i64>(cap);
    this.vals = new StaticArray<i32>(cap);
    this.mask = cap - 1;
    this.size = 0;
    for (let i = 0; i < cap; i++) unchecked(this.keys[i] = EMPTY);
    for (let i = 0; i < oldKeys.length; i++) {
      const k = unchecked(oldKeys[i]);
      if (k != EMPTY) this.set(k, unchecked(oldVals[i]));
    }
  }
}
