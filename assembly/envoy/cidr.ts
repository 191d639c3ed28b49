// IP addresses and CIDR ranges for the sourceCIDRs rules. Addresses live in 128 bits; an IPv4 address (also
// written ::ffff:a.b.c.d) is its IPv4-mapped form and matches IPv4 ranges only, as Go's net.IPNet does.

export class IPAddr {
  hi: u64 = 0;
  lo: u64 = 0;
  v4: bool = false;
}

export class Cidr {
  addr: IPAddr = new IPAddr();
  bits: i32 = 0; // prefix length in the 128-bit space (96 + n for IPv4)
  text: string = "";
}

function parseV4(s: string, out: IPAddr): bool {
  const parts = s.split(".");
  if (parts.length != 4) return false;
  let v: u64 = 0;
  for (let i = 0; i < 4; i++) {
    const p = parts[i];
    if (p.length == 0 || p.length > 3 || (p.length > 1 && p.charCodeAt(0) == 0x30)) return false;
    let n = 0;
    for (let j = 0; j < p.length; j++) {
      const c = p.charCodeAt(j);
      if (c < 0x30 || c > 0x39) return false;
      n = n * 10 + (c - 0x30);
    }
    if (n > 255) return false;
    v = (v << 8) | <u64>n;
  }
  out.hi = 0;
  out.lo = 0xffff00000000 | v;
  out.v4 = true;
  return true;
}

function hexGroup(g: string): i32 {
  if (g.length == 0 || g.length > 4) return -1;
  let n = 0;
  for (let i = 0; i < g.length; i++) {
    const c = g.charCodeAt(i) | 0x20;
    let d = -1;
    if (c >= 0x30 && c <= 0x39) d = c - 0x30;
    else if (c >= 0x61 && c <= 0x66) d = c - 0x61 + 10;
    if (d < 0) return -1;
    n = (n << 4) | d;
  }
  return n;
}

function parseV6(s: string, out: IPAddr): bool {
  const groups = new StaticArray<u32>(8);
  const dbl = s.indexOf("::");
  if (dbl >= 0 && s.indexOf("::", dbl + 1) >= 0) return false;
  const head = dbl >= 0 ? s.substring(0, dbl) : s;
  const tail = dbl >= 0 ? s.substring(dbl + 2) : "";
  const a = head.length > 0 ? head.split(":") : new Array<string>();
  const b = tail.length > 0 ? tail.split(":") : new Array<string>();
  const words = new Array<u32>();
  const tailWords = new Array<u32>();
  for (let pass = 0; pass < 2; pass++) {
    const list = pass == 0 ? a : b;
    const into = pass == 0 ? words : tailWords;
    for (let i = 0; i < list.length; i++) {
      const g = list[i];
      const last = i == list.length - 1 && (pass == 1 || dbl < 0);
      if (last && g.indexOf(".") >= 0) {
        const v4 = new IPAddr();
        if (!parseV4(g, v4)) return false;
        into.push(<u32>((v4.lo >> 16) & 0xffff));
        into.push(<u32>(v4.lo & 0xffff));
        continue;
      }
      const n = hexGroup(g);
      if (n < 0) return false;
      into.push(<u32>n);
    }
  }
  const total = words.length + tailWords.length;
  if (dbl < 0 ? total != 8 : total > 7) return false;
  for (let i = 0; i < words.length; i++) groups[i] = words[i];
  for (let i = 0; i < tailWords.length; i++) groups[8 - tailWords.length + i] = tailWords[i];
  let hi: u64 = 0;
  let lo: u64 = 0;
  for (let i = 0; i < 4; i++) hi = (hi << 16) | <u64>groups[i];
  for (let i = 4; i < 8; i++) lo = (lo << 16) | <u64>groups[i];
  out.hi = hi;
  out.lo = lo;
  out.v4 = hi == 0 && (lo >> 32) == 0xffff;
  return true;
}

// A literal IPv4 or IPv6 address (an IPv6 zone "%eth0" is ignored).
export function parseIP(s: string, out: IPAddr): bool {
  if (s.indexOf(":") >= 0) {
    const pct = s.indexOf("%");
    return parseV6(pct >= 0 ? s.substring(0, pct) : s, out);
  }
  return parseV4(s, out);
}

// Envoy's address strings: "10.0.0.1:5000", "[::1]:5000", or a bare address.
export function parseSourceAddress(s: string, out: IPAddr): bool {
  if (s.startsWith("[")) {
    const end = s.indexOf("]");
    if (end < 0) return false;
    return parseIP(s.substring(1, end), out);
  }
  const colon = s.lastIndexOf(":");
  if (colon >= 0 && s.indexOf(":") == colon) return parseV4(s.substring(0, colon), out);
  return parseIP(s, out);
}

export function parseCidr(s: string): Cidr | null {
  const slash = s.indexOf("/");
  if (slash < 0) return null;
  const c = new Cidr();
  c.text = s;
  if (!parseIP(s.substring(0, slash), c.addr)) return null;
  if (s.indexOf("%") >= 0) return null;
  const bitsText = s.substring(slash + 1);
  if (bitsText.length == 0 || bitsText.length > 3 || (bitsText.length > 1 && bitsText.charCodeAt(0) == 0x30)) return null;
  let n = 0;
  for (let i = 0; i < bitsText.length; i++) {
    const ch = bitsText.charCodeAt(i);
    if (ch < 0x30 || ch > 0x39) return null;
    n = n * 10 + (ch - 0x30);
  }
  // why: "::ffff:a.b.c.d/n" is an IPv6 spelling; only a dotted-quad prefix is an IPv4 range
  const v4 = s.substring(0, slash).indexOf(":") < 0;
  if (v4 ? n > 32 : n > 128) return null;
  c.addr.v4 = v4;
  c.bits = v4 ? 96 + n : n;
  return c;
}

function mask(bits: i32, word: i32): u64 {
  const b = bits - word * 64;
  if (b <= 0) return 0;
  if (b >= 64) return u64.MAX_VALUE;
  return u64.MAX_VALUE << <u64>(64 - b);
}

export function cidrContains(c: Cidr, a: IPAddr): bool {
  if (c.addr.v4 != a.v4) return false;
  const m0 = mask(c.bits, 0);
  const m1 = mask(c.bits, 1);
  return (c.addr.hi & m0) == (a.hi & m0) && (c.addr.lo & m1) == (a.lo & m1);
}
