// A strict RFC 8259 JSON reader producing a small tree, and the JSON string writer. Used where input comes
// from outside and must never reach json-as unchecked (a json-as parse of bad input aborts the instance):
// the plugin configuration, token claims, the rbac_request_info input. Never throws; errors are values.
import { RequestInfo } from "../eval/requestinfo";
import { isDigit, hexDigit, simpleEscape } from "../util/json-chars";

export const J_NULL: i32 = 0;
export const J_BOOL: i32 = 1;
export const J_NUMBER: i32 = 2;
export const J_STRING: i32 = 3;
export const J_ARRAY: i32 = 4;
export const J_OBJECT: i32 = 5;

const MAX_DEPTH = 64;

// INVARIANT: never pushed to; scalar nodes share them (one allocation less per value)
const NO_ITEMS: JValue[] = [];
const NO_KEYS: string[] = [];

export class JValue {
  kind: i32 = J_NULL;
  b: bool = false;
  n: f64 = 0;
  s: string = "";
  // array elements, or object values (parallel to keys)
  items: JValue[];
  keys: string[];

  constructor(kind: i32) {
    this.kind = kind;
    this.items = kind == J_ARRAY || kind == J_OBJECT ? new Array<JValue>() : NO_ITEMS;
    this.keys = kind == J_OBJECT ? new Array<string>() : NO_KEYS;
  }

  // The value of `key`; with duplicate keys the last one wins (as JSON.parse and Go do).
  get(key: string): JValue | null {
    for (let i = this.keys.length - 1; i >= 0; i--) if (unchecked(this.keys[i]) == key) return unchecked(this.items[i]);
    return null;
  }

  isString(): bool { return this.kind == J_STRING; }
  isObject(): bool { return this.kind == J_OBJECT; }
  isArray(): bool { return this.kind == J_ARRAY; }
}

export function kindName(k: i32): string {
  if (k == J_NULL) return "null";
  if (k == J_BOOL) return "boolean";
  if (k == J_NUMBER) return "number";
  if (k == J_STRING) return "string";
  if (k == J_ARRAY) return "array";
  return "object";
}

export class JsonReader {
  s: string = "";
  pos: i32 = 0;
  error: string = "";

  // The tree of `text`, or null with `error` set ("... at offset N").
  parse(text: string): JValue | null {
    this.s = text;
    this.pos = 0;
    this.error = "";
    this.space();
    const v = this.value(0);
    if (v == null) return null;
    this.space();
    if (this.pos != this.s.length) return this.fail("unexpected text after the JSON value");
    return v;
  }

  private fail(msg: string): JValue | null {
    if (this.error.length == 0) this.error = msg + " at offset " + this.pos.toString();
    return null;
  }

  private space(): void {
    while (this.pos < this.s.length) {
      const c = this.s.charCodeAt(this.pos);
      if (c != 0x20 && c != 0x09 && c != 0x0a && c != 0x0d) break;
      this.pos++;
    }
  }

  private value(depth: i32): JValue | null {
    if (depth > MAX_DEPTH) return this.fail("JSON nested deeper than " + MAX_DEPTH.toString() + " levels");
    if (this.pos >= this.s.length) return this.fail("unexpected end of JSON");
    const c = this.s.charCodeAt(this.pos);
    if (c == 0x7b) return this.object(depth);
    if (c == 0x5b) return this.array(depth);
    if (c == 0x22) {
      const str = this.string();
      if (str == null) return null;
      const v = new JValue(J_STRING);
      v.s = str;
      return v;
    }
    if (c == 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
    if (this.word("true")) { const v = new JValue(J_BOOL); v.b = true; return v; }
    if (this.word("false")) return new JValue(J_BOOL);
    if (this.word("null")) return new JValue(J_NULL);
    return this.fail("unexpected character");
  }

  private word(w: string): bool {
    if (this.pos + w.length > this.s.length) return false;
    for (let i = 0; i < w.length; i++) if (this.s.charCodeAt(this.pos + i) != w.charCodeAt(i)) return false;
    this.pos += w.length;
    return true;
  }

  private object(depth: i32): JValue | null {
    const v = new JValue(J_OBJECT);
    this.pos++;
    this.space();
    if (this.pos < this.s.length && this.s.charCodeAt(this.pos) == 0x7d) { this.pos++; return v; }
    while (true) {
      this.space();
      if (this.pos >= this.s.length || this.s.charCodeAt(this.pos) != 0x22) return this.fail("expected a string key");
      const k = this.string();
      if (k == null) return null;
      this.space();
      if (this.pos >= this.s.length || this.s.charCodeAt(this.pos) != 0x3a) return this.fail("expected ':'");
      this.pos++;
      this.space();
      const item = this.value(depth + 1);
      if (item == null) return null;
      v.keys.push(k);
      v.items.push(item);
      this.space();
      if (this.pos >= this.s.length) return this.fail("unexpected end of JSON");
      const c = this.s.charCodeAt(this.pos++);
      if (c == 0x7d) return v;
      if (c != 0x2c) { this.pos--; return this.fail("expected ',' or '}'"); }
    }
  }

  private array(depth: i32): JValue | null {
    const v = new JValue(J_ARRAY);
    this.pos++;
    this.space();
    if (this.pos < this.s.length && this.s.charCodeAt(this.pos) == 0x5d) { this.pos++; return v; }
    while (true) {
      this.space();
      const item = this.value(depth + 1);
      if (item == null) return null;
      v.items.push(item);
      this.space();
      if (this.pos >= this.s.length) return this.fail("unexpected end of JSON");
      const c = this.s.charCodeAt(this.pos++);
      if (c == 0x5d) return v;
      if (c != 0x2c) { this.pos--; return this.fail("expected ',' or ']'"); }
    }
  }

  private number(): JValue | null {
    const start = this.pos;
    const s = this.s;
    if (s.charCodeAt(this.pos) == 0x2d) this.pos++;
    if (this.pos >= s.length) return this.fail("invalid number");
    let c = s.charCodeAt(this.pos);
    if (c == 0x30) this.pos++;
    else if (c >= 0x31 && c <= 0x39) { while (this.pos < s.length && isDigit(s.charCodeAt(this.pos))) this.pos++; }
    else return this.fail("invalid number");
    if (this.pos < s.length && s.charCodeAt(this.pos) == 0x2e) {
      this.pos++;
      if (this.pos >= s.length || !isDigit(s.charCodeAt(this.pos))) return this.fail("invalid number");
      while (this.pos < s.length && isDigit(s.charCodeAt(this.pos))) this.pos++;
    }
    if (this.pos < s.length && (s.charCodeAt(this.pos) | 0x20) == 0x65) {
      this.pos++;
      if (this.pos < s.length && (s.charCodeAt(this.pos) == 0x2b || s.charCodeAt(this.pos) == 0x2d)) this.pos++;
      if (this.pos >= s.length || !isDigit(s.charCodeAt(this.pos))) return this.fail("invalid number");
      while (this.pos < s.length && isDigit(s.charCodeAt(this.pos))) this.pos++;
    }
    const v = new JValue(J_NUMBER);
    v.n = parseFloat(s.substring(start, this.pos));
    v.s = s.substring(start, this.pos);
    return v;
  }

  // At a '"': the decoded string, or null.
  private string(): string | null {
    const s = this.s;
    this.pos++;
    const start = this.pos;
    // fast path: no escapes
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (c == 0x22) { const out = s.substring(start, this.pos); this.pos++; return out; }
      if (c == 0x5c) break;
      if (c < 0x20) { this.fail("control character in string"); return null; }
      this.pos++;
    }
    const out = new Array<u16>();
    for (let i = start; i < this.pos; i++) out.push(<u16>s.charCodeAt(i));
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (c == 0x22) {
        this.pos++;
        return String.UTF16.decodeUnsafe(out.dataStart, <usize>out.length << 1);
      }
      if (c < 0x20) { this.fail("control character in string"); return null; }
      if (c != 0x5c) { out.push(<u16>c); this.pos++; continue; }
      this.pos++;
      if (this.pos >= s.length) break;
      const e = s.charCodeAt(this.pos++);
      const simple = simpleEscape(e);
      if (simple >= 0) out.push(<u16>simple);
      else if (e == 0x75) {
        if (this.pos + 4 > s.length) break;
        let u = 0;
        for (let k = 0; k < 4; k++) {
          const h = hexDigit(s.charCodeAt(this.pos + k));
          if (h < 0) { this.fail("invalid \\u escape"); return null; }
          u = (u << 4) | h;
        }
        this.pos += 4;
        out.push(<u16>u);
      } else { this.pos--; this.fail("invalid escape"); return null; }
    }
    this.fail("unterminated string");
    return null;
  }
}

const HEX = "0123456789abcdef";

// A growable UTF-16 buffer for building strings without a concatenation per character.
let buf = new StaticArray<u16>(256);
let bufLen = 0;

function put(c: i32): void {
  if (bufLen == buf.length) {
    const grown = new StaticArray<u16>(buf.length * 2);
    memory.copy(changetype<usize>(grown), changetype<usize>(buf), <usize>bufLen << 1);
    buf = grown;
  }
  unchecked(buf[bufLen++] = <u16>c);
}

function putEscape(c: i32): void {
  put(0x5c);
  put(0x75);
  put(HEX.charCodeAt((c >> 12) & 15));
  put(HEX.charCodeAt((c >> 8) & 15));
  put(HEX.charCodeAt((c >> 4) & 15));
  put(HEX.charCodeAt(c & 15));
}

function taken(): string {
  return String.UTF16.decodeUnsafe(changetype<usize>(buf), <usize>bufLen << 1);
}

// A JSON string literal. With `goStyle`, as Go's encoding/json writes it (kube-apiserver's Status bodies):
// <, > and & as \u003c \u003e \u0026, U+2028/U+2029 escaped; lone surrogates become U+FFFD either way.
export function jsonQuote(s: string, goStyle: bool): string {
  let plain = true;
  for (let i = 0, n = s.length; i < n; i++) {
    const c = <i32>load<u16>(changetype<usize>(s) + (<usize>i << 1));
    if (c < 0x20 || c == 0x22 || c == 0x5c || (c >= 0xd800 && c <= 0xdfff) ||
      (goStyle && (c == 0x3c || c == 0x3e || c == 0x26 || c == 0x2028 || c == 0x2029))) { plain = false; break; }
  }
  if (plain) return "\"" + s + "\"";
  bufLen = 0;
  put(0x22);
  for (let i = 0, n = s.length; i < n; i++) {
    const c = <i32>s.charCodeAt(i);
    if (c == 0x22 || c == 0x5c) { put(0x5c); put(c); }
    else if (c == 0x0a) { put(0x5c); put(0x6e); }
    else if (c == 0x0d) { put(0x5c); put(0x72); }
    else if (c == 0x09) { put(0x5c); put(0x74); }
    else if (c < 0x20 || (goStyle && (c == 0x3c || c == 0x3e || c == 0x26 || c == 0x2028 || c == 0x2029))) putEscape(c);
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff) {
      put(c);
      put(s.charCodeAt(++i));
    } else if (c >= 0xd800 && c <= 0xdfff) put(0xfffd);
    else put(c);
  }
  put(0x22);
  return taken();
}

// Go's %q (strconv.Quote) for the common case, printable ASCII; anything else goes to the full goQuote.
export function quoteASCIIFast(s: string, slow: (s: string) => string): string {
  for (let i = 0, n = s.length; i < n; i++) {
    const c = <i32>load<u16>(changetype<usize>(s) + (<usize>i << 1));
    if (c < 0x20 || c >= 0x7f) return slow(s);
  }
  bufLen = 0;
  put(0x22);
  for (let i = 0, n = s.length; i < n; i++) {
    const c = <i32>load<u16>(changetype<usize>(s) + (<usize>i << 1));
    if (c == 0x22 || c == 0x5c) put(0x5c);
    put(c);
  }
  put(0x22);
  return taken();
}

// The rbac_request_info success envelope (Kubernetes' field names; "error" only when there is one).
export function requestInfoJSON(r: RequestInfo): string {
  const parts = new Array<string>(r.parts.length);
  for (let i = 0; i < r.parts.length; i++) parts[i] = jsonQuote(r.parts[i], false);
  let out = "{\"type\":\"success\",\"isResourceRequest\":" + (r.isResourceRequest ? "true" : "false") +
    ",\"path\":" + jsonQuote(r.path, false) + ",\"verb\":" + jsonQuote(r.verb, false) +
    ",\"apiPrefix\":" + jsonQuote(r.apiPrefix, false) + ",\"apiGroup\":" + jsonQuote(r.apiGroup, false) +
    ",\"apiVersion\":" + jsonQuote(r.apiVersion, false) + ",\"namespace\":" + jsonQuote(r.namespace, false) +
    ",\"resource\":" + jsonQuote(r.resource, false) + ",\"subresource\":" + jsonQuote(r.subresource, false) +
    ",\"name\":" + jsonQuote(r.name, false) + ",\"parts\":[" + parts.join(",") + "]";
  if (r.error.length > 0) out += ",\"error\":" + jsonQuote(r.error, false);
  return out + "}";
}
