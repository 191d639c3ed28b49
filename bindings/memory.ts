// The only code that reads or writes the module's memory. Views are made fresh on every call,
// because the memory may grow (which detaches old views).
import type { RawExports } from "./exports.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Copies `bytes` into a guest buffer, runs `fn(ptr, len)`, then frees the buffer. */
export function withInput<T>(ex: RawExports, bytes: Uint8Array, fn: (ptr: number, len: number) => T): T {
  const ptr = ex.rbac_alloc(bytes.length);
  try {
    new Uint8Array(ex.memory.buffer, ptr, bytes.length).set(bytes);
    return fn(ptr, bytes.length);
  } finally {
    ex.rbac_free(ptr);
  }
}

export function encode(s: string): Uint8Array {
  return encoder.encode(s);
}

/** Reads and frees an output buffer ([u32 length][UTF-8 bytes]). */
export function takeOutput(ex: RawExports, ptr: number): string {
  const len = new DataView(ex.memory.buffer).getUint32(ptr, true);
  const text = decoder.decode(new Uint8Array(ex.memory.buffer, ptr + 4, len));
  ex.rbac_free(ptr);
  return text;
}

/** A view of the fast path's group-id buffer, room for `n` ids; valid until memory grows or `n` grows. */
export function groupIds(ex: RawExports, n: number): Int32Array {
  const ptr = ex.rbac_groups_buffer(n);
  return new Int32Array(ex.memory.buffer, ptr, n);
}

const utf16 = new TextDecoder("utf-16le");

/**
 * Reads and frees a string-list output buffer ([u32 length][u32 count][u32 code units of each][UTF-16 LE units]).
 * One decode for the whole list, then slices (an unpaired surrogate decodes as U+FFFD, one unit, so the slices stay
 * aligned).
 */
export function takeStrings(ex: RawExports, ptr: number): string[] {
  const view = new DataView(ex.memory.buffer);
  const count = view.getUint32(ptr + 4, true);
  const lengths = new Array<number>(count);
  let units = 0;
  for (let i = 0; i < count; i++) units += lengths[i] = view.getUint32(ptr + 8 + 4 * i, true);
  const all = utf16.decode(new Uint8Array(ex.memory.buffer, ptr + 8 + 4 * count, units * 2));
  ex.rbac_free(ptr);
  const out = new Array<string>(count);
  let at = 0;
  for (let i = 0; i < count; i++) {
    out[i] = all.slice(at, at + lengths[i]);
    at += lengths[i];
  }
  return out;
}

/**
 * Runs a batch export on `input` copied into the guest's reusable batch buffer (ABI 2.2 rbac_batch_buffer), with
 * room for `count` i32 codes after it; returns the export's return code and the codes copied out.
 */
export function withBatch(ex: RawExports, input: Uint8Array, count: number,
  fn: (inPtr: number, inLen: number, outPtr: number) => number): { rc: number; codes: Int32Array } {
  const outAt = (input.length + 3) & ~3;
  const ptr = ex.rbac_batch_buffer(outAt + count * 4);
  new Uint8Array(ex.memory.buffer, ptr, input.length).set(input);
  const rc = fn(ptr, input.length, ptr + outAt);
  const codes = new Int32Array(count);
  // why: deciding may have grown the memory (views are built on demand), which detaches earlier views of it
  if (rc === count) codes.set(new Int32Array(ex.memory.buffer, ptr + outAt, count));
  return { rc, codes };
}

/** A view of the guest's reusable path buffer with room for at least `n` bytes (ABI rbac_path_buffer). */
export function pathBytes(ex: RawExports, n: number): Uint8Array {
  const ptr = ex.rbac_path_buffer(n);
  return new Uint8Array(ex.memory.buffer, ptr, Math.max(n, 256));
}

/** Encodes `s` as UTF-8 into `view` from offset 0; returns the byte length, or -1 when it does not fit. */
export function encodeInto(s: string, view: Uint8Array): number {
  const r = encoder.encodeInto(s, view);
  return r.read === s.length ? r.written : -1;
}
