// Node byte source for the core module: reads build/rbac-guard.wasm next to the package.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { EngineError } from "./errors.js";

// why: from source (bindings/) the build folder is one level up; from dist/bindings/ two levels
const CANDIDATES = ["../build/", "../../build/"];

let cached: WebAssembly.Module | undefined;

export function wasmPath(file = "rbac-guard.wasm"): string {
  for (const dir of CANDIDATES) {
    const p = fileURLToPath(new URL(dir + file, import.meta.url));
    try {
      readFileSync(p, { flag: "r" }).byteLength;
      return p;
    } catch { /* try the next */ }
  }
  throw new EngineError("MODULE_NOT_FOUND", `cannot find build/${file}; run \`npm run build\``);
}

export async function loadModule(): Promise<WebAssembly.Module> {
  if (!cached) cached = await WebAssembly.compile(readFileSync(wasmPath()));
  return cached;
}
