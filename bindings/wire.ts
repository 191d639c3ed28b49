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

// ---- binary policy wire (ABI 2.0: what rbac_load reads; bindings/ABI.md "Policy wire format") --------------------
// The same projection as toWireObjects, written straight into u32 words with strings as indexes into a table of
// distinct strings (UTF-16 code units). The core makes repeated entries one string again, so dedup here only saves bytes. assembly/abi/decode-wire.ts reads it. Keep the two projections in step: the
// Envoy build decodes toWireObjects' shape from its JSON configuration, and the shared vectors compare both.

/** "RBW1": format 1 of the policy wire (u32, little-endian). */
export const WIRE_MAGIC = 0x31574252;

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

class WireWriter {
  private words = new Int32Array(1 << 14);
  private n = 0;
  private readonly ids = new Map<string, number>();
  private readonly strings: string[] = [];

  word(v: number): void {
    if (this.n === this.words.length) {
      const next = new Int32Array(this.words.length * 2);
      next.set(this.words);
      this.words = next;
    }
    this.words[this.n++] = v;
  }

  str(s: string): void {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.strings.length;
      this.ids.set(s, id);
      this.strings.push(s);
    }
    this.word(id);
  }

  /** Reserves a word (a count written later); returns its position. */
  mark(): number {
    this.word(0);
    return this.n - 1;
  }

  patch(at: number, v: number): void {
    this.words[at] = v;
  }

  /** A list of strings; as strings() above, a non-string element is kept as its JSON text. */
  strs(v: unknown): void {
    if (!Array.isArray(v)) {
      this.word(0);
      return;
    }
    this.word(v.length);
    for (const x of v) this.str(typeof x === "string" ? x : JSON.stringify(x) ?? "undefined");
  }

  /** [magic][string count][UTF-16 units][length of each][units, padded to 4 bytes][words]. */
  finish(): Uint8Array {
    if (!LITTLE_ENDIAN) throw new Error("the policy wire needs a little-endian host");
    const count = this.strings.length;
    let units = 0;
    for (const s of this.strings) units += s.length;
    const head = 12 + count * 4;
    const charBytes = (units * 2 + 3) & ~3;
    const buf = new ArrayBuffer(head + charBytes + this.n * 4);
    const u32 = new Uint32Array(buf, 0, 3 + count);
    u32[0] = WIRE_MAGIC;
    u32[1] = count;
    u32[2] = units;
    for (let i = 0; i < count; i++) u32[3 + i] = this.strings[i].length;
    const NodeBuffer = (globalThis as { Buffer?: { from(b: ArrayBuffer, o: number, n: number): { write(s: string, e: string): number } } }).Buffer;
    if (NodeBuffer) {
      // why: one native copy of the code units (utf16le keeps lone surrogates as they are)
      NodeBuffer.from(buf, head, units * 2).write(this.strings.join(""), "utf16le");
    } else {
      const u16 = new Uint16Array(buf, head, units);
      let c = 0;
      for (const s of this.strings) for (let j = 0; j < s.length; j++) u16[c++] = s.charCodeAt(j);
    }
    new Int32Array(buf, head + charBytes, this.n).set(this.words.subarray(0, this.n));
    return new Uint8Array(buf);
  }
}

function writeStringMap(w: WireWriter, v: unknown, skip?: Set<string>): void {
  const at = w.mark();
  let n = 0;
  if (v && typeof v === "object" && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) {
      // why: as toWireObjects' stringMap, where assigning `__proto__` on a plain object adds no key
      if (typeof x !== "string" || k === "__proto__" || skip?.has(k)) continue;
      w.str(k);
      w.str(x);
      n++;
    }
  }
  w.patch(at, n);
}

/** Each element of `v` that is a non-array object, counted; as objects() above. */
function forObjects(w: WireWriter, v: unknown, fn: (o: Record<string, any>) => void): void {
  const at = w.mark();
  let n = 0;
  if (Array.isArray(v)) {
    for (const x of v) {
      if (!x || typeof x !== "object" || Array.isArray(x)) continue;
      fn(x);
      n++;
    }
  }
  w.patch(at, n);
}

function writeRule(w: WireWriter, r: Record<string, unknown>): void {
  w.strs(r.verbs);
  w.strs(r.apiGroups);
  w.strs(r.resources);
  const rn = r.resourceNames;
  if (rn === undefined || rn === null || Array.isArray(rn)) w.strs(rn);
  else w.strs([typeof rn === "string" ? rn : JSON.stringify(rn)]);
  w.strs(r.nonResourceURLs);
}

function writeSelector(w: WireWriter, sel: Record<string, unknown>): void {
  writeStringMap(w, sel.matchLabels);
  forObjects(w, sel.matchExpressions, (e) => {
    w.str(s(e.key));
    w.str(s(e.operator));
    w.strs(e.values);
  });
}

function tri(v: unknown): number {
  return typeof v === "boolean" ? (v ? 1 : 0) : -1;
}

function writeVolumes(w: WireWriter, v: unknown): void {
  if (!Array.isArray(v)) {
    w.word(0);
    return;
  }
  w.word(v.length);
  for (const vol of v) {
    const sources = record(record(vol)?.projected)?.sources;
    if (!Array.isArray(sources)) {
      w.word(0);
      continue;
    }
    w.word(1);
    w.word(sources.length);
    for (const src of sources) {
      const t = record(record(src)?.serviceAccountToken);
      if (!t) {
        w.word(0);
        continue;
      }
      w.word(1);
      const e = t.expirationSeconds;
      if (typeof e === "number" && Number.isSafeInteger(e)) {
        const hi = Math.floor(e / 4294967296);
        w.word(1);
        w.word((e - hi * 4294967296) | 0);
        w.word(hi | 0);
      } else {
        w.word(0);
      }
    }
  }
}

/** The pod spec a workload keeps (the `spec` of a Pod, `spec.template.spec`, or a CronJob's job template's). */
function workloadPodSpec(kind: string, v: unknown): Record<string, any> | undefined {
  const spec = record(v);
  if (!spec) return undefined;
  if (kind === "Pod") return spec;
  const t = record(kind === "CronJob" ? record(record(spec.jobTemplate)?.spec)?.template : spec.template);
  return t ? record(t.spec) : undefined;
}

function writeObject(w: WireWriter, o: unknown): void {
  const obj = o && typeof o === "object" ? (o as Record<string, any>) : undefined;
  const kind = obj ? s(obj.kind) : "";
  if (!obj || (!RBAC_KINDS.has(kind) && !INVENTORY_KINDS.has(kind))) {
    // kind, apiVersion, name, namespace, no labels, no annotations
    w.str(kind); w.str(""); w.str(""); w.str(""); w.word(0); w.word(0);
    return;
  }
  const meta = obj.metadata && typeof obj.metadata === "object" ? obj.metadata : {};
  w.str(kind);
  w.str(s(obj.apiVersion));
  w.str(s(meta.name));
  w.str(s(meta.namespace));
  writeStringMap(w, meta.labels);
  writeStringMap(w, meta.annotations, SKIPPED_ANNOTATIONS);
  if (kind === "Role" || kind === "ClusterRole") {
    forObjects(w, obj.rules, (r) => writeRule(w, r));
    if (kind === "ClusterRole" && obj.aggregationRule && typeof obj.aggregationRule === "object") {
      w.word(1);
      forObjects(w, obj.aggregationRule.clusterRoleSelectors, (sel) => writeSelector(w, sel));
    } else {
      w.word(0);
    }
  } else if (kind === "RoleBinding" || kind === "ClusterRoleBinding") {
    const ref = obj.roleRef && typeof obj.roleRef === "object" ? obj.roleRef : {};
    w.str(s(ref.apiGroup)); w.str(s(ref.kind)); w.str(s(ref.name));
    forObjects(w, obj.subjects, (x) => {
      w.str(s(x.kind)); w.str(s(x.apiGroup)); w.str(s(x.name)); w.str(s(x.namespace));
    });
  } else if (kind === "ServiceAccount") {
    w.word(tri(obj.automountServiceAccountToken));
    forObjects(w, obj.secrets, (x) => w.str(s(x.name)));
  } else if (kind === "Secret") {
    w.str(s(obj.type));
  } else if (WORKLOAD_KINDS.has(kind)) {
    forObjects(w, meta.ownerReferences, (r) => {
      w.str(s(r.kind)); w.str(s(r.name)); w.word(r.controller === true ? 1 : 0);
    });
    const spec = workloadPodSpec(kind, obj.spec);
    if (!spec) {
      w.word(0);
      return;
    }
    w.word(1);
    w.str(s(spec.serviceAccountName));
    w.str(s(spec.serviceAccount));
    w.word(tri(spec.automountServiceAccountToken));
    writeVolumes(w, spec.volumes);
  }
}

/** The bytes rbac_load reads for these objects (already List-flattened): one wire object per input object. */
export function encodeWire(input: unknown[]): Uint8Array {
  const w = new WireWriter();
  w.word(input.length);
  for (const o of input) writeObject(w, o);
  return w.finish();
}
