// The rbac_* exports (ABI 1.0, documented in bindings/ABI.md). Each export decodes, calls the core,
// encodes; none may abort on bad input: failures come back as {"type":"failure",...} envelopes.
import { JSON } from "json-as";
import { alloc, free, readUTF8, output, outputStrings } from "./memory";
import { ObjectListDTO, LoadResultDTO, WarningDTO, SubjectAccessReviewSpecDTO, AuthorizeResultDTO,
} from "./dto";
import { decodePolicy } from "./decode";
import { Snapshot } from "../index/snapshot";
import { Diagnostics } from "../util/diagnostics";
import { decide, reasonText } from "../eval/authorize";
import { collectIfGrown, collectNow } from "../util/gc";
import { register, snapshot, reasons, drop, failure, unknownSnapshot, request, decision } from "./registry";
import { requestFromSpec } from "./request";
import { attachInventory } from "./lint-registry";

export const rbac_abi_version: i32 = 1;
export const rbac_abi_minor_version: i32 = 3;

const FLAG_NO_AGGREGATION: u32 = 1;


export function rbac_alloc(len: u32): usize {
  return alloc(len);
}

export function rbac_free(ptr: usize): void {
  free(ptr);
}

// Input: UTF-8 JSON {"items": [Kubernetes objects]}. Output: LoadResult envelope with the snapshot id.
export function rbac_load(ptr: usize, len: u32, flags: u32): usize {
  if ((flags & ~FLAG_NO_AGGREGATION) != 0) return failure("BAD_FLAGS", "unknown flags for rbac_load", "");
  const list = JSON.parse<ObjectListDTO>(readUTF8(ptr, len));
  const diags = new Diagnostics();
  const policy = decodePolicy(list.items, diags);
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
  collectNow(); // why: the parse leaves the whole input's DTO tree behind as garbage
  return out;
}

export function rbac_drop(id: i32, flags: u32): i32 {
  return drop(id) ? 1 : 0;
}

// The snapshot's vocabulary, binary: [u32 total length][u32 count] then per string [u32 byte length][UTF-8].
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
  const spec = JSON.parse<SubjectAccessReviewSpecDTO>(readUTF8(ptr, len));
  const r = new AuthorizeResultDTO();
  r.evaluationError = requestFromSpec(s, spec, request);
  if (r.evaluationError.length > 0) return output(JSON.stringify(r));
  decide(s, request, decision);
  r.allowed = decision.allowed;
  r.reason = reasonText(s, decision);
  return output(JSON.stringify(r));
}

// Fast path, step 1: a buffer for n group ids (i32), valid until the next call with a larger n.
export function rbac_groups_buffer(n: i32): usize {
  request.setGroupCount(n);
  return changetype<usize>(request.groups);
}

// Fast path: every string already interned by the host (rbac_vocab ids; -1 when absent).
// Groups are the first nGroups ids in the groups buffer. Returns (reason handle << 1) | allowed,
// or -1 for an unknown snapshot.
export function rbac_decide(id: i32, user: i32, nGroups: i32, verb: i32, apiGroup: i32, resource: i32,
  subresource: i32, name: i32, namespace: i32): i32 {
  collectIfGrown();
  const s = snapshot(id);
  if (s == null) return -1;
  if (nGroups < 0 || nGroups > request.groups.length) return -1;
  request.user = user;
  request.groupCount = nGroups;
  request.isResource = true;
  request.verb = verb;
  request.apiGroup = apiGroup;
  request.resource = resource;
  request.subresource = subresource;
  request.name = name;
  request.namespace = namespace;
  decide(s, request, decision);
  return (reasons(id)!.handle(decision) << 1) | (decision.allowed ? 1 : 0);
}

let pathBuffer = new ArrayBuffer(256);

// Fast path, non-resource requests: a buffer for a UTF-8 path of n bytes, reused across calls
// (valid until the next call with a larger n).
export function rbac_path_buffer(n: i32): usize {
  if (n > pathBuffer.byteLength) pathBuffer = new ArrayBuffer(max(n, pathBuffer.byteLength * 2));
  return changetype<usize>(pathBuffer);
}

// Fast path for non-resource requests: the path is UTF-8 at ptr (the path buffer, or host-allocated).
export function rbac_decide_path(id: i32, user: i32, nGroups: i32, verb: i32, ptr: usize, len: u32): i32 {
  collectIfGrown();
  const s = snapshot(id);
  if (s == null) return -1;
  if (nGroups < 0 || nGroups > request.groups.length) return -1;
  request.user = user;
  request.groupCount = nGroups;
  request.isResource = false;
  request.verb = verb;
  request.path = readUTF8(ptr, len);
  request.namespace = 0;
  decide(s, request, decision);
  return (reasons(id)!.handle(decision) << 1) | (decision.allowed ? 1 : 0);
}

// The text of a reason handle returned by rbac_decide (UTF-8, [u32 length][bytes]).
export function rbac_reason(id: i32, handle: i32): usize {
  const t = reasons(id);
  return output(t == null ? "" : t.text(handle));
}
