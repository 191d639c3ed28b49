// The JSON inputs of the exports (SubjectAccessReview spec, rules-for subject, covers, escalation, lint
// configuration), read with the strict reader of envoy/json.ts and mapped onto the input DTOs by hand. This replaced
// json-as decoders (about 55 KB of generated code) and keeps their contract for every input a host sends
// (JSON.stringify of values of the documented types): absent fields keep their defaults, unknown fields are
// skipped, a repeated key keeps its last value, `null` reads as absent for lists, maps and nullable objects.
// What json-as refused by trapping is refused the same way: text that is not JSON, a document that is not an object,
// or a known field of another JSON type (`null` for a string or a number, a non-string list element, ...) aborts
// with a message naming the field, and the bindings rebuild the instance (ABI.md "Traps").
import { JsonReader, JValue, J_NULL, J_NUMBER, J_STRING, J_ARRAY, J_OBJECT } from "../envoy/json";
import { PolicyRuleDTO, SubjectAccessReviewSpecDTO, ResourceAttributesDTO, NonResourceAttributesDTO } from "./dto";
import { SubjectInputDTO, CoversInputDTO, EscalationInputDTO } from "./queries-dto";
import { LintConfigDTO, CustomCheckDTO, SuppressionDTO } from "./lint-dto";

const reader = new JsonReader();

function refuse(message: string): void {
  abort("invalid JSON input: " + message, null, 0, 0);
}

// The document, which must be an object.
function document(text: string): JValue {
  const doc = reader.parse(text);
  if (doc == null) {
    refuse(reader.error);
    return new JValue(J_OBJECT);
  }
  if (doc.kind != J_OBJECT) refuse("the input must be an object");
  return doc;
}

function str(o: JValue, key: string, def: string): string {
  const v = o.get(key);
  if (v == null) return def;
  if (v.kind != J_STRING) refuse("`" + key + "` must be a string");
  return v.s;
}

function strs(o: JValue, key: string): string[] {
  const out = new Array<string>();
  const v = o.get(key);
  if (v == null || v.kind == J_NULL) return out;
  if (v.kind != J_ARRAY) refuse("`" + key + "` must be a list of strings");
  const items = v.items;
  for (let i = 0; i < items.length; i++) {
    const x = unchecked(items[i]);
    if (x.kind != J_STRING) refuse("`" + key + "` must be a list of strings");
    out.push(x.s);
  }
  return out;
}

// An object field (null when absent or null).
function obj(o: JValue, key: string): JValue | null {
  const v = o.get(key);
  if (v == null || v.kind == J_NULL) return null;
  if (v.kind != J_OBJECT) refuse("`" + key + "` must be an object");
  return v;
}

// The objects of a list field (empty when absent or null).
function objs(o: JValue, key: string): JValue[] {
  const v = o.get(key);
  if (v == null || v.kind == J_NULL) return [];
  if (v.kind != J_ARRAY) refuse("`" + key + "` must be a list of objects");
  for (let i = 0; i < v.items.length; i++) if (unchecked(v.items[i]).kind != J_OBJECT) refuse("`" + key + "` must be a list of objects");
  return v.items;
}

// An integer field: the number's leading `-digits` (a fraction or exponent is not applied), wrapping like an i64.
function int64(o: JValue, key: string, def: i64): i64 {
  const v = o.get(key);
  if (v == null) return def;
  if (v.kind != J_NUMBER) refuse("`" + key + "` must be a number");
  const s = v.s;
  let i = 0;
  const neg = s.charCodeAt(0) == 0x2d;
  if (neg) i++;
  let n: i64 = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) break;
    n = n * 10 + <i64>(c - 0x30);
  }
  return neg ? -n : n;
}

function rule(o: JValue): PolicyRuleDTO {
  const r = new PolicyRuleDTO();
  r.verbs = strs(o, "verbs");
  r.apiGroups = strs(o, "apiGroups");
  r.resources = strs(o, "resources");
  r.resourceNames = strs(o, "resourceNames");
  r.nonResourceURLs = strs(o, "nonResourceURLs");
  return r;
}

function rules(o: JValue, key: string): PolicyRuleDTO[] {
  const list = objs(o, key);
  const out = new Array<PolicyRuleDTO>(list.length);
  for (let i = 0; i < list.length; i++) unchecked(out[i] = rule(unchecked(list[i])));
  return out;
}

// A SubjectAccessReview v1 spec (extra and unknown fields skipped; uid read for its type only).
export function parseSpec(text: string): SubjectAccessReviewSpecDTO {
  const o = document(text);
  const spec = new SubjectAccessReviewSpecDTO();
  spec.user = str(o, "user", "");
  spec.groups = strs(o, "groups");
  spec.uid = str(o, "uid", "");
  const ra = obj(o, "resourceAttributes");
  if (ra != null) {
    const a = new ResourceAttributesDTO();
    a.namespace = str(ra, "namespace", "");
    a.verb = str(ra, "verb", "");
    a.group = str(ra, "group", "");
    a.version = str(ra, "version", "");
    a.resource = str(ra, "resource", "");
    a.subresource = str(ra, "subresource", "");
    a.name = str(ra, "name", "");
    spec.resourceAttributes = a;
  }
  const na = obj(o, "nonResourceAttributes");
  if (na != null) {
    const a = new NonResourceAttributesDTO();
    a.path = str(na, "path", "");
    a.verb = str(na, "verb", "");
    spec.nonResourceAttributes = a;
  }
  return spec;
}

// rbac_rules_for's {user, groups, namespace}.
export function parseSubject(text: string): SubjectInputDTO {
  const o = document(text);
  const d = new SubjectInputDTO();
  d.user = str(o, "user", "");
  d.groups = strs(o, "groups");
  d.namespace = str(o, "namespace", "");
  return d;
}

// rbac_covers' {owner: [rules], servant: [rules]}.
export function parseCovers(text: string): CoversInputDTO {
  const o = document(text);
  const d = new CoversInputDTO();
  d.owner = rules(o, "owner");
  d.servant = rules(o, "servant");
  return d;
}

// rbac_check_escalation's {user, groups, namespace, kind, name, rules}.
export function parseEscalation(text: string): EscalationInputDTO {
  const o = document(text);
  const d = new EscalationInputDTO();
  d.user = str(o, "user", "");
  d.groups = strs(o, "groups");
  d.namespace = str(o, "namespace", "");
  d.kind = str(o, "kind", "Role");
  d.name = str(o, "name", "");
  d.rules = rules(o, "rules");
  return d;
}

// rbac_lint's configuration (values are checked by LintConfig.validate, not here).
export function parseLintConfig(text: string): LintConfigDTO {
  const o = document(text);
  const d = new LintConfigDTO();
  d.only = strs(o, "only");
  d.skip = strs(o, "skip");
  const sev = o.get("severity");
  if (sev != null && sev.kind != J_NULL) {
    if (sev.kind != J_OBJECT) refuse("`severity` must be an object of strings");
    for (let i = 0; i < sev.keys.length; i++) {
      const v = unchecked(sev.items[i]);
      if (v.kind != J_STRING) refuse("`severity` must be an object of strings");
      d.severity.set(unchecked(sev.keys[i]), v.s);
    }
  }
  d.sensitiveNamespaces = strs(o, "sensitiveNamespaces");
  d.sensitiveConfigMaps = strs(o, "sensitiveConfigMaps");
  d.maxTokenExpirationSeconds = int64(o, "maxTokenExpirationSeconds", 86400);
  const custom = objs(o, "customChecks");
  for (let i = 0; i < custom.length; i++) {
    const x = unchecked(custom[i]);
    const c = new CustomCheckDTO();
    c.id = str(x, "id", "");
    c.severity = str(x, "severity", "");
    c.verbs = strs(x, "verbs");
    c.apiGroups = strs(x, "apiGroups");
    c.resources = strs(x, "resources");
    c.message = str(x, "message", "");
    d.customChecks.push(c);
  }
  const sup = objs(o, "suppressions");
  for (let i = 0; i < sup.length; i++) {
    const x = unchecked(sup[i]);
    const s = new SuppressionDTO();
    s.concept = str(x, "concept", "");
    s.object = str(x, "object", "");
    s.reason = str(x, "reason", "");
    s.expires = str(x, "expires", "");
    d.suppressions.push(s);
  }
  d.today = str(o, "today", "");
  return d;
}
