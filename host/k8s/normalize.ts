// Shape validation and normalisation of loaded objects. Never rejects an object: a value of the wrong type is
// reported (warning) and replaced, so that code downstream can rely on these types:
//   every object: apiVersion: string, kind: string, metadata: object with name: string, namespace?: string,
//                 labels?/annotations?: Record<string, string>
//   Role/ClusterRole: rules: { verbs, apiGroups, resources, resourceNames, nonResourceURLs: string[] }[]
//   ClusterRole: aggregationRule?: { clusterRoleSelectors: { matchLabels?: Record<string,string>,
//                 matchExpressions?: { key: string, operator: string, values: string[] }[] }[] }
//   RoleBinding/ClusterRoleBinding: roleRef: { apiGroup, kind, name: string },
//                 subjects: { kind: string, name: string, apiGroup?: string, namespace?: string }[]
//   Role/RoleBinding: metadata.namespace is set ("default" when missing, as kubectl apply does);
//   ClusterRole/ClusterRoleBinding: metadata.namespace removed (the API server clears it).
// Messages: lowercase, no final period, user input in backticks. Browser-safe.
import type { LoadDiagnosticCode, PathSegment } from "./types.js";

export const RBAC_GROUP = "rbac.authorization.k8s.io";
export const RBAC_V1 = RBAC_GROUP + "/v1";
export const RBAC_KINDS: readonly string[] = ["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"];
export const SUBJECT_KINDS: readonly string[] = ["User", "Group", "ServiceAccount"];
const DEPRECATED_RBAC_VERSIONS: readonly string[] = ["v1beta1", "v1alpha1"];
const RULE_FIELDS = ["verbs", "apiGroups", "resources", "resourceNames", "nonResourceURLs"] as const;
const SELECTOR_OPERATORS: readonly string[] = ["In", "NotIn", "Exists", "DoesNotExist"];

export interface NormalizeSink {
  /** `path` is the path of the value in the source (before normalisation). */
  warn(code: LoadDiagnosticCode, message: string, path: readonly PathSegment[]): void;
  /** Elements of the array at `path` (normalised path) were dropped: `kept[i]` is the source index of element i. */
  remap(path: readonly PathSegment[], kept: number[]): void;
}

type Obj = Record<string, unknown>;

export function isPlainObject(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The API group of an apiVersion ("" for the core group "v1"). */
export function apiGroupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? "" : apiVersion.slice(0, slash);
}

/** The RBAC kind of a loaded object (any rbac.authorization.k8s.io version), or undefined. */
export function rbacKindOf(obj: unknown): "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding" | undefined {
  if (!isPlainObject(obj) || typeof obj.apiVersion !== "string" || typeof obj.kind !== "string") return undefined;
  if (apiGroupOf(obj.apiVersion) !== RBAC_GROUP || !RBAC_KINDS.includes(obj.kind)) return undefined;
  return obj.kind as "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding";
}

export function describeValue(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a sequence";
  if (typeof v === "object") return "a mapping";
  return "a " + typeof v;
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `rules[1].verbs[0]`, `metadata.labels["app.kubernetes.io/name"]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let s = "";
  for (const seg of path) {
    if (typeof seg === "number") s += `[${seg}]`;
    else if (IDENT.test(seg)) s += (s === "" ? "" : ".") + seg;
    else s += `[${JSON.stringify(seg)}]`;
  }
  return s;
}

function stringify(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

/**
 * Source path and normalised path of the value being looked at (they differ below arrays with dropped entries).
 * A linked list: the paths are only built when a warning or a remap needs them.
 */
class At {
  constructor(
    private readonly parent: At | undefined,
    private readonly srcSeg: PathSegment,
    private readonly normSeg: PathSegment,
  ) {}
  static root(): At {
    return new At(undefined, "", "");
  }
  private path(norm: boolean): PathSegment[] {
    const out: PathSegment[] = [];
    for (let a: At | undefined = this; a?.parent !== undefined; a = a.parent) out.push(norm ? a.normSeg : a.srcSeg);
    return out.reverse();
  }
  get src(): PathSegment[] {
    return this.path(false);
  }
  get norm(): PathSegment[] {
    return this.path(true);
  }
}

function child(at: At, src: PathSegment, norm: PathSegment = src): At {
  return new At(at, src, norm);
}

class Normalizer {
  constructor(private readonly sink: NormalizeSink) {}

  private warn(code: LoadDiagnosticCode, message: string, at: At): void {
    this.sink.warn(code, message, at.src);
  }

  private wrongType(at: At, expected: string, found: unknown, outcome: string): void {
    this.warn("INVALID_FIELD", `\`${formatPath(at.src)}\` must be ${expected}, found ${describeValue(found)}; ${outcome}`, at);
  }

  /**
   * Makes parent[key] a string or removes it. Numbers and booleans are stringified (YAML `name: 123`);
   * `fill` is stored when the value is missing or unusable.
   */
  private str(parent: Obj, key: string, at: At, fill?: string): string | undefined {
    const v = parent[key];
    const here = child(at, key);
    if (typeof v === "string") return v;
    let out: string | undefined = fill;
    if (v !== undefined && v !== null) {
      if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") {
        out = String(v);
        this.wrongType(here, "a string", v, `using \`${out}\``);
      } else {
        this.wrongType(here, "a string", v, fill === undefined ? "ignored" : `using \`${fill}\``);
      }
    }
    if (out === undefined) delete parent[key];
    else parent[key] = out;
    return out;
  }

  /** Makes parent[key] a map of string to string (or removes it when null): values are stringified. */
  private stringMap(parent: Obj, key: string, at: At): void {
    const v = parent[key];
    const here = child(at, key);
    if (v === undefined) return;
    if (v === null) {
      delete parent[key];
      return;
    }
    if (!isPlainObject(v)) {
      this.wrongType(here, "a mapping of strings", v, "treated as empty");
      parent[key] = {};
      return;
    }
    for (const k of Object.keys(v)) {
      const val = v[k];
      if (typeof val === "string") continue;
      const s = stringify(val);
      this.wrongType(child(here, k), "a string", val, `using \`${s}\``);
      v[k] = s;
    }
  }

  /**
   * Makes parent[key] an array of strings: missing → []; a non-string element becomes its JSON text. A value that is
   * not an array becomes [] — except under `resourceNames`, where it becomes [its text].
   * why: never widen a rule — an empty resourceNames means every name, so a malformed one must stay non-empty.
   */
  private stringList(parent: Obj, key: string, at: At): void {
    const v = parent[key];
    const here = child(at, key);
    if (v === undefined || v === null) {
      parent[key] = [];
      return;
    }
    if (!Array.isArray(v)) {
      if (key === "resourceNames") {
        const s = typeof v === "string" ? v : stringify(v);
        this.wrongType(here, "a sequence of strings", v, `using [\`${s}\`]`);
        parent[key] = [s];
      } else {
        this.wrongType(here, "a sequence of strings", v, "treated as empty");
        parent[key] = [];
      }
      return;
    }
    for (let i = 0; i < v.length; i++) {
      if (typeof v[i] === "string") continue;
      const s = stringify(v[i]);
      this.wrongType(child(here, i), "a string", v[i], `using \`${s}\``);
      v[i] = s;
    }
  }

  /**
   * Keeps the elements of the array parent[key] for which `keep` is true; records the index remap when some are
   * dropped. `keep` gets the element's At (source index and normalised index).
   */
  private filterArray(parent: Obj, key: string, here: At, keep: (el: unknown, srcIndex: number, at: At) => boolean): void {
    const arr = parent[key] as unknown[];
    const out: unknown[] = [];
    const kept: number[] = [];
    for (let i = 0; i < arr.length; i++) {
      if (keep(arr[i], i, child(here, i, out.length))) {
        out.push(arr[i]);
        kept.push(i);
      }
    }
    if (out.length !== arr.length) {
      parent[key] = out;
      this.sink.remap(here.norm, kept);
    }
  }

  /** Makes parent[key] an array of mappings (missing → []); other elements are dropped. */
  private objectList(parent: Obj, key: string, at: At, what: string, each: (el: Obj, at: At) => boolean): boolean {
    const v = parent[key];
    const here = child(at, key);
    if (v === undefined || v === null) {
      parent[key] = [];
      return true;
    }
    if (!Array.isArray(v)) {
      this.wrongType(here, `a sequence of ${what}s`, v, "treated as empty");
      parent[key] = [];
      return false;
    }
    this.filterArray(parent, key, here, (el, _i, elAt) => {
      if (!isPlainObject(el)) {
        this.wrongType(elAt, `a ${what} mapping`, el, "dropped");
        return false;
      }
      return each(el, elAt);
    });
    return true;
  }

  run(obj: Obj): void {
    const root = At.root();
    const kind = obj.kind as string; // checked by the caller
    const rbacKindName = RBAC_KINDS.includes(kind);

    // apiVersion
    let apiVersion = obj.apiVersion;
    if (typeof apiVersion !== "string" || apiVersion === "") {
      if (apiVersion !== undefined && apiVersion !== null && apiVersion !== "") {
        this.wrongType(child(root, "apiVersion"), "a string", apiVersion, "ignored");
      }
      apiVersion = rbacKindName ? RBAC_V1 : "";
      this.warn(
        "MISSING_API_VERSION",
        rbacKindName
          ? `${kind} has no apiVersion; assuming \`${RBAC_V1}\``
          : `${kind} has no apiVersion`,
        child(root, "apiVersion"),
      );
      obj.apiVersion = apiVersion;
    }
    const av = apiVersion as string;
    const isRbac = apiGroupOf(av) === RBAC_GROUP && rbacKindName;

    if (isRbac && av !== RBAC_V1) {
      const version = av.slice(RBAC_GROUP.length + 1);
      if (DEPRECATED_RBAC_VERSIONS.includes(version)) {
        this.warn(
          "DEPRECATED_API_VERSION",
          `\`${av}\` is deprecated and no longer served by Kubernetes; ${kind} is read with \`${RBAC_V1}\` semantics`,
          child(root, "apiVersion"),
        );
      } else {
        this.warn(
          "UNKNOWN_API_VERSION",
          `\`${av}\` is not a known RBAC API version; ${kind} is read with \`${RBAC_V1}\` semantics`,
          child(root, "apiVersion"),
        );
      }
    }

    this.metadata(obj, root, isRbac ? kind : undefined);
    if (!isRbac) return;
    if (kind === "Role" || kind === "ClusterRole") {
      this.rules(obj, root);
      if (kind === "ClusterRole") this.aggregationRule(obj, root);
    } else {
      this.roleRef(obj, root, kind);
      this.subjects(obj, root, kind);
    }
  }

  private metadata(obj: Obj, root: At, rbacKind: string | undefined): void {
    const at = child(root, "metadata");
    let md = obj.metadata;
    if (md !== undefined && md !== null && !isPlainObject(md)) {
      this.wrongType(at, "a mapping", md, "treated as empty");
      md = undefined;
    }
    if (!isPlainObject(md)) {
      md = {};
      obj.metadata = md;
    }
    const m = md as Obj;
    const name = this.str(m, "name", at, "");
    if (rbacKind && name === "") this.warn("MISSING_NAME", `${rbacKind} has no \`metadata.name\``, at);
    let ns = this.str(m, "namespace", at);
    if (ns === "") {
      delete m.namespace;
      ns = undefined;
    }
    if (rbacKind === "Role" || rbacKind === "RoleBinding") {
      if (ns === undefined) {
        this.warn("MISSING_NAMESPACE", `${rbacKind} \`${name}\` has no namespace; using \`default\` as kubectl apply would`, at);
        m.namespace = "default";
      }
    } else if (rbacKind !== undefined && ns !== undefined) {
      this.warn(
        "IGNORED_NAMESPACE",
        `${rbacKind} \`${name}\` is cluster-scoped; namespace \`${ns}\` is ignored`,
        child(at, "namespace"),
      );
      delete m.namespace;
    }
    this.stringMap(m, "labels", at);
    this.stringMap(m, "annotations", at);
  }

  private rules(obj: Obj, root: At): void {
    this.objectList(obj, "rules", root, "rule", (rule, at) => {
      for (const f of RULE_FIELDS) this.stringList(rule, f, at);
      return true;
    });
  }

  private aggregationRule(obj: Obj, root: At): void {
    const at = child(root, "aggregationRule");
    const ar = obj.aggregationRule;
    if (ar === undefined) return;
    if (ar === null) {
      delete obj.aggregationRule;
      return;
    }
    if (!isPlainObject(ar)) {
      this.wrongType(at, "a mapping", ar, "ignored");
      delete obj.aggregationRule;
      return;
    }
    this.objectList(ar, "clusterRoleSelectors", at, "label selector", (sel, selAt) => this.labelSelector(sel, selAt));
  }

  /**
   * Normalises a label selector. A selector with a structural error is dropped instead of repaired, because
   * dropping one of its parts would make it select more (an empty selector selects every ClusterRole).
   */
  private labelSelector(sel: Obj, at: At): boolean {
    const dropped = "selector dropped";
    if (sel.matchLabels === null) delete sel.matchLabels;
    else if (sel.matchLabels !== undefined) {
      if (!isPlainObject(sel.matchLabels)) {
        this.wrongType(child(at, "matchLabels"), "a mapping of strings", sel.matchLabels, dropped);
        return false;
      }
      this.stringMap(sel, "matchLabels", at);
    }
    const me = sel.matchExpressions;
    if (me === null) delete sel.matchExpressions;
    else if (me !== undefined) {
      const meAt = child(at, "matchExpressions");
      if (!Array.isArray(me)) {
        this.wrongType(meAt, "a sequence of label selector requirements", me, dropped);
        return false;
      }
      for (let i = 0; i < me.length; i++) {
        const req = me[i];
        const reqAt = child(meAt, i);
        if (!isPlainObject(req)) {
          this.wrongType(reqAt, "a label selector requirement mapping", req, dropped);
          return false;
        }
        for (const f of ["key", "operator"]) {
          if (req[f] === undefined || req[f] === null || req[f] === "") {
            this.warn("MISSING_FIELD", `\`${formatPath(reqAt.src)}\` has no \`${f}\`; ${dropped}`, reqAt);
            return false;
          }
          if (this.str(req, f, reqAt) === undefined) {
            return false;
          }
        }
        const op = req.operator as string;
        if (!SELECTOR_OPERATORS.includes(op)) {
          this.warn(
            "INVALID_FIELD",
            `\`${formatPath(child(reqAt, "operator").src)}\` is \`${op}\`, not one of ${SELECTOR_OPERATORS.join(", ")}`,
            child(reqAt, "operator"),
          );
        }
        this.stringList(req, "values", reqAt);
      }
    }
    return true;
  }

  private roleRef(obj: Obj, root: At, kind: string): void {
    const at = child(root, "roleRef");
    const rr = obj.roleRef;
    if (rr === undefined || rr === null || !isPlainObject(rr)) {
      if (rr === undefined || rr === null) this.warn("MISSING_ROLE_REF", `${kind} has no roleRef`, root);
      else this.wrongType(at, "a mapping", rr, "treated as missing");
      obj.roleRef = { apiGroup: "", kind: "", name: "" };
      return;
    }
    const apiGroup = this.str(rr, "apiGroup", at, "") as string;
    const refKind = this.str(rr, "kind", at, "") as string;
    const name = this.str(rr, "name", at, "") as string;
    for (const [f, v] of [["kind", refKind], ["name", name]] as const) {
      if (v === "") this.warn("MISSING_FIELD", `\`roleRef.${f}\` is missing`, at);
    }
    if (refKind !== "" && refKind !== "Role" && refKind !== "ClusterRole") {
      this.warn("INVALID_ROLE_REF", `\`roleRef.kind\` is \`${refKind}\`; only Role and ClusterRole are supported`, child(at, "kind"));
    } else if (refKind === "Role" && kind === "ClusterRoleBinding") {
      this.warn("INVALID_ROLE_REF", "a ClusterRoleBinding can only reference a ClusterRole", child(at, "kind"));
    }
    // an empty apiGroup is defaulted to rbac.authorization.k8s.io by the API server
    if (apiGroup !== "" && apiGroup !== RBAC_GROUP) {
      this.warn("INVALID_ROLE_REF", `\`roleRef.apiGroup\` is \`${apiGroup}\`, not \`${RBAC_GROUP}\``, child(at, "apiGroup"));
    }
  }

  private subjects(obj: Obj, root: At, kind: string): void {
    const s = obj.subjects;
    if (s === undefined || s === null || (Array.isArray(s) && s.length === 0)) {
      // why: Kubernetes ships one such binding itself (system:node, emptied since 1.8 for the Node authorizer);
      // warning about it on every run of every cluster would only teach people to ignore warnings
      const labels = (obj.metadata as Obj | undefined)?.labels as Obj | undefined;
      if (labels?.["kubernetes.io/bootstrapping"] !== "rbac-defaults") {
        this.warn("NO_SUBJECTS", `${kind} has no subjects`, s === undefined ? root : child(root, "subjects"));
      }
      obj.subjects = [];
      return;
    }
    this.objectList(obj, "subjects", root, "subject", (sub, at) => {
      const sk = this.str(sub, "kind", at, "") as string;
      const name = this.str(sub, "name", at, "") as string;
      this.str(sub, "apiGroup", at);
      const ns = this.str(sub, "namespace", at);
      if (!SUBJECT_KINDS.includes(sk)) {
        this.warn(
          "UNKNOWN_SUBJECT_KIND",
          sk === "" ? `\`${formatPath(at.src)}\` has no kind` : `subject kind \`${sk}\` is not one of User, Group, ServiceAccount`,
          sk === "" ? at : child(at, "kind"),
        );
      }
      if (name === "") this.warn("MISSING_FIELD", `\`${formatPath(at.src)}\` has no name`, at);
      if (sk === "ServiceAccount" && kind === "ClusterRoleBinding" && (ns === undefined || ns === "")) {
        this.warn(
          "MISSING_NAMESPACE",
          `ServiceAccount subject \`${name}\` of a ClusterRoleBinding has no namespace; it matches no one`,
          at,
        );
      }
      return true;
    });
  }
}

/** Normalises `obj` in place (its `kind` must be a non-empty string). */
export function normalizeObject(obj: Obj, sink: NormalizeSink): void {
  new Normalizer(sink).run(obj);
}
