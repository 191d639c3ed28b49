// A role's resource rules that its plain table cannot hold (wildcards, resourceNames, "*/sub" entries, ids too
// large for a table key), compiled into one run of i32 words, so that a decision checks them by reading a line or
// two in order instead of chasing the rule objects (a rule, its role's rule list and each id list: a cold miss
// each when thousands of requesters make every role cold).
//
// The words of one role, all roles side by side in Snapshot.othersPacked:
//
//   [count]                                            rules in ascending rule index
//   per rule: [index, flags, words, nVerbs, verbs…, nGroups, groups…, nResources, resources…,
//              nStarSubs, starSubs…, nNames, names…]
//
// `words` counts the rule's words from `index` on (the next rule starts there). flags: F_VERB_ALL, F_GROUP_ALL,
// F_RESOURCE_ALL. Every list is the CompiledRule's, so a packed rule matches exactly what the CompiledRule means.
//
// A role's non-resource rules are packed the same way (Snapshot.urlsPacked), each URL prefix ("/logs/*" without its
// stars) as its UTF-16 code units, two to a word:
//
//   [count]
//   per rule: [index, flags, words, nVerbs, verbs…, nUrls, urls…, nPrefixes, per prefix: nUnits, units…]
//
// flags: F_VERB_ALL, F_URL_ALL.
import { CompiledRule } from "./snapshot";

const F_VERB_ALL: i32 = 1;
const F_GROUP_ALL: i32 = 2;
const F_RESOURCE_ALL: i32 = 4;
const F_URL_ALL: i32 = 8;
const RULE_HEADER: i32 = 3;

function pushList(out: Array<i32>, ids: StaticArray<i32>): void {
  out.push(ids.length);
  for (let i = 0; i < ids.length; i++) out.push(unchecked(ids[i]));
}

// Appends the packed form of rules[at] for every at of `indexes` (ascending) to out: their resource lists, or with
// urls their non-resource lists.
function pack(rules: CompiledRule[], indexes: StaticArray<i32>, out: Array<i32>, urls: bool): void {
  out.push(indexes.length);
  for (let i = 0; i < indexes.length; i++) {
    const at = unchecked(indexes[i]);
    const r = unchecked(rules[at]);
    const start = out.length;
    out.push(at);
    out.push(urls
      ? (r.verbAll ? F_VERB_ALL : 0) | (r.urlAll ? F_URL_ALL : 0)
      : (r.verbAll ? F_VERB_ALL : 0) | (r.groupAll ? F_GROUP_ALL : 0) | (r.resourceAll ? F_RESOURCE_ALL : 0));
    out.push(0);
    pushList(out, r.verbs);
    if (urls) {
      pushList(out, r.urls);
      pushPrefixes(out, r.urlPrefixes);
    } else {
      pushList(out, r.groups);
      pushList(out, r.resources);
      pushList(out, r.starSubs);
      pushList(out, r.names);
    }
    unchecked(out[start + 2] = out.length - start);
  }
}

function pushPrefixes(out: Array<i32>, prefixes: string[]): void {
  out.push(prefixes.length);
  for (let j = 0; j < prefixes.length; j++) {
    const prefix = unchecked(prefixes[j]);
    const n = prefix.length;
    out.push(n);
    for (let k = 0; k < n; k += 2) {
      const hi = k + 1 < n ? <i32>prefix.charCodeAt(k + 1) : 0;
      out.push(<i32>prefix.charCodeAt(k) | (hi << 16));
    }
  }
}

// Appends the packed resource rules rules[at], at of `indexes` (ascending), to out.
export function packRules(rules: CompiledRule[], indexes: StaticArray<i32>, out: Array<i32>): void {
  pack(rules, indexes, out, false);
}

// Appends the packed non-resource rules rules[at], at of `indexes` (ascending), to out.
export function packUrlRules(rules: CompiledRule[], indexes: StaticArray<i32>, out: Array<i32>): void {
  pack(rules, indexes, out, true);
}

// Whether the id list at w holds id.
// @ts-ignore: decorator
@inline
function listHas(w: usize, id: i32): bool {
  const end = w + 4 + (<usize>load<i32>(w) << 2);
  for (let p = w + 4; p < end; p += 4) if (load<i32>(p) == id) return true;
  return false;
}

// The address of the list after the id list at w.
// @ts-ignore: decorator
@inline
function nextList(w: usize): usize {
  return w + 4 + (<usize>load<i32>(w) << 2);
}

// The first packed rule at p (a role's words) that allows the resource request, when it comes before `best` (the
// role's plain-table answer, -1 for none); otherwise best. Kubernetes' RuleAllows (VerbMatches, APIGroupMatches,
// ResourceMatches, ResourceNameMatches of pkg/apis/rbac/v1/evaluation_helpers.go) on interned ids: combined is the
// request's "resource/subresource" id, subresource its subresource id (0: none; "*/sub" entries match it).
export function firstPackedRule(p: usize, verb: i32, group: i32, combined: i32, subresource: i32, name: i32,
  best: i32): i32 {
  const n = load<i32>(p);
  let r = p + 4;
  for (let i = 0; i < n; i++) {
    const at = load<i32>(r);
    if (best >= 0 && at > best) return best;
    const flags = load<i32>(r, 4);
    const next = r + (<usize>load<i32>(r, 8) << 2);
    const verbs = r + (<usize>RULE_HEADER << 2);
    const groups = nextList(verbs);
    if ((flags & F_VERB_ALL) != 0 || listHas(verbs, verb)) {
      if ((flags & F_GROUP_ALL) != 0 || listHas(groups, group)) {
        const resources = nextList(groups);
        const starSubs = nextList(resources);
        if ((flags & F_RESOURCE_ALL) != 0 || listHas(resources, combined) ||
          (subresource > 0 && listHas(starSubs, subresource))) {
          const names = nextList(starSubs);
          if (load<i32>(names) == 0 || listHas(names, name)) return at;
        }
      }
    }
    r = next;
  }
  return best;
}

// The first packed non-resource rule at p (a role's words) that allows `verb` on the path (VerbMatches and
// NonResourceURLMatches: an exact URL, "*", or a prefix ending in "*"): pathId is the path's id in the vocabulary
// (ID_UNKNOWN when absent), units/length its UTF-16 code units. -1 when none does.
export function firstPackedUrlRule(p: usize, verb: i32, pathId: i32, units: usize, length: i32): i32 {
  const n = load<i32>(p);
  let r = p + 4;
  for (let i = 0; i < n; i++) {
    const at = load<i32>(r);
    const flags = load<i32>(r, 4);
    const next = r + (<usize>load<i32>(r, 8) << 2);
    const verbs = r + (<usize>RULE_HEADER << 2);
    if ((flags & F_VERB_ALL) != 0 || listHas(verbs, verb)) {
      const urls = nextList(verbs);
      if ((flags & F_URL_ALL) != 0 || listHas(urls, pathId)) return at;
      let w = nextList(urls);
      const nPrefixes = load<i32>(w);
      w += 4;
      for (let j = 0; j < nPrefixes; j++) {
        const len = load<i32>(w);
        if (len <= length && memory.compare(w + 4, units, <usize>len << 1) == 0) return at;
        w += 4 + (<usize>((len + 1) >> 1) << 2);
      }
    }
    r = next;
  }
  return -1;
}
