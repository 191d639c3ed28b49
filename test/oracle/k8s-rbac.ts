// Naive, readable TypeScript port of the Kubernetes v1.20 RBAC authorizer: the baseline for benchmarks and the
// oracle for differential tests. Follows plugin/pkg/auth/authorizer/rbac/rbac.go, pkg/registry/rbac/validation/rule.go,
// pkg/apis/rbac/v1/evaluation_helpers.go and pkg/controller/clusterroleaggregation. No indexing, no cleverness.

export type K8sObject = any;

export interface SubjectAccessReviewSpec {
  user?: string;
  groups?: string[];
  uid?: string;
  extra?: Record<string, string[]>;
  resourceAttributes?: {
    namespace?: string; verb?: string; group?: string; version?: string;
    resource?: string; subresource?: string; name?: string;
  };
  nonResourceAttributes?: { path?: string; verb?: string };
}

export interface AuthorizeResult { allowed: boolean; reason: string; evaluationError?: string }

export interface PolicyRule {
  verbs: string[]; apiGroups: string[]; resources: string[]; resourceNames: string[]; nonResourceURLs: string[];
}
/** rbac/v1 Subject with every field as a string (absent = ""), as the binding wrote it. */
export interface Subject { kind: string; apiGroup: string; name: string; namespace: string }
interface Binding { name: string; namespace: string; roleRef: { kind: string; name: string }; subjects: Subject[] }
interface ClusterRole { name: string; labels: Record<string, string>; rules: PolicyRule[]; aggregationRule: any }
export interface Attributes {
  user: string; groups: string[]; resourceRequest: boolean; verb: string; namespace: string;
  apiGroup: string; resource: string; subresource: string; name: string; path: string;
}

const RBAC_GROUP = "rbac.authorization.k8s.io";
const KINDS = ["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"];

// ---- Go formatting -------------------------------------------------------------------------------------------

/** strconv.Quote: exact for ASCII; printable non-ASCII kept; lone surrogates read as U+FFFD (as Go's JSON decoder). */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    let cp = ch.codePointAt(0)!;
    if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
    const c = String.fromCodePoint(cp);
    if (c === '"' || c === "\\") out += "\\" + c;
    else if (cp >= 0x20 && cp < 0x7f) out += c;
    else if (cp === 0x07) out += "\\a";
    else if (cp === 0x08) out += "\\b";
    else if (cp === 0x0c) out += "\\f";
    else if (cp === 0x0a) out += "\\n";
    else if (cp === 0x0d) out += "\\r";
    else if (cp === 0x09) out += "\\t";
    else if (cp === 0x0b) out += "\\v";
    else if (cp < 0x80) out += "\\x" + hex(cp, 2);
    else if (/^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(c)) out += c; // unicode.IsPrint, minus ASCII space handled above
    else if (cp < 0x10000) out += "\\u" + hex(cp, 4);
    else out += "\\U" + hex(cp, 8);
  }
  return out + '"';
}
const hex = (n: number, width: number) => n.toString(16).padStart(width, "0");

/** Go string comparison (UTF-8 byte order == code point order), for sorting ClusterRoles by name. */
export function goCompare(a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0)!), y = Array.from(b, (c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

// ---- input normalisation -------------------------------------------------------------------------------------

const str = (v: unknown): string => (typeof v === "string" ? v : v == null ? "" : String(v));
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.map(str) : []);

export function toRule(r: any): PolicyRule {
  return {
    verbs: strs(r?.verbs), apiGroups: strs(r?.apiGroups), resources: strs(r?.resources),
    resourceNames: strs(r?.resourceNames), nonResourceURLs: strs(r?.nonResourceURLs),
  };
}
const toRules = (rules: unknown): PolicyRule[] => (Array.isArray(rules) ? rules.map(toRule) : []);

function toBinding(o: any): Binding {
  return {
    name: str(o.metadata?.name), namespace: str(o.metadata?.namespace),
    roleRef: { kind: str(o.roleRef?.kind), name: str(o.roleRef?.name) },
    subjects: (Array.isArray(o.subjects) ? o.subjects : []).map((s: any) => ({
      kind: str(s?.kind), apiGroup: str(s?.apiGroup), name: str(s?.name), namespace: str(s?.namespace),
    })),
  };
}

/** Flattens List kinds; keeps RBAC kinds; a later duplicate kind/namespace/name replaces the earlier in place. */
function collect(objects: unknown[]): Map<string, K8sObject> {
  const byKey = new Map<string, K8sObject>();
  const visit = (o: any) => {
    if (o == null || typeof o !== "object") return;
    const kind = str(o.kind);
    if (kind.endsWith("List") && Array.isArray(o.items)) return o.items.forEach(visit);
    const apiVersion = str(o.apiVersion);
    if (!KINDS.includes(kind) || (apiVersion !== "" && !apiVersion.startsWith(RBAC_GROUP + "/"))) return;
    // why: cluster-scoped kinds have no namespace; a stray metadata.namespace must not split identities.
    const ns = kind === "Role" || kind === "RoleBinding" ? str(o.metadata?.namespace) : "";
    byKey.set(`${kind}/${ns}/${str(o.metadata?.name)}`, o); // Map.set on an existing key keeps its position
  };
  objects.forEach(visit);
  return byKey;
}

// ---- aggregation (clusterroleaggregation controller) ---------------------------------------------------------

const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function validLabelKey(key: string): boolean {
  const parts = key.split("/");
  if (parts.length > 2) return false;
  const name = parts[parts.length - 1];
  if (parts.length === 2 && (parts[0] === "" || parts[0].length > 253 || !DNS1123_SUBDOMAIN.test(parts[0]))) return false;
  return name.length > 0 && name.length <= 63 && QUALIFIED_NAME.test(name);
}
const validLabelValue = (v: string) => v.length <= 63 && LABEL_VALUE.test(v);

type Requirement = (labels: Record<string, string>) => boolean;

/** metav1.LabelSelectorAsSelector + labels.NewRequirement; undefined when the selector is invalid. */
function compileSelector(sel: any): Requirement[] | undefined {
  const reqs: Requirement[] = [];
  const matchLabels = sel?.matchLabels && typeof sel.matchLabels === "object" ? sel.matchLabels : {};
  for (const [k, v] of Object.entries(matchLabels)) {
    if (!validLabelKey(k) || !validLabelValue(str(v))) return undefined;
    reqs.push((l) => Object.hasOwn(l, k) && l[k] === str(v));
  }
  for (const e of Array.isArray(sel?.matchExpressions) ? sel.matchExpressions : []) {
    const key = str(e?.key), op = str(e?.operator), values = strs(e?.values);
    if (!["In", "NotIn", "Exists", "DoesNotExist"].includes(op) || !validLabelKey(key)) return undefined;
    if ((op === "In" || op === "NotIn") !== values.length > 0) return undefined;
    if (!values.every(validLabelValue)) return undefined;
    if (op === "In") reqs.push((l) => Object.hasOwn(l, key) && values.includes(l[key]));
    if (op === "NotIn") reqs.push((l) => !Object.hasOwn(l, key) || !values.includes(l[key]));
    if (op === "Exists") reqs.push((l) => Object.hasOwn(l, key));
    if (op === "DoesNotExist") reqs.push((l) => !Object.hasOwn(l, key));
  }
  return reqs; // an empty selector matches everything
}

const fields = ["verbs", "apiGroups", "resources", "resourceNames", "nonResourceURLs"] as const;
// why: equality.Semantic.DeepEqual treats nil and empty slices as equal.
const ruleEqual = (a: PolicyRule, b: PolicyRule) =>
  fields.every((f) => a[f].length === b[f].length && a[f].every((v, i) => v === b[f][i]));
const rulesEqual = (a: PolicyRule[], b: PolicyRule[]) => a.length === b.length && a.every((r, i) => ruleEqual(r, b[i]));

/** One syncClusterRole: the new rules, or undefined when a selector is invalid (role left unchanged). */
function syncClusterRole(role: ClusterRole, all: ClusterRole[]): PolicyRule[] | undefined {
  const selectors = Array.isArray(role.aggregationRule?.clusterRoleSelectors) ? role.aggregationRule.clusterRoleSelectors : [];
  const next: PolicyRule[] = [];
  for (const sel of selectors) {
    const reqs = compileSelector(sel);
    if (!reqs) return undefined;
    const matched = all.filter((cr) => reqs.every((r) => r(cr.labels))).sort((a, b) => goCompare(a.name, b.name));
    for (const cr of matched) {
      if (cr.name === role.name) continue;
      for (const rule of cr.rules) if (!next.some((r) => ruleEqual(r, rule))) next.push(rule);
    }
  }
  return next;
}

function aggregate(clusterRoles: ClusterRole[]): void {
  const aggregated = clusterRoles.filter((cr) => cr.aggregationRule != null);
  // INVARIANT: acyclic selections converge within clusterRoles.length passes; the cap only stops cycles.
  for (let pass = 0; pass < clusterRoles.length + 2; pass++) {
    let changed = false;
    for (const role of aggregated) {
      const next = syncClusterRole(role, clusterRoles);
      if (next && !rulesEqual(next, role.rules)) { role.rules = next; changed = true; }
    }
    if (!changed) return;
  }
}

// ---- matchers (evaluation_helpers.go) ------------------------------------------------------------------------

const verbMatches = (r: PolicyRule, verb: string) => r.verbs.some((v) => v === "*" || v === verb);
const apiGroupMatches = (r: PolicyRule, group: string) => r.apiGroups.some((g) => g === "*" || g === group);
const resourceNameMatches = (r: PolicyRule, name: string) => r.resourceNames.length === 0 || r.resourceNames.includes(name);

function resourceMatches(r: PolicyRule, combined: string, subresource: string): boolean {
  return r.resources.some((res) => res === "*" || res === combined ||
    (subresource !== "" && res.length === subresource.length + 2 && res.startsWith("*/") && res.endsWith(subresource)));
}

function nonResourceURLMatches(r: PolicyRule, path: string): boolean {
  return r.nonResourceURLs.some((u) => u === "*" || u === path ||
    (u.endsWith("*") && path.startsWith(u.replace(/\*+$/, ""))));
}

export function ruleAllows(a: Attributes, r: PolicyRule): boolean {
  if (a.resourceRequest) {
    const combined = a.subresource !== "" ? a.resource + "/" + a.subresource : a.resource;
    return verbMatches(r, a.verb) && apiGroupMatches(r, a.apiGroup) &&
      resourceMatches(r, combined, a.subresource) && resourceNameMatches(r, a.name);
  }
  return verbMatches(r, a.verb) && nonResourceURLMatches(r, a.path);
}

// ---- resolution and decision (rule.go, rbac.go) ----------------------------------------------------------------

export function appliesToUser(a: Pick<Attributes, "user" | "groups">, s: Subject, namespace: string): boolean {
  switch (s.kind) {
    case "User": return a.user === s.name;
    case "Group": return a.groups.includes(s.name);
    case "ServiceAccount": {
      const ns = s.namespace !== "" ? s.namespace : namespace;
      return ns !== "" && a.user === `system:serviceaccount:${ns}:${s.name}`;
    }
    default: return false;
  }
}

function describeSubject(s: Subject, bindingNamespace: string): string {
  if (s.kind === "ServiceAccount") return `${s.kind} ${goQuote(s.name + "/" + (s.namespace !== "" ? s.namespace : bindingNamespace))}`;
  return `${s.kind} ${goQuote(s.name)}`;
}

/** Aggregate.Error(): one message as is; duplicates merged in first-seen order; 2+ distinct in brackets. */
export function aggregateError(errors: string[]): string {
  const distinct = [...new Set(errors)];
  return distinct.length === 1 ? distinct[0] : `[${distinct.join(", ")}]`;
}

/** The authorizer.Attributes of a SubjectAccessReview spec; undefined unless exactly one attribute block is set. */
export function attributesOf(spec: SubjectAccessReviewSpec): Attributes | undefined {
  const ra = spec?.resourceAttributes, nra = spec?.nonResourceAttributes;
  if ((ra == null) === (nra == null)) return undefined;
  return {
    user: str(spec.user), groups: strs(spec.groups), resourceRequest: ra != null,
    verb: str(ra ? ra.verb : nra!.verb), namespace: str(ra?.namespace), apiGroup: str(ra?.group),
    resource: str(ra?.resource), subresource: str(ra?.subresource), name: str(ra?.name), path: str(nra?.path),
  };
}

export class NaiveAuthorizer {
  private roles = new Map<string, PolicyRule[]>(); // "namespace/name"
  private clusterRoles = new Map<string, PolicyRule[]>();
  private clusterRoleBindings: Binding[] = [];
  private roleBindings: Binding[] = [];

  constructor(objects: object[], opts: { aggregate?: boolean } = {}) {
    const crs: ClusterRole[] = [];
    for (const o of collect(objects).values()) {
      switch (o.kind) {
        case "Role": this.roles.set(`${str(o.metadata?.namespace)}/${str(o.metadata?.name)}`, toRules(o.rules)); break;
        case "ClusterRole": crs.push({
          name: str(o.metadata?.name), rules: toRules(o.rules), aggregationRule: o.aggregationRule,
          labels: Object.fromEntries(Object.entries(o.metadata?.labels ?? {}).map(([k, v]) => [k, str(v)])),
        }); break;
        case "RoleBinding": this.roleBindings.push(toBinding(o)); break;
        case "ClusterRoleBinding": this.clusterRoleBindings.push(toBinding(o)); break;
      }
    }
    if (opts.aggregate !== false) aggregate(crs);
    for (const cr of crs) this.clusterRoles.set(cr.name, cr.rules);
  }

  private roleReferenceRules(b: Binding, bindingNamespace: string): PolicyRule[] | string {
    const { kind, name } = b.roleRef;
    if (kind === "Role") {
      // why: a ClusterRoleBinding looks its Role up in namespace "", where no Role can exist.
      const rules = bindingNamespace === "" ? undefined : this.roles.get(`${bindingNamespace}/${name}`);
      return rules ?? `role.${RBAC_GROUP} ${goQuote(name)} not found`;
    }
    if (kind === "ClusterRole") return this.clusterRoles.get(name) ?? `clusterrole.${RBAC_GROUP} ${goQuote(name)} not found`;
    return `unsupported role reference kind: ${goQuote(kind)}`;
  }

  authorize(spec: SubjectAccessReviewSpec): AuthorizeResult {
    const a = attributesOf(spec);
    if (!a) {
      return { allowed: false, reason: "", evaluationError: "exactly one of nonResourceAttributes or resourceAttributes must be specified" };
    }
    const errors: string[] = [];
    const visit = (bindings: Binding[], namespace: string, describe: (b: Binding, s: Subject) => string) => {
      for (const b of bindings) {
        const subject = b.subjects.find((s) => appliesToUser(a, s, namespace));
        if (!subject) continue;
        const rules = this.roleReferenceRules(b, namespace);
        if (typeof rules === "string") { errors.push(rules); continue; }
        if (rules.some((r) => ruleAllows(a, r))) return `RBAC: allowed by ${describe(b, subject)}`;
      }
      return undefined;
    };
    const byCRB = visit(this.clusterRoleBindings, "", (b, s) =>
      `ClusterRoleBinding ${goQuote(b.name)} of ${b.roleRef.kind} ${goQuote(b.roleRef.name)} to ${describeSubject(s, "")}`);
    if (byCRB) return { allowed: true, reason: byCRB };
    if (a.namespace !== "") {
      const inNamespace = this.roleBindings.filter((b) => b.namespace === a.namespace);
      const byRB = visit(inNamespace, a.namespace, (b, s) =>
        `RoleBinding ${goQuote(b.name + "/" + b.namespace)} of ${b.roleRef.kind} ${goQuote(b.roleRef.name)} to ${describeSubject(s, b.namespace)}`);
      if (byRB) return { allowed: true, reason: byRB };
    }
    return { allowed: false, reason: errors.length > 0 ? `RBAC: ${aggregateError(errors)}` : "" };
  }

  // ---- queries (subject_locator.go, rule.go RulesFor) -------------------------------------------------------

  /** A copy of a ClusterRole's rules after aggregation, or undefined when it does not exist. */
  clusterRoleRules(name: string): PolicyRule[] | undefined {
    const rules = this.clusterRoles.get(name);
    return rules && structuredClone(rules);
  }

  /**
   * SubjectAccessEvaluator.AllowedSubjects (no super-user): `system:masters` first, then the subjects of every
   * ClusterRoleBinding, and for a non-empty namespace every RoleBinding of it, whose role's rules allow the
   * attributes, copied verbatim and NOT de-duplicated (Go computes a de-duplicated list and returns the other).
   * A binding whose role lookup fails contributes its error and no rules, hence no subjects. User fields ignored.
   */
  allowedSubjects(spec: SubjectAccessReviewSpec): { subjects: Subject[]; errors: string[]; error: string } {
    const a = attributesOf(spec);
    if (!a) throw new Error("exactly one of nonResourceAttributes or resourceAttributes must be specified");
    const subjects: Subject[] = [{ kind: "Group", apiGroup: RBAC_GROUP, name: "system:masters", namespace: "" }];
    const errors: string[] = [];
    const visit = (bindings: Binding[], namespace: string) => {
      for (const b of bindings) {
        const rules = this.roleReferenceRules(b, namespace);
        if (typeof rules === "string") { errors.push(rules); continue; } // Go: rules == nil, RulesAllow false
        if (rules.some((r) => ruleAllows(a, r))) subjects.push(...b.subjects.map((s) => ({ ...s })));
      }
    };
    visit(this.clusterRoleBindings, "");
    if (a.namespace !== "") visit(this.roleBindings.filter((b) => b.namespace === a.namespace), a.namespace);
    return { subjects, errors, error: errors.length > 0 ? aggregateError(errors) : "" };
  }

  /**
   * DefaultRuleResolver.RulesFor: the rules of every ClusterRoleBinding, then (namespace non-empty) every
   * RoleBinding of the namespace, that applies to the user, in visiting order; resolution errors of applicable
   * bindings only, aggregated as utilerrors.NewAggregate(...).Error() ("" when none).
   */
  rulesFor(user: string, groups: string[], namespace: string): { rules: PolicyRule[]; errors: string[]; evaluationError: string } {
    const who = { user, groups };
    const rules: PolicyRule[] = [];
    const errors: string[] = [];
    const visit = (bindings: Binding[], ns: string) => {
      for (const b of bindings) {
        if (!b.subjects.some((s) => appliesToUser(who, s, ns))) continue;
        const found = this.roleReferenceRules(b, ns);
        if (typeof found === "string") { errors.push(found); continue; }
        rules.push(...found);
      }
    };
    visit(this.clusterRoleBindings, "");
    if (namespace !== "") visit(this.roleBindings.filter((b) => b.namespace === namespace), namespace);
    return { rules, errors, evaluationError: errors.length > 0 ? aggregateError(errors) : "" };
  }
}
