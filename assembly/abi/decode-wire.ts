// The binary policy input of rbac_load (ABI 2.0, bindings/ABI.md "Policy wire format") -> model, without json-as.
// bindings/wire.ts writes it: a table of distinct strings (UTF-16 code units, so no transcoding on either side),
// then every input object as u32 words that refer to strings by index. Strings are decoded once and shared by
// every object that names them. The semantics are those of decode.ts and decode-inventory.ts (the JSON DTO path the
// Envoy build keeps): same kinds and apiVersions read, same duplicate handling, same warnings in the same order.
// Malformed input never traps: every count is checked against the bytes left before anything is allocated, and
// the first problem ends decoding with an error message (the export answers a BAD_INPUT failure).
import { NO_STRINGS, Binding, LabelSelector, LabelSelectorRequirement, Policy, PolicyRule, Role, RoleRef, Subject,
  KIND_ROLE, KIND_CLUSTER_ROLE, KIND_ROLE_BINDING, KIND_CLUSTER_ROLE_BINDING } from "../model/policy";
import { Inventory, ObjectMeta, ServiceAccount, Secret, NamedObject, Workload, ProjectedToken, TRI_UNSET,
  KIND_SERVICE_ACCOUNT, KIND_SECRET, KIND_NAMESPACE, KIND_CONFIG_MAP } from "../model/inventory";
import { Diagnostics } from "../util/diagnostics";
import { I64Table } from "../util/i64-table";
import { hashUnits } from "../index/vocab";
import { groupOf, apiVersionMatches, Dedup, put, SA_NAME_ANNOTATION } from "./decode-inventory";

// "RBW1" (bytes 52 42 57 31): format 1 of the policy wire
export const WIRE_MAGIC: u32 = 0x31574252;

const RBAC_GROUP = "rbac.authorization.k8s.io/";
// why: str() indexes the table unchecked after strIndex() validated the index; index 0 must always exist
const EMPTY_TABLE: StaticArray<string> = [""];
const EMPTY_CANON: StaticArray<i32> = [0];

class Reader {
  pos: usize;
  end: usize;
  base: usize;
  strings: StaticArray<string> = EMPTY_TABLE;
  canon: StaticArray<i32> = EMPTY_CANON;
  error: string = "";

  constructor(ptr: usize, len: u32) {
    this.base = ptr;
    this.pos = ptr;
    this.end = ptr + <usize>len;
  }

  fail(what: string): void {
    if (this.error.length == 0) this.error = what + " at byte " + (<i64>(this.pos - this.base)).toString();
    this.pos = this.end;
  }

  // @ts-ignore: decorator
  @inline
  word(): u32 {
    const p = this.pos;
    if (p + 4 > this.end) {
      this.fail("unexpected end of input");
      return 0;
    }
    this.pos = p + 4;
    return load<u32>(p);
  }

  // A count of items that take at least `minWords` words each; 0 (and an error) when the input cannot hold them.
  count(minWords: u32): i32 {
    const n = this.word();
    if (<u64>n * <u64>minWords > <u64>((this.end - this.pos) >> 2) || n > 0x7fffffff) {
      this.fail("count " + n.toString() + " exceeds the input");
      return 0;
    }
    return <i32>n;
  }

  flag(): bool {
    const v = this.word();
    if (v > 1) this.fail("flag " + v.toString() + " is not 0 or 1");
    return v == 1;
  }

  // @ts-ignore: decorator
  @inline
  str(): string {
    return unchecked(this.strings[this.strIndex()]);
  }

  // The canonical index of a string (the first entry with its text): equal indexes, equal strings. 0 after an error;
  // the table is never empty once read.
  strIndex(): i32 {
    const i = this.word();
    if (i >= <u32>this.strings.length) {
      if (this.error.length == 0) this.fail("string index " + i.toString() + " out of range");
      return 0;
    }
    return unchecked(this.canon[i]);
  }

  strs(): string[] {
    const n = this.count(1);
    if (n == 0) return NO_STRINGS;
    const out = new Array<string>(n);
    for (let i = 0; i < n; i++) unchecked(out[i] = this.str());
    return out;
  }

  // The string table: [count][UTF-16 units in all][length of each string][the units, padded to 4 bytes].
  // The host may repeat a string (dedup costs it a hash per string); each distinct string is allocated once here and
  // `canon` maps every entry to the first entry with the same text, so indexes compare like the strings do.
  readStrings(): void {
    const count = this.count(1);
    const units = this.word();
    if (this.error.length > 0) return;
    const lengths = this.pos;
    const chars = lengths + (<usize>count << 2);
    const padded = (<u64>units * 2 + 3) & ~<u64>3;
    if (<u64>(this.end - chars) < padded || chars > this.end) {
      this.fail("string table of " + units.toString() + " units exceeds the input");
      return;
    }
    const table = new StaticArray<string>(count);
    const canon = new StaticArray<i32>(count);
    const offsets = new StaticArray<u32>(count);
    let slots = new StaticArray<i32>(1024); // entry + 1 of each distinct string; 0 = empty
    let mask: u32 = 1023;
    let distinct = 0;
    let at = chars;
    let left = <u64>units;
    for (let i = 0; i < count; i++) {
      const n = load<u32>(lengths + (<usize>i << 2));
      if (<u64>n > left) {
        this.pos = lengths + (<usize>i << 2);
        this.fail("string " + i.toString() + " is longer than the table");
        return;
      }
      left -= n;
      const bytes = <usize>n << 1;
      unchecked(offsets[i] = <u32>(at - chars));
      let j = hashUnits(at, bytes) & mask;
      let found = -1;
      while (true) {
        const v = unchecked(slots[j]);
        if (v == 0) break;
        const e = v - 1;
        if (load<u32>(lengths + (<usize>e << 2)) == n &&
          memory.compare(chars + <usize>unchecked(offsets[e]), at, bytes) == 0) {
          found = e;
          break;
        }
        j = (j + 1) & mask;
      }
      if (found >= 0) {
        unchecked(table[i] = unchecked(table[found]));
        unchecked(canon[i] = found);
      } else {
        let s = "";
        if (n > 0) {
          s = changetype<string>(__new(bytes, idof<String>()));
          memory.copy(changetype<usize>(s), at, bytes);
        }
        unchecked(table[i] = s);
        unchecked(canon[i] = i);
        unchecked(slots[j] = i + 1);
        if (++distinct * 2 > <i32>mask) {
          // grow: re-insert the distinct entries by their text's hash
          const cap = (mask + 1) << 1;
          const next = new StaticArray<i32>(<i32>cap);
          const m = cap - 1;
          for (let k = 0; k <= <i32>mask; k++) {
            const v = unchecked(slots[k]);
            if (v == 0) continue;
            const e = v - 1;
            let q = hashUnits(chars + <usize>unchecked(offsets[e]), <usize>load<u32>(lengths + (<usize>e << 2)) << 1) & m;
            while (unchecked(next[q]) != 0) q = (q + 1) & m;
            unchecked(next[q] = v);
          }
          slots = next;
          mask = m;
        }
      }
      at += bytes;
    }
    if (left != 0) {
      this.pos = lengths;
      this.fail("string lengths do not add up to the table's " + units.toString() + " units");
      return;
    }
    if (count > 0) {
      this.strings = table;
      this.canon = canon;
    }
    this.pos = chars + <usize>padded;
  }
}

// The keys and values of the last readKeyValues (a string map as two parallel lists, as the model keeps it).
let kvKeys: string[] = NO_STRINGS;
let kvValues: string[] = NO_STRINGS;

function readKeyValues(r: Reader): void {
  const n = r.count(2);
  if (n == 0) {
    kvKeys = NO_STRINGS;
    kvValues = NO_STRINGS;
    return;
  }
  const keys = new Array<string>(n);
  const values = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    unchecked(keys[i] = r.str());
    unchecked(values[i] = r.str());
  }
  kvKeys = keys;
  kvValues = values;
}

function readRule(r: Reader): PolicyRule {
  const p = new PolicyRule();
  p.verbs = r.strs();
  p.apiGroups = r.strs();
  p.resources = r.strs();
  p.resourceNames = r.strs();
  p.nonResourceURLs = r.strs();
  return p;
}

function readSelector(r: Reader): LabelSelector {
  const s = new LabelSelector();
  readKeyValues(r);
  s.matchLabelKeys = kvKeys;
  s.matchLabelValues = kvValues;
  const n = r.count(3);
  if (n == 0) return s;
  const exprs = new Array<LabelSelectorRequirement>(n);
  for (let i = 0; i < n; i++) {
    const e = new LabelSelectorRequirement();
    e.key = r.str();
    e.operator = r.str();
    e.values = r.strs();
    unchecked(exprs[i] = e);
  }
  s.matchExpressions = exprs;
  return s;
}

// A workload's fields as written, before decode-inventory's rules say whether it is one.
class WorkloadWire {
  ownerKinds: string[] = [];
  ownerNames: string[] = [];
  hasSpec: bool = false;
  serviceAccountName: string = "";
  serviceAccount: string = "";
  automount: i8 = TRI_UNSET;
  tokens: ProjectedToken[] = [];
}

function readTri(r: Reader): i8 {
  const v = <i32>r.word();
  if (v < -1 || v > 1) r.fail("tri-state " + v.toString() + " is not -1, 0 or 1");
  return <i8>v;
}

function readWorkload(r: Reader): WorkloadWire {
  const w = new WorkloadWire();
  const owners = r.count(3);
  for (let i = 0; i < owners; i++) {
    const kind = r.str();
    const name = r.str();
    if (r.flag()) {
      w.ownerKinds.push(kind);
      w.ownerNames.push(name);
    }
  }
  w.hasSpec = r.flag();
  if (!w.hasSpec) return w;
  w.serviceAccountName = r.str();
  w.serviceAccount = r.str();
  w.automount = readTri(r);
  const volumes = r.count(1);
  for (let v = 0; v < volumes; v++) {
    if (!r.flag()) continue;
    const sources = r.count(1);
    for (let j = 0; j < sources; j++) {
      if (!r.flag()) continue;
      const t = new ProjectedToken();
      t.volume = v;
      t.source = j;
      if (r.flag()) {
        const lo = r.word();
        const hi = r.word();
        t.expirationSeconds = <i64>((<u64>hi << 32) | <u64>lo);
      }
      w.tokens.push(t);
    }
  }
  return w;
}

function isWorkloadKind(k: string): bool {
  return k == "Pod" || k == "Deployment" || k == "StatefulSet" || k == "DaemonSet" || k == "ReplicaSet" ||
    k == "Job" || k == "CronJob" || k == "ReplicationController";
}

// decode-inventory.ts's workload(): null when the object has no pod spec where its kind keeps one
function toWorkload(d: WorkloadWire, m: ObjectMeta, index: i32): Workload | null {
  if (!d.hasSpec) return null;
  const w = new Workload();
  w.kind = m.kind;
  w.namespace = m.namespace;
  w.name = m.name;
  w.source = index;
  for (let i = 0; i < d.ownerKinds.length; i++) w.owner = d.ownerKinds[i] + "/" + m.namespace + "/" + d.ownerNames[i];
  if (m.kind == "CronJob") w.specPath = "spec.jobTemplate.spec.template.spec";
  else if (m.kind != "Pod") w.specPath = "spec.template.spec";
  w.serviceAccountName = d.serviceAccountName;
  w.deprecatedServiceAccount = d.serviceAccount;
  w.automount = d.automount;
  w.projectedTokens = d.tokens;
  return w;
}

// decode.ts's duplicate rule (same kind/namespace/name: the later object replaces the earlier in its slot), keyed
// by canonical string-table indexes instead of "kind/namespace/name" strings.
function dedupRBAC(seen: I64Table, cluster: bool, ns: i32, name: i32, length: i32, index: i32, kind: string,
  namespace: string, nameText: string, diags: Diagnostics): i32 {
  const k = (cluster ? (<i64>1 << 62) : (<i64>ns << 31)) | <i64>name;
  const at = seen.get(k);
  if (at < 0) {
    seen.set(k, length);
    return length;
  }
  const key = kind + "/" + namespace + "/" + nameText;
  diags.warn("DUPLICATE_OBJECT", "`" + key + "` appears more than once; the later object is used", index, "");
  return at;
}

// Decodes the whole input into `policy`; returns "" or what is wrong with the input (then `policy` is partial).
export function decodeWire(ptr: usize, len: u32, policy: Policy, diags: Diagnostics): string {
  if (<u64>ptr + <u64>len > (<u64>memory.size() << 16)) return "the policy input lies outside the module's memory";
  const r = new Reader(ptr, len);
  if (r.word() != WIRE_MAGIC) {
    return "the policy input is not in the binary wire format (bad magic; ABI 2 takes the bytes bindings/wire.ts writes)";
  }
  r.readStrings();
  const n = r.count(6);
  const inv = new Inventory();
  inv.objects = new Array<ObjectMeta>(n);
  const invDiags = new Diagnostics();
  const seenRoles = new I64Table(64);
  const seenBindings = new I64Table(64);
  const dedup = new Dedup();
  for (let i = 0; i < n; i++) {
    const kind = r.str();
    const apiVersion = r.str();
    const nameId = r.strIndex();
    const nsId = r.strIndex();
    const name = unchecked(r.strings[nameId]);
    const namespace = unchecked(r.strings[nsId]);
    readKeyValues(r);
    const labelKeys = kvKeys;
    const labelValues = kvValues;
    readKeyValues(r);
    const m = new ObjectMeta();
    m.kind = kind;
    const clusterMeta = kind == KIND_NAMESPACE || kind == KIND_CLUSTER_ROLE || kind == KIND_CLUSTER_ROLE_BINDING;
    m.namespace = clusterMeta ? "" : namespace;
    m.name = name;
    m.labelKeys = labelKeys;
    m.labelValues = labelValues;
    m.annotationKeys = kvKeys;
    m.annotationValues = kvValues;
    unchecked(inv.objects[i] = m);

    if (kind == KIND_ROLE || kind == KIND_CLUSTER_ROLE) {
      const role = new Role();
      const nRules = r.count(5);
      role.rules = new Array<PolicyRule>(nRules);
      for (let j = 0; j < nRules; j++) unchecked(role.rules[j] = readRule(r));
      if (r.flag()) {
        const nSel = r.count(2);
        const sels = new Array<LabelSelector>(nSel);
        for (let j = 0; j < nSel; j++) unchecked(sels[j] = readSelector(r));
        if (kind == KIND_CLUSTER_ROLE) role.aggregationRule = sels;
      }
      if (apiVersion.length > 0 && !apiVersion.startsWith(RBAC_GROUP)) continue;
      const cluster = kind == KIND_CLUSTER_ROLE;
      role.kind = kind;
      role.namespace = cluster ? "" : namespace;
      role.name = name;
      role.labelKeys = labelKeys;
      role.labelValues = labelValues;
      role.source = i;
      const slot = dedupRBAC(seenRoles, cluster, nsId, nameId, policy.roles.length, i, kind, role.namespace, name, diags);
      put<Role>(policy.roles, slot, role);
    } else if (kind == KIND_ROLE_BINDING || kind == KIND_CLUSTER_ROLE_BINDING) {
      const b = new Binding();
      const ref = new RoleRef();
      ref.apiGroup = r.str();
      ref.kind = r.str();
      ref.name = r.str();
      b.roleRef = ref;
      const nSubjects = r.count(4);
      b.subjects = new Array<Subject>(nSubjects);
      for (let j = 0; j < nSubjects; j++) {
        const s = new Subject();
        s.kind = r.str();
        s.apiGroup = r.str();
        s.name = r.str();
        s.namespace = r.str();
        unchecked(b.subjects[j] = s);
      }
      if (apiVersion.length > 0 && !apiVersion.startsWith(RBAC_GROUP)) continue;
      const cluster = kind == KIND_CLUSTER_ROLE_BINDING;
      b.kind = kind;
      b.namespace = cluster ? "" : namespace;
      b.name = name;
      b.source = i;
      const slot = dedupRBAC(seenBindings, cluster, nsId, nameId, policy.bindings.length, i, kind, b.namespace, name, diags);
      put<Binding>(policy.bindings, slot, b);
    } else {
      // the inventory kinds (decode-inventory.ts's decodeInventory and addObject)
      let automount: i8 = TRI_UNSET;
      let secrets: string[] = [];
      let type = "";
      let wl: WorkloadWire | null = null;
      if (kind == KIND_SERVICE_ACCOUNT) {
        automount = readTri(r);
        secrets = r.strs();
      } else if (kind == KIND_SECRET) {
        type = r.str();
      } else if (isWorkloadKind(kind)) {
        wl = readWorkload(r);
      }
      const group = groupOf(kind);
      if (group == null || !apiVersionMatches(apiVersion, group)) continue;
      // why: a namespaced manifest without a namespace lands in `default` (kubectl apply without -n)
      if (kind != KIND_NAMESPACE && m.namespace.length == 0) m.namespace = "default";
      const key = m.key();
      if (kind == KIND_SERVICE_ACCOUNT) {
        const sa = new ServiceAccount();
        sa.namespace = m.namespace;
        sa.name = name;
        sa.automount = automount;
        sa.secrets = secrets;
        sa.source = i;
        put(inv.serviceAccounts, dedup.slot(key, inv.serviceAccounts.length, i, invDiags), sa);
      } else if (kind == KIND_SECRET) {
        const s = new Secret();
        s.namespace = m.namespace;
        s.name = name;
        s.type = type;
        const sa = m.annotation(SA_NAME_ANNOTATION);
        if (sa != null) s.serviceAccountName = sa;
        s.source = i;
        put(inv.secrets, dedup.slot(key, inv.secrets.length, i, invDiags), s);
      } else if (kind == KIND_NAMESPACE || kind == KIND_CONFIG_MAP) {
        const o = new NamedObject();
        o.namespace = m.namespace;
        o.name = name;
        o.source = i;
        const list = kind == KIND_NAMESPACE ? inv.namespaces : inv.configMaps;
        put(list, dedup.slot(key, list.length, i, invDiags), o);
      } else if (wl != null) {
        const w = toWorkload(wl, m, i);
        if (w != null) put<Workload>(inv.workloads, dedup.slot(key, inv.workloads.length, i, invDiags), w);
      }
    }
  }
  if (r.error.length == 0 && r.pos != r.end) r.fail("unexpected bytes after the last object");
  if (r.error.length > 0) return r.error;
  // why: decode.ts reports the RBAC objects' warnings before the inventory's
  for (let i = 0; i < invDiags.items.length; i++) diags.items.push(invDiags.items[i]);
  policy.inventory = inv;
  return "";
}
