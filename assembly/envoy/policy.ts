// Kubernetes objects of the plugin configuration -> a policy Snapshot, through the same decoder as rbac_load.
// The JSON tree is projected onto the wire DTOs exactly as bindings/wire.ts projects objects for the Node
// library (List kinds flattened, only the fields the core reads, values of the wrong type dropped or, inside
// string lists, kept as their JSON text), so the filter and the library build the same snapshot.
import { JValue, J_NULL, J_BOOL, J_NUMBER, J_STRING, J_ARRAY, J_OBJECT, jsonQuote } from "./json";
import { ObjectDTO, PolicyRuleDTO, LabelSelectorDTO, LabelSelectorRequirementDTO, AggregationRuleDTO,
  SubjectDTO } from "../abi/dto";
import { decodePolicy } from "../abi/decode";
import { Snapshot } from "../index/snapshot";
import { Diagnostics } from "../util/diagnostics";

function isRBACKind(k: string): bool {
  return k == "Role" || k == "ClusterRole" || k == "RoleBinding" || k == "ClusterRoleBinding";
}

// JavaScript's JSON.stringify of a parsed value (what wire.ts keeps for a non-string list element).
export function stringifyJS(v: JValue): string {
  if (v.kind == J_NULL) return "null";
  if (v.kind == J_BOOL) return v.b ? "true" : "false";
  if (v.kind == J_NUMBER) {
    const n = v.n;
    if (!isFinite(n)) return "null";
    if (n == Math.floor(n) && Math.abs(n) < 1e21) {
      if (Math.abs(n) < 9007199254740992) return (<i64>n).toString();
    }
    return n.toString();
  }
  if (v.kind == J_STRING) return jsonQuote(v.s, false);
  const parts = new Array<string>();
  if (v.kind == J_ARRAY) {
    for (let i = 0; i < v.items.length; i++) parts.push(stringifyJS(v.items[i]));
    return "[" + parts.join(",") + "]";
  }
  // why: JSON.parse keeps one entry per key (the last value) at the position of its first occurrence
  const seen = new Set<string>();
  for (let i = 0; i < v.keys.length; i++) {
    const k = v.keys[i];
    if (seen.has(k)) continue;
    seen.add(k);
    parts.push(jsonQuote(k, false) + ":" + stringifyJS(v.get(k)!));
  }
  return "{" + parts.join(",") + "}";
}

function s(v: JValue | null): string {
  return v != null && v.kind == J_STRING ? v.s : "";
}

function strings(v: JValue | null): string[] {
  const out = new Array<string>();
  if (v == null || v.kind != J_ARRAY) return out;
  for (let i = 0; i < v.items.length; i++) {
    const x = v.items[i];
    out.push(x.kind == J_STRING ? x.s : stringifyJS(x));
  }
  return out;
}

// resourceNames: a single non-list value is one name (never "all names")
function names(v: JValue | null): string[] {
  if (v == null || v.kind == J_NULL) return [];
  if (v.kind == J_ARRAY) return strings(v);
  return [v.kind == J_STRING ? v.s : stringifyJS(v)];
}

// JavaScript truthiness of an object-typed value: objects and arrays (wire.ts tests `typeof x === "object"`)
function objectish(v: JValue | null): bool {
  return v != null && (v.kind == J_OBJECT || v.kind == J_ARRAY);
}

function objects(v: JValue | null): JValue[] {
  const out = new Array<JValue>();
  if (v == null || v.kind != J_ARRAY) return out;
  for (let i = 0; i < v.items.length; i++) if (v.items[i].kind == J_OBJECT) out.push(v.items[i]);
  return out;
}

function stringMap(v: JValue | null): Map<string, string> {
  const m = new Map<string, string>();
  if (v == null || v.kind != J_OBJECT) return m;
  for (let i = 0; i < v.keys.length; i++) {
    const k = v.keys[i];
    const x = v.get(k)!;
    if (x.kind == J_STRING) m.set(k, x.s);
    else if (m.has(k)) m.delete(k);
  }
  return m;
}

function rule(r: JValue): PolicyRuleDTO {
  const d = new PolicyRuleDTO();
  d.verbs = strings(r.get("verbs"));
  d.apiGroups = strings(r.get("apiGroups"));
  d.resources = strings(r.get("resources"));
  d.resourceNames = names(r.get("resourceNames"));
  d.nonResourceURLs = strings(r.get("nonResourceURLs"));
  return d;
}

function selector(sel: JValue): LabelSelectorDTO {
  const d = new LabelSelectorDTO();
  d.matchLabels = stringMap(sel.get("matchLabels"));
  const exprs = objects(sel.get("matchExpressions"));
  for (let i = 0; i < exprs.length; i++) {
    const e = new LabelSelectorRequirementDTO();
    e.key = s(exprs[i].get("key"));
    e.operator = s(exprs[i].get("operator"));
    e.values = strings(exprs[i].get("values"));
    d.matchExpressions.push(e);
  }
  return d;
}

function toWire(o: JValue): ObjectDTO {
  const d = new ObjectDTO();
  if (o.kind != J_OBJECT) return d;
  d.kind = s(o.get("kind"));
  if (!isRBACKind(d.kind)) return d;
  d.apiVersion = s(o.get("apiVersion"));
  const meta = o.get("metadata");
  if (meta != null && meta.kind == J_OBJECT) {
    d.metadata.name = s(meta.get("name"));
    d.metadata.namespace = s(meta.get("namespace"));
    d.metadata.labels = stringMap(meta.get("labels"));
  }
  if (d.kind == "Role" || d.kind == "ClusterRole") {
    const rules = objects(o.get("rules"));
    for (let i = 0; i < rules.length; i++) d.rules.push(rule(rules[i]));
    const agg = o.get("aggregationRule");
    if (d.kind == "ClusterRole" && objectish(agg)) {
      const a = new AggregationRuleDTO();
      const sels = agg!.kind == J_OBJECT ? objects(agg!.get("clusterRoleSelectors")) : new Array<JValue>();
      for (let i = 0; i < sels.length; i++) a.clusterRoleSelectors.push(selector(sels[i]));
      d.aggregationRule = a;
    }
  } else {
    const ref = o.get("roleRef");
    if (ref != null && ref.kind == J_OBJECT) {
      d.roleRef.apiGroup = s(ref.get("apiGroup"));
      d.roleRef.kind = s(ref.get("kind"));
      d.roleRef.name = s(ref.get("name"));
    }
    const subjects = objects(o.get("subjects"));
    for (let i = 0; i < subjects.length; i++) {
      const x = subjects[i];
      const sd = new SubjectDTO();
      sd.kind = s(x.get("kind"));
      sd.apiGroup = s(x.get("apiGroup"));
      sd.name = s(x.get("name"));
      sd.namespace = s(x.get("namespace"));
      d.subjects.push(sd);
    }
  }
  return d;
}

// flattenLists of wire.ts: `kind: List` and typed lists (RoleList, ...) give their items, 8 levels deep.
function flatten(o: JValue, depth: i32, out: JValue[]): void {
  const kind = o.kind == J_OBJECT ? o.get("kind") : null;
  const items = o.kind == J_OBJECT ? o.get("items") : null;
  if (depth < 8 && kind != null && kind.kind == J_STRING && kind.s.endsWith("List") && items != null &&
    items.kind == J_ARRAY) {
    const itemKind = kind.s == "List" ? "" : kind.s.substring(0, kind.s.length - 4);
    for (let i = 0; i < items.items.length; i++) {
      const item = items.items[i];
      const k = item.kind == J_OBJECT ? item.get("kind") : null;
      const kindMissing = k == null || k.kind == J_NULL || (k.kind == J_BOOL && !k.b) ||
        (k.kind == J_STRING && k.s.length == 0) || (k.kind == J_NUMBER && (k.n == 0 || isNaN(k.n)));
      if (itemKind.length > 0 && (item.kind == J_OBJECT || item.kind == J_ARRAY) && kindMissing) {
        // {apiVersion: list.apiVersion, kind: itemKind, ...item}: the item's own keys win
        const typed = new JValue(J_OBJECT);
        const av = o.get("apiVersion");
        typed.keys.push("apiVersion");
        typed.items.push(av != null ? av : new JValue(J_NULL));
        const kv = new JValue(J_STRING);
        kv.s = itemKind;
        typed.keys.push("kind");
        typed.items.push(kv);
        for (let j = 0; j < item.items.length; j++) {
          // why: spreading an array gives its indexes as keys
          typed.keys.push(item.kind == J_ARRAY ? j.toString() : item.keys[j]);
          typed.items.push(item.items[j]);
        }
        flatten(typed, depth + 1, out);
      } else {
        flatten(item, depth + 1, out);
      }
    }
  } else {
    out.push(o);
  }
}

// Builds a snapshot from the `items` of the configuration's policy; warnings are added to `diags`.
export function snapshotFromItems(items: JValue[], aggregate: bool, diags: Diagnostics): Snapshot {
  const flat = new Array<JValue>();
  for (let i = 0; i < items.length; i++) flatten(items[i], 0, flat);
  const wire = new Array<ObjectDTO>(flat.length);
  for (let i = 0; i < flat.length; i++) wire[i] = toWire(flat[i]);
  return new Snapshot(decodePolicy(wire, diags), aggregate, diags);
}
