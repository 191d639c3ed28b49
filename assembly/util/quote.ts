// Go's strconv.Quote (the %q verb), which Kubernetes uses in every reason and error text.
// why: byte-identical reasons need the same escaping: \" \\ \a \b \f \n \r \t \v, \xNN for other
// ASCII control bytes, \uNNNN for non-printable non-ASCII code points, printable text kept as is.

import { PRINTABLE_RANGES } from "./printable";

const HEX = "0123456789abcdef";

function hex(v: u32, digits: i32): string {
  let s = "";
  for (let i = digits - 1; i >= 0; i--) s += HEX.charAt(<i32>((v >> (<u32>i * 4)) & 0xf));
  return s;
}

// unicode.IsPrint for code points >= U+00A0: a binary search over the generated ranges.
function isPrintable(cp: u32): bool {
  let lo = 0;
  let hi = PRINTABLE_RANGES.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cp < unchecked(PRINTABLE_RANGES[mid * 2])) hi = mid - 1;
    else if (cp > unchecked(PRINTABLE_RANGES[mid * 2 + 1])) lo = mid + 1;
    else return true;
  }
  return false;
}

export function goQuote(s: string): string {
  let out = "\"";
  const n = s.length;
  for (let i = 0; i < n; i++) {
    let c = <u32>s.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f) {
      if (c == 0x22) out += "\\\"";
      else if (c == 0x5c) out += "\\\\";
      else out += String.fromCharCode(c);
      continue;
    }
    if (c < 0x80) {
      if (c == 7) out += "\\a";
      else if (c == 8) out += "\\b";
      else if (c == 12) out += "\\f";
      else if (c == 10) out += "\\n";
      else if (c == 13) out += "\\r";
      else if (c == 9) out += "\\t";
      else if (c == 11) out += "\\v";
      else out += "\\x" + hex(c, 2);
      continue;
    }
    let cp = c;
    let units = 1;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const d = <u32>s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        units = 2;
      }
    }
    if (cp >= 0xd800 && cp <= 0xdfff) {
      // why: a lone surrogate cannot come from valid UTF-8; Go would print the replacement rune
      out += "\\ufffd";
      continue;
    }
    if (isPrintable(cp)) {
      out += s.substring(i, i + units);
    } else if (cp < 0x10000) {
      out += "\\u" + hex(cp, 4);
    } else {
      out += "\\U" + hex(cp, 8);
    }
    i += units - 1;
  }
  return out + "\"";
}
