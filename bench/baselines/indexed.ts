// Baseline: a tuned, indexed TypeScript evaluator of Kubernetes RBAC — what a competent engineer would write in plain
// JS without wasm. It gives exactly the naive oracle's answers (allowed, reason text byte for byte, evaluation errors)
// and is checked against it in test/bench/ and before every timing in bench/authorize.bench.ts.
//
// Build (not timed per decision):
//   - bindings in Kubernetes' visiting order (every ClusterRoleBinding, then the RoleBindings of the request's
//     namespace), each entry = bindingIndex × stride + subjectIndex, so ascending order is visiting order and the
//     first entry of a binding is its first matching subject (the one Kubernetes names in the reason);
//   - subject index: nested Maps by kind — User name → entries, Group name → entries, ServiceAccount namespace →
//     name → entries; one for ClusterRoleBindings and one per RoleBinding namespace;
//   - per role: resource rules in Map verb → Map group → Map resource → Map subresource → names ("*" keys kept
//     apart), the rare shapes it cannot index exactly (resources with 2+ slashes or a trailing slash) in a linear list;
//     non-resource rules in Map verb → exact paths + prefixes;
//   - reason texts precomputed per (binding, subject), error texts per binding.
// Decision: a k-way merge of the few entry lists that can apply (user, each group, service account), visiting
// bindings in order; no string concatenation on the hot path (a denial that aggregates several errors builds its
// text, as Kubernetes does).
import { aggregateError, goQuote, ruleAllows, type Attributes, type AuthorizeResult, type PolicyRule,
  type SubjectAccessReviewSpec } from "../../test/oracle/k8s-rbac.js";
import { policyModel, type ModelBinding } from "./model.js";

const SA_PREFIX = "system:serviceaccount:";
const EVALUATION_ERROR = "exactly one of nonResourceAttributes or resourceAttributes must be specified";

interface NameSpec { all: boolean; names: Set<string> }
interface ResMap { exact: Map<string, Map<string, NameSpec>>; any: NameSpec | null; starSub: Map<string, NameSpec> }
interface GroupMap { exact: Map<string, ResMap>; any: ResMap | null }
interface PathSpec { all: boolean; exact: Set<string>; prefixes: string[] }

class CompiledRole {
  private verbs = new Map<string, GroupMap>();
  private anyVerb: GroupMap | null = null;
  private paths = new Map<string, PathSpec>();
  private anyVerbPaths: PathSpec | null = null;
  /** resource rules the index cannot represent exactly; evaluated as written */
  private linear: PolicyRule[] = [];
  private rules: PolicyRule[];

  constructor(rules: PolicyRule[]) {
    this.rules = rules;
    for (const r of rules) {
      if (r.verbs.length === 0) continue;
      if (r.resources.some((x) => { const s = x.indexOf("/"); return s >= 0 && (x.indexOf("/", s + 1) >= 0 || s === x.length - 1); })) {
        this.linear.push(r);
      } else if (r.resources.length > 0 && r.apiGroups.length > 0) {
        for (const v of r.verbs) {
          const gm = v === "*" ? (this.anyVerb ??= newGroupMap()) : getOr(this.verbs, v, newGroupMap);
          for (const g of r.apiGroups) {
            const rm = g === "*" ? (gm.any ??= newResMap()) : getOr(gm.exact, g, newResMap);
            for (const res of r.resources) {
              let spec: NameSpec;
              if (res === "*") spec = rm.any ??= newNameSpec();
              else {
                const slash = res.indexOf("/");
                const resource = slash < 0 ? res : res.slice(0, slash), sub = slash < 0 ? "" : res.slice(slash + 1);
                spec = getOr(getOr(rm.exact, resource, () => new Map()), sub, newNameSpec);
                // "*/sub" also matches every resource's subresource sub (never an empty one)
                if (resource === "*" && sub !== "") addNames(getOr(rm.starSub, sub, newNameSpec), r.resourceNames);
              }
              addNames(spec, r.resourceNames);
            }
          }
        }
      }
      for (const v of r.verbs) {
        if (r.nonResourceURLs.length === 0) break;
        const ps = v === "*" ? (this.anyVerbPaths ??= newPathSpec()) : getOr(this.paths, v, newPathSpec);
        for (const u of r.nonResourceURLs) {
          if (u === "*") ps.all = true;
          else if (u.endsWith("*")) ps.prefixes.push(u.replace(/\*+$/, ""));
          else ps.exact.add(u);
        }
      }
    }
  }

  allowsResource(verb: string, group: string, resource: string, sub: string, name: string, a: Attributes): boolean {
    if (resource.indexOf("/") >= 0) return this.rules.some((r) => ruleAllows(a, r)); // exact fallback, never in practice
    const gm = this.verbs.get(verb);
    if (gm !== undefined && groupAllows(gm, group, resource, sub, name)) return true;
    if (this.anyVerb !== null && groupAllows(this.anyVerb, group, resource, sub, name)) return true;
    for (let i = 0; i < this.linear.length; i++) if (ruleAllows(a, this.linear[i])) return true;
    return false;
  }

  allowsPath(verb: string, path: string): boolean {
    const ps = this.paths.get(verb);
    return (ps !== undefined && pathAllows(ps, path)) || (this.anyVerbPaths !== null && pathAllows(this.anyVerbPaths, path));
  }
}

function groupAllows(gm: GroupMap, group: string, resource: string, sub: string, name: string): boolean {
  const rm = gm.exact.get(group);
  return (rm !== undefined && resAllows(rm, resource, sub, name)) || (gm.any !== null && resAllows(gm.any, resource, sub, name));
}

function resAllows(rm: ResMap, resource: string, sub: string, name: string): boolean {
  if (rm.any !== null && nameAllows(rm.any, name)) return true;
  const subs = rm.exact.get(resource);
  if (subs !== undefined) {
    const spec = subs.get(sub);
    if (spec !== undefined && nameAllows(spec, name)) return true;
  }
  if (sub !== "" && rm.starSub.size > 0) {
    const spec = rm.starSub.get(sub);
    if (spec !== undefined && nameAllows(spec, name)) return true;
  }
  return false;
}

const nameAllows = (s: NameSpec, name: string) => s.all || s.names.has(name);

function pathAllows(ps: PathSpec, path: string): boolean {
  if (ps.all || ps.exact.has(path)) return true;
  for (let i = 0; i < ps.prefixes.length; i++) if (path.startsWith(ps.prefixes[i])) return true;
  return false;
}

const newNameSpec = (): NameSpec => ({ all: false, names: new Set() });
const newResMap = (): ResMap => ({ exact: new Map(), any: null, starSub: new Map() });
const newGroupMap = (): GroupMap => ({ exact: new Map(), any: null });
const newPathSpec = (): PathSpec => ({ all: false, exact: new Set(), prefixes: [] });
function addNames(spec: NameSpec, names: string[]) {
  if (names.length === 0) spec.all = true;
  else for (const n of names) spec.names.add(n);
}
function getOr<K, V>(m: Map<K, V>, k: K, make: () => V): V {
  let v = m.get(k);
  if (v === undefined) m.set(k, (v = make()));
  return v;
}

/** Subjects of one visiting scope (the ClusterRoleBindings, or one namespace's RoleBindings) by kind. */
interface SubjectIndex {
  users: Map<string, number[]>;
  groups: Map<string, number[]>;
  serviceAccounts: Map<string, Map<string, number[]>>; // namespace → name → entries
}
const newSubjectIndex = (): SubjectIndex => ({ users: new Map(), groups: new Map(), serviceAccounts: new Map() });

const EMPTY: number[] = [];

export class IndexedAuthorizer {
  private bindings: ModelBinding[];
  private roleOf: (CompiledRole | null)[] = [];
  private errorOf: string[] = [];
  /** "RBAC: " + the error, for the common denial with one distinct resolution error */
  private deniedReasonOf: string[] = [];
  private reasonOf: string[][] = [];
  private stride: number;
  private cluster = newSubjectIndex();
  private namespaced = new Map<string, SubjectIndex>();
  // merge scratch, reused across decisions
  private lists: number[][] = [];
  private pos: number[] = [];
  private nLists = 0;
  private errs: number[] = [];

  constructor(objects: object[], opts: { aggregate?: boolean } = {}) {
    const model = policyModel(objects, opts);
    this.bindings = model.bindings;
    const compiled = new Map<string, CompiledRole>();
    let maxSubjects = 1;
    this.bindings.forEach((b, i) => {
      maxSubjects = Math.max(maxSubjects, b.subjects.length);
      if (typeof b.resolved === "string") {
        this.roleOf.push(null);
        this.errorOf.push(b.resolved);
        this.deniedReasonOf.push(`RBAC: ${b.resolved}`);
      } else {
        this.roleOf.push(getOr(compiled, b.roleKey, () => new CompiledRole(b.resolved as PolicyRule[])));
        this.errorOf.push("");
        this.deniedReasonOf.push("");
      }
      this.reasonOf.push(b.subjects.map((s) => reasonText(b, s)));
      void i;
    });
    this.stride = 2 ** Math.ceil(Math.log2(maxSubjects + 1));
    this.bindings.forEach((b, i) => {
      const cluster = b.kind === "ClusterRoleBinding";
      if (!cluster && b.namespace === "") return; // never visited: a request in namespace "" skips RoleBindings
      const idx = cluster ? this.cluster : getOr(this.namespaced, b.namespace, newSubjectIndex);
      b.subjects.forEach((s, j) => {
        const entry = i * this.stride + j;
        if (s.kind === "User") getOr(idx.users, s.name, () => []).push(entry);
        else if (s.kind === "Group") getOr(idx.groups, s.name, () => []).push(entry);
        else if (s.kind === "ServiceAccount") {
          const ns = s.namespace !== "" ? s.namespace : b.namespace;
          if (ns !== "") getOr(getOr(idx.serviceAccounts, ns, () => new Map()), s.name, () => []).push(entry);
        }
      });
    });
  }

  authorize(spec: SubjectAccessReviewSpec): AuthorizeResult {
    const ra = spec?.resourceAttributes, nra = spec?.nonResourceAttributes;
    if ((ra == null) === (nra == null)) return { allowed: false, reason: "", evaluationError: EVALUATION_ERROR };
    const a: Attributes = {
      user: str(spec.user), groups: groupsOf(spec.groups),
      resourceRequest: ra != null, verb: str(ra ? ra.verb : nra!.verb), namespace: str(ra?.namespace),
      apiGroup: str(ra?.group), resource: str(ra?.resource), subresource: str(ra?.subresource), name: str(ra?.name),
      path: str(nra?.path),
    };
    this.errs.length = 0;
    let reason = this.visit(this.cluster, a);
    if (reason === "" && a.namespace !== "") {
      const idx = this.namespaced.get(a.namespace);
      if (idx !== undefined) reason = this.visit(idx, a);
    }
    if (reason !== "") return { allowed: true, reason };
    const errs = this.errs;
    if (errs.length === 0) return { allowed: false, reason: "" };
    let distinct = true;
    for (let i = 1; i < errs.length; i++) if (this.errorOf[errs[i]] !== this.errorOf[errs[0]]) { distinct = false; break; }
    if (distinct) return { allowed: false, reason: this.deniedReasonOf[errs[0]] };
    return { allowed: false, reason: `RBAC: ${aggregateError(errs.map((b) => this.errorOf[b]))}` };
  }

  /** Visits the scope's bindings that name the user, in order; the reason of the first that allows, else "". */
  private visit(idx: SubjectIndex, a: Attributes): string {
    this.nLists = 0;
    this.addList(idx.users.get(a.user));
    for (let i = 0; i < a.groups.length; i++) this.addList(idx.groups.get(a.groups[i]));
    if (idx.serviceAccounts.size > 0 && a.user.startsWith(SA_PREFIX)) {
      // why: the name is "system:serviceaccount:<ns>:<name>"; try every split so odd names stay exact
      for (let c = a.user.indexOf(":", SA_PREFIX.length); c >= 0; c = a.user.indexOf(":", c + 1)) {
        const ns = a.user.slice(SA_PREFIX.length, c);
        if (ns === "") continue;
        this.addList(idx.serviceAccounts.get(ns)?.get(a.user.slice(c + 1)));
      }
    }
    const n = this.nLists, lists = this.lists, pos = this.pos, stride = this.stride;
    if (n === 0) return "";
    for (;;) {
      // the smallest head is the next binding to visit, with its first matching subject
      let min = Infinity;
      for (let k = 0; k < n; k++) {
        const p = pos[k];
        if (p < lists[k].length && lists[k][p] < min) min = lists[k][p];
      }
      if (min === Infinity) return "";
      const b = Math.floor(min / stride);
      const next = (b + 1) * stride;
      for (let k = 0; k < n; k++) {
        const l = lists[k];
        let p = pos[k];
        while (p < l.length && l[p] < next) p++;
        pos[k] = p;
      }
      const role = this.roleOf[b];
      if (role === null) { this.errs.push(b); continue; }
      const ok = a.resourceRequest
        ? role.allowsResource(a.verb, a.apiGroup, a.resource, a.subresource, a.name, a)
        : role.allowsPath(a.verb, a.path);
      if (ok) return this.reasonOf[b][min - b * stride];
    }
  }

  private addList(l: number[] | undefined) {
    if (l === undefined || l === EMPTY) return;
    this.lists[this.nLists] = l;
    this.pos[this.nLists] = 0;
    this.nLists++;
  }
}

const isString = (v: unknown): v is string => typeof v === "string";
/** spec.groups as the oracle reads it (non-array: none; non-strings stringified), without copying the common case */
function groupsOf(groups: unknown): string[] {
  if (!Array.isArray(groups)) return [];
  for (let i = 0; i < groups.length; i++) if (!isString(groups[i])) return groups.map(str);
  return groups as string[];
}
const str = (v: unknown): string => (typeof v === "string" ? v : v == null ? "" : String(v));

/** The reason kube-apiserver gives when binding b allows through subject s (as the naive oracle builds it). */
function reasonText(b: ModelBinding, s: ModelBinding["subjects"][number]): string {
  const subject = s.kind === "ServiceAccount"
    ? `${s.kind} ${goQuote(s.name + "/" + (s.namespace !== "" ? s.namespace : b.namespace))}`
    : `${s.kind} ${goQuote(s.name)}`;
  return b.kind === "ClusterRoleBinding"
    ? `RBAC: allowed by ClusterRoleBinding ${goQuote(b.name)} of ${b.roleRef.kind} ${goQuote(b.roleRef.name)} to ${subject}`
    : `RBAC: allowed by RoleBinding ${goQuote(b.name + "/" + b.namespace)} of ${b.roleRef.kind} ${goQuote(b.roleRef.name)} to ${subject}`;
}
