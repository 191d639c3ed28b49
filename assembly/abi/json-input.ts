// The JSON inputs of the exports (SubjectAccessReview spec, rules-for subject, covers, escalation, lint
// configuration), read by a small strict pull reader straight into the input DTOs. This replaced json-as decoders
// (about 59 KB of generated code) and keeps their contract for every input a host sends (JSON.stringify of values
// of the documented types): absent fields keep their defaults, unknown fields are skipped, a repeated key keeps its
// last value, `null` reads as absent for lists, maps and attribute blocks. What json-as refused by trapping is
// refused the same way: text that is not JSON (RFC 8259, as envoy/json.ts reads it), a document that is not an
// object, or a known field of another JSON type (`null` for a string or a number, a non-string list element, ...)
// aborts with a message naming the field, and the bindings rebuild the instance (ABI.md "Traps").
// why a pull reader, not the JsonReader tree: no node, key or list allocated per value (a tree made rbac_authorize
// about a third slower)
import { PolicyRuleDTO, SubjectAccessReviewSpecDTO, ResourceAttributesDTO, NonResourceAttributesDTO } from "./dto";
import { SubjectInputDTO, CoversInputDTO, EscalationInputDTO } from "./queries-dto";
import { LintConfig, CustomCheck, SuppressionRule } from "../checks/config";
import { isDigit, hexDigit, simpleEscape } from "../util/json-chars";

const MAX_DEPTH = 64;

function refuse(message: string): void {
  abort("invalid JSON input: " + message, null, 0, 0);
}

class Cursor {
  s: string = "";
  pos: i32 = 0;
  end: i32 = 0;
  // the member key just read: the raw characters [keyStart, keyEnd), or keyText when it had escapes
  keyStart: i32 = 0;
  keyEnd: i32 = 0;
  keyText: string | null = null;

  reset(text: string): void {
    this.s = text;
    this.pos = 0;
    this.end = text.length;
  }

  // The character at pos, or -1 at the end.
  ch(): i32 {
    return this.pos < this.end ? <i32>load<u16>(changetype<usize>(this.s) + (<usize>this.pos << 1)) : -1;
  }

  fail(message: string): void {
    refuse(message + " at offset " + this.pos.toString());
  }

  ws(): void {
    const base = changetype<usize>(this.s);
    const end = this.end;
    let p = this.pos;
    while (p < end) {
      const c = <i32>load<u16>(base + (<usize>p << 1));
      if (c != 0x20 && c != 0x09 && c != 0x0a && c != 0x0d) break;
      p++;
    }
    this.pos = p;
  }

  // At a value: consumes `null` and returns true, or returns false for any other value.
  isNull(): bool {
    if (this.ch() != 0x6e) return false;
    this.word("null");
    return true;
  }

  word(w: string): void {
    for (let i = 0; i < w.length; i++) {
      if (this.ch() != w.charCodeAt(i)) this.fail("unexpected character");
      this.pos++;
    }
  }

  // At a value that must be an object: consumes `{`.
  open(what: string): void {
    if (this.ch() != 0x7b) refuse(what + " must be an object");
    this.pos++;
  }

  // The next member of the object opened by open(): reads its key and the `:`, and leaves pos at its value; false
  // (after the `}`) when there is none. i is the member's index, 0 for the first.
  member(i: i32): bool {
    this.ws();
    let c = this.ch();
    if (c == 0x7d) { this.pos++; return false; }
    if (i > 0) {
      if (c != 0x2c) this.fail("expected ',' or '}'");
      this.pos++;
      this.ws();
      c = this.ch();
    }
    if (c != 0x22) this.fail("expected a string key");
    this.keyStart = this.pos + 1;
    this.keyText = null;
    // fast path: a key without escapes is compared in place
    let p = this.keyStart;
    const base = changetype<usize>(this.s);
    while (p < this.end) {
      const k = <i32>load<u16>(base + (<usize>p << 1));
      if (k == 0x22 || k == 0x5c || k < 0x20) break;
      p++;
    }
    if (p < this.end && load<u16>(base + (<usize>p << 1)) == 0x22) {
      this.keyEnd = p;
      this.pos = p + 1;
    } else {
      this.keyText = this.string();
    }
    this.ws();
    if (this.ch() != 0x3a) this.fail("expected ':'");
    this.pos++;
    this.ws();
    return true;
  }

  key(name: string): bool {
    const t = this.keyText;
    if (t != null) return t == name;
    const n = this.keyEnd - this.keyStart;
    return n == name.length &&
      memory.compare(changetype<usize>(this.s) + (<usize>this.keyStart << 1), changetype<usize>(name), <usize>n << 1) == 0;
  }

  // At a `"`: the decoded string.
  string(): string {
    const s = this.s;
    const base = changetype<usize>(s);
    const end = this.end;
    const start = this.pos + 1;
    // fast path: no escapes
    let p = start;
    while (p < end) {
      const c = <i32>load<u16>(base + (<usize>p << 1));
      if (c == 0x22) {
        this.pos = p + 1;
        return String.UTF16.decodeUnsafe(base + (<usize>start << 1), <usize>(p - start) << 1);
      }
      if (c == 0x5c || c < 0x20) break;
      p++;
    }
    this.pos = p;
    if (p < end && load<u16>(base + (<usize>p << 1)) < 0x20) this.fail("control character in string");
    const out = new Array<u16>();
    for (let i = start; i < this.pos; i++) out.push(<u16>s.charCodeAt(i));
    while (this.pos < this.end) {
      const c = this.ch();
      if (c == 0x22) {
        this.pos++;
        return String.UTF16.decodeUnsafe(out.dataStart, <usize>out.length << 1);
      }
      if (c < 0x20) this.fail("control character in string");
      this.pos++;
      if (c != 0x5c) { out.push(<u16>c); continue; }
      const e = this.ch();
      this.pos++;
      const simple = simpleEscape(e);
      if (simple >= 0) out.push(<u16>simple);
      else if (e == 0x75) {
        let u = 0;
        for (let k = 0; k < 4; k++) {
          const h = hexDigit(this.ch());
          if (h < 0) this.fail("invalid \\u escape");
          u = (u << 4) | h;
          this.pos++;
        }
        out.push(<u16>u);
      } else {
        this.pos--;
        this.fail(e < 0 ? "unterminated string" : "invalid escape");
      }
    }
    this.fail("unterminated string");
    return "";
  }

  // At a number: validates it; returns its leading `-digits` as an i64 (a fraction or exponent is not applied).
  number(): i64 {
    let neg = false;
    if (this.ch() == 0x2d) { neg = true; this.pos++; }
    let c = this.ch();
    let n: i64 = 0;
    if (c == 0x30) this.pos++;
    else if (c >= 0x31 && c <= 0x39) {
      while (isDigit(c = this.ch())) { n = n * 10 + <i64>(c - 0x30); this.pos++; }
    } else this.fail("invalid number");
    if (this.ch() == 0x2e) {
      this.pos++;
      if (!isDigit(this.ch())) this.fail("invalid number");
      while (isDigit(this.ch())) this.pos++;
    }
    if ((this.ch() | 0x20) == 0x65) {
      this.pos++;
      c = this.ch();
      if (c == 0x2b || c == 0x2d) this.pos++;
      if (!isDigit(this.ch())) this.fail("invalid number");
      while (isDigit(this.ch())) this.pos++;
    }
    return neg ? -n : n;
  }

  // Validates and skips the value at pos (depth: its nesting level, the document being 0).
  skip(depth: i32): void {
    if (depth > MAX_DEPTH) this.fail("JSON nested deeper than " + MAX_DEPTH.toString() + " levels");
    const c = this.ch();
    if (c == 0x7b) {
      this.pos++;
      for (let i = 0; this.member(i); i++) this.skip(depth + 1);
    } else if (c == 0x5b) {
      this.pos++;
      for (let i = 0; this.element(i); i++) this.skip(depth + 1);
    } else if (c == 0x22) {
      this.string();
    } else if (c == 0x2d || isDigit(c)) {
      this.number();
    } else if (c == 0x74) this.word("true");
    else if (c == 0x66) this.word("false");
    else if (c == 0x6e) this.word("null");
    else this.fail(c < 0 ? "unexpected end of JSON" : "unexpected character");
  }

  // The next element of the list whose `[` was consumed: leaves pos at it; false (after the `]`) when there is none.
  element(i: i32): bool {
    this.ws();
    const c = this.ch();
    if (c == 0x5d) { this.pos++; return false; }
    if (i > 0) {
      if (c != 0x2c) this.fail("expected ',' or ']'");
      this.pos++;
      this.ws();
    }
    return true;
  }

  // ---- typed values of known fields (pos at the value) ----

  str(field: string): string {
    if (this.ch() != 0x22) refuse("`" + field + "` must be a string");
    return this.string();
  }

  // A list of strings; null reads as [].
  strs(field: string): string[] {
    const out = new Array<string>();
    if (this.isNull()) return out;
    if (this.ch() != 0x5b) refuse("`" + field + "` must be a list of strings");
    this.pos++;
    for (let i = 0; this.element(i); i++) {
      if (this.ch() != 0x22) refuse("`" + field + "` must be a list of strings");
      out.push(this.string());
    }
    return out;
  }

  int64(field: string): i64 {
    const c = this.ch();
    if (c != 0x2d && !isDigit(c)) refuse("`" + field + "` must be a number");
    return this.number();
  }

  // At a list of objects (null: none): consumes the `[`, or returns false for null.
  openList(field: string): bool {
    if (this.isNull()) return false;
    if (this.ch() != 0x5b) refuse("`" + field + "` must be a list of objects");
    this.pos++;
    return true;
  }

  // The document ends after its value.
  finish(): void {
    this.ws();
    if (this.pos != this.end) this.fail("unexpected text after the JSON value");
  }
}

const c = new Cursor();

// Starts reading `text`, whose value must be an object.
function document(text: string): void {
  c.reset(text);
  c.ws();
  if (c.ch() < 0) c.fail("unexpected end of JSON");
  c.open("the input");
}

function rule(field: string): PolicyRuleDTO {
  const r = new PolicyRuleDTO();
  c.open("an element of `" + field + "`");
  for (let i = 0; c.member(i); i++) {
    if (c.key("verbs")) r.verbs = c.strs("verbs");
    else if (c.key("apiGroups")) r.apiGroups = c.strs("apiGroups");
    else if (c.key("resources")) r.resources = c.strs("resources");
    else if (c.key("resourceNames")) r.resourceNames = c.strs("resourceNames");
    else if (c.key("nonResourceURLs")) r.nonResourceURLs = c.strs("nonResourceURLs");
    else c.skip(3);
  }
  return r;
}

function rules(field: string): PolicyRuleDTO[] {
  const out = new Array<PolicyRuleDTO>();
  if (!c.openList(field)) return out;
  for (let i = 0; c.element(i); i++) out.push(rule(field));
  return out;
}

function resourceAttributes(): ResourceAttributesDTO {
  const a = new ResourceAttributesDTO();
  c.open("`resourceAttributes`");
  for (let i = 0; c.member(i); i++) {
    if (c.key("namespace")) a.namespace = c.str("namespace");
    else if (c.key("verb")) a.verb = c.str("verb");
    else if (c.key("group")) a.group = c.str("group");
    else if (c.key("version")) a.version = c.str("version");
    else if (c.key("resource")) a.resource = c.str("resource");
    else if (c.key("subresource")) a.subresource = c.str("subresource");
    else if (c.key("name")) a.name = c.str("name");
    else c.skip(2);
  }
  return a;
}

function nonResourceAttributes(): NonResourceAttributesDTO {
  const a = new NonResourceAttributesDTO();
  c.open("`nonResourceAttributes`");
  for (let i = 0; c.member(i); i++) {
    if (c.key("path")) a.path = c.str("path");
    else if (c.key("verb")) a.verb = c.str("verb");
    else c.skip(2);
  }
  return a;
}

// A SubjectAccessReview v1 spec (extra and unknown fields skipped; uid read for its type only).
export function parseSpec(text: string): SubjectAccessReviewSpecDTO {
  const spec = new SubjectAccessReviewSpecDTO();
  document(text);
  for (let i = 0; c.member(i); i++) {
    if (c.key("user")) spec.user = c.str("user");
    else if (c.key("groups")) spec.groups = c.strs("groups");
    else if (c.key("uid")) spec.uid = c.str("uid");
    else if (c.key("resourceAttributes")) spec.resourceAttributes = c.isNull() ? null : resourceAttributes();
    else if (c.key("nonResourceAttributes")) spec.nonResourceAttributes = c.isNull() ? null : nonResourceAttributes();
    else c.skip(1);
  }
  c.finish();
  return spec;
}

// rbac_rules_for's {user, groups, namespace}.
export function parseSubject(text: string): SubjectInputDTO {
  const d = new SubjectInputDTO();
  document(text);
  for (let i = 0; c.member(i); i++) {
    if (c.key("user")) d.user = c.str("user");
    else if (c.key("groups")) d.groups = c.strs("groups");
    else if (c.key("namespace")) d.namespace = c.str("namespace");
    else c.skip(1);
  }
  c.finish();
  return d;
}

// rbac_covers' {owner: [rules], servant: [rules]}.
export function parseCovers(text: string): CoversInputDTO {
  const d = new CoversInputDTO();
  document(text);
  for (let i = 0; c.member(i); i++) {
    if (c.key("owner")) d.owner = rules("owner");
    else if (c.key("servant")) d.servant = rules("servant");
    else c.skip(1);
  }
  c.finish();
  return d;
}

// rbac_check_escalation's {user, groups, namespace, kind, name, operation, rules}.
export function parseEscalation(text: string): EscalationInputDTO {
  const d = new EscalationInputDTO();
  document(text);
  for (let i = 0; c.member(i); i++) {
    if (c.key("user")) d.user = c.str("user");
    else if (c.key("groups")) d.groups = c.strs("groups");
    else if (c.key("namespace")) d.namespace = c.str("namespace");
    else if (c.key("kind")) d.kind = c.str("kind");
    else if (c.key("name")) d.name = c.str("name");
    else if (c.key("operation")) d.operation = c.str("operation");
    else if (c.key("rules")) d.rules = rules("rules");
    else c.skip(1);
  }
  c.finish();
  if (d.operation != "create" && d.operation != "update") refuse("`operation` must be \"create\" or \"update\"");
  return d;
}

function customCheck(): CustomCheck {
  const x = new CustomCheck();
  c.open("an element of `customChecks`");
  for (let i = 0; c.member(i); i++) {
    if (c.key("id")) x.id = c.str("id");
    else if (c.key("severity")) x.severity = c.str("severity");
    else if (c.key("verbs")) x.verbs = c.strs("verbs");
    else if (c.key("apiGroups")) x.apiGroups = c.strs("apiGroups");
    else if (c.key("resources")) x.resources = c.strs("resources");
    else if (c.key("message")) x.message = c.str("message");
    else c.skip(3);
  }
  return x;
}

function suppression(): SuppressionRule {
  const x = new SuppressionRule();
  c.open("an element of `suppressions`");
  for (let i = 0; c.member(i); i++) {
    if (c.key("concept")) x.concept = c.str("concept");
    else if (c.key("object")) x.object = c.str("object");
    else if (c.key("reason")) x.reason = c.str("reason");
    else if (c.key("expires")) x.expires = c.str("expires");
    else c.skip(3);
  }
  return x;
}

// rbac_lint's configuration (values are checked by LintConfig.validate, not here).
export function parseLintConfig(text: string): LintConfig {
  const d = new LintConfig();
  document(text);
  for (let i = 0; c.member(i); i++) {
    if (c.key("only")) d.only = c.strs("only");
    else if (c.key("skip")) d.skip = c.strs("skip");
    else if (c.key("severity")) {
      const m = new Map<string, string>();
      if (!c.isNull()) {
        c.open("`severity`");
        for (let j = 0; c.member(j); j++) {
          const k = c.keyText != null ? c.keyText! : c.s.substring(c.keyStart, c.keyEnd);
          m.set(k, c.str("severity[" + k + "]"));
        }
      }
      // why: a repeated check id keeps its last value, in the place of its first
      d.severityKeys = m.keys();
      d.severityValues = m.values();
    } else if (c.key("sensitiveNamespaces")) d.sensitiveNamespaces = c.strs("sensitiveNamespaces");
    else if (c.key("sensitiveConfigMaps")) d.sensitiveConfigMaps = c.strs("sensitiveConfigMaps");
    else if (c.key("maxTokenExpirationSeconds")) d.maxTokenExpirationSeconds = c.int64("maxTokenExpirationSeconds");
    else if (c.key("customChecks")) {
      const list = new Array<CustomCheck>();
      if (c.openList("customChecks")) for (let j = 0; c.element(j); j++) list.push(customCheck());
      d.customChecks = list;
    } else if (c.key("suppressions")) {
      const list = new Array<SuppressionRule>();
      if (c.openList("suppressions")) for (let j = 0; c.element(j); j++) list.push(suppression());
      d.suppressions = list;
    } else if (c.key("today")) d.today = c.str("today");
    else c.skip(1);
  }
  c.finish();
  return d;
}
