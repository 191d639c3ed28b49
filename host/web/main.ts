// The manifest-lint page: wires the inputs, the engine worker, the results, the source panel and the query forms.
// All policy work happens in ./worker.ts; this thread only reads files and renders.
import type { CheckInfo, LintFinding } from "../../bindings/web.js";
import { EngineClient } from "./client.js";
import { byId, download, h } from "./dom.js";
import { Inputs, LARGE_PASTE, wireInputs, type FileCounts } from "./inputs.js";
import type { AnalyzeResult, Api, AuthorizeVectorInput, LintVectorInput, ModuleInfo } from "./protocol.js";
import { wireQueries } from "./queries.js";
import { markSelected, renderDiagnostics, renderFindings, renderSummary, type ResultActions } from "./results.js";
import { SourceView } from "./source-view.js";

const worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module", name: "rbac-guard engine" });
const client = new EngineClient(worker);

const status = byId("status");
const analyzeButton = byId<HTMLButtonElement>("analyze");
let checks = new Map<string, CheckInfo>();
/** texts of the files of the last analysis (what positions refer to) */
let analysedTexts = new Map<string, string>();
let generation = 0;

const source = new SourceView((file) => analysedTexts.get(file));
const inputs = new Inputs(() => void analyze());

function setState(state: "loading" | "ready" | "analyzing" | "done" | "failed"): void {
  document.body.dataset.state = state;
}

function say(text: string): void {
  status.textContent = text;
}

export interface Timing {
  /** click (or drop) to findings on screen */
  total: number;
  render: number;
  parse: number;
  engine: number;
  lint: number;
  objects: number;
  findings: number;
}
const timings: Timing[] = [];

const actions: ResultActions = {
  selectFinding(f: LintFinding, button: HTMLButtonElement) {
    markSelected(button);
    client.call("locate", { objectIndex: f.objectIndex, fieldPath: f.fieldPath }).then((loc) => {
      if (loc) source.show(loc, `${f.id} on ${f.object}`);
      else say(`${f.object} has no position in the input (${f.id} is about the configuration).`);
    }, (e) => say(String(e)));
  },
  showObject(key: string, fieldPath: string, button: HTMLButtonElement) {
    markSelected(button);
    client.call("locateObject", { key, fieldPath }).then((loc) => {
      if (loc) source.show(loc, fieldPath ? `${key} ${fieldPath}` : key);
      else say(`${key} is not in the input (it is referenced, not declared).`);
    }, (e) => say(String(e)));
  },
  showPosition(loc, what) {
    source.show(loc, what);
  },
  exportJson() {
    client.call("findingsJson", {}).then((text) => download("rbac-guard-findings.json", text, "application/json"),
      (e) => say(String(e)));
  },
  exportSarif() {
    client.call("sarif", { toolVersion: __RBAC_GUARD_VERSION__ }).then((text) => download("rbac-guard.sarif", text, "application/sarif+json"),
      (e) => say(String(e)));
  },
};

/** Forgets the results on screen and the worker's snapshot. */
function resetResults(): void {
  generation++;
  analysedTexts = new Map();
  source.reset();
  byId("summary").replaceChildren(h("p", { class: "hint" }, "Paste, drop or open manifests, then analyze."));
  byId("diagnostics").replaceChildren();
  byId("findings").replaceChildren();
  void client.call("reset", {});
  if (document.body.dataset.state === "done" || document.body.dataset.state === "analyzing") setState("ready");
}

async function analyze(): Promise<void> {
  const files = inputs.snapshot();
  if (files.length === 0) {
    resetResults();
    say("Nothing to analyze: paste manifests, drop files or open them.");
    return;
  }
  const gen = ++generation;
  const t0 = performance.now();
  setState("analyzing");
  say(`Analyzing ${files.length} file${files.length === 1 ? "" : "s"}…`);
  let r: AnalyzeResult;
  try {
    r = await client.call("analyze", { files });
  } catch (e) {
    if (gen !== generation) return;
    setState("failed");
    say(`The analysis failed: ${e instanceof Error ? e.message : String(e)}`);
    return;
  }
  if (gen !== generation) return; // a newer analysis was started meanwhile
  const t1 = performance.now();
  analysedTexts = new Map(files.map((f) => [f.name, f.text]));
  source.reset();
  renderSummary(r, t1 - t0, actions);
  renderDiagnostics(r, actions);
  renderFindings(r, { checks, actions, fetchPage: (group, offset, limit) => client.call("findingsPage", { group, offset, limit }) });
  inputs.setCounts(new Map<string, FileCounts>(r.files.map((f) => [f.name, { objects: f.objects, errors: f.errors }])));
  const t2 = performance.now();
  timings.push({ total: t2 - t0, render: t2 - t1, ...r.timings, objects: r.objects,
    findings: r.summary.unsuppressed + r.summary.suppressed });
  const errors = r.diagnostics.filter((d) => d.severity === "error").length;
  say(`${r.objects.toLocaleString("en-US")} objects read, ${r.summary.unsuppressed.toLocaleString("en-US")} findings` +
    (errors > 0 ? `, ${errors} input error${errors === 1 ? "" : "s"}` : "") + ".");
  setState("done");
}

function moduleInfo(m: ModuleInfo): void {
  const name = decodeURIComponent(new URL(m.url).pathname.split("/").pop() ?? "");
  byId("module-info").replaceChildren(
    `rbac-guard ${__RBAC_GUARD_VERSION__} · `, h("code", {}, name), ` · ${(m.bytes / 1024).toFixed(0)} KiB · ABI ${m.abi} · SHA-256 `,
    h("code", { id: "module-sha256", class: "hash" }, m.sha256 || "unavailable (not a secure context)"));
}

// ---- wiring ---------------------------------------------------------------------------------------------------

wireInputs(inputs);
wireQueries(client);
analyzeButton.addEventListener("click", () => void analyze());
byId("clear").addEventListener("click", () => {
  inputs.clear();
  resetResults();
  say("Cleared.");
});
inputs.paste.addEventListener("keydown", (e) => {
  if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
    e.preventDefault();
    void analyze();
  }
});
// a paste is a complete input: analyze it right away (typing waits for the button); a large one is listed as a file
inputs.paste.addEventListener("paste", (e) => {
  const text = e.clipboardData?.getData("text/plain") ?? "";
  if (text.length > LARGE_PASTE) {
    e.preventDefault();
    inputs.addPaste(text); // listed with the files; starts the analysis
    return;
  }
  setTimeout(() => void analyze(), 0);
});

const ready: Promise<ModuleInfo> = client.call("init", {}).then(async (m) => {
  moduleInfo(m);
  checks = new Map((await client.call("checks", {})).map((c) => [c.id, c]));
  analyzeButton.disabled = false;
  setState("ready");
  say("Ready. Nothing leaves this tab.");
  return m;
}, (e) => {
  setState("failed");
  say(`The policy engine could not be loaded: ${e instanceof Error ? e.message : String(e)}`);
  throw e;
});

/** A small scripting surface (used by the browser conformance tests): the same worker and engine as the page. */
declare global {
  interface Window {
    rbacGuard: {
      ready: Promise<ModuleInfo>;
      timings: Timing[];
      authorizeVectors(vectors: AuthorizeVectorInput[]): Promise<Api["authorizeVectors"][1]>;
      lintVectors(vectors: LintVectorInput[]): Promise<Api["lintVectors"][1]>;
    };
  }
}
window.rbacGuard = {
  ready,
  timings,
  authorizeVectors: (vectors) => client.call("authorizeVectors", { vectors }),
  lintVectors: (vectors) => client.call("lintVectors", { vectors }),
};
