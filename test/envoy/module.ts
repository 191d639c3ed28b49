// The Envoy build under test: build/rbac-guard-envoy.wasm (npm run build:wasm), compiled once per process.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const ENVOY_WASM = fileURLToPath(new URL("../../build/rbac-guard-envoy.wasm", import.meta.url));

let cached: WebAssembly.Module | undefined;

export function envoyModule(): WebAssembly.Module {
  if (!cached) cached = new WebAssembly.Module(readFileSync(ENVOY_WASM));
  return cached;
}
