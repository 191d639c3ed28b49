// Browser byte source for the core module: the release build/rbac-guard.wasm, bundled by Vite as an asset (`?url`),
// fetched and compiled with WebAssembly.compileStreaming. No Node imports: this file runs in pages and workers.
import defaultWasmUrl from "../build/rbac-guard.wasm?url";
import { EngineError } from "./errors.js";

export interface LoadedWebModule {
  module: WebAssembly.Module;
  /** the URL the module was fetched from (absolute) */
  url: string;
  /** lowercase hex SHA-256 of the bytes compiled; "" where crypto.subtle is unavailable (non-secure contexts) */
  sha256: string;
  /** size of the module in bytes */
  bytes: number;
}

const cache = new Map<string, Promise<LoadedWebModule>>();

function hex(buf: ArrayBuffer): string {
  return Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function fetchAndCompile(url: string): Promise<LoadedWebModule> {
  let res: Response;
  try {
    res = await fetch(url, { credentials: "same-origin" });
  } catch (e) {
    throw new EngineError("MODULE_NOT_FOUND", `cannot fetch \`${url}\`: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!res.ok) throw new EngineError("MODULE_NOT_FOUND", `cannot fetch \`${url}\`: HTTP ${res.status}`);
  // why: compileStreaming consumes its response; the clone feeds the digest that lets users (and tests) check that
  // the page runs the very module the CLI runs
  const copy = res.clone();
  let module: WebAssembly.Module;
  try {
    module = await WebAssembly.compileStreaming(res);
  } catch (e) {
    // why: static hosts that serve .wasm without `application/wasm` make compileStreaming refuse the response
    if (!(e instanceof TypeError)) throw e;
    module = await WebAssembly.compile(await copy.clone().arrayBuffer());
  }
  const bytes = await copy.arrayBuffer();
  const sha256 = globalThis.crypto?.subtle ? hex(await crypto.subtle.digest("SHA-256", bytes)) : "";
  return { module, url: res.url || url, sha256, bytes: bytes.byteLength };
}

/** Fetches and compiles the core module once per URL (default: the bundled release build). */
export function loadWebModule(url: string = defaultWasmUrl): Promise<LoadedWebModule> {
  const abs = new URL(url, globalThis.location?.href).href;
  let p = cache.get(abs);
  if (!p) {
    p = fetchAndCompile(abs);
    cache.set(abs, p);
    p.catch(() => cache.delete(abs));
  }
  return p;
}

/** The compiled core module (the same bytes as build/rbac-guard.wasm). */
export async function loadModule(url?: string): Promise<WebAssembly.Module> {
  return (await loadWebModule(url)).module;
}
