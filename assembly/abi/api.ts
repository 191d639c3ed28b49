// The rbac_* exports (ABI 2.2, documented in bindings/ABI.md). Each export decodes, calls the core, encodes.
// Failures the core can name (an unknown snapshot, a spec with both or neither attribute block, ...) come back as
// {"type":"failure",...} envelopes; input that is not JSON of the documented types traps (ABI.md "Traps"), and
// the bindings answer that call fail-closed and rebuild the instance.
import { JSON } from "json-as";
import { alloc, free, readUTF8, output, outputStrings } from "./memory";
import { pathTable } from "../index/paths";
import { ReasonTable } from "./reasons";
import { LoadResultDTO, WarningDTO, AuthorizeResultDTO } from "./dto";
import { parseSpec } from "./json-input";
import { decodeWire } from "./decode-wire";
import { Policy } from "../model/policy";
import { Snapshot } from "../index/snapshot";
import { Diagnostics } from "../util/diagnostics";
import { decide, reasonText, Request } from "../eval/authorize";
import { collectIfGrown, settleAfterLoad } from "../util/gc";
import { register, snapshot, reasons, drop, failure, unknownSnapshot, request, decision, fastPrincipal, growGroupsBuffer } from "./registry";
import { requestFromSpec } from "./request";
import { attachInventory } from "./lint-registry";

export const rbac_abi_version: i32 = 2;
export const rbac_abi_minor_version: i32 = 3;

const FLAG_NO_AGGREGATION: u32 = 1;


export function rbac_alloc(len: u32): usize {
  return alloc(len);
}

export function rbac_free(ptr: usize): void {
  free(ptr);
}

// Input: the binary policy wire (decode-wire.ts; bindings/wire.ts writes it). Output: LoadResult envelope with the snapshot id.
export function rbac_load(ptr: usize, len: u32, flags: u32): usize {
  if ((flags & ~FLAG_NO_AGGREGATION) != 0) return failure("BAD_FLAGS", "unknown flags for rbac_load", "");
  collectIfGrown();
  const diags = new Diagnostics();
  const policy = new Policy();
  const bad = decodeWire(ptr, len, policy, diags);
  if (bad.length > 0) return failure("BAD_INPUT", bad, "");
  const s = new Snapshot(policy, (flags & FLAG_NO_AGGREGATION) == 0, diags);
  const id = register(s);
  attachInventory(id, policy.inventory, (flags & FLAG_NO_AGGREGATION) == 0);
  const r = new LoadResultDTO();
  r.snapshot = id;
  r.stats.roles = s.roles.length;
  r.stats.clusterRoleBindings = s.clusterBindingCount;
  r.stats.roleBindings = s.bindings.length - s.clusterBindingCount;
  r.stats.vocabulary = s.vocab.strings.length;
  for (let i = 0; i < diags.items.length; i++) {
    const d = diags.items[i];
    const w = new WarningDTO();
    w.code = d.code;
    w.message = d.message;
    w.object = d.object;
    w.path = d.path;
    r.warnings.push(w);
  }
  const out = output(JSON.stringify(r));
  settleAfterLoad(); // why: little garbage beside the new snapshot; see util/gc.ts
  return out;
}

export function rbac_drop(id: i32, flags: u32): i32 {
  return drop(id) ? 1 : 0;
}

// The snapshot's vocabulary, binary (memory.ts outputStrings: lengths, then UTF-16 code units).
// String i has id i. (Binary rather than JSON: it is large, and read once per snapshot.)
export function rbac_vocab(id: i32, flags: u32): usize {
  const s = snapshot(id);
  if (s == null) return 0;
  return outputStrings(s.vocab.strings);
}

// Input: a SubjectAccessReview v1 spec as UTF-8 JSON. Output: {"type":"success","allowed","reason"}.
export function rbac_authorize(id: i32, ptr: usize, len: u32, flags: u32): usize {
  const s = snapshot(id);
  if (s == null) return unknownSnapshot(id);
  const spec = parseSpec(readUTF8(ptr, len));
  const r = new AuthorizeResultDTO();
  r.evaluationError = requestFromSpec(s, spec, request);
  if (r.evaluationError.length > 0) return output(JSON.stringify(r));
  decide(s, request, decision);
  r.allowed = decision.allowed;
  r.reason = reasonText(s, decision);
  return output(JSON.stringify(r));
}

// Fast path, step 1: a buffer for n group ids (i32), valid until the next call with a larger n.
// INVARIANT: only this export replaces the buffer (registry.ts), so a host's view of it stays valid while it is not
// grown (other exports decode groups into their own requests' arrays).
export function rbac_groups_buffer(n: i32): usize {
  return changetype<usize>(growGroupsBuffer(n));
}

// Fast path: every string already interned by the host (rbac_vocab ids; -1 when absent).
// Groups are the first nGroups ids in the groups buffer. Returns (reason handle << 1) | allowed,
// or -1 for an unknown snapshot.
export function rbac_decide(id: i32, user: i32, nGroups: i32, verb: i32, apiGroup: i32, resource: i32,
  subresource: i32, name: i32, namespace: i32): i32 {
  collectIfGrown();
  const s = snapshot(id);
  if (s == null || !fastPrincipal(user, nGroups)) return -1;
  request.setResource(verb, apiGroup, resource, subresource, name, namespace);
  decide(s, request, decision);
  return decisionCode(reasons(id)!);
}

// What a fast path returns for the last decision: (reason handle << 1) | allowed.
// @ts-ignore: decorator
@inline
function decisionCode(t: ReasonTable): i32 {
  return (t.handle(decision) << 1) | (decision.allowed ? 1 : 0);
}

// A reusable buffer of at least n bytes: b itself, or a larger one (at least twice b's size) that replaces it.
function atLeast(b: ArrayBuffer, n: i32): ArrayBuffer {
  return n > b.byteLength ? new ArrayBuffer(max(n, b.byteLength * 2)) : b;
}

let pathBuffer = new ArrayBuffer(256);

// Fast path, non-resource requests: a buffer for a UTF-8 path of n bytes, reused across calls
// (valid until the next call with a larger n).
export function rbac_path_buffer(n: i32): usize {
  pathBuffer = atLeast(pathBuffer, n);
  return changetype<usize>(pathBuffer);
}

// Fast path for non-resource requests: the path is UTF-8 at ptr (the path buffer, or host-allocated).
export function rbac_decide_path(id: i32, user: i32, nGroups: i32, verb: i32, ptr: usize, len: u32): i32 {
  collectIfGrown();
  const s = snapshot(id);
  if (s == null || !fastPrincipal(user, nGroups)) return -1;
  request.setPath(verb, pathTable(s).entry(ptr, len));
  decide(s, request, decision);
  return decisionCode(reasons(id)!);
}

// The text of a reason handle returned by rbac_decide (UTF-8, [u32 length][bytes]).
export function rbac_reason(id: i32, handle: i32): usize {
  const t = reasons(id);
  return output(t == null ? "" : t.text(handle));
}

// Batch fast path (ABI 2.1): decides `count` prepared requests in one call, for hosts that decide many at once.
// Input at ptr (len bytes written by the host: the batch buffer, or a host allocation): records of i32 little-endian words, each
//   [kind (0 resource, 1 non-resource), user, nGroups, verb, a, b, c, d, e, group ids × nGroups]
// where a..e are apiGroup, resource, subresource, name, namespace for a resource request, and for a
// non-resource request a = the path's byte offset from ptr and b = its UTF-8 length (c, d, e ignored).
// Output: count i32 codes at out (after the input in the batch buffer, or a host allocation), each exactly what rbac_decide would return.
// Returns count, -1 for an unknown snapshot, or -2 (nothing decided) when a record does not fit in len.
const BATCH_RECORD_WORDS: i32 = 9;
const batchRequest = new Request();
let batchBuffer = new ArrayBuffer(1 << 16);

// Batch fast path (ABI 2.2): a reusable guest buffer of at least n bytes for rbac_decide_batch's input records
// and output codes (valid until the next call with a larger n), so a batch allocates nothing and leaves no
// garbage behind (a host-allocated batch of 10k requests left ~0.5 MB per call for the collector).
export function rbac_batch_buffer(n: i32): usize {
  batchBuffer = atLeast(batchBuffer, n);
  return changetype<usize>(batchBuffer);
}

export function rbac_decide_batch(id: i32, ptr: usize, len: u32, count: i32, out: usize): i32 {
  collectIfGrown();
  const s = snapshot(id);
  if (s == null) return -1;
  const t = reasons(id)!;
  const paths = pathTable(s);
  // why: validate every record before deciding any, so a malformed batch has no partial effect
  let p = ptr;
  const end = ptr + <usize>len;
  for (let i = 0; i < count; i++) {
    if (p + <usize>(BATCH_RECORD_WORDS << 2) > end) return -2;
    const kind = load<i32>(p);
    const nGroups = load<i32>(p, 8);
    if ((kind != 0 && kind != 1) || nGroups < 0 || nGroups > 1 << 16) return -2;
    if (kind == 1) {
      const off = load<i32>(p, 16);
      const plen = load<i32>(p, 20);
      if (off < 0 || plen < 0 || <usize>off + <usize>plen > <usize>len) return -2;
    }
    p += <usize>((BATCH_RECORD_WORDS + nGroups) << 2);
  }
  p = ptr;
  for (let i = 0; i < count; i++) {
    const kind = load<i32>(p);
    const nGroups = load<i32>(p, 8);
    batchRequest.setGroupCount(nGroups);
    const gp = p + <usize>(BATCH_RECORD_WORDS << 2);
    const groups = changetype<usize>(batchRequest.groups);
    // why: memory.copy leaves the compiled code for a runtime call (V8's memory_copy_wrapper and memmove showed in
    // the batch path's profile); a requester has a few groups
    if (nGroups <= 8) {
      for (let g = 0; g < nGroups; g++) store<i32>(groups + (<usize>g << 2), load<i32>(gp + (<usize>g << 2)));
    } else {
      memory.copy(groups, gp, <usize>nGroups << 2);
    }
    batchRequest.user = load<i32>(p, 4);
    const verb = load<i32>(p, 12);
    if (kind == 0) {
      batchRequest.setResource(verb, load<i32>(p, 16), load<i32>(p, 20), load<i32>(p, 24), load<i32>(p, 28), load<i32>(p, 32));
    } else {
      batchRequest.setPath(verb, paths.entry(ptr + <usize>load<i32>(p, 16), <u32>load<i32>(p, 20)));
    }
    decide(s, batchRequest, decision);
    store<i32>(out + (<usize>i << 2), decisionCode(t));
    p = gp + (<usize>nGroups << 2);
  }
  return count;
}

