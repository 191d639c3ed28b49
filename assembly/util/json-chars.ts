// Character classes of JSON text (RFC 8259), shared by the two JSON readers: the Envoy configuration's
// (envoy/json.ts) and the exports' inputs (abi/json-input.ts).

export function isDigit(c: i32): bool {
  return c >= 0x30 && c <= 0x39;
}

// The value of a hexadecimal digit, -1 for any other character.
export function hexDigit(c: i32): i32 {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}
