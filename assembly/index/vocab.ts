// Interned strings. Every string a decision compares (verbs, groups, resources, names, namespaces,
// subject keys) gets a small integer id once per snapshot, so the hot path compares integers.
// INVARIANT: id 0 is the empty string; -1 means "not in this snapshot" (it can only match wildcards).

export const ID_EMPTY: i32 = 0;
export const ID_UNKNOWN: i32 = -1;

export class Vocab {
  ids: Map<string, i32> = new Map();
  strings: string[] = [];

  constructor() {
    this.intern("");
  }

  intern(s: string): i32 {
    if (this.ids.has(s)) return this.ids.get(s);
    const id = this.strings.length;
    this.ids.set(s, id);
    this.strings.push(s);
    return id;
  }

  lookup(s: string): i32 {
    return this.ids.has(s) ? this.ids.get(s) : ID_UNKNOWN;
  }
}

// Sorted-free membership test for the short id lists of a rule.
// @ts-ignore: decorator
@inline
export function hasId(list: StaticArray<i32>, id: i32): bool {
  for (let i = 0, n = list.length; i < n; i++) if (unchecked(list[i]) == id) return true;
  return false;
}
