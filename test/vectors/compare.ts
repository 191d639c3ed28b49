// Canonical forms for comparing query answers as the query vectors define them (see load.ts): subjects as
// de-duplicated sets, rules as multisets, absent fields as empty. Shared by the conformance runner and properties.

export interface SubjectLike { kind?: string; apiGroup?: string; name?: string; namespace?: string }
export interface RuleLike { verbs?: string[]; apiGroups?: string[]; resources?: string[]; resourceNames?: string[]; nonResourceURLs?: string[] }

const s = (v: unknown) => (typeof v === "string" ? v : "");
const l = (v: unknown) => (Array.isArray(v) ? v.map(s) : []);

export const subjectKey = (x: SubjectLike) =>
  JSON.stringify([s(x.kind), s(x.apiGroup), s(x.name), s(x.namespace)]);

/** A de-duplicated, sorted list of subject keys, printable in a failure diff. */
export function subjectSet(list: SubjectLike[]): string[] {
  return [...new Set(list.map(subjectKey))].sort();
}

/** All five rule fields, absent ones as []. */
export function fullRule(r: RuleLike): Required<RuleLike> {
  return {
    verbs: l(r.verbs), apiGroups: l(r.apiGroups), resources: l(r.resources),
    resourceNames: l(r.resourceNames), nonResourceURLs: l(r.nonResourceURLs),
  };
}

export const resourceRuleKey = (r: RuleLike) =>
  JSON.stringify([l(r.verbs), l(r.apiGroups), l(r.resources), l(r.resourceNames)]);
export const nonResourceRuleKey = (r: RuleLike) => JSON.stringify([l(r.verbs), l(r.nonResourceURLs)]);

/** A sorted list of rule keys: equal lists mean equal multisets. */
export const multiset = (rules: RuleLike[], key: (r: RuleLike) => string) => rules.map(key).sort();

export const stringSet = (l: string[]) => [...new Set(l)].sort();
