// Parses the text of one file (or stdin) into Kubernetes objects with source positions. Browser-safe: no Node
// imports; host/k8s/load-fs.ts adds paths, directories and stdin on top.
//
// - YAML: every document of a stream (`---`); a document with syntax errors is reported and contributes nothing,
//   the other documents still load.
// - JSON (text starting with `{` or `[`): JSON.parse for speed, positions found by scanning the text on demand;
//   concatenated values (`{..}{..}`) are accepted like kubectl does. A `.json` file must be JSON; other text that
//   is not JSON but YAML in flow style (e.g. `{...}\n---\n{...}`) falls back to the YAML parser.
// - `kind: List` and typed lists (`RoleList`, any `*List` with an `items` sequence) are flattened; items of a typed
//   list lacking kind/apiVersion get them from the list.
import { parseAllDocuments, visit, type Document } from "yaml";
import { JsonLocator, LineIndex, nearestOffset, YamlLocator, type Locator } from "./positions.js";
import { scanJsonStream } from "./json-scan.js";
import { describeValue, isPlainObject, normalizeObject } from "./normalize.js";
import {
  MAX_ALIAS_COUNT,
  MAX_FILE_BYTES,
  MAX_LIST_DEPTH,
  type LoadDiagnostic,
  type LoadDiagnosticCode,
  type LoadedObject,
  type LoadResult,
  type ParseOptions,
  type PathSegment,
  type SourcePosition,
} from "./types.js";

class Loaded implements LoadedObject {
  private src: SourcePosition | undefined;
  constructor(
    readonly object: any,
    private readonly file: string,
    private readonly lines: LineIndex,
    private readonly locator: Locator,
    /** normalised array path (JSON) → source index of each kept element */
    private readonly remaps: Map<string, number[]> | undefined,
  ) {}

  // computed on first use: positions in a large JSON file cost a scan of the text that a run without diagnostics
  // or position lookups never needs
  get source(): SourcePosition {
    return (this.src ??= { file: this.file, ...this.lines.position(this.locator.offset) });
  }

  positionOf(path: PathSegment[]): SourcePosition | undefined {
    let src: PathSegment[] = path;
    if (this.remaps) {
      src = [];
      for (let i = 0; i < path.length; i++) {
        const seg = path[i];
        const remap = typeof seg === "number" ? this.remaps.get(JSON.stringify(path.slice(0, i))) : undefined;
        if (remap) {
          const orig = remap[seg as number];
          if (orig === undefined) return undefined;
          src.push(orig);
        } else {
          src.push(seg);
        }
      }
    }
    const off = this.locator.offsetOf(src);
    return off === undefined ? undefined : { file: this.file, ...this.lines.position(off) };
  }
}

function hasAlias(doc: Document): boolean {
  let found = false;
  visit(doc, {
    Alias() {
      found = true;
      return visit.BREAK;
    },
  });
  return found;
}

/** Whether a value refers to itself (`a: &x {b: *x}` makes yaml build a circular structure). */
function isCircular(root: unknown): boolean {
  const done = new Set<object>();
  const onPath = new Set<object>();
  const walk = (v: unknown): boolean => {
    if (typeof v !== "object" || v === null || done.has(v)) return false;
    if (onPath.has(v)) return true;
    onPath.add(v);
    for (const c of Array.isArray(v) ? v : Object.values(v)) if (walk(c)) return true;
    onPath.delete(v);
    done.add(v);
    return false;
  };
  return walk(root);
}

function firstSignificant(text: string): number {
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    i++;
  }
  return i;
}

class FileParser {
  readonly objects: LoadedObject[] = [];
  readonly diagnostics: LoadDiagnostic[] = [];
  readonly lines: LineIndex;

  constructor(
    private readonly text: string,
    private readonly file: string,
    private readonly opts: ParseOptions,
  ) {
    this.lines = new LineIndex(text);
  }

  diag(
    severity: "error" | "warning",
    code: LoadDiagnosticCode,
    message: string,
    offset?: number,
    path?: readonly PathSegment[],
  ): void {
    const d: LoadDiagnostic = { severity, code, message, file: this.file };
    if (offset !== undefined) Object.assign(d, this.lines.position(offset));
    if (path !== undefined && path.length > 0) d.path = [...path];
    this.diagnostics.push(d);
  }

  run(): void {
    const start = firstSignificant(this.text);
    if (start >= this.text.length) return;
    const c = this.text[start];
    if (c === "{" || c === "[") this.parseJson(start);
    else this.parseYaml(this.parseYamlDocs());
  }

  private parseYamlDocs(): Document.Parsed[] | undefined {
    try {
      return Array.from(
        parseAllDocuments(this.text, {
          prettyErrors: false,
          merge: true, // `<<: *anchor`, as kubectl (go-yaml) supports
          uniqueKeys: true,
          logLevel: "silent",
        }) as Iterable<Document.Parsed>,
      );
    } catch (e) {
      this.diag("error", "PARSE_FAILED", `cannot parse: ${(e as Error).message}`);
      return undefined;
    }
  }

  private parseJson(start: number): void {
    let value: unknown;
    try {
      value = JSON.parse(this.text);
    } catch {
      const { values, error } = scanJsonStream(this.text, start);
      if (!error) {
        for (const v of values) this.emit(v.value, new JsonLocator(this.text, v.offset), undefined, 0);
        return;
      }
      // a .json file must be JSON (as for kubectl); elsewhere this may be YAML in flow style (several documents,
      // comments, ...): if it parses as YAML it is YAML, and if not, the JSON error is the better message unless the
      // file says it is YAML
      const report = (): void => {
        for (const v of values) this.emit(v.value, new JsonLocator(this.text, v.offset), undefined, 0);
        this.diag("error", "JSON_SYNTAX", error.message, error.offset);
      };
      if (/\.json$/i.test(this.file)) return report();
      const docs = this.parseYamlDocs();
      if (!docs) return;
      const yamlOk = docs.every((d) => d.errors.length === 0);
      if (yamlOk || /\.ya?ml$/i.test(this.file)) {
        this.parseYaml(docs);
        return;
      }
      return report();
    }
    this.emit(value, new JsonLocator(this.text, start), undefined, 0);
  }

  private parseYaml(docs: Document.Parsed[] | undefined): void {
    if (!docs) return;
    const maxAliasCount = this.opts.maxAliasCount ?? MAX_ALIAS_COUNT;
    for (const doc of docs) {
      if (doc.errors.length > 0) {
        for (const e of doc.errors) this.diag("error", "YAML_SYNTAX", e.message, e.pos[0]);
        continue;
      }
      for (const w of doc.warnings) this.diag("warning", "YAML_WARNING", w.message, w.pos[0]);
      if (doc.contents == null) continue;
      let value: unknown;
      try {
        value = doc.toJS({ maxAliasCount });
      } catch (e) {
        const msg = (e as Error).message;
        const offset = doc.contents.range?.[0];
        if (/alias/i.test(msg)) {
          this.diag("error", "ALIAS_LIMIT", `document expands more than ${maxAliasCount} aliases; refused`, offset);
        } else {
          this.diag("error", "PARSE_FAILED", `cannot convert document: ${msg}`, offset);
        }
        continue;
      }
      if (hasAlias(doc) && isCircular(value)) {
        this.diag("error", "CIRCULAR_ALIAS", "an alias refers to a node that contains it; document refused", doc.contents.range?.[0]);
        continue;
      }
      this.emit(value, new YamlLocator(doc, doc.contents, doc.range[0]), undefined, 0);
    }
  }

  private emit(value: unknown, loc: Locator, inherit: { kind: string; apiVersion: unknown } | undefined, depth: number): void {
    if (value === null || value === undefined) return;
    if (!isPlainObject(value)) {
      this.diag("warning", "NOT_AN_OBJECT", `expected a Kubernetes object (a mapping), found ${describeValue(value)}; skipped`, loc.offset);
      return;
    }
    if (inherit) {
      if (value.kind === undefined || value.kind === null || value.kind === "") value.kind = inherit.kind;
      if ((value.apiVersion === undefined || value.apiVersion === null || value.apiVersion === "") && typeof inherit.apiVersion === "string") {
        value.apiVersion = inherit.apiVersion;
      }
    }
    const kind = value.kind;
    if (typeof kind !== "string" || kind === "") {
      const present = kind !== undefined && kind !== null && kind !== "";
      this.diag(
        "warning",
        "MISSING_KIND",
        present ? `\`kind\` must be a string, found ${describeValue(kind)}; object skipped` : "object has no `kind`; skipped",
        present ? nearestOffset(loc, ["kind"]) : loc.offset,
        present ? ["kind"] : undefined,
      );
      return;
    }
    const items = value.items;
    if (kind === "List" || (kind.length > 4 && kind.endsWith("List") && Array.isArray(items))) {
      if (!Array.isArray(items)) {
        if (items !== undefined && items !== null) {
          this.diag("warning", "INVALID_FIELD", `\`items\` must be a sequence, found ${describeValue(items)}; list skipped`,
            nearestOffset(loc, ["items"]), ["items"]);
        }
        return;
      }
      if (depth >= MAX_LIST_DEPTH) {
        this.diag("warning", "LIST_TOO_DEEP", `lists nested more than ${MAX_LIST_DEPTH} deep; inner list skipped`, loc.offset);
        return;
      }
      const itemInherit = kind === "List" ? undefined : { kind: kind.slice(0, -4), apiVersion: value.apiVersion };
      const locs = loc.elements(["items"], items.length);
      for (let i = 0; i < items.length; i++) this.emit(items[i], locs[i], itemInherit, depth + 1);
      return;
    }
    let remaps: Map<string, number[]> | undefined;
    normalizeObject(value, {
      warn: (code, message, path) => this.diag("warning", code, message, nearestOffset(loc, path), path),
      remap: (path, kept) => (remaps ??= new Map()).set(JSON.stringify(path), kept),
    });
    this.objects.push(new Loaded(value, this.file, this.lines, loc, remaps));
  }
}

/** Parses one file's text. `file` is only used in positions and diagnostics. */
export function parseText(text: string, file: string, opts: ParseOptions = {}): LoadResult {
  const max = opts.maxBytes ?? MAX_FILE_BYTES;
  if (text.length > max) {
    return {
      objects: [],
      diagnostics: [{ severity: "error", code: "TOO_LARGE", message: `input is larger than the limit of ${max} bytes; not read`, file }],
    };
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const p = new FileParser(text, file, opts);
  p.run();
  return { objects: p.objects, diagnostics: p.diagnostics };
}

/** `file:line:col: error: message [CODE]`, as compilers and kubectl print them. */
export function formatDiagnostic(d: LoadDiagnostic): string {
  let where = d.file;
  if (d.line !== undefined) {
    where += `:${d.line}`;
    if (d.column !== undefined) where += `:${d.column}`;
  }
  return `${where}: ${d.severity}: ${d.message} [${d.code}]`;
}

export { apiGroupOf, rbacKindOf, RBAC_GROUP, RBAC_KINDS, RBAC_V1, SUBJECT_KINDS, formatPath } from "./normalize.js";
export * from "./types.js";
