// Wire DTOs -> model/inventory.ts: the metadata of every input object, and the ServiceAccounts, Secrets,
// Namespaces, ConfigMaps and workloads the guardrail checks read. Duplicates (same kind/namespace/name): the later
// object replaces the earlier, as decode.ts does for RBAC objects.
import { JSON } from "json-as";
import { ObjectDTO } from "./dto";
import { PodSpecDTO, VolumeDTO } from "./inventory-dto";
import { Inventory, ObjectMeta, ServiceAccount, Secret, NamedObject, Workload, ProjectedToken, TRI_UNSET, TRI_TRUE,
  TRI_FALSE, KIND_SERVICE_ACCOUNT, KIND_SECRET, KIND_NAMESPACE, KIND_CONFIG_MAP } from "../model/inventory";
import { KIND_CLUSTER_ROLE, KIND_CLUSTER_ROLE_BINDING } from "../model/policy";
import { Diagnostics } from "../util/diagnostics";

export const SA_NAME_ANNOTATION = "kubernetes.io/service-account.name";

function tri(b: JSON.Box<bool> | null): i8 {
  if (b == null) return TRI_UNSET;
  return b.value ? TRI_TRUE : TRI_FALSE;
}

// The API group an object's kind must come from for the core to read it ("" = core), or null for other kinds.
export function groupOf(kind: string): string | null {
  if (kind == KIND_SERVICE_ACCOUNT || kind == KIND_SECRET || kind == KIND_NAMESPACE || kind == KIND_CONFIG_MAP ||
    kind == "Pod" || kind == "ReplicationController") return "";
  if (kind == "Deployment" || kind == "StatefulSet" || kind == "DaemonSet" || kind == "ReplicaSet") return "apps";
  if (kind == "Job" || kind == "CronJob") return "batch";
  return null;
}

export function apiVersionMatches(apiVersion: string, group: string): bool {
  if (apiVersion.length == 0) return true;
  const slash = apiVersion.indexOf("/");
  if (group.length == 0) return slash < 0;
  const g = slash < 0 ? "" : apiVersion.substring(0, slash);
  // why: apps kinds were served by extensions/v1beta1 before Kubernetes 1.16
  return g == group || (group == "apps" && g == "extensions");
}

function meta(o: ObjectDTO): ObjectMeta {
  const m = new ObjectMeta();
  m.kind = o.kind;
  const cluster = o.kind == KIND_NAMESPACE || o.kind == KIND_CLUSTER_ROLE || o.kind == KIND_CLUSTER_ROLE_BINDING;
  m.namespace = cluster ? "" : o.metadata.namespace;
  m.name = o.metadata.name;
  m.labelKeys = o.metadata.labels.keys();
  m.labelValues = o.metadata.labels.values();
  m.annotationKeys = o.metadata.annotations.keys();
  m.annotationValues = o.metadata.annotations.values();
  return m;
}

function projectedTokens(volumes: VolumeDTO[], w: Workload): void {
  const tokens = new Array<ProjectedToken>();
  for (let v = 0; v < volumes.length; v++) {
    const p = volumes[v].projected;
    if (p == null) continue;
    for (let j = 0; j < p.sources.length; j++) {
      const t = p.sources[j].serviceAccountToken;
      if (t == null) continue;
      const pt = new ProjectedToken();
      pt.volume = v;
      pt.source = j;
      pt.expirationSeconds = t.expirationSeconds;
      tokens.push(pt);
    }
  }
  w.projectedTokens = tokens;
}

function podSpec(w: Workload, name: string, deprecated: string, automount: JSON.Box<bool> | null, volumes: VolumeDTO[]): void {
  w.serviceAccountName = name;
  w.deprecatedServiceAccount = deprecated;
  w.automount = tri(automount);
  projectedTokens(volumes, w);
}

function fromTemplate(w: Workload, spec: PodSpecDTO | null, path: string): bool {
  if (spec == null) return false;
  w.specPath = path;
  podSpec(w, spec.serviceAccountName, spec.serviceAccount, spec.automountServiceAccountToken, spec.volumes);
  return true;
}

// null when the object has no pod spec where its kind keeps one
function workload(o: ObjectDTO, m: ObjectMeta, index: i32): Workload | null {
  const spec = o.spec;
  if (spec == null) return null;
  const w = new Workload();
  w.kind = m.kind;
  w.namespace = m.namespace;
  w.name = m.name;
  w.source = index;
  const owners = o.metadata.ownerReferences;
  for (let i = 0; i < owners.length; i++) {
    if (owners[i].controller) w.owner = owners[i].kind + "/" + m.namespace + "/" + owners[i].name;
  }
  if (m.kind == "Pod") {
    podSpec(w, spec.serviceAccountName, spec.serviceAccount, spec.automountServiceAccountToken, spec.volumes);
    return w;
  }
  if (m.kind == "CronJob") {
    const jt = spec.jobTemplate;
    if (jt == null || jt.spec == null) return null;
    const t = jt.spec!.template;
    return t != null && fromTemplate(w, t.spec, "spec.jobTemplate.spec.template.spec") ? w : null;
  }
  const t = spec.template;
  return t != null && fromTemplate(w, t.spec, "spec.template.spec") ? w : null;
}

export class Dedup {
  seen: Map<string, i32> = new Map();
  // the slot to write the object with this key to: the earlier duplicate's, or `length` for a new one
  slot(key: string, length: i32, index: i32, diags: Diagnostics): i32 {
    if (!this.seen.has(key)) {
      this.seen.set(key, length);
      return length;
    }
    diags.warn("DUPLICATE_OBJECT", "`" + key + "` appears more than once; the later object is used", index, "");
    return this.seen.get(key);
  }
}

export function put<T>(list: T[], slot: i32, v: T): void {
  if (slot == list.length) list.push(v);
  else list[slot] = v;
}

function addObject(inv: Inventory, o: ObjectDTO, m: ObjectMeta, i: i32, dedup: Dedup, diags: Diagnostics): void {
  const key = m.key();
  if (m.kind == KIND_SERVICE_ACCOUNT) {
    const sa = new ServiceAccount();
    sa.namespace = m.namespace;
    sa.name = m.name;
    sa.automount = tri(o.automountServiceAccountToken);
    const secrets = new Array<string>(o.secrets.length);
    for (let j = 0; j < o.secrets.length; j++) secrets[j] = o.secrets[j].name;
    sa.secrets = secrets;
    sa.source = i;
    put(inv.serviceAccounts, dedup.slot(key, inv.serviceAccounts.length, i, diags), sa);
  } else if (m.kind == KIND_SECRET) {
    const s = new Secret();
    s.namespace = m.namespace;
    s.name = m.name;
    s.type = o.type;
    const sa = m.annotation(SA_NAME_ANNOTATION);
    if (sa != null) s.serviceAccountName = sa;
    s.source = i;
    put(inv.secrets, dedup.slot(key, inv.secrets.length, i, diags), s);
  } else if (m.kind == KIND_NAMESPACE || m.kind == KIND_CONFIG_MAP) {
    const n = new NamedObject();
    n.namespace = m.namespace;
    n.name = m.name;
    n.source = i;
    const list = m.kind == KIND_NAMESPACE ? inv.namespaces : inv.configMaps;
    put(list, dedup.slot(key, list.length, i, diags), n);
  } else {
    const w = workload(o, m, i);
    if (w != null) put<Workload>(inv.workloads, dedup.slot(key, inv.workloads.length, i, diags), w);
  }
}

export function decodeInventory(items: ObjectDTO[], diags: Diagnostics): Inventory {
  const inv = new Inventory();
  const dedup = new Dedup();
  for (let i = 0; i < items.length; i++) {
    const o = items[i];
    const m = meta(o);
    inv.objects.push(m);
    const group = groupOf(o.kind);
    if (group == null || !apiVersionMatches(o.apiVersion, group)) continue;
    // why: a namespaced manifest without a namespace lands in `default` (kubectl apply without -n)
    if (m.kind != KIND_NAMESPACE && m.namespace.length == 0) m.namespace = "default";
    addObject(inv, o, m, i, dedup, diags);
  }
  return inv;
}
