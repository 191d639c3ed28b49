// Host functions of Proxy-Wasm ABI 0.2.1: each `@external("env", ...)` import, followed by its typed wrapper.
// Wrappers return a Status, or a value where an expected status is a value (NotFound -> null).
// Buffers the host returns were allocated through our proxy_on_memory_allocate: the wrapper copies what it
// needs and frees them before returning (INVARIANT: no host buffer outlives the wrapper that received it).
import { Status, LogLevel, BufferType, MapType, MetricType } from "./types";
import { decodeUTF8Go } from "../eval/requestinfo";

// Out-parameters the host writes: a pointer and a size (or an id, a level, a time).
const RET_PTR: usize = memory.data(8);
const RET_SIZE: usize = memory.data(8);

// A host-owned result: bytes at `ptr` (guest heap, ours to free) of `size` bytes.
export class HostBytes {
  ptr: usize = 0;
  size: usize = 0;

  // Releases the buffer the host allocated for us (safe to call twice).
  free(): void {
    if (this.ptr != 0) heap.free(this.ptr);
    this.ptr = 0;
    this.size = 0;
  }
}

function takeResult(out: HostBytes): void {
  out.ptr = <usize>load<u32>(RET_PTR);
  out.size = <usize>load<u32>(RET_SIZE);
}

// UTF-8 bytes of `s` in a reusable scratch buffer (valid until the next call of utf8()).
let scratch = new ArrayBuffer(256);
let scratchLen: usize = 0;

export function utf8(s: string): usize {
  const n = <usize>String.UTF8.byteLength(s);
  if (n > <usize>scratch.byteLength) scratch = new ArrayBuffer(<i32>max(n, <usize>scratch.byteLength * 2));
  scratchLen = String.UTF8.encodeUnsafe(changetype<usize>(s), s.length, changetype<usize>(scratch));
  return changetype<usize>(scratch);
}

export function utf8Len(): usize {
  return scratchLen;
}

// A constant string encoded once (header names, property paths).
export class Bytes {
  buf: ArrayBuffer;
  constructor(s: string) {
    this.buf = String.UTF8.encode(s);
  }
  get ptr(): usize { return changetype<usize>(this.buf); }
  get len(): usize { return <usize>this.buf.byteLength; }
}

// ---- logging --------------------------------------------------------------------------------------------------------

// @ts-ignore: decorator
@external("env", "proxy_log")
export declare function proxy_log(level: u32, messagePtr: usize, messageSize: usize): u32;

export function log(level: LogLevel, message: string): Status {
  const p = utf8(message);
  return <Status>proxy_log(<u32>level, p, utf8Len());
}

// @ts-ignore: decorator
@external("env", "proxy_get_log_level")
declare function proxy_get_log_level(returnLevel: usize): u32;

// The host's log level; Trace when the host does not say.
export function logLevel(): LogLevel {
  if (<Status>proxy_get_log_level(RET_PTR) != Status.Ok) return LogLevel.Trace;
  return <LogLevel>load<u32>(RET_PTR);
}

// ---- clock ----------------------------------------------------------------------------------------------------------

// @ts-ignore: decorator
@external("env", "proxy_get_current_time_nanoseconds")
declare function proxy_get_current_time_nanoseconds(returnTime: usize): u32;

// Nanoseconds since the Unix epoch, or -1 when the host fails.
export function currentTimeNanoseconds(): i64 {
  if (<Status>proxy_get_current_time_nanoseconds(RET_PTR) != Status.Ok) return -1;
  return load<i64>(RET_PTR);
}

// ---- buffers --------------------------------------------------------------------------------------------------------

// @ts-ignore: decorator
@external("env", "proxy_get_buffer_bytes")
declare function proxy_get_buffer_bytes(bufferType: u32, start: usize, maxSize: usize, returnPtr: usize, returnSize: usize): u32;

export function getBufferBytes(type: BufferType, start: usize, maxSize: usize, out: HostBytes): Status {
  store<u32>(RET_PTR, 0);
  store<u32>(RET_SIZE, 0);
  const st = <Status>proxy_get_buffer_bytes(<u32>type, start, maxSize, RET_PTR, RET_SIZE);
  if (st == Status.Ok) takeResult(out);
  return st;
}

// ---- HTTP fields ----------------------------------------------------------------------------------------------------

// @ts-ignore: decorator
@external("env", "proxy_get_header_map_value")
declare function proxy_get_header_map_value(mapType: u32, keyPtr: usize, keySize: usize, returnPtr: usize, returnSize: usize): u32;

// The host's answer to the last getHeaderMapValue.
export let lastStatus: Status = Status.Ok;

// The value of header `key` (lower-case), or null when the host has none (lastStatus says why).
export function getHeaderMapValue(map: MapType, key: Bytes): string | null {
  store<u32>(RET_PTR, 0);
  store<u32>(RET_SIZE, 0);
  lastStatus = <Status>proxy_get_header_map_value(<u32>map, key.ptr, key.len, RET_PTR, RET_SIZE);
  if (lastStatus != Status.Ok) return null;
  const ptr = <usize>load<u32>(RET_PTR);
  const size = <usize>load<u32>(RET_SIZE);
  const value = size == 0 ? "" : decodeUTF8Go(ptr, size);
  if (ptr != 0) heap.free(ptr);
  return value;
}

// ---- properties -----------------------------------------------------------------------------------------------------

// @ts-ignore: decorator
@external("env", "proxy_get_property")
declare function proxy_get_property(pathPtr: usize, pathSize: usize, returnPtr: usize, returnSize: usize): u32;

// A property path: segments separated by NUL (as the SDKs serialize it).
export function propertyPath(segments: string[]): Bytes {
  return new Bytes(segments.join("\u0000"));
}

export function getProperty(path: Bytes, out: HostBytes): Status {
  store<u32>(RET_PTR, 0);
  store<u32>(RET_SIZE, 0);
  const st = <Status>proxy_get_property(path.ptr, path.len, RET_PTR, RET_SIZE);
  if (st == Status.Ok) takeResult(out);
  return st;
}

// ---- local responses ------------------------------------------------------------------------------------------------

// @ts-ignore: decorator
@external("env", "proxy_send_local_response")
declare function proxy_send_local_response(statusCode: u32, detailsPtr: usize, detailsSize: usize, bodyPtr: usize,
  bodySize: usize, headersPtr: usize, headersSize: usize, grpcStatus: i32): u32;

// Sends `statusCode` with `body` and headers (names and values alternate in `headers`), instead of proxying.
export function sendLocalResponse(statusCode: u32, details: string, body: string, headers: string[]): Status {
  const d = String.UTF8.encode(details);
  const b = String.UTF8.encode(body);
  const h = serializeMap(headers);
  return <Status>proxy_send_local_response(statusCode, changetype<usize>(d), <usize>d.byteLength, changetype<usize>(b),
    <usize>b.byteLength, changetype<usize>(h), <usize>h.byteLength, -1);
}

// The spec's map serialization: u32 count, (u32 key size, u32 value size) per pair, then key\0value\0 per pair.
export function serializeMap(pairs: string[]): ArrayBuffer {
  const n = pairs.length >> 1;
  let size = 4 + 8 * n;
  const encoded = new Array<ArrayBuffer>(pairs.length);
  for (let i = 0; i < pairs.length; i++) {
    encoded[i] = String.UTF8.encode(pairs[i]);
    size += encoded[i].byteLength + 1;
  }
  const out = new ArrayBuffer(size);
  const base = changetype<usize>(out);
  store<u32>(base, <u32>n);
  let p = base + 4 + 8 * <usize>n;
  for (let i = 0; i < pairs.length; i++) {
    const e = encoded[i];
    store<u32>(base + 4 + 4 * <usize>i, <u32>e.byteLength);
    memory.copy(p, changetype<usize>(e), <usize>e.byteLength);
    p += <usize>e.byteLength;
    store<u8>(p, 0);
    p++;
  }
  return out;
}

// ---- metrics --------------------------------------------------------------------------------------------------------

// @ts-ignore: decorator
@external("env", "proxy_define_metric")
declare function proxy_define_metric(metricType: u32, namePtr: usize, nameSize: usize, returnId: usize): u32;

// The id of a new metric, or -1 when the host refuses it.
export function defineMetric(type: MetricType, name: string): i64 {
  const p = utf8(name);
  if (<Status>proxy_define_metric(<u32>type, p, utf8Len(), RET_PTR) != Status.Ok) return -1;
  return <i64>load<u32>(RET_PTR);
}

// @ts-ignore: decorator
@external("env", "proxy_increment_metric")
declare function proxy_increment_metric(metricId: u32, delta: i64): u32;

export function incrementMetric(id: i64, delta: i64): Status {
  if (id < 0) return Status.NotFound;
  return <Status>proxy_increment_metric(<u32>id, delta);
}
