// Node entry of the RequestInfo resolver: requestInfo() over build/rbac-guard.wasm, compiled on first use.
import { readFileSync } from "node:fs";
import { wasmPath } from "./load-node.js";
import { RequestInfoResolver, type RequestInfo, type RequestInfoInput } from "./request-info.js";

export { RequestInfoResolver } from "./request-info.js";
export type { RequestInfo, RequestInfoInput } from "./request-info.js";

let resolver: RequestInfoResolver | undefined;

/** kube-apiserver's RequestInfo for `{method, path}` (path = request-target with query, percent-encoded). */
export function requestInfo(input: RequestInfoInput): RequestInfo {
  if (!resolver) resolver = new RequestInfoResolver(new WebAssembly.Module(readFileSync(wasmPath())));
  return resolver.resolve(input);
}
