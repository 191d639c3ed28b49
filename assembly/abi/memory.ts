import { collectIfGrown } from "../util/gc";

// Buffers shared with the host. Inputs: the host calls rbac_alloc, writes, calls, then rbac_free.
// Outputs: the guest returns a pointer to [u32 little-endian length][bytes]; the host copies and
// rbac_frees it. Never expose runtime names (__new, __pin) to hosts.

export function alloc(len: u32): usize {
  const buf = new ArrayBuffer(<i32>len);
  return __pin(changetype<usize>(buf));
}

export function free(ptr: usize): void {
  if (ptr != 0) __unpin(ptr);
}

// Decodes an export's input. It is the first step of every export that takes one, so it is also
// where garbage from earlier calls is collected (see util/gc.ts: safe at the start of an export).
export function readUTF8(ptr: usize, len: u32): string {
  collectIfGrown();
  return String.UTF8.decodeUnsafe(ptr, <usize>len);
}

export function output(s: string): usize {
  const n = <u32>String.UTF8.byteLength(s);
  const buf = new ArrayBuffer(<i32>(n + 4));
  const p = changetype<usize>(buf);
  store<u32>(p, n);
  String.UTF8.encodeUnsafe(changetype<usize>(s), s.length, p + 4);
  return __pin(p);
}

// [u32 total length][u32 count] then, per string, [u32 byte length][UTF-8 bytes].
export function outputStrings(list: string[]): usize {
  let total: usize = 4;
  for (let i = 0; i < list.length; i++) total += 4 + <usize>String.UTF8.byteLength(list[i]);
  const buf = new ArrayBuffer(<i32>(total + 4));
  const base = changetype<usize>(buf);
  store<u32>(base, <u32>total);
  store<u32>(base + 4, <u32>list.length);
  let p = base + 8;
  for (let i = 0; i < list.length; i++) {
    const str = list[i];
    const n = String.UTF8.encodeUnsafe(changetype<usize>(str), str.length, p + 4);
    store<u32>(p, <u32>n);
    p += 4 + n;
  }
  return __pin(base);
}
