// kube-apiserver's RequestInfoFactory (k8s.io/apiserver/pkg/endpoints/request/requestinfo.go): HTTP method and
// request-target -> verb, API group/version, namespace, resource, subresource, name. Host- and wire-independent.
// why: the URL layer follows Go's net/http server (url.ParseRequestURI: the path is percent-decoded, %2F included,
// an invalid escape fails the request; url.ParseQuery for the query), and strings are compared as Go compares bytes
// (invalid UTF-8 becomes U+FFFD per byte, as Go's JSON encoder writes it).

export const API_PREFIXES: string[] = ["api", "apis"];
export const GROUPLESS_API_PREFIXES: string[] = ["api"];

export class RequestInfo {
  isResourceRequest: bool = false;
  path: string = "";
  verb: string = "";
  apiPrefix: string = "";
  apiGroup: string = "";
  apiVersion: string = "";
  namespace: string = "";
  resource: string = "";
  subresource: string = "";
  name: string = "";
  parts: string[] = [];
  // "" when kube-apiserver resolves the request; otherwise why it would refuse it (400 or 500)
  error: string = "";

  reset(): void {
    this.isResourceRequest = false;
    this.path = "";
    this.verb = "";
    this.apiPrefix = "";
    this.apiGroup = "";
    this.apiVersion = "";
    this.namespace = "";
    this.resource = "";
    this.subresource = "";
    this.name = "";
    this.parts = [];
    this.error = "";
  }
}

// ---- bytes: percent-decoding and Go's UTF-8 view of them ------------------------------------------------------

let scratch = new StaticArray<u8>(256);
let scratchLen: i32 = 0;

function pushByte(b: u32): void {
  if (scratchLen == scratch.length) {
    const grown = new StaticArray<u8>(scratch.length * 2);
    memory.copy(changetype<usize>(grown), changetype<usize>(scratch), <usize>scratchLen);
    scratch = grown;
  }
  unchecked(scratch[scratchLen++] = <u8>b);
}

// Appends the UTF-8 bytes of the code unit(s) at s[i]; returns how many units were used.
function pushChar(s: string, i: i32): i32 {
  const c = <u32>s.charCodeAt(i);
  if (c < 0x80) {
    pushByte(c);
    return 1;
  }
  if (c < 0x800) {
    pushByte(0xc0 | (c >> 6));
    pushByte(0x80 | (c & 0x3f));
    return 1;
  }
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
    const d = <u32>s.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) {
      const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
      pushByte(0xf0 | (cp >> 18));
      pushByte(0x80 | ((cp >> 12) & 0x3f));
      pushByte(0x80 | ((cp >> 6) & 0x3f));
      pushByte(0x80 | (cp & 0x3f));
      return 2;
    }
  }
  // why: a lone surrogate cannot exist in a Go string; it reads as the replacement rune
  const u = c >= 0xd800 && c <= 0xdfff ? <u32>0xfffd : c;
  pushByte(0xe0 | (u >> 12));
  pushByte(0x80 | ((u >> 6) & 0x3f));
  pushByte(0x80 | (u & 0x3f));
  return 1;
}

function isCont(b: u32): bool {
  return (b & 0xc0) == 0x80;
}

// Go's utf8.DecodeRune: (rune << 3) | size; an invalid sequence is (U+FFFD, 1).
function decodeRune(p: usize, end: usize): u32 {
  const b0 = <u32>load<u8>(p);
  if (b0 < 0x80) return (b0 << 3) | 1;
  const n = end - p;
  if (b0 >= 0xc2 && b0 <= 0xdf && n >= 2) {
    const b1 = <u32>load<u8>(p + 1);
    if (isCont(b1)) return ((((b0 & 0x1f) << 6) | (b1 & 0x3f)) << 3) | 2;
  } else if (b0 >= 0xe0 && b0 <= 0xef && n >= 3) {
    const b1 = <u32>load<u8>(p + 1);
    const b2 = <u32>load<u8>(p + 2);
    const lo: u32 = b0 == 0xe0 ? 0xa0 : 0x80;
    const hi: u32 = b0 == 0xed ? 0x9f : 0xbf;
    if (b1 >= lo && b1 <= hi && isCont(b2)) return ((((b0 & 0x0f) << 12) | ((b1 & 0x3f) << 6) | (b2 & 0x3f)) << 3) | 3;
  } else if (b0 >= 0xf0 && b0 <= 0xf4 && n >= 4) {
    const b1 = <u32>load<u8>(p + 1);
    const lo: u32 = b0 == 0xf0 ? 0x90 : 0x80;
    const hi: u32 = b0 == 0xf4 ? 0x8f : 0xbf;
    if (b1 >= lo && b1 <= hi && isCont(<u32>load<u8>(p + 2)) && isCont(<u32>load<u8>(p + 3))) {
      const cp = ((b0 & 0x07) << 18) | ((b1 & 0x3f) << 12) | ((<u32>load<u8>(p + 2) & 0x3f) << 6) | (<u32>load<u8>(p + 3) & 0x3f);
      return (cp << 3) | 4;
    }
  }
  return (0xfffd << 3) | 1;
}

// UTF-8 bytes -> string, each invalid byte becoming U+FFFD (what Go's encoding/json writes for it).
export function decodeUTF8Go(ptr: usize, len: usize): string {
  let p = ptr;
  const end = ptr + len;
  let ascii = true;
  for (let q = ptr; q < end; q++) if (load<u8>(q) >= 0x80) { ascii = false; break; }
  if (ascii) return String.UTF8.decodeUnsafe(ptr, len);
  const out = new Array<u16>();
  while (p < end) {
    const r = decodeRune(p, end);
    const cp = r >> 3;
    p += r & 7;
    if (cp < 0x10000) {
      out.push(<u16>cp);
    } else {
      const v = cp - 0x10000;
      out.push(<u16>(0xd800 | (v >> 10)));
      out.push(<u16>(0xdc00 | (v & 0x3ff)));
    }
  }
  return String.UTF16.decodeUnsafe(out.dataStart, <usize>out.length << 1);
}

function hexVal(c: u32): i32 {
  if (c >= 0x30 && c <= 0x39) return <i32>(c - 0x30);
  if (c >= 0x61 && c <= 0x66) return <i32>(c - 0x61 + 10);
  if (c >= 0x41 && c <= 0x46) return <i32>(c - 0x41 + 10);
  return -1;
}

// The escape that made unescape() fail ("%zz", "%4", "%"), or "" after success.
let badEscape = "";

// url.PathUnescape (plus=false) or url.QueryUnescape (plus=true). Returns null on an invalid escape.
export function unescape(s: string, plus: bool): string | null {
  badEscape = "";
  let special = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c == 0x25 || (plus && c == 0x2b)) { special = true; break; }
  }
  if (!special) return s;
  scratchLen = 0;
  let i = 0;
  while (i < s.length) {
    const c = <u32>s.charCodeAt(i);
    if (c == 0x25) {
      const h = i + 1 < s.length ? hexVal(<u32>s.charCodeAt(i + 1)) : -1;
      const l = i + 2 < s.length ? hexVal(<u32>s.charCodeAt(i + 2)) : -1;
      if (h < 0 || l < 0) {
        badEscape = s.substring(i, min(i + 3, s.length));
        return null;
      }
      pushByte(<u32>((h << 4) | l));
      i += 3;
    } else if (plus && c == 0x2b) {
      pushByte(0x20);
      i++;
    } else {
      i += pushChar(s, i);
    }
  }
  return decodeUTF8Go(changetype<usize>(scratch), <usize>scratchLen);
}

// ---- query: url.ParseQuery, first values only ---------------------------------------------------------------------

// The first value of each ListOptions parameter whose conversion can fail or that decides the verb.
class ListQuery {
  count: i32 = 0; // parameters parsed (DecodeParameters does nothing for none)
  watch: string | null = null;
  fieldSelector: string | null = null;
  labelSelector: string | null = null;
  timeoutSeconds: string | null = null;
  limit: string | null = null;

  reset(): void {
    this.count = 0;
    this.watch = null;
    this.fieldSelector = null;
    this.labelSelector = null;
    this.timeoutSeconds = null;
    this.limit = null;
  }
}

const query = new ListQuery();

function parseQuery(raw: string, q: ListQuery): void {
  q.reset();
  let start = 0;
  const n = raw.length;
  while (start <= n && n > 0) {
    let amp = raw.indexOf("&", start);
    if (amp < 0) amp = n;
    const seg = raw.substring(start, amp);
    start = amp + 1;
    // why: Go 1.17+ refuses ";" as a separator: the whole pair is dropped
    if (seg.length == 0 || seg.indexOf(";") >= 0) {
      if (amp == n) break;
      continue;
    }
    const eq = seg.indexOf("=");
    const key = unescape(eq < 0 ? seg : seg.substring(0, eq), true);
    let value: string | null = null;
    if (key != null) value = unescape(eq < 0 ? "" : seg.substring(eq + 1), true);
    if (key != null && value != null) {
      const k: string = key;
      const v: string = value;
      q.count++;
      if (k == "watch") { if (q.watch == null) q.watch = v; }
      else if (k == "fieldSelector") { if (q.fieldSelector == null) q.fieldSelector = v; }
      else if (k == "labelSelector") { if (q.labelSelector == null) q.labelSelector = v; }
      else if (k == "timeoutSeconds") { if (q.timeoutSeconds == null) q.timeoutSeconds = v; }
      else if (k == "limit") { if (q.limit == null) q.limit = v; }
    }
    if (amp == n) break;
  }
}

function asciiLower(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) {
      const out = new Array<u16>(s.length);
      for (let j = 0; j < s.length; j++) {
        const d = s.charCodeAt(j);
        out[j] = <u16>(d >= 0x41 && d <= 0x5a ? d + 0x20 : d);
      }
      return String.UTF16.decodeUnsafe(out.dataStart, <usize>s.length << 1);
    }
  }
  return s;
}

// runtime.Convert_Slice_string_To_bool: only "0" and (strings.EqualFold) "false" are false.
function convertBool(v: string): bool {
  if (v == "0") return false;
  if (v.length != 5) return true;
  const want = "false";
  for (let i = 0; i < 5; i++) {
    let c = <u32>v.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) c += 0x20;
    if (c == 0x17f && i == 3) c = 0x73; // why: EqualFold folds U+017F LATIN SMALL LETTER LONG S to "s"
    if (c != <u32>want.charCodeAt(i)) return true;
  }
  return false;
}

// The fallback after DecodeParameters failed: strings.ToLower(values[0]) in {"false", "0"}.
function rawWatch(v: string): bool {
  const l = asciiLower(v);
  return !(l == "false" || l == "0");
}

// What metainternalversionscheme.ParameterCodec.DecodeParameters would give: ok, watch, and the exact
// metadata.name the field selector requires (null when none).
let decodedWatch = false;
let decodedName: string | null = null;

function decodeListOptions(q: ListQuery): bool {
  decodedWatch = false;
  decodedName = null;
  if (q.count == 0) return true;
  if (q.watch != null) decodedWatch = convertBool(q.watch!);
  if (q.timeoutSeconds != null && !parseInt64(q.timeoutSeconds!)) return false;
  if (q.limit != null && !parseInt64(q.limit!)) return false;
  if (q.labelSelector != null && !parseLabelSelector(q.labelSelector!)) return false;
  if (q.fieldSelector != null) {
    const r = fieldSelectorExactMatch(q.fieldSelector!, "metadata.name");
    if (r < 0) return false;
    if (r > 0) decodedName = exactValue;
  }
  return true;
}

// path.IsValidPathSegmentName
function isValidPathSegmentName(name: string): bool {
  if (name == "." || name == "..") return false;
  return name.indexOf("/") < 0 && name.indexOf("%") < 0;
}

// ---- the factory ------------------------------------------------------------------------------------------------

// String#indexOf for one character (the library's compares memory at every position).
export function indexOfChar(s: string, c: i32, from: i32): i32 {
  const base = changetype<usize>(s);
  for (let i = max(from, 0), n = s.length; i < n; i++) if (<i32>load<u16>(base + (<usize>i << 1)) == c) return i;
  return -1;
}

function hasString(list: string[], s: string): bool {
  for (let i = 0; i < list.length; i++) if (unchecked(list[i]) == s) return true;
  return false;
}

// strings.Trim(path, "/") then strings.Split(path, "/") (an empty path has no parts).
function splitPath(path: string): string[] {
  let a = 0;
  let b = path.length;
  while (a < b && path.charCodeAt(a) == 0x2f) a++;
  while (b > a && path.charCodeAt(b - 1) == 0x2f) b--;
  if (a == b) return [];
  return path.substring(a, b).split("/");
}

function hasControlByte(s: string): bool {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

// NewRequestInfo for a request with `method` and request-target `target` (the HTTP/2 :path: path and query).
export function resolveRequestInfo(method: string, target: string, info: RequestInfo): RequestInfo {
  info.reset();
  info.verb = asciiLower(method);
  // why: net/http answers 400 before any handler for a request-target url.ParseRequestURI refuses
  if (hasControlByte(target)) {
    info.path = target;
    info.error = "net/url: invalid control character in URL";
    return info;
  }
  let rawPath = target;
  let rawQuery = "";
  const q = indexOfChar(target, 0x3f, 0);
  if (q >= 0) {
    rawPath = target.substring(0, q);
    rawQuery = target.substring(q + 1);
  }
  if (rawPath.length > 0 && rawPath.charCodeAt(0) != 0x2f && target != "*") {
    info.path = rawPath;
    info.error = "invalid URI for request";
    return info;
  }
  const path = unescape(rawPath, false);
  if (path == null) {
    info.path = rawPath;
    info.error = "invalid URL escape " + quoteASCII(badEscape);
    return info;
  }
  info.path = path;

  const all = splitPath(path);
  let at = 0; // parts consumed so far
  const n = all.length;
  if (n < 3) return info;
  if (!hasString(API_PREFIXES, all[0])) return info;
  info.apiPrefix = all[0];
  at = 1;
  if (!hasString(GROUPLESS_API_PREFIXES, info.apiPrefix)) {
    // one part (the prefix) is consumed already: "do we have four parts?"
    if (n - at < 3) return info;
    info.apiGroup = all[at++];
  }
  info.isResourceRequest = true;
  info.apiVersion = all[at++];

  const first = all[at];
  if (first == "proxy" || first == "watch") {
    if (n - at < 2) {
      info.error = "unable to determine kind and namespace from url, " + target;
      return info;
    }
    info.verb = first;
    at++;
  } else if (method == "POST") info.verb = "create";
  else if (method == "GET" || method == "HEAD") info.verb = "get";
  else if (method == "PUT") info.verb = "update";
  else if (method == "PATCH") info.verb = "patch";
  else if (method == "DELETE") info.verb = "delete";
  else info.verb = "";

  if (all[at] == "namespaces") {
    // a PATCH of /namespaces/<name> has that namespace too, as kube-apiserver v1.20.2 sends it to its authorization
    // webhook (test/e2e/requestinfo.test.ts) and as requestinfo.go reads today (1.31+); the change proposed in
    // kubernetes#94656 (2020, left empty for server-side apply) is not in either
    if (n - at > 1) {
      info.namespace = all[at + 1];
      // a step after the namespace that is not a namespace subresource is a resource in its own right
      if (n - at > 2 && all[at + 2] != "status" && all[at + 2] != "finalize") at += 2;
    }
  }
  const parts = at == 0 ? all : all.slice(at);
  info.parts = parts;

  // parts: resource/name/subresource/other/steps/not/interpreted
  if (parts.length >= 3 && info.verb != "proxy") info.subresource = parts[2];
  if (parts.length >= 2) info.name = parts[1];
  if (parts.length >= 1) info.resource = parts[0];

  // no name and a get: a list or a watch, unless the list options name one object
  if (info.name.length == 0 && info.verb == "get") {
    parseQuery(rawQuery, query);
    if (decodeListOptions(query)) {
      info.verb = decodedWatch ? "watch" : "list";
      const name = decodedName;
      if (name != null && isValidPathSegmentName(name)) info.name = name;
    } else {
      // why: a parameter that fails to decode resets the options; only the raw watch value still counts
      info.verb = query.watch != null && rawWatch(query.watch!) ? "watch" : "list";
    }
  }
  if (info.name.length == 0 && info.verb == "delete") info.verb = "deletecollection";
  return info;
}

// %q of the short, ASCII-or-not escape text in Go's url error ("%zz" -> "\"%zz\"").
function quoteASCII(s: string): string {
  let out = "\"";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c == 0x22 || c == 0x5c) out += "\\";
    out += String.fromCharCode(c);
  }
  return out + "\"";
}

// ---- strconv.ParseInt(s, 10, 64) -----------------------------------------------------------------------------------

export function parseInt64(s: string): bool {
  let i = 0;
  let neg = false;
  if (s.length > 0 && (s.charCodeAt(0) == 0x2b || s.charCodeAt(0) == 0x2d)) {
    neg = s.charCodeAt(0) == 0x2d;
    i = 1;
  }
  if (i >= s.length) return false;
  let v: u64 = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
    const d = <u64>(c - 0x30);
    if (v > (u64.MAX_VALUE - d) / 10) return false;
    v = v * 10 + d;
  }
  const limit: u64 = 1 << 63;
  return neg ? v <= limit : v < limit;
}

// ---- fields.ParseSelector and RequiresExactMatch ------------------------------------------------------------------

// Go orders strings by bytes, that is by code point.
function compareGo(a: string, b: string): i32 {
  const n = min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = <u32>a.charCodeAt(i);
    let y = <u32>b.charCodeAt(i);
    if (x == y) continue;
    // why: surrogates (U+10000 and up) sort after U+E000..U+FFFF in UTF-8, before them in UTF-16
    if (x >= 0xd800 && x <= 0xdfff) x += 0x10000;
    if (y >= 0xd800 && y <= 0xdfff) y += 0x10000;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

// splitTerms: "," separates terms unless escaped with "\".
function splitTerms(s: string): string[] {
  const terms = new Array<string>();
  if (s.length == 0) return terms;
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (inSlash) inSlash = false;
    else if (c == 0x5c) inSlash = true;
    else if (c == 0x2c) {
      terms.push(s.substring(start, i));
      start = i + 1;
    }
  }
  terms.push(s.substring(start));
  return terms;
}

// UnescapeValue: "\\", "\," and "\=" are the only escapes; a bare "," or "=" is an error. Null on error.
function unescapeFieldValue(s: string): string | null {
  if (s.indexOf("\\") < 0 && s.indexOf(",") < 0 && s.indexOf("=") < 0) return s;
  let out = "";
  let inSlash = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (inSlash) {
      if (c != 0x5c && c != 0x2c && c != 0x3d) return null;
      out += String.fromCharCode(c);
      inSlash = false;
    } else if (c == 0x5c) inSlash = true;
    else if (c == 0x2c || c == 0x3d) return null;
    else out += String.fromCharCode(c);
  }
  return inSlash ? null : out;
}

let exactValue = "";

// -1: the selector does not parse; 0: it requires no exact value of `field`; 1: it does (in exactValue).
export function fieldSelectorExactMatch(selector: string, field: string): i32 {
  const terms = splitTerms(selector);
  terms.sort((a: string, b: string): i32 => compareGo(a, b));
  let found = false;
  for (let t = 0; t < terms.length; t++) {
    const term = terms[t];
    if (term.length == 0) continue;
    let at = -1;
    let opLen = 0;
    let equality = true;
    for (let i = 0; i < term.length && at < 0; i++) {
      const c = term.charCodeAt(i);
      const d = i + 1 < term.length ? term.charCodeAt(i + 1) : 0;
      if (c == 0x21 && d == 0x3d) { at = i; opLen = 2; equality = false; }
      else if (c == 0x3d && d == 0x3d) { at = i; opLen = 2; }
      else if (c == 0x3d) { at = i; opLen = 1; }
    }
    if (at < 0) return -1;
    const lhs = term.substring(0, at);
    const rhs = unescapeFieldValue(term.substring(at + opLen));
    if (rhs == null) return -1;
    // why: a term with empty field and value is Everything(); "!=" terms never require a value
    if (!found && equality && lhs == field) {
      found = true;
      exactValue = rhs;
    }
  }
  return found ? 1 : 0;
}

// ---- labels.Parse (validation only) -------------------------------------------------------------------------------

const T_ERROR = 0;
const T_END = 1;
const T_CLOSE = 2;
const T_COMMA = 3;
const T_NOT = 4;
const T_DEQ = 5;
const T_EQ = 6;
const T_GT = 7;
const T_ID = 8;
const T_IN = 9;
const T_LT = 10;
const T_NEQ = 11;
const T_NOTIN = 12;
const T_OPEN = 13;

function symbolToken(s: string): i32 {
  if (s == ")") return T_CLOSE;
  if (s == ",") return T_COMMA;
  if (s == "!") return T_NOT;
  if (s == "==") return T_DEQ;
  if (s == "=") return T_EQ;
  if (s == ">") return T_GT;
  if (s == "<") return T_LT;
  if (s == "!=") return T_NEQ;
  if (s == "(") return T_OPEN;
  return T_ERROR;
}

function isSpecial(c: i32): bool {
  return c == 0x3d || c == 0x21 || c == 0x28 || c == 0x29 || c == 0x2c || c == 0x3e || c == 0x3c;
}

function isSpace(c: i32): bool {
  return c == 0x20 || c == 0x09 || c == 0x0d || c == 0x0a;
}

// The lexer of labels/selector.go, on code units: read() gives 0 at the end and for a NUL character.
class LabelLexer {
  s: string;
  pos: i32 = 0;
  kinds: i32[] = [];
  lits: string[] = [];
  constructor(s: string) { this.s = s; }
  read(): i32 {
    if (this.pos < this.s.length) return this.s.charCodeAt(this.pos++);
    return 0;
  }
  lex(): void {
    let ch = this.read();
    while (isSpace(ch)) ch = this.read();
    if (ch == 0) { this.emit(T_END, ""); return; }
    this.pos--;
    if (isSpecial(ch)) {
      let buf = "";
      let last = T_ERROR;
      let lastLit = "";
      while (true) {
        const c = this.read();
        if (c == 0) break;
        if (!isSpecial(c)) { this.pos--; break; }
        buf += String.fromCharCode(c);
        const t = symbolToken(buf);
        if (t != T_ERROR) { last = t; lastLit = buf; }
        else if (last != T_ERROR) { this.pos--; break; }
      }
      this.emit(last, lastLit);
      return;
    }
    const start = this.pos;
    let end = this.s.length;
    while (this.pos < this.s.length) {
      const c = this.s.charCodeAt(this.pos);
      if (isSpecial(c) || isSpace(c)) { end = this.pos; break; }
      this.pos++;
      // why: Go's lexer reads a NUL byte as "end" but has consumed it: lexing goes on after it
      if (c == 0) { end = this.pos - 1; break; }
    }
    const lit = this.s.substring(start, end);
    this.emit(lit == "in" ? T_IN : lit == "notin" ? T_NOTIN : T_ID, lit);
  }
  emit(kind: i32, lit: string): void {
    this.kinds.push(kind);
    this.lits.push(lit);
  }
  scan(): void {
    while (this.kinds.length == 0 || this.kinds[this.kinds.length - 1] != T_END) {
      this.lex();
      if (this.kinds.length > 4096) { this.emit(T_END, ""); break; } // why: bounded work on hostile input
    }
  }
}

function isAlnum(c: i32): bool {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
}

// ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9], at most 63 characters; empty allowed when `empty`.
function isQualifiedToken(s: string, empty: bool): bool {
  if (s.length == 0) return empty;
  if (s.length > 63) return false;
  if (!isAlnum(s.charCodeAt(0)) || !isAlnum(s.charCodeAt(s.length - 1))) return false;
  for (let i = 1; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (!isAlnum(c) && c != 0x2d && c != 0x5f && c != 0x2e) return false;
  }
  return true;
}

function isDNS1123Subdomain(s: string): bool {
  if (s.length == 0 || s.length > 253) return false;
  const labels = s.split(".");
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (l.length == 0) return false;
    for (let j = 0; j < l.length; j++) {
      const c = l.charCodeAt(j);
      const ok = (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a) || (c == 0x2d && j > 0 && j < l.length - 1);
      if (!ok) return false;
    }
  }
  return true;
}

// validation.IsQualifiedName (label keys).
function isLabelKey(k: string): bool {
  const slash = k.indexOf("/");
  if (slash < 0) return isQualifiedToken(k, false);
  if (k.indexOf("/", slash + 1) >= 0) return false;
  const prefix = k.substring(0, slash);
  return prefix.length > 0 && isDNS1123Subdomain(prefix) && isQualifiedToken(k.substring(slash + 1), false);
}

class LabelParser {
  kinds: i32[];
  lits: string[];
  pos: i32 = 0;
  constructor(l: LabelLexer) {
    this.kinds = l.kinds;
    this.lits = l.lits;
  }
  // in the Values context "in" and "notin" are identifiers
  peek(values: bool): i32 {
    const k = this.pos < this.kinds.length ? this.kinds[this.pos] : T_END;
    return values && (k == T_IN || k == T_NOTIN) ? T_ID : k;
  }
  take(values: bool): i32 {
    const k = this.peek(values);
    this.pos++;
    return k;
  }
  lit(): string {
    return this.pos - 1 < this.lits.length ? this.lits[this.pos - 1] : "";
  }
  parse(): bool {
    while (true) {
      const t = this.peek(true);
      if (t == T_END) return true;
      if (t != T_ID && t != T_NOT) return false;
      if (!this.requirement()) return false;
      const after = this.take(true);
      if (after == T_END) return true;
      if (after != T_COMMA) return false;
      const next = this.peek(true);
      if (next != T_ID && next != T_NOT) return false;
    }
  }
  requirement(): bool {
    let t = this.take(true);
    let notExists = false;
    if (t == T_NOT) {
      notExists = true;
      t = this.take(true);
    }
    if (t != T_ID || !isLabelKey(this.lit())) return false;
    const la = this.peek(true);
    if (notExists || la == T_END || la == T_COMMA) return true; // exists / does-not-exist
    const op = this.take(false);
    if (op == T_IN || op == T_NOTIN) return this.valueSet();
    if (op != T_EQ && op != T_DEQ && op != T_NEQ && op != T_GT && op != T_LT) return false;
    let value = "";
    const v = this.peek(true);
    if (v != T_END && v != T_COMMA) {
      if (this.take(true) != T_ID) return false;
      value = this.lit();
    }
    if ((op == T_GT || op == T_LT) && !parseInt64(value)) return false;
    return isQualifiedToken(value, true);
  }
  valueSet(): bool {
    if (this.take(true) != T_OPEN) return false;
    const first = this.peek(true);
    if (first == T_CLOSE) {
      this.take(true);
      return true;
    }
    if (first != T_ID && first != T_COMMA) return false;
    while (true) {
      const t = this.take(true);
      if (t == T_ID) {
        if (!isQualifiedToken(this.lit(), true)) return false;
        const n = this.peek(true);
        if (n == T_CLOSE) break;
        if (n != T_COMMA) return false;
      } else if (t == T_COMMA) {
        if (this.peek(true) == T_CLOSE) break;
      } else {
        return false;
      }
    }
    return this.take(true) == T_CLOSE;
  }
}

// labels.Parse(selector) succeeds.
export function parseLabelSelector(selector: string): bool {
  const lexer = new LabelLexer(selector);
  lexer.scan();
  return new LabelParser(lexer).parse();
}
