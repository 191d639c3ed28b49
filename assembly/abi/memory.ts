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

export function readUTF8(ptr: usize, len: u32): string {
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
