// The escalation check: Covers, BreakdownRule, CompactRules and CompactString, as
// k8s.io/component-helpers/auth/rbac/validation/policy_comparator.go and
// pkg/registry/rbac/validation/rule.go define them. Pure functions over string rules.
import { PolicyRule, VERB_ALL, API_GROUP_ALL, RESOURCE_ALL } from "../model/policy";
import { trimTrailingStars } from "./match";
import { goQuote } from "../util/quote";

function one(s: string): string[] {
  const a = new Array<string>(1);
  a[0] = s;
  return a;
}

// Step 1: every servant rule becomes rules of one group, one resource, one verb and at most one name
// (or one URL and one verb).
export function breakdownRule(rule: PolicyRule): PolicyRule[] {
  const out = new Array<PolicyRule>();
  for (let g = 0; g < rule.apiGroups.length; g++) {
    for (let r = 0; r < rule.resources.length; r++) {
      for (let v = 0; v < rule.verbs.length; v++) {
        if (rule.resourceNames.length > 0) {
          for (let n = 0; n < rule.resourceNames.length; n++) {
            const p = new PolicyRule();
            p.apiGroups = one(rule.apiGroups[g]);
            p.resources = one(rule.resources[r]);
            p.verbs = one(rule.verbs[v]);
            p.resourceNames = one(rule.resourceNames[n]);
            out.push(p);
          }
        } else {
          const p = new PolicyRule();
          p.apiGroups = one(rule.apiGroups[g]);
          p.resources = one(rule.resources[r]);
          p.verbs = one(rule.verbs[v]);
          out.push(p);
        }
      }
    }
  }
  for (let u = 0; u < rule.nonResourceURLs.length; u++) {
    for (let v = 0; v < rule.verbs.length; v++) {
      const p = new PolicyRule();
      p.nonResourceURLs = one(rule.nonResourceURLs[u]);
      p.verbs = one(rule.verbs[v]);
      out.push(p);
    }
  }
  return out;
}

function hasAll(set: string[], contains: string[]): bool {
  for (let i = 0; i < contains.length; i++) if (!set.includes(contains[i])) return false;
  return true;
}

function resourceCoversAll(set: string[], covers: string[]): bool {
  if (set.includes(RESOURCE_ALL) || hasAll(set, covers)) return true;
  for (let i = 0; i < covers.length; i++) {
    const path = covers[i];
    if (set.includes(path)) continue;
    const slash = path.indexOf("/");
    if (slash < 0) return false;
    // why: an owner "*/status" covers "pods/status"; an owner "pods/*" covers nothing but "pods/*"
    if (!set.includes("*/" + path.substring(slash + 1))) return false;
  }
  return true;
}

export function nonResourceURLCovers(owner: string, sub: string): bool {
  if (owner == sub) return true;
  return owner.endsWith("*") && sub.startsWith(trimTrailingStars(owner));
}

function nonResourceURLsCoversAll(set: string[], covers: string[]): bool {
  for (let i = 0; i < covers.length; i++) {
    let covered = false;
    for (let j = 0; j < set.length; j++) {
      if (nonResourceURLCovers(set[j], covers[i])) {
        covered = true;
        break;
      }
    }
    if (!covered) return false;
  }
  return true;
}

// Step 2: one owner rule covers one broken-down servant rule.
export function ruleCovers(owner: PolicyRule, sub: PolicyRule): bool {
  const verbs = owner.verbs.includes(VERB_ALL) || hasAll(owner.verbs, sub.verbs);
  const groups = owner.apiGroups.includes(API_GROUP_ALL) || hasAll(owner.apiGroups, sub.apiGroups);
  const resources = resourceCoversAll(owner.resources, sub.resources);
  const urls = nonResourceURLsCoversAll(owner.nonResourceURLs, sub.nonResourceURLs);
  const names = sub.resourceNames.length == 0
    ? owner.resourceNames.length == 0
    : owner.resourceNames.length == 0 || hasAll(owner.resourceNames, sub.resourceNames);
  return verbs && groups && resources && names && urls;
}

// Step 3: whatever no owner rule covers, in servant-rule order.
export function uncoveredRules(owner: PolicyRule[], servant: PolicyRule[]): PolicyRule[] {
  const out = new Array<PolicyRule>();
  for (let i = 0; i < servant.length; i++) {
    const subs = breakdownRule(servant[i]);
    for (let j = 0; j < subs.length; j++) {
      let covered = false;
      for (let k = 0; k < owner.length; k++) {
        if (ruleCovers(owner[k], subs[j])) {
          covered = true;
          break;
        }
      }
      if (!covered) out.push(subs[j]);
    }
  }
  return out;
}

// CompactRules: simple rules (one group, one resource, at most one name) that differ only in verbs merge.
export function compactRules(rules: PolicyRule[]): PolicyRule[] {
  const out = new Array<PolicyRule>();
  const simpleKeys = new Array<string>();
  const simple = new Array<PolicyRule>();
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i];
    const isSimple = r.resourceNames.length <= 1 && r.nonResourceURLs.length == 0 &&
      r.apiGroups.length == 1 && r.resources.length == 1;
    if (!isSimple) {
      out.push(r);
      continue;
    }
    const key = r.apiGroups[0] + "\u0000" + r.resources[0] + "\u0000" +
      (r.resourceNames.length > 0 ? "1" + r.resourceNames[0] : "0");
    const at = simpleKeys.indexOf(key);
    if (at >= 0) {
      const e = simple[at];
      for (let v = 0; v < r.verbs.length; v++) e.verbs.push(r.verbs[v]);
    } else {
      const c = new PolicyRule();
      c.apiGroups = r.apiGroups.slice(0);
      c.resources = r.resources.slice(0);
      c.verbs = r.verbs.slice(0);
      c.resourceNames = r.resourceNames.slice(0);
      simpleKeys.push(key);
      simple.push(c);
    }
  }
  for (let i = 0; i < simple.length; i++) out.push(simple[i]);
  return out;
}

// Go's %q of a []string: ["a" "b"]
export function quoteList(list: string[]): string {
  let s = "[";
  for (let i = 0; i < list.length; i++) {
    if (i > 0) s += " ";
    s += goQuote(list[i]);
  }
  return s + "]";
}

// rbacv1helpers.CompactString
export function compactString(r: PolicyRule): string {
  const parts = new Array<string>();
  if (r.apiGroups.length > 0) parts.push("APIGroups:" + quoteList(r.apiGroups));
  if (r.resources.length > 0) parts.push("Resources:" + quoteList(r.resources));
  if (r.nonResourceURLs.length > 0) parts.push("NonResourceURLs:" + quoteList(r.nonResourceURLs));
  if (r.resourceNames.length > 0) parts.push("ResourceNames:" + quoteList(r.resourceNames));
  if (r.verbs.length > 0) parts.push("Verbs:" + quoteList(r.verbs));
  return "{" + parts.join(", ") + "}";
}

// Go sorts strings by UTF-8 bytes, which is code point order; UTF-16 code units differ above U+FFFF.
function byString(a: string, b: string): i32 {
  const n = min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i);
    const y = b.codePointAt(i);
    if (x != y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

// The lines ConfirmNoEscalation prints: compacted, de-duplicated and sorted (sets.String.List()).
export function missingDescriptions(uncovered: PolicyRule[]): string[] {
  const compact = compactRules(uncovered);
  const lines = new Array<string>();
  for (let i = 0; i < compact.length; i++) {
    const s = compactString(compact[i]);
    if (!lines.includes(s)) lines.push(s);
  }
  lines.sort(byString);
  return lines;
}
