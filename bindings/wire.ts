// Projects Kubernetes objects onto the wire shape the core decodes (bindings/ABI.md, "policy input"):
// only the fields the core reads, with JSON types guaranteed, so a malformed object can never make the
// decoder trap. Values of the wrong type are dropped here; the loader (host/k8s) reports them.

const RBAC_KINDS = new Set(["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"]);
/** Kinds the guardrail checks read besides RBAC (workloads: where their pod spec sits). */
const WORKLOAD_KINDS = new Set(["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob",
  "ReplicationController"]);
const INVENTORY_KINDS = new Set(["ServiceAccount", "Secret", "Namespace", "ConfigMap", ...WORKLOAD_KINDS]);
// why: the largest annotation there is, and nothing in the core reads it
const SKIPPED_ANNOTATIONS = new Set(["kubectl.kubernetes.io/last-applied-configuration"]);

function s(v: unknown): string {
  return typeof v === "string" ? v : "";
}

// why: a malformed element becomes its JSON text rather than being dropped, so that a non-empty
// resourceNames never turns into an empty one (which would mean every name)
function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.map((x) => (typeof x === "string" ? x : JSON.stringify(x) ?? "undefined")) : [];
}

function names(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? strings(v) : [typeof v === "string" ? v : JSON.stringify(v)];
}

function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (v && typeof v === "object" && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) if (typeof x === "string") out[k] = x;
  }
  return out;
}

function annotations(v: unknown): Record<string, string> {
  const out = stringMap(v);
  for (const k of SKIPPED_ANNOTATIONS) delete out[k];
  return out;
}

function record(v: unknown): Record<string, any> | undefined {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, any>) : undefined;
}

function objects(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? v.filter((x) => x && typeof x === "object" && !Array.isArray(x)) : [];
}

function rule(r: Record<string, unknown>) {
  return {
    verbs: strings(r.verbs),
    apiGroups: strings(r.apiGroups),
    resources: strings(r.resources),
    resourceNames: names(r.resourceNames),
    nonResourceURLs: strings(r.nonResourceURLs),
  };
}

function selector(sel: Record<string, unknown>) {
  return {
    matchLabels: stringMap(sel.matchLabels),
    matchExpressions: objects(sel.matchExpressions).map((e) => ({
      key: s(e.key), operator: s(e.operator), values: strings(e.values),
    })),
  };
}

function bool(out: Record<string, unknown>, key: string, v: unknown): void {
  if (typeof v === "boolean") out[key] = v;
}

// why: every volume and projection source is kept (as {} when irrelevant) so that the core's field paths
// (volumes[i].projected.sources[j]) index the object as written
function volumes(v: unknown): Record<string, unknown>[] {
  if (!Array.isArray(v)) return [];
  return v.map((vol) => {
    const sources = record(record(vol)?.projected)?.sources;
    if (!Array.isArray(sources)) return {};
    return {
      projected: {
        sources: sources.map((src) => {
          const t = record(record(src)?.serviceAccountToken);
          if (!t) return {};
          const token: Record<string, unknown> = { audience: s(t.audience) };
          if (typeof t.expirationSeconds === "number" && Number.isSafeInteger(t.expirationSeconds)) token.expirationSeconds = t.expirationSeconds;
          return { serviceAccountToken: token };
        }),
      },
    };
  });
}

function podSpec(v: unknown): Record<string, unknown> {
  const spec = record(v) ?? {};
  const out: Record<string, unknown> = {
    serviceAccountName: s(spec.serviceAccountName), serviceAccount: s(spec.serviceAccount), volumes: volumes(spec.volumes),
  };
  bool(out, "automountServiceAccountToken", spec.automountServiceAccountToken);
  return out;
}

function template(v: unknown): Record<string, unknown> | undefined {
  const t = record(v);
  return t && record(t.spec) ? { spec: podSpec(t.spec) } : undefined;
}

function workloadSpec(kind: string, v: unknown): Record<string, unknown> | undefined {
  const spec = record(v);
  if (!spec) return undefined;
  if (kind === "Pod") return podSpec(spec);
  if (kind === "CronJob") {
    const t = template(record(record(spec.jobTemplate)?.spec)?.template);
    return t ? { jobTemplate: { spec: { template: t } } } : undefined;
  }
  const t = template(spec.template);
  return t ? { template: t } : undefined;
}

function inventoryFields(kind: string, o: Record<string, any>, out: Record<string, unknown>): void {
  if (kind === "ServiceAccount") {
    bool(out, "automountServiceAccountToken", o.automountServiceAccountToken);
    out.secrets = objects(o.secrets).map((x) => ({ name: s(x.name) }));
  } else if (kind === "Secret") {
    out.type = s(o.type);
  } else if (WORKLOAD_KINDS.has(kind)) {
    const spec = workloadSpec(kind, o.spec);
    if (spec) out.spec = spec;
  }
}

/** One wire object per input object (other kinds become `{kind}` placeholders so indexes stay aligned). */
export function toWireObjects(input: unknown[]): Record<string, unknown>[] {
  return input.map((o) => {
    if (!o || typeof o !== "object") return { kind: "" };
    const obj = o as Record<string, any>;
    const kind = s(obj.kind);
    if (!RBAC_KINDS.has(kind) && !INVENTORY_KINDS.has(kind)) return { kind };
    const meta = obj.metadata && typeof obj.metadata === "object" ? obj.metadata : {};
    const out: Record<string, unknown> = {
      apiVersion: s(obj.apiVersion),
      kind,
      metadata: {
        name: s(meta.name), namespace: s(meta.namespace), labels: stringMap(meta.labels), annotations: annotations(meta.annotations),
      },
    };
    if (INVENTORY_KINDS.has(kind)) {
      if (WORKLOAD_KINDS.has(kind)) {
        (out.metadata as Record<string, unknown>).ownerReferences = objects(meta.ownerReferences)
          .map((r) => ({ kind: s(r.kind), name: s(r.name), controller: r.controller === true }));
      }
      inventoryFields(kind, obj, out);
      return out;
    }
    if (kind === "Role" || kind === "ClusterRole") {
      out.rules = objects(obj.rules).map(rule);
      if (kind === "ClusterRole" && obj.aggregationRule && typeof obj.aggregationRule === "object") {
        out.aggregationRule = { clusterRoleSelectors: objects(obj.aggregationRule.clusterRoleSelectors).map(selector) };
      }
    } else {
      const ref = obj.roleRef && typeof obj.roleRef === "object" ? obj.roleRef : {};
      out.roleRef = { apiGroup: s(ref.apiGroup), kind: s(ref.kind), name: s(ref.name) };
      out.subjects = objects(obj.subjects).map((x) => ({
        kind: s(x.kind), apiGroup: s(x.apiGroup), name: s(x.name), namespace: s(x.namespace),
      }));
    }
    return out;
  });
}

/** Flattens `kind: List` and typed lists (`RoleList`, ...) into their items. */
export function flattenLists(input: unknown[]): unknown[] {
  const out: unknown[] = [];
  const visit = (o: unknown, depth: number): void => {
    const obj = o as Record<string, any> | null;
    if (depth < 8 && obj && typeof obj === "object" && typeof obj.kind === "string" && obj.kind.endsWith("List") &&
      Array.isArray(obj.items)) {
      const itemKind = obj.kind === "List" ? undefined : obj.kind.slice(0, -4);
      for (const item of obj.items) {
        if (itemKind && item && typeof item === "object" && !item.kind) visit({ apiVersion: obj.apiVersion, kind: itemKind, ...item }, depth + 1);
        else visit(item, depth + 1);
      }
    } else {
      out.push(o);
    }
  };
  for (const o of input) visit(o, 0);
  return out;
}
