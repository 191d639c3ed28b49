// ClusterRole aggregation, as pkg/controller/clusterroleaggregation does it, run to a fixpoint at load
// so that offline manifests of admin/edit/view mean what they mean in a cluster.
import { PolicyRule, Role } from "../model/policy";
import { selectorError, selectorMatches } from "./labels";
import { Diagnostics } from "../util/diagnostics";

class ByName {
  constructor(public name: string, public index: i32) {}
}

function sortByName(a: ByName, b: ByName): i32 {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function ruleExists(haystack: PolicyRule[], needle: PolicyRule): bool {
  for (let i = 0; i < haystack.length; i++) if (haystack[i].equals(needle)) return true;
  return false;
}

function sameRules(a: PolicyRule[], b: PolicyRule[]): bool {
  if (a.length != b.length) return false;
  for (let i = 0; i < a.length; i++) if (!a[i].equals(b[i])) return false;
  return true;
}

// One sync of one aggregated ClusterRole; returns the new rules, or null when a selector is invalid.
function aggregatedRules(target: Role, clusterRoles: ByName[], roles: Role[]): PolicyRule[] | null {
  const selectors = target.aggregationRule!;
  const out = new Array<PolicyRule>();
  for (let s = 0; s < selectors.length; s++) {
    const sel = selectors[s];
    if (selectorError(sel) != null) return null;
    for (let i = 0; i < clusterRoles.length; i++) {
      const cr = roles[clusterRoles[i].index];
      if (cr.name == target.name) continue;
      if (!selectorMatches(sel, cr)) continue;
      for (let j = 0; j < cr.rules.length; j++) {
        if (!ruleExists(out, cr.rules[j])) out.push(cr.rules[j]);
      }
    }
  }
  return out;
}

// Replaces the rules of every aggregated ClusterRole in `roles` (in place).
export function aggregateClusterRoles(roles: Role[], diags: Diagnostics): void {
  const clusterRoles = new Array<ByName>();
  const targets = new Array<i32>();
  for (let i = 0; i < roles.length; i++) {
    const r = roles[i];
    if (!r.isCluster()) continue;
    clusterRoles.push(new ByName(r.name, i));
    if (r.aggregationRule != null) targets.push(i);
  }
  if (targets.length == 0) return;
  clusterRoles.sort(sortByName);
  for (let t = 0; t < targets.length; t++) {
    const r = roles[targets[t]];
    const sels = r.aggregationRule!;
    for (let s = 0; s < sels.length; s++) {
      const why = selectorError(sels[s]);
      if (why != null) {
        diags.warn("INVALID_AGGREGATION_SELECTOR", "clusterrole `" + r.name + "` has an invalid aggregation selector (" +
          why + "); its rules are left as written", r.source, "aggregationRule.clusterRoleSelectors[" + s.toString() + "]");
      }
    }
  }
  // INVARIANT: each round syncs every aggregated role once; acyclic selections settle within
  // (number of aggregated roles + 1) rounds, so reaching the cap means the roles select each other.
  const maxRounds = targets.length + 2;
  for (let round = 0; round < maxRounds; round++) {
    let changed = false;
    for (let t = 0; t < targets.length; t++) {
      const r = roles[targets[t]];
      const next = aggregatedRules(r, clusterRoles, roles);
      if (next == null) continue;
      if (!sameRules(next, r.rules)) {
        r.rules = next;
        changed = true;
      }
    }
    if (!changed) return;
  }
  diags.warn("AGGREGATION_CYCLE", "aggregated clusterroles select each other in a cycle; their rules did not settle after " +
    maxRounds.toString() + " rounds", -1, "");
}
