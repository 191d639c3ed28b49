// A Proxy-Wasm ABI 0.2.1 host in TypeScript (spec: proxy-wasm/spec abi-versions/v0.2.1/README.md), enough to
// run build/rbac-guard-envoy.wasm the way Envoy does: _initialize, a plugin context, proxy_on_vm_start,
// proxy_on_configure with the PLUGIN_CONFIGURATION buffer, then per request a stream context through
// proxy_on_request_headers, proxy_on_done, proxy_on_log and proxy_on_delete. Memory the host hands over is
// allocated with the module's proxy_on_memory_allocate; header maps and local-response headers use the spec's
// serialization; property paths are NUL-separated segments. Logs, metrics and local responses are recorded.
// Host calls can be told to fail (`failures`) to drive the filter's error paths.

export const Status = { Ok: 0, NotFound: 1, BadArgument: 2, SerializationFailure: 3, ParseFailure: 4,
  InvalidMemoryAccess: 6, Empty: 7, CasMismatch: 8, InternalFailure: 10, Unimplemented: 12 } as const;
export const LogLevel = { Trace: 0, Debug: 1, Info: 2, Warn: 3, Error: 4, Critical: 5 } as const;
export const Action = { Continue: 0, Pause: 1 } as const;
const BufferType = { VmConfiguration: 6, PluginConfiguration: 7 } as const;
const MapType = { HttpRequestHeaders: 0, HttpRequestTrailers: 1, HttpResponseHeaders: 2, HttpResponseTrailers: 3 } as const;

/** The host functions of ABI 0.2.1 a module may import from "env". */
export const HOST_FUNCTIONS = [
  "proxy_log", "proxy_get_log_level", "proxy_get_current_time_nanoseconds", "proxy_set_tick_period_milliseconds",
  "proxy_done", "proxy_set_effective_context", "proxy_get_buffer_bytes", "proxy_set_buffer_bytes",
  "proxy_get_buffer_status", "proxy_get_header_map_size", "proxy_get_header_map_pairs", "proxy_set_header_map_pairs",
  "proxy_get_header_map_value", "proxy_add_header_map_value", "proxy_replace_header_map_value",
  "proxy_remove_header_map_value", "proxy_continue_stream", "proxy_close_stream", "proxy_get_status",
  "proxy_send_local_response", "proxy_http_call", "proxy_grpc_call", "proxy_grpc_stream", "proxy_grpc_send",
  "proxy_grpc_cancel", "proxy_grpc_close", "proxy_set_shared_data", "proxy_get_shared_data",
  "proxy_register_shared_queue", "proxy_resolve_shared_queue", "proxy_enqueue_shared_queue",
  "proxy_dequeue_shared_queue", "proxy_define_metric", "proxy_record_metric", "proxy_increment_metric",
  "proxy_get_metric", "proxy_get_property", "proxy_set_property", "proxy_call_foreign_function",
] as const;

export interface LocalResponse {
  status: number;
  details: string;
  body: string;
  headers: [string, string][];
  grpcStatus: number;
}

export interface RequestSpec {
  method?: string;
  path: string;
  /** extra request headers (names are lower-cased, as Envoy's header maps hold them) */
  headers?: Record<string, string>;
  /** property path (segments joined with "/") -> value bytes, for this request only */
  properties?: Record<string, Uint8Array | string>;
}

export interface RequestResult {
  action: number;
  local?: LocalResponse;
  /** the module trapped; like Envoy with fail_open: false, the request was answered 503 */
  trapped?: boolean;
}

export interface Metric { type: number; name: string; value: bigint }

interface Exports {
  memory: WebAssembly.Memory;
  _initialize?: () => void;
  proxy_on_memory_allocate(size: number): number;
  proxy_on_context_create(id: number, parent: number): void;
  proxy_on_vm_start(id: number, size: number): number;
  proxy_on_configure(id: number, size: number): number;
  proxy_on_request_headers(id: number, headers: number, endOfStream: number): number;
  proxy_on_done(id: number): number;
  proxy_on_log(id: number): void;
  proxy_on_delete(id: number): void;
  [name: string]: any;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function bytesOf(v: Uint8Array | string): Uint8Array {
  return typeof v === "string" ? encoder.encode(v) : v;
}

/** The spec's map serialization (used for local-response headers and header-map pairs). */
export function serializeMap(pairs: [string, string][]): Uint8Array {
  const enc = pairs.map(([k, v]) => [encoder.encode(k), encoder.encode(v)] as const);
  let size = 4 + 8 * pairs.length;
  for (const [k, v] of enc) size += k.length + v.length + 2;
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, pairs.length, true);
  let p = 4 + 8 * pairs.length;
  enc.forEach(([k, v], i) => {
    dv.setUint32(4 + 8 * i, k.length, true);
    dv.setUint32(8 + 8 * i, v.length, true);
    out.set(k, p); p += k.length + 1;
    out.set(v, p); p += v.length + 1;
  });
  return out;
}

export function deserializeMap(bytes: Uint8Array): [string, string][] {
  if (bytes.length <= 1) return [];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = dv.getUint32(0, true);
  const out: [string, string][] = [];
  let p = 4 + 8 * n;
  for (let i = 0; i < n; i++) {
    const kl = dv.getUint32(4 + 8 * i, true);
    const vl = dv.getUint32(8 + 8 * i, true);
    const k = decoder.decode(bytes.subarray(p, p + kl)); p += kl;
    if (bytes[p++] !== 0) throw new Error("map key not NUL-terminated");
    const v = decoder.decode(bytes.subarray(p, p + vl)); p += vl;
    if (bytes[p++] !== 0) throw new Error("map value not NUL-terminated");
    out.push([k, v]);
  }
  return out;
}

export interface HostOptions {
  /** the clock, nanoseconds since the epoch (default: Date.now()) */
  now?: () => bigint;
  logLevel?: number;
  vmConfiguration?: string;
  /** properties present for every request (path segments joined with "/") */
  properties?: Record<string, Uint8Array | string>;
}

export class ProxyWasmHost {
  readonly logs: { level: number; message: string }[] = [];
  readonly metrics = new Map<number, Metric>();
  /** host calls forced to answer a status instead of working */
  readonly failures = new Map<string, number>();
  /** imports the module called, by name */
  readonly calls = new Map<string, number>();
  logLevel: number;
  now: () => bigint;
  /** when set, time spent in proxy_on_request_headers and, within it, in host functions (for the bench) */
  timing: { headersNs: bigint; hostNs: bigint; requests: number } | null = null;
  private inHeaders = false;
  trapped = false;
  allocations = 0;
  readonly rootContextId = 1;
  readonly instance: WebAssembly.Instance;
  private readonly ex: Exports;
  private nextContextId = 2;
  private pluginConfig: Uint8Array = new Uint8Array(0);
  private readonly vmConfig: Uint8Array;
  private readonly baseProperties: Record<string, Uint8Array | string>;
  private headers: [string, Uint8Array][] | null = null;
  private properties = new Map<string, Uint8Array>();
  // why: a benchmark replays the same specs; encoding a 1 KB token on every read would measure the host
  private readonly prepared = new WeakMap<RequestSpec, { headers: [string, Uint8Array][]; properties: Map<string, Uint8Array> }>();
  private local: LocalResponse | undefined;

  constructor(module: WebAssembly.Module, options: HostOptions = {}) {
    this.now = options.now ?? (() => BigInt(Date.now()) * 1_000_000n);
    this.logLevel = options.logLevel ?? LogLevel.Info;
    this.vmConfig = encoder.encode(options.vmConfiguration ?? "");
    this.baseProperties = options.properties ?? {};
    const env: Record<string, (...args: any[]) => any> = {};
    for (const name of HOST_FUNCTIONS) {
      const impl = (this as any)["host_" + name] as ((...a: any[]) => any) | undefined;
      env[name] = (...args: any[]) => {
        this.calls.set(name, (this.calls.get(name) ?? 0) + 1);
        const forced = this.failures.get(name);
        if (forced !== undefined) return forced;
        if (!impl) return Status.Unimplemented;
        if (this.timing === null || !this.inHeaders) return impl.apply(this, args);
        const t0 = process.hrtime.bigint();
        const r = impl.apply(this, args);
        this.timing.hostNs += process.hrtime.bigint() - t0;
        return r;
      };
    }
    this.instance = new WebAssembly.Instance(module, { env });
    this.ex = this.instance.exports as unknown as Exports;
  }

  get exports(): Exports { return this.ex; }
  get memoryBytes(): number { return this.ex.memory.buffer.byteLength; }

  /** _initialize, the plugin (root) context and proxy_on_vm_start, as Envoy starts a VM. */
  start(): boolean {
    return this.guard(() => {
      this.ex._initialize?.();
      this.ex.proxy_on_context_create(this.rootContextId, 0);
      return this.ex.proxy_on_vm_start(this.rootContextId, this.vmConfig.length) !== 0;
    }, false);
  }

  /** proxy_on_configure with this plugin configuration; false when the module refuses it. */
  configure(config: string | object | Uint8Array): boolean {
    this.pluginConfig = config instanceof Uint8Array ? config
      : encoder.encode(typeof config === "string" ? config : JSON.stringify(config));
    return this.guard(() => this.ex.proxy_on_configure(this.rootContextId, this.pluginConfig.length) !== 0, false);
  }

  private prepare(spec: RequestSpec) {
    let p = this.prepared.get(spec);
    if (p) return p;
    const headers: [string, string][] = [[":method", spec.method ?? "GET"], [":path", spec.path],
      [":authority", "kubernetes.default.svc"], [":scheme", "https"]];
    for (const [k, v] of Object.entries(spec.headers ?? {})) {
      if (k === ":method" || k === ":path") headers.splice(k === ":method" ? 0 : 1, 1, [k, v]);
      else if (v !== undefined) headers.push([k.toLowerCase(), v]);
    }
    const properties = new Map<string, Uint8Array>();
    for (const [k, v] of Object.entries({ ...this.baseProperties, ...(spec.properties ?? {}) })) properties.set(k, bytesOf(v));
    p = { headers: headers.map(([k, v]) => [k, encoder.encode(v)] as [string, Uint8Array]), properties };
    this.prepared.set(spec, p);
    return p;
  }

  /** One HTTP request through a new stream context (create, request headers, done, log, delete). */
  request(spec: RequestSpec): RequestResult {
    if (this.trapped) return { action: Action.Pause, trapped: true, local: this.failLocal() };
    const id = this.nextContextId++;
    const p = this.prepare(spec);
    this.headers = p.headers.slice();
    this.properties = p.properties;
    this.local = undefined;
    const action = this.guard(() => {
      this.ex.proxy_on_context_create(id, this.rootContextId);
      let a: number;
      if (this.timing !== null) {
        this.inHeaders = true;
        const t0 = process.hrtime.bigint();
        a = this.ex.proxy_on_request_headers(id, this.headers!.length, 1);
        this.timing.headersNs += process.hrtime.bigint() - t0;
        this.timing.requests++;
        this.inHeaders = false;
      } else {
        a = this.ex.proxy_on_request_headers(id, this.headers!.length, 1);
      }
      if (this.ex.proxy_on_done(id) !== 0) {
        this.ex.proxy_on_log(id);
        this.ex.proxy_on_delete(id);
      }
      return a;
    }, -1);
    this.headers = null;
    if (action === -1) return { action: Action.Pause, trapped: true, local: this.failLocal() };
    return { action, local: this.local };
  }

  metric(name: string): bigint {
    for (const m of this.metrics.values()) if (m.name === name) return m.value;
    return 0n;
  }

  /** Metrics with a non-zero value, by name. */
  metricValues(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const m of this.metrics.values()) if (m.value !== 0n) out[m.name] = Number(m.value);
    return out;
  }

  private pairs(map: [string, Uint8Array][]): [string, string][] {
    return map.map(([k, v]) => [k, decoder.decode(v)]);
  }

  private failLocal(): LocalResponse {
    return { status: 503, details: "wasm_fail_stream", body: "", headers: [], grpcStatus: -1 };
  }

  // A trap makes the VM unusable, as in Envoy.
  private guard<T>(fn: () => T, onTrap: T): T {
    try {
      return fn();
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError) {
        this.trapped = true;
        return onTrap;
      }
      throw e;
    }
  }

  // ---- memory -------------------------------------------------------------------------------------------------------

  private view(): DataView { return new DataView(this.ex.memory.buffer); }

  private read(ptr: number, len: number): Uint8Array {
    if (ptr + len > this.ex.memory.buffer.byteLength) throw new RangeError("guest pointer out of bounds");
    return new Uint8Array(this.ex.memory.buffer, ptr, len).slice();
  }

  private readString(ptr: number, len: number): string {
    return decoder.decode(this.read(ptr, len));
  }

  /** Copies `bytes` into guest memory from proxy_on_memory_allocate and writes pointer and size. */
  private give(bytes: Uint8Array, retPtr: number, retSize: number): number {
    let ptr = 0;
    if (bytes.length > 0) {
      ptr = this.ex.proxy_on_memory_allocate(bytes.length);
      if (ptr === 0) return Status.InvalidMemoryAccess;
      this.allocations++;
      new Uint8Array(this.ex.memory.buffer, ptr, bytes.length).set(bytes);
    }
    const dv = this.view();
    dv.setUint32(retPtr, ptr, true);
    dv.setUint32(retSize, bytes.length, true);
    return Status.Ok;
  }

  // ---- host functions ----------------------------------------------------------------------------------------------

  host_proxy_log(level: number, ptr: number, len: number): number {
    if (level < 0 || level > 5) return Status.BadArgument;
    this.logs.push({ level, message: this.readString(ptr, len) });
    return Status.Ok;
  }

  host_proxy_get_log_level(ret: number): number {
    this.view().setUint32(ret, this.logLevel, true);
    return Status.Ok;
  }

  host_proxy_get_current_time_nanoseconds(ret: number): number {
    this.view().setBigUint64(ret, this.now(), true);
    return Status.Ok;
  }

  host_proxy_set_tick_period_milliseconds(): number { return Status.Ok; }

  host_proxy_get_buffer_bytes(type: number, start: number, maxSize: number, retPtr: number, retSize: number): number {
    let buf: Uint8Array;
    if (type === BufferType.PluginConfiguration) buf = this.pluginConfig;
    else if (type === BufferType.VmConfiguration) buf = this.vmConfig;
    else if (type >= 0 && type <= 8) return Status.NotFound;
    else return Status.BadArgument;
    if (start > buf.length) return Status.BadArgument;
    return this.give(buf.subarray(start, start + maxSize), retPtr, retSize);
  }

  host_proxy_get_buffer_status(type: number, retSize: number, retFlags: number): number {
    if (type !== BufferType.PluginConfiguration && type !== BufferType.VmConfiguration) return Status.NotFound;
    const buf = type === BufferType.PluginConfiguration ? this.pluginConfig : this.vmConfig;
    this.view().setUint32(retSize, buf.length, true);
    this.view().setUint32(retFlags, 0, true);
    return Status.Ok;
  }

  private headerMap(type: number): [string, Uint8Array][] | null | undefined {
    if (type === MapType.HttpRequestHeaders) return this.headers;
    if (type >= 0 && type <= 7) return null; // not available in this callback
    return undefined;
  }

  host_proxy_get_header_map_value(type: number, keyPtr: number, keyLen: number, retPtr: number, retSize: number): number {
    const map = this.headerMap(type);
    if (map === undefined) return Status.BadArgument;
    if (map === null) return Status.NotFound;
    const key = this.readString(keyPtr, keyLen).toLowerCase();
    const entry = map.find(([k]) => k === key);
    if (!entry) return Status.NotFound;
    return this.give(entry[1], retPtr, retSize);
  }

  host_proxy_get_header_map_pairs(type: number, retPtr: number, retSize: number): number {
    const map = this.headerMap(type);
    if (map === undefined) return Status.BadArgument;
    return this.give(serializeMap(this.pairs(map ?? [])), retPtr, retSize);
  }

  host_proxy_get_header_map_size(type: number, retSize: number): number {
    const map = this.headerMap(type);
    if (map === undefined) return Status.BadArgument;
    this.view().setUint32(retSize, serializeMap(this.pairs(map ?? [])).length, true);
    return Status.Ok;
  }

  host_proxy_add_header_map_value(type: number, kp: number, kl: number, vp: number, vl: number): number {
    const map = this.headerMap(type);
    if (!map) return map === undefined ? Status.BadArgument : Status.NotFound;
    map.push([this.readString(kp, kl).toLowerCase(), this.read(vp, vl)]);
    return Status.Ok;
  }

  host_proxy_replace_header_map_value(type: number, kp: number, kl: number, vp: number, vl: number): number {
    const map = this.headerMap(type);
    if (!map) return map === undefined ? Status.BadArgument : Status.NotFound;
    const key = this.readString(kp, kl).toLowerCase();
    const i = map.findIndex(([k]) => k === key);
    if (i >= 0) map[i] = [key, this.read(vp, vl)];
    else map.push([key, this.read(vp, vl)]);
    return Status.Ok;
  }

  host_proxy_remove_header_map_value(type: number, kp: number, kl: number): number {
    const map = this.headerMap(type);
    if (!map) return map === undefined ? Status.BadArgument : Status.NotFound;
    const key = this.readString(kp, kl).toLowerCase();
    for (let i = map.length - 1; i >= 0; i--) if (map[i][0] === key) map.splice(i, 1);
    return Status.Ok;
  }

  host_proxy_set_header_map_pairs(type: number, ptr: number, len: number): number {
    const map = this.headerMap(type);
    if (!map) return map === undefined ? Status.BadArgument : Status.NotFound;
    map.splice(0, map.length, ...deserializeMap(this.read(ptr, len)).map(([k, v]) => [k, encoder.encode(v)] as [string, Uint8Array]));
    return Status.Ok;
  }

  host_proxy_get_property(pathPtr: number, pathLen: number, retPtr: number, retSize: number): number {
    let raw = this.readString(pathPtr, pathLen);
    if (raw.endsWith("\0")) raw = raw.slice(0, -1);
    const key = raw.split("\0").join("/");
    const value = this.properties.get(key);
    if (value === undefined) return Status.NotFound;
    return this.give(value, retPtr, retSize);
  }

  host_proxy_set_property(): number { return Status.Ok; }

  host_proxy_send_local_response(status: number, dp: number, dl: number, bp: number, bl: number, hp: number,
    hl: number, grpc: number): number {
    if (this.headers === null) return Status.BadArgument;
    this.local = {
      status, details: this.readString(dp, dl), body: this.readString(bp, bl),
      headers: deserializeMap(this.read(hp, hl)), grpcStatus: grpc,
    };
    return Status.Ok;
  }

  host_proxy_continue_stream(): number { return Status.Ok; }
  host_proxy_close_stream(): number { return Status.Ok; }
  host_proxy_done(): number { return Status.NotFound; }
  host_proxy_set_effective_context(): number { return Status.Ok; }

  host_proxy_define_metric(type: number, namePtr: number, nameLen: number, retId: number): number {
    if (type < 0 || type > 2) return Status.BadArgument;
    const name = this.readString(namePtr, nameLen);
    const id = this.metrics.size + 1;
    this.metrics.set(id, { type, name, value: 0n });
    this.view().setUint32(retId, id, true);
    return Status.Ok;
  }

  host_proxy_increment_metric(id: number, delta: bigint): number {
    const m = this.metrics.get(id);
    if (!m) return Status.NotFound;
    if (m.type === 0 && delta < 0n) return Status.BadArgument;
    m.value += delta;
    return Status.Ok;
  }

  host_proxy_record_metric(id: number, value: bigint): number {
    const m = this.metrics.get(id);
    if (!m) return Status.NotFound;
    m.value = value;
    return Status.Ok;
  }

  host_proxy_get_metric(id: number, ret: number): number {
    const m = this.metrics.get(id);
    if (!m) return Status.NotFound;
    this.view().setBigUint64(ret, m.value, true);
    return Status.Ok;
  }
}

/** A host over stub imports only, for calling the module's rbac_* ABI (proxy_log still records aborts). */
export function stubImports(onLog: (level: number, message: string) => void, memory: () => WebAssembly.Memory) {
  const env: Record<string, (...args: any[]) => any> = {};
  for (const name of HOST_FUNCTIONS) env[name] = () => Status.Unimplemented;
  env.proxy_log = (level: number, ptr: number, len: number) => {
    onLog(level, decoder.decode(new Uint8Array(memory().buffer, ptr, len)));
    return Status.Ok;
  };
  return { env };
}
