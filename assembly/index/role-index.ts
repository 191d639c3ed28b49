// A role's resource rules indexed for the decision: plain rules (explicit verbs, groups and resources,
// no resourceNames, no wildcard) are expanded into a hash of (verb, group, resource) -> first rule index,
// so a binding costs one lookup however many rules its role has (aggregated admin/edit have dozens).
// The other rules stay in a short list of rule indexes (and so do the non-resource rules); the snapshot packs both
// as words (packed-rules.ts), which the decision scans in order.
import { CompiledRule } from "./snapshot";
import { I64Table } from "../util/i64-table";

const ID_BITS: i32 = 21;
export const ID_LIMIT: i32 = 1 << ID_BITS;

// @ts-ignore: decorator
@inline
export function ruleKey(verb: i32, group: i32, resource: i32): i64 {
  return (<i64>verb << 42) | (<i64>group << 21) | <i64>resource;
}

function fits(ids: StaticArray<i32>): bool {
  for (let i = 0; i < ids.length; i++) if (ids[i] >= ID_LIMIT) return false;
  return true;
}

export class RoleIndex {
  plain: I64Table = new I64Table(8);
  // INVARIANT: ascending rule indexes of resource rules that are not in `plain`
  others: StaticArray<i32> = [];
  // ascending rule indexes of rules with nonResourceURLs
  nonResource: StaticArray<i32> = [];

  constructor(rules: CompiledRule[]) {
    const others = new Array<i32>();
    const nonResource = new Array<i32>();
    for (let i = 0; i < rules.length; i++) {
      const r = rules[i];
      if (r.urls.length > 0) nonResource.push(i);
      if (r.resources.length == 0) continue;
      const isPlain = !r.verbAll && !r.groupAll && !r.resourceAll && r.starSubs.length == 0 && r.names.length == 0 &&
        fits(r.verbs) && fits(r.groups) && fits(r.resources);
      if (!isPlain) {
        others.push(i);
        continue;
      }
      for (let v = 0; v < r.verbs.length; v++) {
        for (let g = 0; g < r.groups.length; g++) {
          for (let x = 0; x < r.resources.length; x++) {
            const key = ruleKey(r.verbs[v], r.groups[g], r.resources[x]);
            if (this.plain.get(key) < 0) this.plain.set(key, i); // why: keep the first rule that grants it
          }
        }
      }
    }
    this.others = StaticArray.fromArray(others);
    this.nonResource = StaticArray.fromArray(nonResource);
  }
}
