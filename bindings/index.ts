// Public surface of the bindings for Node. Hosts import this file only.
import { Engine } from "./engine.js";
import { loadModule } from "./load-node.js";
import { flattenLists } from "./wire.js";
import type { EngineOptions } from "./types.js";

export { Engine } from "./engine.js";
export type { PreparedRequest, PreparedBatch, BatchResult } from "./engine.js";
export { EngineError } from "./errors.js";
export type { EngineErrorCode } from "./errors.js";
export { ABI_MAJOR, ABI_MINOR } from "./exports.js";
export { flattenLists } from "./wire.js";
export * from "./request-info-node.js";
export type * from "./types.js";

/** Builds an engine over parsed Kubernetes objects (any kinds; List kinds are flattened). */
export async function createEngine(objects: unknown[], options: EngineOptions = {}): Promise<Engine> {
  const module = options.module ?? (await loadModule());
  return new Engine(module, flattenLists(objects), options);
}
