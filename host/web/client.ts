// The page's side of the worker protocol: one promise per request.
import type { Api, Kind, Response } from "./protocol.js";

export class WorkerError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = "WorkerError";
  }
}

export class EngineClient {
  private next = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>();

  constructor(private readonly worker: Worker) {
    worker.addEventListener("message", (e: MessageEvent<Response>) => {
      const p = this.pending.get(e.data.id);
      if (!p) return;
      this.pending.delete(e.data.id);
      if (e.data.ok) p.resolve(e.data.result);
      else p.reject(new WorkerError(e.data.error.code, e.data.error.message));
    });
    worker.addEventListener("error", (e) => {
      const err = new WorkerError("WORKER_FAILED", e.message || "the engine worker failed");
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    });
  }

  call<K extends Kind>(kind: K, fields: Api[K][0]): Promise<Api[K][1]> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ ...fields, id, kind });
    });
  }
}
