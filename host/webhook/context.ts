// Context sources: where the cluster state the webhook decides against comes from.
// Files (-f, for tests and GitOps) are reloaded when they change; a reload with errors keeps the last good objects.
import { loadObjects } from "../k8s/load.js";
import type { Logger } from "./log.js";
import type { ContextState } from "./snapshot.js";
import { watchPaths, type Watcher } from "./watch.js";

export interface ContextUpdate {
  objects: unknown[];
  state: ContextState;
}

export interface ContextSource {
  /** Human-readable origin, for logs. */
  readonly description: string;
  /** Delivers the first update (or throws when none can be had) and later ones through `onUpdate`. */
  start(onUpdate: (u: ContextUpdate) => void, onError: (e: Error) => void): Promise<void>;
  stop(): Promise<void>;
}

/** Loads -f inputs; throws an Error listing the input errors. */
export async function loadFiles(paths: string[]): Promise<unknown[]> {
  const result = await loadObjects(paths);
  const errors = result.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) {
    const first = errors.slice(0, 5).map((d) => `${d.file}${d.line ? `:${d.line}` : ""}: ${d.message} [${d.code}]`);
    throw new Error(`cannot load context (${errors.length} error${errors.length === 1 ? "" : "s"}): ${first.join("; ")}`);
  }
  return result.objects.map((o) => o.object);
}

export class FileContext implements ContextSource {
  readonly description: string;
  private watcher?: Watcher;

  constructor(private readonly paths: string[], private readonly intervalMs: number, private readonly log?: Logger) {
    this.description = `files ${paths.join(", ")}`;
  }

  async start(onUpdate: (u: ContextUpdate) => void, onError: (e: Error) => void): Promise<void> {
    onUpdate({ objects: await loadFiles(this.paths), state: { synced: true } });
    if (this.intervalMs > 0) {
      this.watcher = watchPaths(this.paths, this.intervalMs, async () => {
        try {
          const objects = await loadFiles(this.paths);
          this.log?.info({ source: "context", objects: objects.length }, "context files changed: reloading");
          onUpdate({ objects, state: { synced: true } });
        } catch (e) {
          onError(e as Error);
        }
      });
    }
  }

  async stop(): Promise<void> {
    this.watcher?.stop();
  }
}

/** A fixed set of objects (tests, library use). */
export class StaticContext implements ContextSource {
  readonly description = "static objects";
  constructor(private readonly objects: unknown[], private readonly state: ContextState = { synced: true }) {}
  async start(onUpdate: (u: ContextUpdate) => void): Promise<void> {
    onUpdate({ objects: this.objects, state: this.state });
  }
  async stop(): Promise<void> {}
}
