// The engine worker: parses the manifests, builds the engine (the release wasm core, through bindings/web.ts),
// lints and answers queries, so that the page stays responsive whatever the input size. Messages: ./protocol.ts.
import { createEngine, loadWebModule, ABI_MAJOR, ABI_MINOR, type Engine, type LintFinding, type LintResult } from "../../bindings/web.js";
import { parseText } from "../k8s/parse.js";
import type { LoadedObject, LoadDiagnostic } from "../k8s/types.js";
import { objectKey, SourceIndex } from "../lint/locate.js";
import { formatJson } from "../lint/format-json.js";
import { sarifText } from "../lint/sarif.js";
import { FINDING_GROUPS, PAGE_SIZE, type AnalyzeResult, type Api, type FileSummary, type FindingGroup, type InputFile, type Kind,
  type LocatedWarning, type Request, type Response } from "./protocol.js";

interface Snapshot {
  engine: Engine;
  objects: LoadedObject[];
  files: string[];
  index: SourceIndex;
  lint: LintResult;
  groups: Record<FindingGroup, LintFinding[]>;
}

// why: the page gets one page per group at first; sending thousands of findings at once stalls its thread while
// they are deserialized
function groupFindings(findings: LintFinding[]): Record<FindingGroup, LintFinding[]> {
  const g = Object.fromEntries(FINDING_GROUPS.map((k) => [k, [] as LintFinding[]])) as Record<FindingGroup, LintFinding[]>;
  for (const f of findings) g[f.suppressed ? "suppressed" : f.severity].push(f);
  return g;
}

let snapshot: Snapshot | undefined;

const scope = self as unknown as {
  postMessage(message: Response): void;
  addEventListener(type: "message", fn: (e: MessageEvent<Request>) => void): void;
};

function current(): Snapshot {
  if (!snapshot) throw Object.assign(new Error("no manifests are loaded yet"), { code: "NO_INPUT" });
  return snapshot;
}

async function analyze(files: InputFile[]): Promise<AnalyzeResult> {
  const t0 = performance.now();
  const objects: LoadedObject[] = [];
  const diagnostics: LoadDiagnostic[] = [];
  const summaries: FileSummary[] = [];
  const texts = new Map<string, string>();
  for (const f of files) {
    texts.set(f.name, f.text);
    const r = parseText(f.text, f.name);
    // why: a loop, not push(...spread): a spread of 100,000+ objects overflows the argument limit
    for (const o of r.objects) objects.push(o);
    for (const d of r.diagnostics) diagnostics.push(d);
    summaries.push({
      name: f.name,
      objects: r.objects.length,
      errors: r.diagnostics.filter((d) => d.severity === "error").length,
      warnings: r.diagnostics.filter((d) => d.severity === "warning").length,
    });
  }
  const t1 = performance.now();
  snapshot?.engine.dispose();
  snapshot = undefined;
  const engine = await createEngine(objects.map((o) => o.object));
  const t2 = performance.now();
  const lint = engine.lint();
  const t3 = performance.now();
  const index = new SourceIndex(objects, texts);
  const groups = groupFindings(lint.findings);
  snapshot = { engine, objects, files: files.map((f) => f.name), index, lint, groups };
  const engineWarnings: LocatedWarning[] = engine.warnings.map((w) => {
    const o = objects[w.object];
    const location = o ? index.locate(w.object, w.path) : undefined;
    return { ...w, objectKey: o ? objectKey(o.object) : "", ...(location ? { location } : {}) };
  });
  return {
    objects: objects.length, files: summaries, diagnostics, engineWarnings,
    firstPages: Object.fromEntries(FINDING_GROUPS.map((k) => [k, groups[k].slice(0, PAGE_SIZE)])) as Record<FindingGroup, LintFinding[]>,
    counts: Object.fromEntries(FINDING_GROUPS.map((k) => [k, groups[k].length])) as Record<FindingGroup, number>,
    summary: lint.summary, lintWarnings: lint.warnings,
    timings: { parse: t1 - t0, engine: t2 - t1, lint: t3 - t2 },
  };
}

// the same report as `rbac-guard lint --format json`
function findingsJson(): string {
  const s = current();
  return formatJson(s.lint, (f) => {
    const loc = s.index.locate(f.objectIndex, f.fieldPath);
    return loc && { file: loc.file, line: loc.line, column: loc.column };
  });
}

function sarif(toolVersion?: string): string {
  const s = current();
  return sarifText({
    findings: s.lint.findings,
    checks: s.engine.checks(),
    files: s.files,
    toolVersion,
    locate: (f) => {
      const loc = s.index.locate(f.objectIndex, f.fieldPath);
      return loc && { file: loc.file, line: loc.line, column: loc.column, endLine: loc.to };
    },
    locateObject: (key) => {
      const i = s.index.indexOf(key);
      const loc = i < 0 ? undefined : s.index.objectLocation(i);
      return loc && { file: loc.file, line: loc.line, column: loc.column };
    },
  });
}

type Handlers = { [K in Kind]: (req: Request<K>) => Promise<Api[K][1]> | Api[K][1] };

const handlers: Handlers = {
  init: async () => {
    const m = await loadWebModule();
    return { url: m.url, sha256: m.sha256, bytes: m.bytes, abi: `${ABI_MAJOR}.${ABI_MINOR}` };
  },
  analyze: (r) => analyze(r.files),
  reset: () => {
    snapshot?.engine.dispose();
    snapshot = undefined;
    return null;
  },
  checks: async () => (snapshot?.engine ?? (await createEngine([]))).checks(),
  findingsPage: (r) => current().groups[r.group].slice(r.offset, r.offset + r.limit),
  locate: (r) => current().index.locate(r.objectIndex, r.fieldPath) ?? null,
  locateObject: (r) => {
    const s = current();
    const i = s.index.indexOf(r.key);
    const loc = i < 0 ? undefined : s.index.locate(i, r.fieldPath ?? "");
    return loc ? { ...loc, objectIndex: i } : null;
  },
  canI: (r) => {
    const e = current().engine;
    const a = e.authorize(r.spec);
    const out = { ...a, groups: r.spec.groups ?? [] };
    if (a.allowed) {
      const x = e.explain(r.spec);
      if (x.grant) return { ...out, grant: x.grant };
    }
    return out;
  },
  whoCan: (r) => current().engine.whoCan(r.spec),
  rulesFor: (r) => current().engine.rulesFor(r),
  findingsJson: () => findingsJson(),
  sarif: (r) => sarif(r.toolVersion),
  authorizeVectors: async (r) => {
    const out = [];
    for (const v of r.vectors) {
      const e = await createEngine(v.objects, { aggregate: v.options.aggregate });
      out.push(v.specs.map((spec) => e.authorize(spec)));
      e.dispose();
    }
    return out;
  },
  lintVectors: async (r) => {
    const out = [];
    for (const v of r.vectors) {
      try {
        const e = await createEngine(v.objects, { aggregate: v.options.aggregate });
        out.push(e.lint({ config: v.config as never }));
        e.dispose();
      } catch (err) {
        out.push({ error: err instanceof Error ? err.message : String(err) });
      }
    }
    return out;
  },
};

// why: requests are handled one at a time, in order, so an analysis and the queries after it never interleave
let queue: Promise<void> = Promise.resolve();

scope.addEventListener("message", (e) => {
  const req = e.data;
  queue = queue.then(async () => {
    try {
      const result = await (handlers[req.kind] as (r: Request) => unknown)(req);
      scope.postMessage({ id: req.id, ok: true, result });
    } catch (err) {
      const code = (err as { code?: unknown })?.code;
      scope.postMessage({
        id: req.id, ok: false,
        error: { code: typeof code === "string" ? code : "ERROR", message: err instanceof Error ? err.message : String(err) },
      });
    }
  });
});
