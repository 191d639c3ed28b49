// Where a lint finding sits in the input files: the finding's fieldPath ("rules[2].verbs[0]") parsed into a path,
// located with the loader's positionOf, and widened to the lines of the enclosing element (the rule, the subject,
// the whole object) so a viewer can highlight them. Browser-safe: no Node imports.
import type { LoadedObject, PathSegment, SourcePosition } from "../k8s/types.js";

/** A finding's place: the exact node (line, column) and the lines of its enclosing element (from..to, inclusive). */
export interface FindingLocation extends SourcePosition {
  from: number;
  to: number;
}

/**
 * Parses a finding's fieldPath: dotted keys, `[n]` indexes and `["quoted key"]` (JSON string) segments.
 * "" is the object itself ([]); undefined when the text is not a path.
 */
export function parseFieldPath(text: string): PathSegment[] | undefined {
  const out: PathSegment[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ".") {
      if (i === 0 || i === text.length - 1) return undefined;
      i++;
      continue;
    }
    if (c === "[") {
      if (text[i + 1] === "\"") {
        // a JSON string: find its closing quote (skipping escapes), then `]`
        let j = i + 2;
        while (j < text.length && text[j] !== "\"") j += text[j] === "\\" ? 2 : 1;
        if (text[j + 1] !== "]") return undefined;
        try {
          out.push(JSON.parse(text.slice(i + 1, j + 1)) as string);
        } catch {
          return undefined;
        }
        i = j + 2;
        continue;
      }
      const m = /^\[(\d+)\]/.exec(text.slice(i));
      if (!m) return undefined;
      out.push(Number(m[1]));
      i += m[0].length;
      continue;
    }
    let j = i;
    while (j < text.length && text[j] !== "." && text[j] !== "[") j++;
    out.push(text.slice(i, j));
    i = j;
  }
  return out;
}

/** `Kind/namespace/name`, the key findings use for objects (cluster-scoped objects: empty namespace). */
export function objectKey(o: unknown): string {
  const obj = (o ?? {}) as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } };
  const s = (v: unknown) => (typeof v === "string" ? v : "");
  return `${s(obj.kind)}/${s(obj.metadata?.namespace)}/${s(obj.metadata?.name)}`;
}

// The element whose lines are highlighted: the path up to its first index (rules[2], subjects[1], volumes[0]), the
// node itself when it has no index, the object when the path is empty.
function contextPath(path: PathSegment[]): PathSegment[] {
  const k = path.findIndex((s) => typeof s === "number");
  return k < 0 ? path : path.slice(0, k + 1);
}

function valueAt(root: unknown, path: PathSegment[]): unknown {
  let v: any = root;
  for (const s of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = v[s as any];
  }
  return v;
}

/** Lines of the input files, and the start lines of the objects of each file, for range ends. */
export class SourceIndex {
  private readonly lines = new Map<string, string[]>();
  private readonly starts = new Map<string, number[]>();
  private byKey: Map<string, number> | undefined;

  constructor(private readonly objects: readonly LoadedObject[], private readonly texts: ReadonlyMap<string, string>) {}

  private fileLines(file: string): string[] {
    let l = this.lines.get(file);
    if (!l) {
      l = (this.texts.get(file) ?? "").split("\n");
      this.lines.set(file, l);
    }
    return l;
  }

  private objectStarts(file: string): number[] {
    let s = this.starts.get(file);
    if (!s) {
      s = this.objects.filter((o) => o.source.file === file).map((o) => o.source.line).sort((a, b) => a - b);
      this.starts.set(file, s);
    }
    return s;
  }

  /** Index of the first object with this `Kind/namespace/name`, or -1. */
  indexOf(key: string): number {
    if (!this.byKey) {
      this.byKey = new Map();
      this.objects.forEach((o, i) => {
        const k = objectKey(o.object);
        if (!this.byKey!.has(k)) this.byKey!.set(k, i);
      });
    }
    return this.byKey.get(key) ?? -1;
  }

  /** Where the object at `index` starts, and its lines. */
  objectLocation(index: number): FindingLocation | undefined {
    return this.locate(index, "");
  }

  /** Where a finding's node is; undefined for findings about no input object (configuration findings). */
  locate(objectIndex: number, fieldPath: string): FindingLocation | undefined {
    const o = this.objects[objectIndex];
    if (!o) return undefined;
    const path = parseFieldPath(fieldPath) ?? [];
    // the deepest prefix of the path that has a position (a default filled in by the loader has none)
    let exact: SourcePosition | undefined;
    for (let n = path.length; n > 0 && !exact; n--) exact = o.positionOf(path.slice(0, n));
    exact ??= o.source;
    const ctx = contextPath(path);
    const start = (ctx.length > 0 ? o.positionOf(ctx) : undefined) ?? (ctx.length > 0 ? exact : o.source);
    const to = this.rangeEnd(o, ctx, start);
    return { ...exact, from: Math.min(start.line, exact.line), to: Math.max(to, exact.line) };
  }

  // The last line of the element at `ctx` (starting at `start`): the line before the nearest later start among the
  // next element of its sequence, the other keys of the mappings around it and the next object of the file, without
  // trailing blank, comment and separator lines or lines indented less than the element (an outer level's key).
  private rangeEnd(o: LoadedObject, ctx: PathSegment[], start: SourcePosition): number {
    const lines = this.fileLines(start.file);
    let limit = lines.length + 1;
    const consider = (p: SourcePosition | undefined) => {
      if (p && p.file === start.file && p.line > start.line && p.line < limit) limit = p.line;
    };
    for (const s of this.objectStarts(start.file)) {
      if (s > start.line) {
        if (s < limit) limit = s;
        break;
      }
    }
    for (let k = ctx.length; k >= 1; k--) {
      const parentPath = ctx.slice(0, k - 1);
      const seg = ctx[k - 1];
      const parent = valueAt(o.object, parentPath);
      if (typeof seg === "number") {
        if (Array.isArray(parent) && seg + 1 < parent.length) consider(o.positionOf([...parentPath, seg + 1]));
      } else if (parent && typeof parent === "object") {
        for (const key of Object.keys(parent)) if (key !== seg) consider(o.positionOf([...parentPath, key]));
      }
    }
    const indent = start.column - 1;
    let end = limit - 1;
    while (end > start.line) {
      const line = lines[end - 1] ?? "";
      const trimmed = line.trim();
      const lead = line.length - line.trimStart().length;
      if (trimmed === "" || trimmed.startsWith("#") || trimmed === "---" || trimmed === "..." || lead < indent) end--;
      else break;
    }
    return end;
  }

}
