// The binary policy wire (ABI 2.0, bindings/ABI.md "Policy wire format"): bindings/wire.ts writes it, the core's
// rbac_load reads it (assembly/abi/decode-wire.ts).
// - round trip: a reader of the format written here from ABI.md gives back exactly what toWireObjects projects
//   (the JSON shape the Envoy build decodes), so the two projections cannot drift apart;
// - malformed input fails closed: a BAD_INPUT failure naming the problem, never a trap, and the instance still loads;
// - unicode (non-BMP, lone surrogates, CJK) reaches the core unchanged.
import { describe, test, expect } from "vitest";
import { createEngine } from "../../bindings/index.js";
import { encodeWire, toWireObjects, flattenLists, WIRE_MAGIC } from "../../bindings/wire.js";
import { instantiate } from "../../bindings/exports.js";
import { takeOutput, takeStrings, withInput } from "../../bindings/memory.js";
import { loadModule } from "../../bindings/load-node.js";

const RBAC_KINDS = new Set(["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"]);
const WORKLOADS = new Set(["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "ReplicationController"]);
const INVENTORY = new Set(["ServiceAccount", "Secret", "Namespace", "ConfigMap", ...WORKLOADS]);

/** Reads the wire back into toWireObjects' shape (minus what the core does not read: token audiences). */
function readWire(bytes: Uint8Array): Record<string, unknown>[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let p = 0;
  const word = () => { const x = v.getUint32(p, true); p += 4; return x; };
  expect(word()).toBe(WIRE_MAGIC);
  const count = word();
  const units = word();
  const lengths = Array.from({ length: count }, () => word());
  const table: string[] = [];
  for (const n of lengths) {
    let s = "";
    for (let i = 0; i < n; i++) { s += String.fromCharCode(v.getUint16(p, true)); p += 2; }
    table.push(s);
  }
  expect(lengths.reduce((a, b) => a + b, 0)).toBe(units);
  p = (p + 3) & ~3;
  const str = () => table[word()];
  const strs = () => Array.from({ length: word() }, () => str());
  const map = () => { const o: Record<string, string> = {}; const n = word(); for (let i = 0; i < n; i++) { const k = str(); o[k] = str(); } return o; };
  const list = <T>(f: () => T) => Array.from({ length: word() }, f);
  const tri = (o: Record<string, unknown>, key: string) => { const t = v.getInt32((p += 4) - 4, true); if (t >= 0) o[key] = t === 1; };
  const out: Record<string, unknown>[] = [];
  const n = word();
  for (let i = 0; i < n; i++) {
    const kind = str(), apiVersion = str(), name = str(), namespace = str(), labels = map(), annotations = map();
    if (!RBAC_KINDS.has(kind) && !INVENTORY.has(kind)) {
      expect([apiVersion, name, namespace, Object.keys(labels).length, Object.keys(annotations).length]).toEqual(["", "", "", 0, 0]);
      out.push({ kind });
      continue;
    }
    const metadata: Record<string, unknown> = { name, namespace, labels, annotations };
    const o: Record<string, unknown> = { apiVersion, kind, metadata };
    if (kind === "Role" || kind === "ClusterRole") {
      o.rules = list(() => ({ verbs: strs(), apiGroups: strs(), resources: strs(), resourceNames: strs(), nonResourceURLs: strs() }));
      if (word() === 1) {
        o.aggregationRule = { clusterRoleSelectors: list(() => ({ matchLabels: map(), matchExpressions: list(() => ({ key: str(), operator: str(), values: strs() })) })) };
      }
    } else if (kind === "RoleBinding" || kind === "ClusterRoleBinding") {
      o.roleRef = { apiGroup: str(), kind: str(), name: str() };
      o.subjects = list(() => ({ kind: str(), apiGroup: str(), name: str(), namespace: str() }));
    } else if (kind === "ServiceAccount") {
      tri(o, "automountServiceAccountToken");
      o.secrets = list(() => ({ name: str() }));
    } else if (kind === "Secret") {
      o.type = str();
    } else if (WORKLOADS.has(kind)) {
      metadata.ownerReferences = list(() => ({ kind: str(), name: str(), controller: word() === 1 }));
      if (word() === 1) {
        const spec: Record<string, unknown> = { serviceAccountName: str(), serviceAccount: str() };
        const auto: Record<string, unknown> = {};
        tri(auto, "automountServiceAccountToken");
        spec.volumes = list(() => word() === 0 ? {} : {
          projected: { sources: list(() => {
            if (word() === 0) return {};
            const token: Record<string, unknown> = {};
            if (word() === 1) { const lo = word(), hi = v.getInt32((p += 4) - 4, true); token.expirationSeconds = hi * 4294967296 + lo; }
            return { serviceAccountToken: token };
          }) },
        });
        Object.assign(spec, auto);
        o.spec = kind === "Pod" ? spec : kind === "CronJob" ? { jobTemplate: { spec: { template: { spec } } } } : { template: { spec } };
      }
    }
    out.push(o);
  }
  expect(p).toBe(bytes.length);
  return out;
}

/** toWireObjects' output as JSON carries it, without token audiences and with keys in a fixed order. */
function normalize(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(normalize);
  if (x && typeof x === "object") {
    const o: Record<string, unknown> = {};
    for (const k of Object.keys(x).sort()) if (k !== "audience") o[k] = normalize((x as Record<string, unknown>)[k]);
    return o;
  }
  return x;
}

const messy: unknown[] = [
  null, 7, "text", [1, 2], { kind: "Unknown", metadata: { name: "u" } }, { kind: 5 },
  { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "agg", labels: { a: "1", b: 2, "10": "x" } },
    aggregationRule: { clusterRoleSelectors: [{ matchLabels: { "rbac.example.com/agg": "true" } }, "bad", { matchExpressions: [{ key: "k", operator: "In", values: ["v", 3] }] }] },
    rules: [{ verbs: ["get", 1, null, { x: 1 }], apiGroups: [""], resources: ["pods", "pods/log"], resourceNames: "single" }, "bad", null] },
  { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "arr-agg" }, aggregationRule: [] },
  { apiVersion: "v1", kind: "Role", metadata: { name: "wrong-group", namespace: "ns" }, rules: [{ verbs: ["*"], resources: ["*"], apiGroups: ["*"], resourceNames: [] }] },
  { apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: { name: "rb", namespace: "ns", annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{}", keep: "me" } },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: 4 }, subjects: [{ kind: "User", name: "alice" }, 3, { kind: "ServiceAccount", name: "sa" }] },
  { kind: "ClusterRoleBinding", metadata: { name: "crb" }, roleRef: "x", subjects: "y" },
  { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "sa", namespace: "ns" }, automountServiceAccountToken: false, secrets: [{ name: "s1" }, "x", { name: 2 }] },
  { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "sa2" }, automountServiceAccountToken: "yes" },
  { apiVersion: "v1", kind: "Secret", metadata: { name: "s1", namespace: "ns", annotations: { "kubernetes.io/service-account.name": "sa" } }, type: "kubernetes.io/service-account-token" },
  { apiVersion: "v1", kind: "Namespace", metadata: { name: "ns", namespace: "ignored" } },
  { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm" } },
  { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "ns", ownerReferences: [{ kind: "ReplicaSet", name: "rs", controller: true }, { kind: "X", name: "y" }] },
    spec: { serviceAccountName: "sa", automountServiceAccountToken: true, volumes: [{ name: "plain" }, { projected: { sources: [{ configMap: {} },
      { serviceAccountToken: { audience: "vault", expirationSeconds: 7200 } }, { serviceAccountToken: { expirationSeconds: -5 } },
      { serviceAccountToken: { expirationSeconds: 2 ** 40 } }, { serviceAccountToken: { expirationSeconds: 1.5 } }] } }] } },
  { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d", namespace: "ns" }, spec: { template: { spec: { serviceAccount: "old" } } } },
  { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "no-template", namespace: "ns" }, spec: { replicas: 1 } },
  { apiVersion: "batch/v1", kind: "CronJob", metadata: { name: "cj", namespace: "ns" }, spec: { jobTemplate: { spec: { template: { spec: { volumes: "x" } } } } } },
  { apiVersion: "batch/v1", kind: "Job", metadata: { name: "j" }, spec: "not an object" },
  { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name: "🔑-名前-\ud800", namespace: "ünï" }, rules: [{ verbs: ["get"], apiGroups: [""], resources: ["secrets"], resourceNames: ["𝒳", "\udfff"] }] },
];

describe("policy wire", () => {
  test("reads back as exactly what toWireObjects projects (the Envoy build's JSON shape)", () => {
    expect(normalize(readWire(encodeWire(messy)))).toEqual(normalize(JSON.parse(JSON.stringify(toWireObjects(messy)))));
  });

  test("each distinct string is written once", () => {
    const objs = Array.from({ length: 50 }, (_, i) => ({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding",
      metadata: { name: `b${i}`, namespace: "shared-namespace" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
      subjects: [{ kind: "User", name: "alice" }] }));
    const count = new DataView(encodeWire(objs).buffer).getUint32(4, true);
    // "", the 50 names, and 8 shared strings (apiVersion, kind, namespace, roleRef group/kind/name, subject kind/name)
    expect(count).toBe(50 + 8 + 1);
  });

  test("the core reads the objects toWireObjects keeps: stats and decisions", async () => {
    const e = await createEngine(messy);
    expect(e.stats).toEqual({ roles: 3, clusterRoleBindings: 1, roleBindings: 1, vocabulary: e.stats.vocabulary });
    expect(e.warnings).toEqual([]);
    expect(e.authorize({ user: "alice", resourceAttributes: { verb: "get", resource: "pods", namespace: "ns" } })).toEqual({
      allowed: false, reason: 'RBAC: role.rbac.authorization.k8s.io "" not found' });
  });

  test("duplicates: the later object wins in the earlier's slot; RBAC warnings come before the inventory's", async () => {
    const sa = { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "a", namespace: "ns" } };
    const role = (verb: string) => ({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name: "r", namespace: "ns" },
      rules: [{ verbs: [verb], apiGroups: [""], resources: ["pods"] }] });
    const cr = { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "r" } };
    const rb = { apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: { name: "b", namespace: "ns" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "r" }, subjects: [{ kind: "User", name: "u" }] };
    const e = await createEngine([sa, role("get"), sa, role("list"), cr, cr, rb]);
    expect(e.warnings.map((w) => [w.code, w.object, w.message])).toEqual([
      ["DUPLICATE_OBJECT", 3, "`Role/ns/r` appears more than once; the later object is used"],
      ["DUPLICATE_OBJECT", 5, "`ClusterRole//r` appears more than once; the later object is used"],
      ["DUPLICATE_OBJECT", 2, "`ServiceAccount/ns/a` appears more than once; the later object is used"],
    ]);
    expect(e.stats).toMatchObject({ roles: 2, roleBindings: 1 });
    const pods = (verb: string) => e.authorize({ user: "u", resourceAttributes: { verb, resource: "pods", namespace: "ns" } }).allowed;
    expect([pods("get"), pods("list")]).toEqual([false, true]);
  });
});

describe("malformed wire input fails closed", () => {
  async function core() {
    const ex = instantiate(await loadModule(), () => { throw new Error("the core aborted"); });
    const load = (bytes: Uint8Array) => JSON.parse(takeOutput(ex, withInput(ex, bytes, (p, n) => ex.rbac_load(p, n, 0))));
    return { ex, load };
  }
  const good = encodeWire([{ apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "r" }, rules: [{ verbs: ["get"], apiGroups: [""], resources: ["pods"] }] }]);
  const words = (...w: number[]) => new Uint8Array(new Uint32Array(w).buffer);
  const patched = (at: number, value: number) => { const b = good.slice(); new DataView(b.buffer).setUint32(at, value, true); return b; };
  const cases: [string, Uint8Array, RegExp][] = [
    ["JSON (ABI 1)", new TextEncoder().encode('{"items":[]}'), /not in the binary wire format/],
    ["empty", new Uint8Array(0), /not in the binary wire format/],
    ["truncated header", words(WIRE_MAGIC, 1), /unexpected end of input|exceeds the input/],
    ["huge string count", patched(4, 0xffffffff), /count 4294967295 exceeds the input/],
    ["string table longer than the input", patched(8, 0x7fffffff), /string table of 2147483647 units exceeds the input/],
    ["truncated objects", good.subarray(0, good.length - 4), /unexpected end of input|exceeds the input/],
    ["trailing bytes", new Uint8Array([...good, 0, 0, 0, 0]), /unexpected bytes after the last object/],
    ["huge object count", words(WIRE_MAGIC, 0, 0, 0x40000000), /count 1073741824 exceeds the input/],
    ["string index out of range", words(WIRE_MAGIC, 1, 0, 0, 1, 9, 0, 0, 0, 0, 0), /string index 9 out of range/],
    ["bad flag", patched(good.length - 4, 7), /flag 7 is not 0 or 1/],
  ];
  test.each(cases)("%s", async (_name, bytes, message) => {
    const { load } = await core();
    const out = load(bytes);
    expect(out.type).toBe("failure");
    expect(out.errors[0].code).toBe("BAD_INPUT");
    expect(out.errors[0].message).toMatch(message);
    // the instance is intact: a good load still succeeds
    expect(load(good)).toMatchObject({ type: "success", stats: { roles: 1 } });
  });

  test("a buffer beyond the module's memory is refused, not read", async () => {
    const { ex } = await core();
    const out = JSON.parse(takeOutput(ex, ex.rbac_load(16, 0x7fffff00, 0)));
    expect(out.errors[0]).toMatchObject({ code: "BAD_INPUT", message: "the policy input lies outside the module's memory" });
  });
});

describe("unicode through the wire", () => {
  const names = ["🔑-名前", "ünï", "\ud800lone", "tail\udfff", "𝒳"];
  test("names, namespaces and subjects keep every code unit", async () => {
    const objects = names.flatMap((n, i) => [
      { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name: `role-${n}`, namespace: n }, rules: [{ verbs: ["get"], apiGroups: [""], resources: ["secrets"], resourceNames: [n] }] },
      { apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: { name: `rb-${i}`, namespace: n },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: `role-${n}` }, subjects: [{ kind: "User", name: n }] },
    ]);
    const e = await createEngine(objects);
    for (const n of names) {
      const spec = { user: n, resourceAttributes: { verb: "get", resource: "secrets", namespace: n, name: n } };
      const other = { ...spec, resourceAttributes: { ...spec.resourceAttributes, name: n + "x" } };
      expect(e.authorizeJSON(spec).allowed).toBe(true);
      expect(e.authorizeJSON(other).allowed).toBe(false);
      // why: the fast path interns against the vocabulary, which crosses as UTF-8: a lone surrogate cannot cross
      const wellFormed = !/[\ud800-\udfff]/.test(n.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ""));
      expect(e.authorize(spec).allowed).toBe(wellFormed);
      expect(e.authorize(other).allowed).toBe(false);
    }
    const ex = (e as any).ex;
    const vocab = takeStrings(ex, ex.rbac_vocab((e as any).snapshot, 0));
    // the vocabulary comes back as UTF-8, where a lone surrogate can only be U+FFFD
    expect(vocab).toContain("🔑-名前");
    expect(vocab).toContain("𝒳");
  });
});

test("flattened lists encode like their items", () => {
  const list = { kind: "RoleList", apiVersion: "rbac.authorization.k8s.io/v1", items: [{ metadata: { name: "a", namespace: "n" }, rules: [] }] };
  expect(readWire(encodeWire(flattenLists([list])))).toEqual(JSON.parse(JSON.stringify(toWireObjects(flattenLists([list])))));
});
