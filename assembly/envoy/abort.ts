// Abort handler of the Envoy build (asconfig target "envoy": "use": abort=assembly/envoy/abort/onAbort).
// Envoy has no env.abort: the message goes to proxy_log at CRITICAL, then the instance traps (Envoy then
// fails the VM; with the filter's fail_open: false, requests are refused). Allocation-free and without
// module globals on purpose: an abort may come from an out-of-memory condition, or before start-up.
import { proxy_log } from "./hostcalls";
import { LogLevel } from "./types";

// @ts-ignore: decorator
@inline const SIZE: usize = 1024;

function put(buf: usize, at: usize, s: string): usize {
  for (let i = 0; i < s.length && at < SIZE; i++) {
    const c = s.charCodeAt(i);
    store<u8>(buf + at++, <u8>(c >= 0x20 && c < 0x7f ? c : 0x3f));
  }
  return at;
}

function putNumber(buf: usize, at: usize, v: u32): usize {
  let div: u32 = 1000000000;
  let started = false;
  while (div > 0) {
    const d = (v / div) % 10;
    if (d != 0 || started || div == 1) {
      started = true;
      if (at < SIZE) store<u8>(buf + at++, <u8>(0x30 + d));
    }
    div /= 10;
  }
  return at;
}

export function onAbort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  const buf = memory.data(<i32>SIZE);
  let at = put(buf, 0, "rbac-guard: abort: ");
  at = put(buf, at, message != null ? message : "abort");
  if (fileName != null) {
    at = put(buf, at, " at ");
    at = put(buf, at, fileName);
    at = put(buf, at, ":");
    at = putNumber(buf, at, line);
    at = put(buf, at, ":");
    at = putNumber(buf, at, column);
  }
  proxy_log(<u32>LogLevel.Critical, buf, at);
  unreachable();
}
