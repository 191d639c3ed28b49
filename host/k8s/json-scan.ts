// Hand-written JSON scanning used next to JSON.parse: JSON.parse gives the values fast but no positions, so
// positions are found on demand by skipping over the text (linear, no allocation per value), and syntax errors
// and concatenated JSON values (`{...}{...}`, as `jq` prints and kubectl accepts) are handled by a validating
// scanner that runs only when JSON.parse fails. Browser-safe.
import type { PathSegment } from "./types.js";

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

export function skipWs(t: string, i: number): number {
  const n = t.length;
  while (i < n && isWs(t.charCodeAt(i))) i++;
  return i;
}

/** Index after the string starting at `i` (t[i] is the opening quote); t.length when unterminated. */
function skipString(t: string, i: number): number {
  const open = i;
  i++;
  for (;;) {
    const q = t.indexOf('"', i);
    if (q < 0) return t.length;
    let b = q - 1;
    while (b > open && t.charCodeAt(b) === BACKSLASH) b--;
    if ((q - 1 - b) % 2 === 0) return q + 1;
    i = q + 1;
  }
}

/** Index after the value starting at `i`, assuming valid JSON. */
function skipValue(t: string, i: number): number {
  const n = t.length;
  const c = t.charCodeAt(i);
  if (c === QUOTE) return skipString(t, i);
  if (c === LBRACE || c === LBRACKET) {
    let depth = 0;
    while (i < n) {
      const ch = t.charCodeAt(i);
      if (ch === QUOTE) {
        i = skipString(t, i);
        continue;
      }
      if (ch === LBRACE || ch === LBRACKET) depth++;
      else if (ch === RBRACE || ch === RBRACKET) {
        depth--;
        if (depth === 0) return i + 1;
      }
      i++;
    }
    return n;
  }
  while (i < n) {
    const ch = t.charCodeAt(i);
    if (ch === COMMA || ch === RBRACE || ch === RBRACKET || isWs(ch)) break;
    i++;
  }
  return i;
}

function readKey(t: string, i: number, end: number): string {
  const raw = t.slice(i + 1, end - 1);
  if (raw.indexOf("\\") < 0) return raw;
  try {
    return JSON.parse(t.slice(i, end)) as string;
  } catch {
    return raw;
  }
}

/** Offset of the member `key` of the object at `i` (the last one when duplicated, as JSON.parse keeps). */
function memberOffset(t: string, i: number, key: string): number | undefined {
  const n = t.length;
  i = skipWs(t, i + 1);
  let found: number | undefined;
  while (i < n && t.charCodeAt(i) === QUOTE) {
    const keyEnd = skipString(t, i);
    const k = readKey(t, i, keyEnd);
    i = skipWs(t, keyEnd);
    if (t.charCodeAt(i) !== COLON) return found;
    i = skipWs(t, i + 1);
    if (k === key) found = i;
    i = skipWs(t, skipValue(t, i));
    if (t.charCodeAt(i) !== COMMA) break;
    i = skipWs(t, i + 1);
  }
  return found;
}

/** Offsets of all elements of the array at `i`. */
export function jsonArrayElements(t: string, i: number): number[] | undefined {
  if (t.charCodeAt(i) !== LBRACKET) return undefined;
  const n = t.length;
  const out: number[] = [];
  i = skipWs(t, i + 1);
  if (t.charCodeAt(i) === RBRACKET) return out;
  while (i < n) {
    out.push(i);
    i = skipWs(t, skipValue(t, i));
    if (t.charCodeAt(i) !== COMMA) break;
    i = skipWs(t, i + 1);
  }
  return out;
}

function toIndex(seg: PathSegment): number | undefined {
  if (typeof seg === "number") return Number.isInteger(seg) && seg >= 0 ? seg : undefined;
  return /^(0|[1-9][0-9]*)$/.test(seg) ? Number(seg) : undefined;
}

/** Offset of the value at `path` below the (valid) JSON value starting at `start`. */
export function jsonLocate(t: string, start: number, path: readonly PathSegment[]): number | undefined {
  let i = start;
  for (const seg of path) {
    const c = t.charCodeAt(i);
    if (c === LBRACE) {
      const next = memberOffset(t, i, String(seg));
      if (next === undefined) return undefined;
      i = next;
    } else if (c === LBRACKET) {
      const idx = toIndex(seg);
      if (idx === undefined) return undefined;
      const n = t.length;
      let j = skipWs(t, i + 1);
      if (t.charCodeAt(j) === RBRACKET) return undefined;
      for (let k = 0; k < idx; k++) {
        j = skipWs(t, skipValue(t, j));
        if (t.charCodeAt(j) !== COMMA) return undefined;
        j = skipWs(t, j + 1);
        if (j >= n) return undefined;
      }
      i = j;
    } else {
      return undefined;
    }
  }
  return i;
}

export class JsonScanError extends Error {
  constructor(message: string, public readonly offset: number) {
    super(message);
  }
}

function describeAt(t: string, i: number): string {
  if (i >= t.length) return "end of input";
  const ch = t[i];
  return ch === "`" ? "'`'" : "`" + ch + "`";
}

function scanString(t: string, i: number): number {
  const open = i;
  const n = t.length;
  i++;
  while (i < n) {
    const c = t.charCodeAt(i);
    if (c === QUOTE) return i + 1;
    if (c < 0x20) throw new JsonScanError("bad control character in string", i);
    if (c === BACKSLASH) {
      const e = t[i + 1];
      if (e === "u") {
        if (!/^[0-9a-fA-F]{4}$/.test(t.slice(i + 2, i + 6))) throw new JsonScanError("bad unicode escape in string", i);
        i += 6;
        continue;
      }
      if (e === undefined || '"\\/bfnrt'.indexOf(e) < 0) throw new JsonScanError("bad escape in string", i);
      i += 2;
      continue;
    }
    i++;
  }
  throw new JsonScanError("unterminated string", open);
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

function scanScalar(t: string, i: number): number {
  const c = t[i];
  if (c === '"') return scanString(t, i);
  if (c === "-" || (c >= "0" && c <= "9")) {
    NUMBER.lastIndex = i;
    if (NUMBER.test(t)) return NUMBER.lastIndex;
    throw new JsonScanError("bad number", i);
  }
  for (const lit of ["true", "false", "null"]) if (t.startsWith(lit, i)) return i + lit.length;
  throw new JsonScanError("unexpected " + describeAt(t, i), i);
}

/** Validates the value at `i` (whitespace skipped first) and returns the index after it; throws JsonScanError. */
export function scanJsonValue(t: string, i: number): number {
  const OBJ = 1;
  const ARR = 2;
  const stack: number[] = [];
  const keyColon = (j: number): number => {
    if (t.charCodeAt(j) !== QUOTE) throw new JsonScanError("expected double-quoted property name, found " + describeAt(t, j), j);
    j = skipWs(t, scanString(t, j));
    if (t.charCodeAt(j) !== COLON) throw new JsonScanError("expected `:` after property name, found " + describeAt(t, j), j);
    return j + 1;
  };
  for (;;) {
    i = skipWs(t, i);
    const c = t.charCodeAt(i);
    let opened = false;
    if (c === LBRACE) {
      i = skipWs(t, i + 1);
      if (t.charCodeAt(i) === RBRACE) i++;
      else {
        stack.push(OBJ);
        i = keyColon(i);
        opened = true;
      }
    } else if (c === LBRACKET) {
      i = skipWs(t, i + 1);
      if (t.charCodeAt(i) === RBRACKET) i++;
      else {
        stack.push(ARR);
        opened = true;
      }
    } else {
      i = scanScalar(t, i);
    }
    if (opened) continue;
    // a value is complete: close what it completes
    for (;;) {
      if (stack.length === 0) return i;
      i = skipWs(t, i);
      const top = stack[stack.length - 1];
      const d = t.charCodeAt(i);
      if (d === COMMA) {
        i = skipWs(t, i + 1);
        if (top === OBJ) i = keyColon(i);
        break;
      }
      if ((top === OBJ && d === RBRACE) || (top === ARR && d === RBRACKET)) {
        stack.pop();
        i++;
        continue;
      }
      throw new JsonScanError(
        (top === OBJ ? "expected `,` or `}` after property value, found " : "expected `,` or `]` after array element, found ") +
          describeAt(t, i),
        i,
      );
    }
  }
}

export interface JsonStreamValue {
  value: unknown;
  offset: number;
}

/**
 * Splits concatenated JSON values. Returns the values before the first syntax error and that error, if any.
 */
export function scanJsonStream(t: string, start: number): { values: JsonStreamValue[]; error?: JsonScanError } {
  const values: JsonStreamValue[] = [];
  let i = start;
  for (;;) {
    i = skipWs(t, i);
    if (i >= t.length) return { values };
    let end: number;
    try {
      end = scanJsonValue(t, i);
    } catch (e) {
      if (e instanceof JsonScanError) return { values, error: e };
      throw e;
    }
    try {
      values.push({ value: JSON.parse(t.slice(i, end)), offset: i });
    } catch (e) {
      return { values, error: new JsonScanError(String((e as Error).message), i) };
    }
    i = end;
  }
}
