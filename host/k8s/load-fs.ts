// Node side of the loader: files, directories (recursive) and stdin, parsed with host/k8s/parse.ts.
import { createReadStream, promises as fs, type Stats } from "node:fs";
import * as path from "node:path";
import { parseText } from "./parse.js";
import { MAX_ALIAS_COUNT, MAX_FILE_BYTES, type LoadDiagnostic, type LoadResult } from "./types.js";

export interface LoadOptions {
  /** What `-` reads: a string, a stream, or (by default) process.stdin. */
  stdin?: NodeJS.ReadableStream | string;
  /** Per-file (and stdin) size limit in bytes; TOO_LARGE beyond it. Default 64 MiB. */
  maxFileBytes?: number;
  maxAliasCount?: number;
}

export const STDIN_NAME = "<stdin>";
const MANIFEST_EXT = /\.(ya?ml|json)$/i;
const CONCURRENCY = 16;

type Source = { kind: "file"; path: string } | { kind: "stdin" } | { kind: "diag"; diag: LoadDiagnostic };

function errorDiag(code: "NOT_FOUND" | "READ_ERROR" | "TOO_LARGE", file: string, message: string): LoadDiagnostic {
  return { severity: "error", code, message, file };
}

function errnoCode(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | null)?.code;
}

function readError(file: string, e: unknown): LoadDiagnostic {
  const code = errnoCode(e);
  if (code === "ENOENT" || code === "ENOTDIR") return errorDiag("NOT_FOUND", file, "no such file or directory");
  return errorDiag("READ_ERROR", file, `cannot read: ${(e as Error).message}`);
}

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Manifest files below `dir`, depth-first with entries sorted by name (code unit order, independent of locale).
 * Skips entries whose name starts with `.` and `node_modules`; follows symlinks but visits each directory once.
 */
async function walk(dir: string, out: Source[], visited: Set<string>): Promise<void> {
  let real: string;
  try {
    real = await fs.realpath(dir);
  } catch (e) {
    out.push({ kind: "diag", diag: readError(dir, e) });
    return;
  }
  if (visited.has(real)) return;
  visited.add(real);
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (e) {
    out.push({ kind: "diag", diag: readError(dir, e) });
    return;
  }
  entries.sort((a, b) => byName(a.name, b.name));
  for (const e of entries) {
    if (e.name.startsWith(".") || e.name === "node_modules") continue;
    const full = path.join(dir, e.name);
    let isDir = e.isDirectory();
    let isFile = e.isFile();
    if (e.isSymbolicLink()) {
      try {
        const st = await fs.stat(full);
        isDir = st.isDirectory();
        isFile = st.isFile();
      } catch {
        continue; // dangling link
      }
    }
    if (isDir) await walk(full, out, visited);
    else if (isFile && MANIFEST_EXT.test(e.name)) out.push({ kind: "file", path: full });
  }
}

async function readStreamLimited(
  stream: NodeJS.ReadableStream,
  max: number,
): Promise<{ text: string } | { tooLarge: true }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    const b = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
    size += b.length;
    if (size > max) return { tooLarge: true };
    chunks.push(b);
  }
  return { text: Buffer.concat(chunks).toString("utf8") };
}

function tooLarge(file: string, max: number): LoadDiagnostic {
  return errorDiag("TOO_LARGE", file, `larger than the limit of ${max} bytes; not read`);
}

async function readSource(src: Source, opts: LoadOptions): Promise<{ text: string; file: string } | LoadDiagnostic> {
  const max = opts.maxFileBytes ?? MAX_FILE_BYTES;
  if (src.kind === "diag") return src.diag;
  if (src.kind === "stdin") {
    const input = opts.stdin ?? process.stdin;
    if (typeof input === "string") {
      return Buffer.byteLength(input, "utf8") > max ? tooLarge(STDIN_NAME, max) : { text: input, file: STDIN_NAME };
    }
    try {
      const r = await readStreamLimited(input, max);
      return "tooLarge" in r ? tooLarge(STDIN_NAME, max) : { text: r.text, file: STDIN_NAME };
    } catch (e) {
      return errorDiag("READ_ERROR", STDIN_NAME, `cannot read: ${(e as Error).message}`);
    }
  }
  const file = src.path;
  try {
    const st = await fs.stat(file);
    if (st.isFile()) {
      if (st.size > max) return tooLarge(file, max);
      return { text: await fs.readFile(file, "utf8"), file };
    }
    // a pipe or device (e.g. bash process substitution `<(kubectl get ...)`): no size up front
    const r = await readStreamLimited(createReadStream(file), max);
    return "tooLarge" in r ? tooLarge(file, max) : { text: r.text, file };
  } catch (e) {
    return readError(file, e);
  }
}

/**
 * Loads Kubernetes objects from files, directories (recursively: *.yaml, *.yml, *.json) and `-` (stdin).
 * Objects and diagnostics come in the order of `paths`; each file is read once even when named twice.
 */
export async function loadObjects(paths: string[], opts: LoadOptions = {}): Promise<LoadResult> {
  const sources: Source[] = [];
  const seenFiles = new Set<string>();
  const visitedDirs = new Set<string>();
  let stdinSeen = false;
  for (const p of paths) {
    if (p === "-") {
      if (!stdinSeen) sources.push({ kind: "stdin" });
      stdinSeen = true;
      continue;
    }
    let st: Stats;
    try {
      st = await fs.stat(p);
    } catch (e) {
      sources.push({ kind: "diag", diag: readError(p, e) });
      continue;
    }
    if (st.isDirectory()) {
      const real = await fs.realpath(p).catch(() => path.resolve(p));
      if (visitedDirs.has(real)) continue;
      const found: Source[] = [];
      await walk(p, found, visitedDirs);
      if (!found.some((s) => s.kind !== "diag")) {
        sources.push({
          kind: "diag",
          diag: { severity: "warning", code: "EMPTY_DIRECTORY", message: "no .yaml, .yml or .json file found", file: p },
        });
      }
      sources.push(...found);
    } else {
      sources.push({ kind: "file", path: p });
    }
  }

  // each file once (a directory and a file in it, a file named twice)
  const unique: Source[] = [];
  for (const s of sources) {
    if (s.kind === "file") {
      const key = await fs.realpath(s.path).catch(() => path.resolve(s.path));
      if (seenFiles.has(key)) continue;
      seenFiles.add(key);
    }
    unique.push(s);
  }

  const results: LoadResult[] = new Array(unique.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < unique.length) {
      const i = next++;
      const r = await readSource(unique[i], opts);
      results[i] =
        "text" in r
          ? parseText(r.text, r.file, { maxBytes: Number.MAX_SAFE_INTEGER, maxAliasCount: opts.maxAliasCount ?? MAX_ALIAS_COUNT })
          : { objects: [], diagnostics: [r] };
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, unique.length) }, worker));

  const out: LoadResult = { objects: [], diagnostics: [] };
  for (const r of results) {
    for (const o of r.objects) out.objects.push(o);
    for (const d of r.diagnostics) out.diagnostics.push(d);
  }
  return out;
}
