// Who holds each role: the bindings that resolve to it directly, and those of every aggregated ClusterRole that
// selects it (transitively), plus where each effective rule of an aggregated ClusterRole comes from.
import { Snapshot } from "../index/snapshot";
import { selectorError, selectorMatches } from "../index/labels";
import { Role } from "../model/policy";

// A binding (index into Snapshot.bindings) that makes a role effective; `top` is the role its roleRef names
// (the role itself, or an aggregated ClusterRole that includes it).
export class Holding {
  constructor(public binding: i32, public top: i32) {}
}

// Where an effective rule of an aggregated ClusterRole was written: role index, its rule index, and which selector
// of the aggregating role picked that role.
export class RuleSource {
  constructor(public role: i32, public rule: i32, public selector: i32) {}
}

// why: the controller overwrites an aggregated ClusterRole's rules only when every selector is valid
export function isAggregated(r: Role, aggregationOn: bool): bool {
  if (!aggregationOn || !r.isCluster() || r.aggregationRule == null) return false;
  const sels = r.aggregationRule!;
  for (let i = 0; i < sels.length; i++) if (selectorError(sels[i]) != null) return false;
  return true;
}

export class Holders {
  direct: Holding[][] = [];
  // per role: the aggregated ClusterRoles selecting it, and the selector index that does
  selectedBy: i32[][] = [];
  selectorIndex: i32[][] = [];
  private memo: Map<i32, Holding[]> = new Map();

  constructor(public s: Snapshot, public aggregationOn: bool) {
    const n = s.roles.length;
    for (let i = 0; i < n; i++) {
      this.direct.push([]);
      this.selectedBy.push([]);
      this.selectorIndex.push([]);
    }
    for (let b = 0; b < s.bindings.length; b++) {
      const ib = s.bindings[b];
      // why: a RoleBinding without a namespace applies to no request (the authorizer never visits it)
      if (ib.role < 0 || (!ib.binding.isCluster() && ib.binding.namespace.length == 0)) continue;
      this.direct[ib.role].push(new Holding(b, ib.role));
    }
    for (let t = 0; t < n; t++) {
      const target = s.roles[t];
      if (!isAggregated(target, aggregationOn)) continue;
      const sels = target.aggregationRule!;
      for (let c = 0; c < n; c++) {
        const cr = s.roles[c];
        if (c == t || !cr.isCluster() || cr.name == target.name) continue;
        for (let k = 0; k < sels.length; k++) {
          if (!selectorMatches(sels[k], cr)) continue;
          this.selectedBy[c].push(t);
          this.selectorIndex[c].push(k);
          break;
        }
      }
    }
  }

  // Whether any binding makes the role effective (directly or through an aggregated role that includes it).
  isHeld(role: i32): bool {
    return this.direct[role].length > 0 || (this.selectedBy[role].length > 0 && this.of(role).length > 0);
  }

  // Every holding of a role: its own bindings, then those of the aggregated roles that include it.
  of(role: i32): Holding[] {
    // why: most roles are not aggregated into another; their own list needs no copy
    if (this.selectedBy[role].length == 0) return this.direct[role];
    if (this.memo.has(role)) return this.memo.get(role);
    const out = new Array<Holding>();
    const seen = new Set<i32>();
    this.collect(role, role, out, seen, 0);
    this.memo.set(role, out);
    return out;
  }

  private collect(role: i32, top: i32, out: Holding[], seen: Set<i32>, depth: i32): void {
    if (seen.has(role) || depth > 32) return;
    seen.add(role);
    const d = this.direct[role];
    for (let i = 0; i < d.length; i++) out.push(new Holding(d[i].binding, role));
    const up = this.selectedBy[role];
    for (let i = 0; i < up.length; i++) this.collect(up[i], up[i], out, seen, depth + 1);
  }

  // The role and rule an effective rule of `role` was written in (itself unless it is aggregated).
  source(role: i32, rule: i32): RuleSource {
    return this.trace(role, rule, -1, 0);
  }

  private trace(role: i32, rule: i32, selector: i32, depth: i32): RuleSource {
    const r = this.s.roles[role];
    if (depth > 16 || !isAggregated(r, this.aggregationOn) || rule >= r.rules.length) return new RuleSource(role, rule, selector);
    const want = r.rules[rule];
    // why: the controller takes component roles in name order and keeps the first copy of equal rules
    let best = -1;
    let bestRule = -1;
    let bestSel = -1;
    for (let c = 0; c < this.s.roles.length; c++) {
      const ups = this.selectedBy[c];
      const at = ups.indexOf(role);
      if (at < 0) continue;
      const comp = this.s.roles[c];
      if (best >= 0 && comp.name >= this.s.roles[best].name) continue;
      for (let j = 0; j < comp.rules.length; j++) {
        if (!comp.rules[j].equals(want)) continue;
        best = c;
        bestRule = j;
        bestSel = this.selectorIndex[c][at];
        break;
      }
    }
    if (best < 0) return new RuleSource(role, rule, selector);
    const inner = this.trace(best, bestRule, bestSel, depth + 1);
    // the selector reported is the one of the outermost role (the finding's object)
    return new RuleSource(inner.role, inner.rule, depth == 0 ? bestSel : selector);
  }
}
