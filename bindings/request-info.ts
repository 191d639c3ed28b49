// kube-apiserver's RequestInfo through the core's rbac_request_info export: an HTTP method and request-target
// (path and query, percent-encoded, as on the wire) -> verb, API group and version, namespace, resource,
// subresource, name and parts, with Kubernetes' field names. Platform-neutral: give it a compiled core module.
import { EngineError } from "./errors.js";
import { instantiate, type RawExports } from "./exports.js";
import { encode, takeOutput, withInput } from "./memory.js";

export interface RequestInfoInput {
  /** the HTTP method, as sent (kube-apiserver matches "GET", "POST", ... case-sensitively) */
  method: string;
  /** the request-target: path and optional query, percent-encoded */
  path: string;
}

/** k8s.io/apiserver/pkg/endpoints/request.RequestInfo, as NewRequestInfo fills it. */
export interface RequestInfo {
  isResourceRequest: boolean;
  /** the percent-decoded URL path */
  path: string;
  /** the Kubernetes verb (get, list, watch, create, ...); the lower-cased method for non-resource requests */
  verb: string;
  apiPrefix: string;
  apiGroup: string;
  apiVersion: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
  parts: string[];
  /** set when kube-apiserver would refuse the request itself (unparsable URL: 400; unresolvable: 500) */
  error?: string;
}

interface RequestInfoExports extends RawExports {
  rbac_request_info(ptr: number, len: number, flags: number): number;
}

export class RequestInfoResolver {
  private ex: RequestInfoExports;
  private abortMessage = "";

  constructor(private readonly module: WebAssembly.Module) {
    this.ex = this.start();
  }

  private start(): RequestInfoExports {
    const ex = instantiate(this.module, (m) => { this.abortMessage = m; }) as RequestInfoExports;
    if (typeof ex.rbac_request_info !== "function") {
      throw new EngineError("ABI_MISMATCH", "the module has no rbac_request_info export");
    }
    return ex;
  }

  /** Resolves one request. Throws EngineError BAD_INPUT for a malformed input, ENGINE_TRAP if the core traps. */
  resolve(input: RequestInfoInput): RequestInfo {
    if (input === null || typeof input !== "object") throw new EngineError("BAD_INPUT", "input must be an object");
    if (typeof input.method !== "string") throw new EngineError("BAD_INPUT", "method must be a string", "method");
    if (typeof input.path !== "string") throw new EngineError("BAD_INPUT", "path must be a string", "path");
    let out: any;
    try {
      const bytes = encode(JSON.stringify({ method: input.method, path: input.path }));
      out = JSON.parse(takeOutput(this.ex, withInput(this.ex, bytes, (p, n) => this.ex.rbac_request_info(p, n, 0))));
    } catch (e) {
      const detail = this.abortMessage || (e instanceof Error ? e.message : String(e));
      this.abortMessage = "";
      this.ex = this.start();
      throw new EngineError("ENGINE_TRAP", `the policy engine trapped: ${detail}`);
    }
    if (out.type !== "success") {
      const err = out.errors?.[0] ?? {};
      throw new EngineError("BAD_INPUT", err.message ?? "the request could not be resolved", err.path);
    }
    delete out.type;
    return out as RequestInfo;
  }
}
