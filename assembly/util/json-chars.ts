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

// The character a one-letter escape (after a backslash) stands for: `"`, `\`, `/`, b, f, n, r, t; -1 for any other
// (`u` starts a four-digit escape, which the readers decode themselves).
export function simpleEscape(e: i32): i32 {
  if (e == 0x22 || e == 0x5c || e == 0x2f) return e;
  if (e == 0x62) return 8;
  if (e == 0x66) return 12;
  if (e == 0x6e) return 10;
  if (e == 0x72) return 13;
  if (e == 0x74) return 9;
  return -1;
}
