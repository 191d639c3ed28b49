// Admission evaluation in worker threads (admission-worker.ts): each worker holds the latest context and lints
// one incoming object at a time; requests go round robin. A worker that dies or overruns the deadline fails its
// requests (the admission is then refused: fail closed) and is replaced with the latest context.
import { Worker } from "node:worker_threads";
import type { FromWorker, ToWorker } from "./admission-worker.js";
import type { ContextUpdate } from "./context.js";
import { contextProblems, type AdmissionEvaluator, type Evaluation } from "./evaluate.js";
import type { Logger } from "./log.js";

interface Pending {
  resolve(e: Evaluation[]): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

interface Slot {
  worker: Worker;
  /** resolves when the worker's module has loaded (its `hello`), rejects when it fails first */
  started: Promise<void>;
  /** resolves once the worker has built the first context it was sent */
  ready: Promise<void>;
  pending: Map<number, Pending>;
}

// why: from source (tests, tsx) the worker is a .ts file and needs the tsx loader; from dist it is plain .js
const SELF = import.meta.url;
const FROM_SOURCE = SELF.endsWith(".ts");
const WORKER_URL = new URL(`./admission-worker${FROM_SOURCE ? ".ts" : ".js"}`, SELF);

export class WorkerEvaluator implements AdmissionEvaluator {
  private slots: Slot[] = [];
  private next = 0;
  private ids = 0;
  private version = 0;
  private latest?: ContextUpdate;
  private stopped = false;
  private failures = 0;

  constructor(private readonly opts: { size: number; timeoutMs: number; aggregate: boolean; log: Logger }) {
    for (let i = 0; i < opts.size; i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    // why: `--import tsx` in a worker's execArgv does not reach its module loader on Node 20; register tsx first
    const worker = FROM_SOURCE
      ? new Worker(`import("tsx/esm/api").then((t) => { t.register(); return import(${JSON.stringify(WORKER_URL.href)}); })`,
        { eval: true, workerData: { aggregate: this.opts.aggregate } })
      : new Worker(WORKER_URL, { workerData: { aggregate: this.opts.aggregate } });
    let markReady!: () => void;
    let markStarted!: () => void;
    let failStart!: (e: Error) => void;
    const started = new Promise<void>((resolve, reject) => { markStarted = resolve; failStart = reject; });
    started.catch(() => { /* observed by start() */ });
    const slot: Slot = { worker, started, ready: new Promise<void>((r) => { markReady = r; }), pending: new Map() };
    worker.on("message", (m: FromWorker) => {
      if (m.type === "hello") {
        markStarted();
        this.failures = 0;
      } else if (m.type === "context-ready") markReady();
      else if (m.type === "context-failed") {
        this.opts.log.error({ source: "context", version: m.version, err: m.message }, "admission worker could not build the context");
        markReady(); // its evaluations then report the missing context themselves (fail closed)
      } else {
        const p = slot.pending.get(m.id);
        if (!p) return;
        slot.pending.delete(m.id);
        clearTimeout(p.timer);
        if (m.error !== undefined) p.reject(new Error(m.error));
        else p.resolve(m.evaluations as Evaluation[]);
      }
    });
    worker.on("error", (e) => {
      failStart(e);
      this.opts.log.error({ err: e.message }, "admission worker failed");
    });
    worker.on("exit", (code) => {
      for (const p of slot.pending.values()) {
        clearTimeout(p.timer);
        p.reject(new Error(`the admission worker exited (code ${code})`));
      }
      slot.pending.clear();
      failStart(new Error(`the admission worker exited (code ${code}) before starting`));
      if (this.stopped) return;
      // why: a worker that keeps dying must not spin: wait 0.1 s, 0.2 s, ... up to 30 s between restarts
      const delay = Math.min(30_000, 100 * 2 ** this.failures++);
      this.opts.log.warn({ code, restartInMs: delay }, "admission worker exited; starting a new one");
      const t = setTimeout(() => {
        const i = this.slots.indexOf(slot);
        if (i >= 0 && !this.stopped) this.slots[i] = this.spawn();
      }, delay);
      t.unref();
    });
    if (this.latest) this.post(slot, { type: "context", version: this.version, ...this.latest });
    return slot;
  }

  /** Resolves once every worker has loaded; rejects (the server then does not start) when one cannot. */
  async start(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.started));
  }

  private post(slot: Slot, m: ToWorker): void {
    slot.worker.postMessage(m);
  }

  /** A new context for every worker (they build their own snapshots). */
  setContext(u: ContextUpdate): void {
    this.latest = u;
    this.version++;
    for (const s of this.slots) this.post(s, { type: "context", version: this.version, ...u });
  }

  async evaluate(obj: unknown, key: string, lintConfig: unknown): Promise<Evaluation[]> {
    if (!this.latest) return contextProblems(undefined, obj, key).map((finding) => ({ finding, holders: [] }));
    const slot = this.slots[this.next++ % this.slots.length]!;
    let waited: NodeJS.Timeout | undefined;
    await Promise.race([slot.ready, new Promise<never>((_, reject) => {
      waited = setTimeout(() => reject(new Error(`the admission worker has not loaded the context after ${this.opts.timeoutMs} ms`)),
        this.opts.timeoutMs);
    })]).finally(() => clearTimeout(waited));
    const id = ++this.ids;
    return new Promise<Evaluation[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        slot.pending.delete(id);
        reject(new Error(`the admission evaluation took longer than ${this.opts.timeoutMs} ms`));
        // why: a worker stuck in the engine would hold every later request: replace it
        void slot.worker.terminate();
      }, this.opts.timeoutMs);
      slot.pending.set(id, { resolve, reject, timer });
      this.post(slot, { type: "evaluate", id, obj, key, lint: lintConfig });
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
