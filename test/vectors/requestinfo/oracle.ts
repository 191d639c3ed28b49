// A second, independent reading of kube-apiserver's RequestInfoFactory.NewRequestInfo (k8s.io/apiserver
// pkg/endpoints/request/requestinfo.go), used only by generate.ts to compute vector expectations. Unlike the
// core (which works on UTF-16 strings), this one works on bytes as Go does: net/url's ParseRequestURI and
// ParseQuery, fields.ParseSelector with RequiresExactMatch, labels.Parse, strconv.ParseInt, and Go's view of
// invalid UTF-8 (U+FFFD per byte when written out).

export interface Info {
  isResourceRequest: boolean;
  path: string;
  verb: string;
  apiPrefix: string;
  apiGroup: string;
  apiVersion: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
  parts: string[];
  error?: string;
}

type B = Uint8Array;
const te = new TextEncoder();

function bytes(s: string): B {
  return te.encode(s); // lone surrogates become EF BF BD, like Go's []byte(string(rune))
}

function eq(a: B, s: string): boolean {
  if (a.length !== s.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== s.charCodeAt(i)) return false;
  return true;
}

// Go's utf8.DecodeRune: [rune, size]; invalid -> [0xfffd, 1]
function rune(b: B, i: number): [number, number] {
  const c = b[i];
  if (c < 0x80) return [c, 1];
  const cont = (k: number) => i + k < b.length && (b[i + k] & 0xc0) === 0x80;
  if (c >= 0xc2 && c <= 0xdf && cont(1)) return [((c & 0x1f) << 6) | (b[i + 1] & 0x3f), 2];
  if (c >= 0xe0 && c <= 0xef && i + 2 < b.length) {
    const lo = c === 0xe0 ? 0xa0 : 0x80, hi = c === 0xed ? 0x9f : 0xbf;
    if (b[i + 1] >= lo && b[i + 1] <= hi && cont(2)) return [((c & 0xf) << 12) | ((b[i + 1] & 0x3f) << 6) | (b[i + 2] & 0x3f), 3];
  }
  if (c >= 0xf0 && c <= 0xf4 && i + 3 < b.length) {
    const lo = c === 0xf0 ? 0x90 : 0x80, hi = c === 0xf4 ? 0x8f : 0xbf;
    if (b[i + 1] >= lo && b[i + 1] <= hi && cont(2) && cont(3)) {
      return [((c & 7) << 18) | ((b[i + 1] & 0x3f) << 12) | ((b[i + 2] & 0x3f) << 6) | (b[i + 3] & 0x3f), 4];
    }
  }
  return [0xfffd, 1];
}

/** A Go string (bytes) as Go's encoding/json would write it. */
export function goText(b: B): string {
  let out = "";
  for (let i = 0; i < b.length;) {
    const [r, n] = rune(b, i);
    out += String.fromCodePoint(r);
    i += n;
  }
  return out;
}

function cat(...parts: (B | number[])[]): B {
  const n = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

const isHex = (c: number) => (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
const hexv = (c: number) => (c <= 57 ? c - 48 : (c | 0x20) - 87);

// url.unescape: null on a bad escape
function unescape(s: B, query: boolean): B | null {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === 0x25) {
      if (i + 2 >= s.length || !isHex(s[i + 1]) || !isHex(s[i + 2])) return null;
      out.push(hexv(s[i + 1]) * 16 + hexv(s[i + 2]));
      i += 2;
    } else if (query && s[i] === 0x2b) out.push(0x20);
    else out.push(s[i]);
  }
  return Uint8Array.from(out);
}

function indexOf(b: B, c: number, from = 0): number {
  for (let i = from; i < b.length; i++) if (b[i] === c) return i;
  return -1;
}

function split(b: B, c: number): B[] {
  const out: B[] = [];
  let start = 0;
  for (let i = 0; i <= b.length; i++) {
    if (i === b.length || b[i] === c) { out.push(b.subarray(start, i)); start = i + 1; }
  }
  return out;
}

// url.ParseQuery -> key -> values (bytes), in order
function parseQuery(q: B): Map<string, B[]> {
  const m = new Map<string, B[]>();
  for (const seg of split(q, 0x26)) {
    if (indexOf(seg, 0x3b) >= 0 || seg.length === 0) continue;
    const e = indexOf(seg, 0x3d);
    const k = unescape(e < 0 ? seg : seg.subarray(0, e), true);
    const v = unescape(e < 0 ? new Uint8Array(0) : seg.subarray(e + 1), true);
    if (k === null || v === null) continue;
    const key = Array.from(k, (x) => String.fromCharCode(x)).join(""); // byte-exact key
    if (!m.has(key)) m.set(key, []);
    m.get(key)!.push(v);
  }
  return m;
}

// strconv.ParseInt(s, 10, 64) == nil error
function parseInt64(s: B): boolean {
  let i = 0, neg = false;
  if (s.length > 0 && (s[0] === 0x2b || s[0] === 0x2d)) { neg = s[0] === 0x2d; i = 1; }
  if (i >= s.length) return false;
  let v = 0n;
  for (; i < s.length; i++) {
    if (s[i] < 48 || s[i] > 57) return false;
    v = v * 10n + BigInt(s[i] - 48);
  }
  return neg ? v <= 9223372036854775808n : v <= 9223372036854775807n;
}

function cmpBytes(a: B, b: B): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

// fields.ParseSelector(sel).RequiresExactMatch(field): undefined = parse error; null = no exact match
function fieldExactMatch(sel: B, field: string): B | null | undefined {
  const terms: B[] = [];
  if (sel.length > 0) {
    let start = 0, slash = false;
    for (let i = 0; i < sel.length;) {
      const [r, n] = rune(sel, i);
      if (slash) slash = false;
      else if (r === 0x5c) slash = true;
      else if (r === 0x2c) { terms.push(sel.subarray(start, i)); start = i + n; }
      i += n;
    }
    terms.push(sel.subarray(start));
  }
  terms.sort(cmpBytes);
  let found: B | null = null;
  for (const t of terms) {
    if (t.length === 0) continue;
    let at = -1, op = "";
    for (let i = 0; i < t.length && at < 0; i++) {
      if (t[i] === 0x21 && t[i + 1] === 0x3d) { at = i; op = "!="; }
      else if (t[i] === 0x3d && t[i + 1] === 0x3d) { at = i; op = "=="; }
      else if (t[i] === 0x3d) { at = i; op = "="; }
    }
    if (at < 0) return undefined;
    const lhs = t.subarray(0, at);
    const rhs = t.subarray(at + op.length);
    let value: B = rhs;
    if (indexOf(rhs, 0x5c) >= 0 || indexOf(rhs, 0x2c) >= 0 || indexOf(rhs, 0x3d) >= 0) {
      const out: number[] = [];
      let slash = false;
      for (let i = 0; i < rhs.length;) {
        const [r, n] = rune(rhs, i);
        const enc = Array.from(bytes(String.fromCodePoint(r)));
        if (slash) {
          if (r !== 0x5c && r !== 0x2c && r !== 0x3d) return undefined;
          out.push(...enc);
          slash = false;
        } else if (r === 0x5c) slash = true;
        else if (r === 0x2c || r === 0x3d) return undefined;
        else out.push(...enc);
        i += n;
      }
      if (slash) return undefined;
      value = Uint8Array.from(out);
    }
    if (found === null && op !== "!=" && eq(lhs, field)) found = value;
  }
  return found;
}

// ---- labels.Parse ------------------------------------------------------------------------------------------------------

const SPECIAL = new Set([0x3d, 0x21, 0x28, 0x29, 0x2c, 0x3e, 0x3c]);
const SPACE = new Set([0x20, 0x09, 0x0d, 0x0a]);
const SYMBOLS = new Set([")", ",", "!", "==", "=", ">", "<", "!=", "("]);

function lexLabels(s: B): { tok: string; lit: string }[] {
  const toks: { tok: string; lit: string }[] = [];
  let pos = 0;
  const read = () => (pos < s.length ? s[pos++] : 0);
  for (let guard = 0; guard < 100000; guard++) {
    let ch = read();
    while (SPACE.has(ch)) ch = read();
    if (ch === 0) { toks.push({ tok: "END", lit: "" }); return toks; }
    pos--;
    if (SPECIAL.has(ch)) {
      let buf = "", last = "";
      for (;;) {
        const c = read();
        if (c === 0) break;
        if (!SPECIAL.has(c)) { pos--; break; }
        buf += String.fromCharCode(c);
        if (SYMBOLS.has(buf)) last = buf;
        else if (last) { pos--; break; }
      }
      toks.push({ tok: last, lit: last });
    } else {
      const id: number[] = [];
      for (;;) {
        const c = read();
        if (c === 0) break;
        if (SPECIAL.has(c) || SPACE.has(c)) { pos--; break; }
        id.push(c);
      }
      const lit = String.fromCharCode(...id);
      toks.push({ tok: lit === "in" ? "in" : lit === "notin" ? "notin" : "ID", lit });
    }
  }
  return toks;
}

const QUALIFIED = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function labelKeyOK(k: string): boolean {
  const parts = k.split("/");
  let name: string;
  if (parts.length === 1) name = parts[0];
  else if (parts.length === 2) {
    if (parts[0].length === 0 || parts[0].length > 253 || !DNS1123_SUBDOMAIN.test(parts[0])) return false;
    name = parts[1];
  } else return false;
  return name.length > 0 && name.length <= 63 && QUALIFIED.test(name);
}

function labelValueOK(v: string): boolean {
  return v.length <= 63 && LABEL_VALUE.test(v);
}

function labelsParse(s: B): boolean {
  const toks = lexLabels(s);
  let p = 0;
  const look = (values: boolean) => { const t = toks[Math.min(p, toks.length - 1)].tok; return values && (t === "in" || t === "notin") ? "ID" : t; };
  const take = (values: boolean) => { const t = look(values); const lit = toks[Math.min(p, toks.length - 1)].lit; p++; return [t, lit]; };
  for (;;) {
    const t = look(true);
    if (t === "END") return true;
    if (t !== "ID" && t !== "!") return false;
    // requirement
    let [k, key] = take(true);
    let notExists = false;
    if (k === "!") { notExists = true; [k, key] = take(true); }
    if (k !== "ID" || !labelKeyOK(key)) return false;
    const la = look(true);
    if (!(notExists || la === "END" || la === ",")) {
      const [op] = take(false);
      const values: string[] = [];
      if (op === "in" || op === "notin") {
        if (take(true)[0] !== "(") return false;
        const first = look(true);
        if (first === ")") { take(true); values.push(""); }
        else if (first === "ID" || first === ",") {
          for (;;) {
            const [vt, vl] = take(true);
            if (vt === "ID") {
              values.push(vl);
              const n = look(true);
              if (n === ")") break;
              if (n !== ",") return false;
            } else if (vt === ",") {
              if (look(true) === ")") { values.push(""); break; }
              values.push("");
            } else return false;
          }
          if (take(true)[0] !== ")") return false;
        } else return false;
      } else if (["=", "==", "!=", ">", "<"].includes(op)) {
        const v = look(true);
        if (v === "END" || v === ",") values.push("");
        else {
          const [vt, vl] = take(true);
          if (vt !== "ID") return false;
          values.push(vl);
        }
        if ((op === ">" || op === "<") && !parseInt64(bytes(values[0]))) return false;
      } else return false;
      if (!values.every(labelValueOK)) return false;
    }
    const [after] = take(true);
    if (after === "END") return true;
    if (after !== ",") return false;
    const next = look(true);
    if (next !== "ID" && next !== "!") return false;
  }
}

// Convert_Slice_string_To_bool
function convertBool(v: B): boolean {
  const s = goText(v);
  if (s === "0") return false;
  // strings.EqualFold(s, "false"): simple case folding; U+017F folds to "s"
  const folded = s.replace(/\u017f/g, "s").toLowerCase();
  return !(folded === "false" && [...s].length === 5 && /^[fFaAlLsS\u017feE]+$/.test(s));
}

export function newRequestInfo(method: string, target: string): Info {
  const info: Info = {
    isResourceRequest: false, path: "", verb: method.replace(/[A-Z]/g, (c) => c.toLowerCase()), apiPrefix: "",
    apiGroup: "", apiVersion: "", namespace: "", resource: "", subresource: "", name: "", parts: [],
  };
  const raw = bytes(target);
  if (raw.some((c) => c < 0x20 || c === 0x7f)) return { ...info, path: target, error: "net/url: invalid control character in URL" };
  const q = indexOf(raw, 0x3f);
  const rawPath = q < 0 ? raw : raw.subarray(0, q);
  const rawQuery = q < 0 ? new Uint8Array(0) : raw.subarray(q + 1);
  if (rawPath.length > 0 && rawPath[0] !== 0x2f && target !== "*") return { ...info, path: goText(rawPath), error: "invalid URI for request" };
  const path = unescape(rawPath, false);
  if (path === null) return { ...info, path: goText(rawPath), error: "invalid URL escape" };
  info.path = goText(path);

  let a = 0, b = path.length;
  while (a < b && path[a] === 0x2f) a++;
  while (b > a && path[b - 1] === 0x2f) b--;
  let parts = a === b ? [] : split(path.subarray(a, b), 0x2f);
  if (parts.length < 3) return info;
  if (!eq(parts[0], "api") && !eq(parts[0], "apis")) return info;
  info.apiPrefix = goText(parts[0]);
  parts = parts.slice(1);
  if (info.apiPrefix !== "api") {
    if (parts.length < 3) return info;
    info.apiGroup = goText(parts[0]);
    parts = parts.slice(1);
  }
  info.isResourceRequest = true;
  info.apiVersion = goText(parts[0]);
  parts = parts.slice(1);
  if (eq(parts[0], "proxy") || eq(parts[0], "watch")) {
    if (parts.length < 2) return { ...info, error: "unable to determine kind and namespace from url" };
    info.verb = goText(parts[0]);
    parts = parts.slice(1);
  } else {
    info.verb = ({ POST: "create", GET: "get", HEAD: "get", PUT: "update", PATCH: "patch", DELETE: "delete" } as Record<string, string>)[method] ?? "";
  }
  if (eq(parts[0], "namespaces")) {
    if (parts.length > 1) {
      info.namespace = goText(parts[1]);
      if (parts.length > 2 && !eq(parts[2], "status") && !eq(parts[2], "finalize")) parts = parts.slice(2);
    }
  }
  info.parts = parts.map(goText);
  let nameBytes: B = new Uint8Array(0);
  if (parts.length >= 3 && info.verb !== "proxy") info.subresource = goText(parts[2]);
  if (parts.length >= 2) nameBytes = parts[1];
  if (parts.length >= 1) info.resource = goText(parts[0]);

  if (nameBytes.length === 0 && info.verb === "get") {
    const query = parseQuery(rawQuery);
    const first = (k: string) => query.get(k)?.[0];
    let ok = true, watch = false;
    let name: B | null = null;
    if (query.size > 0) {
      const w = first("watch");
      if (w !== undefined) watch = convertBool(w);
      for (const k of ["timeoutSeconds", "limit"]) { const v = first(k); if (v !== undefined && !parseInt64(v)) ok = false; }
      const ls = first("labelSelector");
      if (ls !== undefined && !labelsParse(ls)) ok = false;
      const fs = first("fieldSelector");
      if (fs !== undefined) {
        const m = fieldExactMatch(fs, "metadata.name");
        if (m === undefined) ok = false;
        else name = m;
      }
    }
    if (ok) {
      info.verb = watch ? "watch" : "list";
      if (name !== null && !eq(name, ".") && !eq(name, "..") && indexOf(name, 0x2f) < 0 && indexOf(name, 0x25) < 0) nameBytes = name;
    } else {
      const w = first("watch");
      const l = w === undefined ? "" : goText(w).replace(/[A-Z]/g, (c) => c.toLowerCase());
      info.verb = w !== undefined && l !== "false" && l !== "0" ? "watch" : "list";
    }
  }
  info.name = goText(nameBytes);
  if (info.name.length === 0 && info.verb === "delete") info.verb = "deletecollection";
  return info;
}

export { cat as concatBytes };
