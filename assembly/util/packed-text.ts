// Packed string literals. AssemblyScript stores each string literal as its own static object: a 20-byte header and
// two bytes per character (UTF-16). The guardrail checks carry most of the module's text (catalog titles, rationales
// and remediations, messages, the bootstrap fingerprints), so the build transform scripts/packed-text.js (passed to
// asc by `npm run build:wasm`) rewrites every string literal of assembly/checks/ into `__packedText(i)`, and fills
// BYTES, OFFSETS and COUNT below with their UTF-8 bytes, one data segment for all: half the bytes, no headers. A
// literal's string is decoded on first use and kept, so each literal still yields one string (the same object on
// every use, as a literal is). Without the transform COUNT stays 0 and nothing calls __packedText.

const BYTES: usize = memory.data<u8>([0]);
const OFFSETS: usize = memory.data<u32>([0, 0]);
const COUNT: i32 = 0;

let texts: StaticArray<string | null> | null = null;

// The string of packed literal i (its UTF-8 bytes are BYTES[OFFSETS[i] .. OFFSETS[i + 1])).
export function __packedText(i: i32): string {
  let t = texts;
  if (t == null) texts = t = new StaticArray<string | null>(COUNT);
  const known = unchecked(t[i]);
  if (known != null) return known;
  const start = load<u32>(OFFSETS + (<usize>i << 2));
  const end = load<u32>(OFFSETS + (<usize>(i + 1) << 2));
  const s = String.UTF8.decodeUnsafe(BYTES + <usize>start, <usize>(end - start));
  unchecked(t[i] = s);
  return s;
}
