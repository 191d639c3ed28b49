// Proxy-Wasm ABI 0.2.1 callbacks (the module's exports), routed to plugin (root) and stream contexts.
// Every callback the spec lists is exported; those the filter does not use return the spec's defaults
// (Continue for stream callbacks, true for proxy_on_done). Host buffers come from proxy_on_memory_allocate
// (the guest heap, outside the garbage collector) and are freed by the wrapper that receives them.
// This build runs the incremental runtime (asconfig target "envoy"): per-request garbage is collected as it goes,
// which keeps memory flat under steady allocation. The one forced collection, after a configure, is the last
// step of the export, so it stays safe under the minimal runtime too.
import { Action, BufferType, LogLevel, Status } from "./types";
import { HostBytes, getBufferBytes, log } from "./hostcalls";
import { FilterConfig, parseConfig } from "./config";
import { metrics } from "./metrics";
import { onRequestHeaders } from "./decide";
import { decodeUTF8Go } from "../eval/requestinfo";
import { collectNow } from "../util/gc";

class PluginContext {
  config: FilterConfig | null = null;
}

const plugins = new Map<u32, PluginContext>();
const streams = new Map<u32, u32>(); // stream context -> its plugin context
const configBytes = new HostBytes();

function plugin(id: u32): PluginContext {
  if (!plugins.has(id)) plugins.set(id, new PluginContext());
  return plugins.get(id);
}

export function proxy_abi_version_0_2_1(): void {}

export function proxy_on_memory_allocate(size: usize): usize {
  return heap.alloc(size);
}

export function proxy_on_context_create(contextId: u32, parentContextId: u32): void {
  if (parentContextId == 0) plugin(contextId);
  else streams.set(contextId, parentContextId);
}

export function proxy_on_vm_start(pluginContextId: u32, vmConfigurationSize: usize): u32 {
  plugin(pluginContextId);
  return 1;
}

export function proxy_on_configure(pluginContextId: u32, pluginConfigurationSize: usize): u32 {
  const ok = configure(pluginContextId, pluginConfigurationSize);
  // why: the configuration's JSON tree is garbage now; collect it before it can stack up with the next reload's
  collectNow();
  return ok;
}

function configure(pluginContextId: u32, pluginConfigurationSize: usize): u32 {
  metrics.define();
  const p = plugin(pluginContextId);
  const st = getBufferBytes(BufferType.PluginConfiguration, 0, pluginConfigurationSize, configBytes);
  if (st != Status.Ok && st != Status.NotFound) {
    configBytes.free();
    log(LogLevel.Error, "rbac-guard: cannot read the plugin configuration (status " + (<i32>st).toString() + ")");
    metrics.inc(metrics.configRejected);
    return 0;
  }
  const text = configBytes.size == 0 ? "" : decodeUTF8Go(configBytes.ptr, configBytes.size);
  configBytes.free();
  const res = parseConfig(text);
  const cfg = res.config;
  if (cfg == null) {
    metrics.inc(metrics.configRejected);
    log(LogLevel.Error, "rbac-guard: configuration refused" + (p.config != null ? " (the previous one stays in force)" : "") +
      ": " + res.error);
    return 0;
  }
  for (let i = 0; i < cfg.warnings.length; i++) log(LogLevel.Warn, "rbac-guard: " + cfg.warnings[i]);
  if (cfg.trustUnverifiedClaims) {
    log(LogLevel.Critical, "rbac-guard: trustUnverifiedClaims is ON: ServiceAccount tokens are NOT verified, anyone " +
      "can claim any identity. For labs only; never in front of a real cluster.");
  }
  for (let i = 0; i < cfg.deny.length; i++) metrics.defineRule(cfg.deny[i].name);
  p.config = cfg;
  metrics.inc(metrics.configAccepted);
  const s = cfg.snapshot;
  log(LogLevel.Info, "rbac-guard: configuration accepted: mode " + (cfg.enforce ? "enforce" : "shadow") + ", " +
    cfg.deny.length.toString() + " deny rules, " + cfg.sources.length.toString() + " source rules, RBAC " +
    (cfg.rbacEnabled && s != null ? "on (" + s.roles.length.toString() + " roles, " + s.bindings.length.toString() +
      " bindings)" : "off") + (cfg.failOpen ? ", fail open" : ""));
  return 1;
}

export function proxy_on_request_headers(contextId: u32, numHeaders: usize, endOfStream: u32): u32 {
  const root = streams.has(contextId) ? streams.get(contextId) : 0;
  const p = plugins.has(root) ? plugins.get(root) : null;
  return <u32>onRequestHeaders(p != null ? p.config : null);
}

export function proxy_on_done(contextId: u32): u32 {
  return 1;
}

export function proxy_on_log(contextId: u32): void {}

export function proxy_on_delete(contextId: u32): void {
  if (streams.has(contextId)) streams.delete(contextId);
  else if (plugins.has(contextId)) plugins.delete(contextId);
}

// ---- callbacks the filter does not use ------------------------------------------------------------------------------

export function proxy_on_tick(pluginContextId: u32): void {}
export function proxy_on_queue_ready(pluginContextId: u32, queueId: u32): void {}
export function proxy_on_foreign_function(pluginContextId: u32, functionId: u32, argumentsSize: usize): void {}
export function proxy_on_new_connection(contextId: u32): u32 { return Action.Continue; }
export function proxy_on_downstream_data(contextId: u32, dataSize: usize, endOfStream: u32): u32 { return Action.Continue; }
export function proxy_on_downstream_connection_close(contextId: u32, peerType: u32): void {}
export function proxy_on_upstream_data(contextId: u32, dataSize: usize, endOfStream: u32): u32 { return Action.Continue; }
export function proxy_on_upstream_connection_close(contextId: u32, peerType: u32): void {}
export function proxy_on_request_body(contextId: u32, bodySize: usize, endOfStream: u32): u32 { return Action.Continue; }
export function proxy_on_request_trailers(contextId: u32, numTrailers: usize): u32 { return Action.Continue; }
export function proxy_on_response_headers(contextId: u32, numHeaders: usize, endOfStream: u32): u32 { return Action.Continue; }
export function proxy_on_response_body(contextId: u32, bodySize: usize, endOfStream: u32): u32 { return Action.Continue; }
export function proxy_on_response_trailers(contextId: u32, numTrailers: usize): u32 { return Action.Continue; }
export function proxy_on_http_call_response(pluginContextId: u32, callId: u32, numHeaders: usize, bodySize: usize,
  numTrailers: usize): void {}
export function proxy_on_grpc_receive_initial_metadata(pluginContextId: u32, callId: u32, numElements: usize): void {}
export function proxy_on_grpc_receive(pluginContextId: u32, callId: u32, messageSize: usize): void {}
export function proxy_on_grpc_receive_trailing_metadata(pluginContextId: u32, callId: u32, numElements: usize): void {}
export function proxy_on_grpc_close(pluginContextId: u32, callId: u32, statusCode: u32): void {}
