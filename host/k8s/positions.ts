// Source positions: offsets to line/column, and locators that find the offset of a path inside a parsed value,
// either by walking yaml's AST or by scanning JSON text. Browser-safe.
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type YAMLMap } from "yaml";
import { jsonArrayElements, jsonLocate } from "./json-scan.js";
import type { PathSegment } from "./types.js";

export class LineIndex {
  private starts: number[] | undefined;
  constructor(private readonly text: string) {}

  /** 1-based line and column of a 0-based offset. */
  position(offset: number): { line: number; column: number } {
    const starts = (this.starts ??= lineStarts(this.text));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo] + 1 };
  }
}

function lineStarts(text: string): number[] {
  const starts = [0];
  let i = text.indexOf("\n");
  while (i >= 0) {
    starts.push(i + 1);
    i = text.indexOf("\n", i + 1);
  }
  return starts;
}

/** Finds offsets of values below one parsed value (a document, a list item). */
export interface Locator {
  /** Where the value itself starts. */
  readonly offset: number;
  offsetOf(path: readonly PathSegment[]): number | undefined;
  /**
   * Locators of the first `count` elements of the sequence at `path` (list items). May be lazy: for JSON the
   * element offsets are found by one scan of the text, done only when a position is first asked for.
   */
  elements(path: readonly PathSegment[], count: number): Locator[];
}

/** Offset of the deepest prefix of `path` that can be located; the value's own offset at worst. */
export function nearestOffset(loc: Locator, path: readonly PathSegment[]): number {
  for (let n = path.length; n > 0; n--) {
    const o = loc.offsetOf(n === path.length ? path : path.slice(0, n));
    if (o !== undefined) return o;
  }
  return loc.offset;
}

/** The (valid) JSON value starting at an offset that is found on first use. */
export class JsonLocator implements Locator {
  private at: number | (() => number);
  constructor(private readonly text: string, offset: number | (() => number)) {
    this.at = offset;
  }
  get offset(): number {
    if (typeof this.at === "function") this.at = this.at();
    return this.at;
  }
  offsetOf(path: readonly PathSegment[]): number | undefined {
    return jsonLocate(this.text, this.offset, path);
  }
  elements(path: readonly PathSegment[], count: number): Locator[] {
    let offsets: number[] | undefined | null = null;
    const get = (i: number): number => {
      if (offsets === null) {
        const at = this.offsetOf(path);
        offsets = at === undefined ? undefined : jsonArrayElements(this.text, at);
      }
      return offsets?.[i] ?? this.offset;
    };
    const out: Locator[] = new Array(count);
    for (let i = 0; i < count; i++) out[i] = new JsonLocator(this.text, () => get(i));
    return out;
  }
}

type AnyNode = unknown;

function rangeStart(n: AnyNode): number | undefined {
  const r = (n as { range?: [number, number, number] } | null)?.range;
  return r ? r[0] : undefined;
}

function isEmptyScalar(n: AnyNode): boolean {
  const r = (n as { range?: [number, number, number] } | null)?.range;
  return isScalar(n) && n.value === null && (!r || r[0] === r[1]);
}

function toIndex(seg: PathSegment): number | undefined {
  if (typeof seg === "number") return Number.isInteger(seg) && seg >= 0 ? seg : undefined;
  return /^(0|[1-9][0-9]*)$/.test(seg) ? Number(seg) : undefined;
}

function isMergeKey(k: AnyNode): boolean {
  return isScalar(k) && (typeof k.value === "symbol" || k.source === "<<");
}

export class YamlLocator implements Locator {
  readonly offset: number;
  constructor(private readonly doc: Document, private readonly node: AnyNode, fallbackOffset = 0) {
    this.offset = rangeStart(node) ?? fallbackOffset;
  }

  private resolve(n: AnyNode): AnyNode {
    for (let guard = 0; isAlias(n) && guard < 64; guard++) n = n.resolve(this.doc) ?? null;
    return n;
  }

  private findPair(map: YAMLMap, key: string, depth: number): { key: AnyNode; value: AnyNode } | undefined {
    const items = map.items;
    for (let i = items.length - 1; i >= 0; i--) {
      const p = items[i];
      if (isScalar(p.key) && !isMergeKey(p.key) && String(p.key.value ?? "") === key) return p;
    }
    if (depth > 16) return undefined;
    // `<<: *anchor` / `<<: [*a, *b]`: explicit keys win, then the merged maps in order
    for (const p of items) {
      if (!isMergeKey(p.key)) continue;
      const v = this.resolve(p.value);
      const sources = isSeq(v) ? v.items.map((s) => this.resolve(s)) : [v];
      for (const s of sources) {
        if (!isMap(s)) continue;
        const found = this.findPair(s, key, depth + 1);
        if (found) return found;
      }
    }
    return undefined;
  }

  private find(path: readonly PathSegment[]): { node: AnyNode; key: AnyNode } | undefined {
    let node: AnyNode = this.node;
    let key: AnyNode = null;
    for (const seg of path) {
      node = this.resolve(node);
      if (isMap(node)) {
        const p = this.findPair(node, String(seg), 0);
        if (!p) return undefined;
        key = p.key;
        node = p.value;
      } else if (isSeq(node)) {
        const idx = toIndex(seg);
        if (idx === undefined || idx >= node.items.length) return undefined;
        node = node.items[idx];
        key = null;
        if (isPair(node)) return undefined; // `[a: 1]`: a single-pair map in a flow sequence
      } else {
        return undefined;
      }
    }
    return { node, key };
  }

  offsetOf(path: readonly PathSegment[]): number | undefined {
    const f = this.find(path);
    if (!f) return undefined;
    // `key:` with no value: point at the key
    if ((f.node == null || isEmptyScalar(f.node)) && f.key != null) return rangeStart(f.key);
    return rangeStart(f.node) ?? rangeStart(f.key);
  }

  elements(path: readonly PathSegment[], count: number): Locator[] {
    const f = this.find(path);
    const seq = f ? this.resolve(f.node) : undefined;
    const out: Locator[] = [];
    for (let i = 0; i < count; i++) {
      out.push(isSeq(seq) && i < seq.items.length
        ? new YamlLocator(this.doc, seq.items[i], rangeStart(seq) ?? this.offset)
        : new PrefixLocator(this, [...path, i]));
    }
    return out;
  }
}

/** A locator for the value at `prefix` below another locator (used when a one-pass element scan is unavailable). */
export class PrefixLocator implements Locator {
  readonly offset: number;
  constructor(private readonly parent: Locator, private readonly prefix: readonly PathSegment[]) {
    this.offset = nearestOffset(parent, prefix);
  }
  offsetOf(path: readonly PathSegment[]): number | undefined {
    return this.parent.offsetOf([...this.prefix, ...path]);
  }
  elements(path: readonly PathSegment[], count: number): Locator[] {
    return this.parent.elements([...this.prefix, ...path], count);
  }
}
