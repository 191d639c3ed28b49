// Identities by the exact bytes they were read from: the verified payload jwt_authn left in the metadata (or,
// with trustUnverifiedClaims, the token itself). A pod sends the same token for up to an hour, so decoding
// its claims once saves the protobuf or JSON parse on every request. Direct-mapped and bounded: a collision
// replaces the slot, nothing grows. Time checks (exp, nbf, iat) are not cached: they run on every request.
import { Identity } from "./identity";

const SLOTS = 512;

class Entry {
  hash: u32 = 0;
  tag: u32 = 0;
  bytes: StaticArray<u8>;
  status: i32 = 0;
  message: string = "";
  id: Identity = new Identity();
  constructor(len: usize) {
    this.bytes = new StaticArray<u8>(<i32>len);
  }
}

function hashBytes(ptr: usize, len: usize, tag: u32): u32 {
  let h: u64 = 0x9e3779b97f4a7c15 ^ <u64>len ^ (<u64>tag << 32);
  let p = ptr;
  const end8 = ptr + (len & ~<usize>7);
  while (p < end8) {
    h = (h ^ load<u64>(p)) * 0xff51afd7ed558ccd;
    h ^= h >> 29;
    p += 8;
  }
  while (p < ptr + len) {
    h = (h ^ <u64>load<u8>(p)) * 0x100000001b3;
    p++;
  }
  h ^= h >> 33;
  return <u32>h;
}

function copyIdentity(from: Identity, to: Identity): void {
  to.user = from.user;
  to.namespace = from.namespace;
  to.name = from.name;
  to.uid = from.uid;
  to.pod = from.pod;
  to.node = from.node;
  to.serviceAccount = from.serviceAccount;
  for (let i = 0; i < from.groups.length; i++) to.groups[i] = from.groups[i];
  to.hasExp = from.hasExp;
  to.hasNbf = from.hasNbf;
  to.hasIat = from.hasIat;
  to.exp = from.exp;
  to.nbf = from.nbf;
  to.iat = from.iat;
}

export class IdentityCache {
  slots: StaticArray<Entry | null> = new StaticArray<Entry | null>(SLOTS);
  private hash: u32 = 0;
  status: i32 = 0;
  message: string = "";

  // Looks the bytes up; on a hit fills `into` (and status/message) and returns true.
  get(ptr: usize, len: usize, tag: u32, into: Identity): bool {
    this.hash = hashBytes(ptr, len, tag);
    const e = this.slots[<i32>(this.hash % SLOTS)];
    if (e == null || e.hash != this.hash || e.tag != tag || <usize>e.bytes.length != len) return false;
    if (memory.compare(changetype<usize>(e.bytes), ptr, len) != 0) return false;
    this.status = e.status;
    this.message = e.message;
    copyIdentity(e.id, into);
    return true;
  }

  // Remembers the outcome for the bytes of the last get().
  put(ptr: usize, len: usize, tag: u32, status: i32, message: string, id: Identity): void {
    const e = new Entry(len);
    memory.copy(changetype<usize>(e.bytes), ptr, len);
    e.hash = this.hash;
    e.tag = tag;
    e.status = status;
    e.message = message;
    copyIdentity(id, e.id);
    this.slots[<i32>(this.hash % SLOTS)] = e;
  }

  clear(): void {
    for (let i = 0; i < SLOTS; i++) this.slots[i] = null;
  }
}
