// Worker thread entry: evaluates admissions (engine + lint, CPU-heavy and synchronous) off the main thread, so
// that /authorize answers are never queued behind them. Holds its own copy of the context; see admission-pool.ts.
import { parentPort, workerData } from "node:worker_threads";
import { createEngine, type LintConfig } from "../../bindings/index.js";
import { LocalEvaluator } from "./evaluate.js";
import { Snapshot, type ContextState } from "./snapshot.js";

export type ToWorker =
  | { type: "context"; version: number; objects: unknown[]; state: ContextState }
  | { type: "evaluate"; id: number; obj: unknown; key: string; lint: unknown };

export type FromWorker =
  | { type: "hello" }
  | { type: "context-ready"; version: number }
  | { type: "context-failed"; version: number; message: string }
  | { type: "result"; id: number; evaluations?: unknown[]; error?: string };

const port = parentPort!;
const aggregate = (workerData as { aggregate?: boolean } | undefined)?.aggregate !== false;
const factory = (objects: unknown[]) => createEngine(objects, { aggregate });
let snapshot: Snapshot | undefined;
let building: Promise<void> = Promise.resolve();

const evaluator = new LocalEvaluator({
  snapshot: async () => {
    await building;
    return snapshot;
  },
  factory,
  lint: (engine, lintConfig) => engine.lint(lintConfig !== undefined ? { config: lintConfig as LintConfig } : {}),
});

port.on("message", (m: ToWorker) => {
  if (m.type === "context") {
    // why: contexts are built one after another; an evaluation waits for the latest one it was sent after
    building = building.then(async () => {
      try {
        // why: expiry is the authorizer's business; at admission every binding is context (now = 0: none expired)
        snapshot = await Snapshot.build(m.version, m.objects, m.state, factory, 0);
        port.postMessage({ type: "context-ready", version: m.version } satisfies FromWorker);
      } catch (e) {
        port.postMessage({ type: "context-failed", version: m.version, message: (e as Error).message } satisfies FromWorker);
      }
    });
    return;
  }
  evaluator.evaluate(m.obj, m.key, m.lint).then(
    (evaluations) => port.postMessage({ type: "result", id: m.id, evaluations } satisfies FromWorker),
    (e) => port.postMessage({ type: "result", id: m.id, error: e instanceof Error ? e.message : String(e) } satisfies FromWorker),
  );
});

port.postMessage({ type: "hello" } satisfies FromWorker);
