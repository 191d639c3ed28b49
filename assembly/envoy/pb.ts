// google.protobuf.Struct in protobuf binary form -> the JSON tree. Real Envoy returns a Struct property
// (metadata.filter_metadata[...]) serialized this way. Bounded and never aborting: bad bytes give null.
import { JValue, J_NULL, J_BOOL, J_NUMBER, J_STRING, J_ARRAY, J_OBJECT } from "./json";
import { decodeUTF8Go } from "../eval/requestinfo";

const MAX_DEPTH = 32;

class Reader {
  p: usize;
  end: usize;
  ok: bool = true;
  constructor(p: usize, end: usize) {
    this.p = p;
    this.end = end;
  }
  varint(): u64 {
    let v: u64 = 0;
    let shift: u64 = 0;
    while (this.p < this.end && shift < 64) {
      const b = <u64>load<u8>(this.p++);
      v |= (b & 0x7f) << shift;
      if ((b & 0x80) == 0) return v;
      shift += 7;
    }
    this.ok = false;
    return 0;
  }
  // A length-delimited field: its bounds, or ok = false.
  bytes(): usize {
    const n = this.varint();
    if (!this.ok || n > <u64>(this.end - this.p)) { this.ok = false; return 0; }
    const start = this.p;
    this.p += <usize>n;
    return start;
  }
  skip(wire: u32): void {
    if (wire == 0) this.varint();
    else if (wire == 1) { if (this.end - this.p < 8) this.ok = false; else this.p += 8; }
    else if (wire == 2) this.bytes();
    else if (wire == 5) { if (this.end - this.p < 4) this.ok = false; else this.p += 4; }
    else this.ok = false;
  }
}

function value(p: usize, end: usize, depth: i32): JValue | null {
  if (depth > MAX_DEPTH) return null;
  const r = new Reader(p, end);
  let v = new JValue(J_NULL);
  while (r.ok && r.p < r.end) {
    const tag = <u32>r.varint();
    const field = tag >> 3;
    const wire = tag & 7;
    if (!r.ok) return null;
    if (field == 1 && wire == 0) { r.varint(); v = new JValue(J_NULL); }
    else if (field == 2 && wire == 1) {
      if (r.end - r.p < 8) return null;
      v = new JValue(J_NUMBER);
      v.n = load<f64>(r.p);
      r.p += 8;
    } else if (field == 3 && wire == 2) {
      const start = r.bytes();
      if (!r.ok) return null;
      v = new JValue(J_STRING);
      v.s = decodeUTF8Go(start, r.p - start);
    } else if (field == 4 && wire == 0) {
      v = new JValue(J_BOOL);
      v.b = r.varint() != 0;
    } else if ((field == 5 || field == 6) && wire == 2) {
      const start = r.bytes();
      if (!r.ok) return null;
      const inner = field == 5 ? structValue(start, r.p, depth + 1) : listValue(start, r.p, depth + 1);
      if (inner == null) return null;
      v = inner;
    } else r.skip(wire);
  }
  return r.ok ? v : null;
}

function listValue(p: usize, end: usize, depth: i32): JValue | null {
  const r = new Reader(p, end);
  const out = new JValue(J_ARRAY);
  while (r.ok && r.p < r.end) {
    const tag = <u32>r.varint();
    if (!r.ok) return null;
    if ((tag >> 3) == 1 && (tag & 7) == 2) {
      const start = r.bytes();
      if (!r.ok) return null;
      const item = value(start, r.p, depth + 1);
      if (item == null) return null;
      out.items.push(item);
    } else r.skip(tag & 7);
  }
  return r.ok ? out : null;
}

// A Struct message in [p, end): its fields as a JSON object, or null.
export function structValue(p: usize, end: usize, depth: i32): JValue | null {
  if (depth > MAX_DEPTH) return null;
  const r = new Reader(p, end);
  const out = new JValue(J_OBJECT);
  while (r.ok && r.p < r.end) {
    const tag = <u32>r.varint();
    if (!r.ok) return null;
    if ((tag >> 3) != 1 || (tag & 7) != 2) { r.skip(tag & 7); continue; }
    const entryStart = r.bytes();
    if (!r.ok) return null;
    const e = new Reader(entryStart, r.p);
    let key = "";
    let item: JValue | null = new JValue(J_NULL);
    while (e.ok && e.p < e.end) {
      const t = <u32>e.varint();
      if (!e.ok) return null;
      if ((t >> 3) == 1 && (t & 7) == 2) {
        const ks = e.bytes();
        if (!e.ok) return null;
        key = decodeUTF8Go(ks, e.p - ks);
      } else if ((t >> 3) == 2 && (t & 7) == 2) {
        const vs = e.bytes();
        if (!e.ok) return null;
        item = value(vs, e.p, depth + 1);
        if (item == null) return null;
      } else e.skip(t & 7);
    }
    if (!e.ok) return null;
    out.keys.push(key);
    out.items.push(item!);
  }
  return r.ok ? out : null;
}
