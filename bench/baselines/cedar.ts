// Baseline: Kubernetes RBAC translated faithfully to Cedar (@cedar-policy/cedar-wasm 4.13, the Node build), decided by
// Cedar's own evaluator. Cedar has no notion of Kubernetes' reason texts or resolution errors, so only `allowed` is
// comparable (bench/authorize.bench.ts and test/bench/ check it against the naive oracle).
//
// Translation (schema-less; entity types in namespace k8s):
//   - one policy template per role (ClusterRole or namespaced Role, after aggregation):
//       permit (principal in ?principal, action, resource in ?resource) when { rule₁ || rule₂ || ... };
//     a resource rule:     resource.isResource && <verbs> && <apiGroups> && <resources> && <resourceNames>
//     a non-resource rule: !resource.isResource && <verbs> && <nonResourceURLs>
//     verbs: action in [k8s::Action::"get", ...] ("*": true); apiGroups: [..].contains(resource.apiGroup);
//     resources: [..].contains(resource.combined) ("resource/subresource", as Kubernetes compares), "*/x" as
//     resource.subresource == "x", "*" as true; resourceNames: [..].contains(resource.name) (none: true);
//     URLs: resource.path == "/x", "/api/*" as resource.path like "/api/*" (literal stars escaped), "*" as true.
//   - one template link per binding × subject:
//       ?principal = k8s::User::"<name>" (User), k8s::Group::"<name>" (Group), k8s::User::"system:serviceaccount:
//       <ns>:<name>" (ServiceAccount; namespace defaulted to the RoleBinding's); other kinds never match, no link;
//       ?resource = k8s::Cluster::"all" (ClusterRoleBinding) or k8s::Namespace::"<ns>" (RoleBinding).
//     Bindings whose role does not exist get no link (they never allow; Kubernetes only reports an error).
//   - a request: principal k8s::User::"<user>" with parents k8s::Group::"<g>" for each group; action
//     k8s::Action::"<verb>"; resource k8s::Request::"r" with the attributes above, child of k8s::Namespace::"<ns>"
//     (itself child of k8s::Cluster::"all") or, without a namespace, of k8s::Cluster::"all" directly.
import * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import { type PolicyRule, type SubjectAccessReviewSpec } from "../../test/oracle/k8s-rbac.js";
import { policyModel } from "./model.js";

export const CEDAR_VERSION = cedar.getCedarVersion();

/** A Cedar string literal. */
export function cedarString(s: string): string {
  return `"${escapeChars(s, false)}"`;
}

/** The body of a Cedar `like` pattern matching s literally, then anything. */
function likePrefix(s: string): string {
  return `"${escapeChars(s, true)}*"`;
}

function escapeChars(s: string, pattern: boolean): string {
  let out = "";
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === "\\") out += "\\" + ch;
    else if (ch === "*" && pattern) out += "\\*";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (cp < 0x20 || cp === 0x7f || (cp >= 0xd800 && cp <= 0xdfff)) out += `\\u{${cp.toString(16)}}`;
    else out += ch;
  }
  return out;
}

const uid = (type: string, id: string) => ({ type: `k8s::${type}`, id });
/** as the oracle reads a spec field: absent = "", other non-strings stringified */
const str = (v: unknown): string => (typeof v === "string" ? v : v == null ? "" : String(v));
const or = (xs: string[]) => (xs.length === 0 ? "false" : xs.length === 1 ? xs[0] : `(${xs.map((x) => `(${x})`).join(" || ")})`);
const and = (xs: string[]) => (xs.length === 0 ? "true" : xs.join(" && "));
const set = (xs: string[]) => `[${xs.map(cedarString).join(", ")}]`;

function verbCondition(verbs: string[]): string {
  if (verbs.includes("*")) return "true";
  return `action in [${verbs.map((v) => `k8s::Action::${cedarString(v)}`).join(", ")}]`;
}

/** The Cedar condition for one PolicyRule ("false" when it can allow nothing). */
export function ruleCondition(r: PolicyRule): string {
  const alternatives: string[] = [];
  if (r.verbs.length === 0) return "false";
  const verbs = verbCondition(r.verbs);
  if (r.resources.length > 0 && r.apiGroups.length > 0) {
    const parts = ["resource.isResource", verbs];
    if (!r.apiGroups.includes("*")) parts.push(`${set(r.apiGroups)}.contains(resource.apiGroup)`);
    if (!r.resources.includes("*")) {
      const res: string[] = [`${set(r.resources)}.contains(resource.combined)`];
      // why: "*/x" matches any resource's subresource x (and, being literal too, the exact "*/x" above)
      const stars = r.resources.filter((x) => x.startsWith("*/") && x.length > 2).map((x) => x.slice(2));
      if (stars.length > 0) res.push(`${set(stars)}.contains(resource.subresource)`);
      parts.push(or(res));
    }
    if (r.resourceNames.length > 0) parts.push(`${set(r.resourceNames)}.contains(resource.name)`);
    alternatives.push(and(parts));
  }
  if (r.nonResourceURLs.length > 0) {
    const parts = ["!resource.isResource", verbs];
    if (!r.nonResourceURLs.includes("*")) {
      const urls: string[] = [];
      const exact = r.nonResourceURLs.filter((u) => !u.endsWith("*"));
      if (exact.length > 0) urls.push(`${set(exact)}.contains(resource.path)`);
      for (const u of r.nonResourceURLs.filter((x) => x.endsWith("*"))) {
        const prefix = u.replace(/\*+$/, "");
        urls.push(prefix === "" ? "true" : `resource.path like ${likePrefix(prefix)}`);
      }
      parts.push(or(urls));
    }
    alternatives.push(and(parts));
  }
  return or(alternatives);
}

export function roleTemplate(rules: PolicyRule[]): string {
  const conds = rules.map(ruleCondition).filter((c) => c !== "false");
  return `permit (principal in ?principal, action, resource in ?resource) when { ${or(conds)} };`;
}

export interface CedarTranslation {
  policySet: cedar.PolicySet;
  templates: number;
  links: number;
}

export function translate(objects: object[], opts: { aggregate?: boolean } = {}): CedarTranslation {
  const model = policyModel(objects, opts);
  const templates: Record<string, string> = {};
  const templateIds = new Map<string, string>();
  for (const [key, rules] of model.roles) {
    const id = `t${templateIds.size}`;
    templateIds.set(key, id);
    templates[id] = roleTemplate(rules);
  }
  const templateLinks: cedar.TemplateLink[] = [];
  model.bindings.forEach((b, i) => {
    if (typeof b.resolved === "string") return;
    const templateId = templateIds.get(b.roleKey)!;
    const scope = b.kind === "ClusterRoleBinding" ? uid("Cluster", "all") : uid("Namespace", b.namespace);
    if (b.kind === "RoleBinding" && b.namespace === "") return; // never visited by Kubernetes
    b.subjects.forEach((s, j) => {
      let principal;
      if (s.kind === "User") principal = uid("User", s.name);
      else if (s.kind === "Group") principal = uid("Group", s.name);
      else if (s.kind === "ServiceAccount") {
        const ns = s.namespace !== "" ? s.namespace : b.namespace;
        if (ns === "") return;
        principal = uid("User", `system:serviceaccount:${ns}:${s.name}`);
      } else return;
      templateLinks.push({ templateId, newId: `b${i}s${j}`, values: { "?principal": principal, "?resource": scope } });
    });
  });
  return { policySet: { templates, templateLinks }, templates: templateIds.size, links: templateLinks.length };
}

let nextId = 0;

/** A Cedar-backed authorizer: the translated policy set preparsed once, then statefulIsAuthorized per request. */
export class CedarAuthorizer {
  readonly id = `rbac-${process.pid}-${nextId++}`;
  readonly templates: number;
  readonly links: number;

  constructor(objects: object[], opts: { aggregate?: boolean } = {}) {
    const t = translate(objects, opts);
    const r = cedar.preparsePolicySet(this.id, t.policySet);
    if (r.type !== "success") throw new Error(`Cedar rejected the translated policies: ${JSON.stringify(r.errors.slice(0, 3))}`);
    this.templates = t.templates;
    this.links = t.links;
  }

  /** The Cedar call for a spec (built outside the timed decision by callers that want to time Cedar alone). */
  static call(spec: SubjectAccessReviewSpec, id: string): cedar.StatefulAuthorizationCall | null {
    // why: plain loops, no Array callbacks: V8 (Node 20.20) hit a fatal deoptimizer error ("unreachable code" in
    // DoComputeBuiltinContinuation) when this function, built on attributesOf and groups.map, was re-optimised in
    // a second timing round
    const ra = spec?.resourceAttributes, nra = spec?.nonResourceAttributes;
    if ((ra == null) === (nra == null)) return null;
    const user = str(spec.user);
    const groups = spec.groups;
    const parentsOfUser: cedar.EntityUidJson[] = [];
    if (Array.isArray(groups)) for (let i = 0; i < groups.length; i++) parentsOfUser.push(uid("Group", str(groups[i])));
    const cluster = uid("Cluster", "all");
    const entities: cedar.EntityJson[] = [
      { uid: uid("User", user), attrs: {}, parents: parentsOfUser },
      { uid: cluster, attrs: {}, parents: [] },
    ];
    let request: cedar.EntityJson;
    if (ra != null) {
      const namespace = str(ra.namespace), resource = str(ra.resource), subresource = str(ra.subresource);
      let parent = cluster;
      if (namespace !== "") {
        parent = uid("Namespace", namespace);
        entities.push({ uid: parent, attrs: {}, parents: [cluster] });
      }
      request = { uid: uid("Request", "r"), parents: [parent], attrs: { isResource: true, apiGroup: str(ra.group),
        combined: subresource !== "" ? `${resource}/${subresource}` : resource, subresource, name: str(ra.name) } };
    } else {
      request = { uid: uid("Request", "r"), parents: [cluster], attrs: { isResource: false, path: str(nra!.path) } };
    }
    entities.push(request);
    return { principal: uid("User", user), action: uid("Action", str(ra != null ? ra.verb : nra!.verb)), resource: uid("Request", "r"),
      context: {}, preparsedPolicySetId: id, entities };
  }

  /** Allowed or not; throws when Cedar reports a failure or an evaluation error (a translation bug). */
  decide(call: cedar.StatefulAuthorizationCall | null): boolean {
    if (call === null) return false;
    const r = cedar.statefulIsAuthorized(call);
    if (r.type !== "success") throw new Error(`Cedar failed: ${JSON.stringify(r.errors.slice(0, 3))}`);
    if (r.response.diagnostics.errors.length > 0) {
      throw new Error(`Cedar evaluation errors: ${JSON.stringify(r.response.diagnostics.errors.slice(0, 3))}`);
    }
    return r.response.decision === "allow";
  }

  authorize(spec: SubjectAccessReviewSpec): boolean {
    return this.decide(CedarAuthorizer.call(spec, this.id));
  }
}
