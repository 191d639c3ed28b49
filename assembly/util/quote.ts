// Go's strconv.Quote (the %q verb), which Kubernetes uses in every reason and error text.
// why: byte-identical reasons need the same escaping: \" \\ \a \b \f \n \r \t \v, \xNN for other
// ASCII control bytes, \uNNNN for non-printable non-ASCII code points, printable text kept as is.

const HEX = "0123456789abcdef";

function hex(v: u32, digits: i32): string {
  let s = "";
  for (let i = digits - 1; i >= 0; i--) s += HEX.charAt(<i32>((v >> (<u32>i * 4)) & 0xf));
  return s;
}

// A conservative stand-in for unicode.IsPrint: the ranges Go treats as non-printable that can
// plausibly appear in Kubernetes names (C1 controls, soft hyphen, format and separator characters).
function isPrintable(cp: u32): bool {
  if (cp < 0xa0) return false; // callers handle ASCII; 0x80-0x9f are C1 controls
  if (cp == 0xa0 || cp == 0xad || cp == 0x1680 || cp == 0x202f || cp == 0x205f || cp == 0x3000) return false;
  if (cp >= 0x2000 && cp <= 0x200a) return false; // why: Go's IsPrint admits only U+0020 among spaces
  if ((cp >= 0x600 && cp <= 0x605) || cp == 0x61c || cp == 0x6dd || cp == 0x70f || cp == 0x180e) return false;
  if (cp >= 0x200b && cp <= 0x200f) return false;
  if (cp >= 0x2028 && cp <= 0x202e) return false;
  if (cp >= 0x2060 && cp <= 0x206f) return false;
  if (cp == 0xfeff) return false;
  if (cp >= 0xfff9 && cp <= 0xfffb) return false;
  if (cp >= 0xd800 && cp <= 0xdfff) return false;
  if ((cp & 0xfffe) == 0xfffe) return false;
  if (cp >= 0xe000 && cp <= 0xf8ff) return false; // private use
  return true;
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
