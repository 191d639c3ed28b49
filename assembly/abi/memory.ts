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

// [u32 total length][u32 count][u32 length of each string, in UTF-16 code units][the code units, u16 LE]: one copy
// per string here and one decode of the whole block in the host (ABI 2.0; 1.x wrote UTF-8 per string).
export function outputStrings(list: string[]): usize {
  const count = list.length;
  let units: usize = 0;
  for (let i = 0; i < count; i++) units += <usize>unchecked(list[i]).length;
  const total: usize = 4 + (<usize>count << 2) + (units << 1);
  const buf = new ArrayBuffer(<i32>(total + 4));
  const base = changetype<usize>(buf);
  store<u32>(base, <u32>total);
  store<u32>(base + 4, <u32>count);
  let p = base + 8 + (<usize>count << 2);
  for (let i = 0; i < count; i++) {
    const str = unchecked(list[i]);
    const bytes = <usize>str.length << 1;
    store<u32>(base + 8 + (<usize>i << 2), <u32>str.length);
    memory.copy(p, changetype<usize>(str), bytes);
    p += bytes;
  }
  return __pin(base);
}
