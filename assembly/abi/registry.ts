// Snapshots alive in this instance, and the helpers every export shares. Not exported to hosts.
import { JSON } from "json-as";
import { Snapshot } from "../index/snapshot";
import { Request, Decision } from "../eval/authorize";
import { ReasonTable } from "./reasons";
import { forgetQueryIndex } from "../eval/queries";
import { forgetViews } from "../index/views";
import { FailureDTO, ErrorDTO } from "./dto";
import { output } from "./memory";

const snapshots = new Map<i32, Snapshot>();
const reasonTables = new Map<i32, ReasonTable>();
let nextSnapshot: i32 = 1;

// INVARIANT: exports run one at a time (wasm is single-threaded), so one scratch request suffices.
export const request = new Request();
export const decision = new Decision();

// The fast paths' group-id buffer (rbac_groups_buffer): hosts keep a view of it, so it is replaced only when a host
// asks for a larger one. Exports that decode groups themselves use their own arrays (Request.setGroupCount).
let fastGroups = new StaticArray<i32>(64);

// The fast paths' requester in `request`: the user id and the first nGroups ids of the group buffer; false for a
// bad count.
export function fastPrincipal(user: i32, nGroups: i32): bool {
  const groups = fastGroups;
  if (nGroups < 0 || nGroups > groups.length) return false;
  request.user = user;
  request.groups = groups;
  request.groupCount = nGroups;
  return true;
}

export function growGroupsBuffer(n: i32): StaticArray<i32> {
  if (n > fastGroups.length) fastGroups = new StaticArray<i32>(n);
  return fastGroups;
}

export function register(s: Snapshot): i32 {
  const id = nextSnapshot++;
  snapshots.set(id, s);
  reasonTables.set(id, new ReasonTable(s));
  return id;
}

// why: hosts decide against one snapshot at high rates; remembering the last one saves two lookups a call
let lastId: i32 = 0;
let lastSnapshot: Snapshot | null = null;
let lastReasons: ReasonTable | null = null;

export function snapshot(id: i32): Snapshot | null {
  if (id == lastId && id != 0) return lastSnapshot;
  if (!snapshots.has(id)) return null;
  lastId = id;
  lastSnapshot = snapshots.get(id);
  lastReasons = reasonTables.get(id);
  return lastSnapshot;
}

export function reasons(id: i32): ReasonTable | null {
  return snapshot(id) == null ? null : lastReasons;
}

export function drop(id: i32): bool {
  if (!snapshots.has(id)) return false;
  forgetQueryIndex(snapshots.get(id));
  forgetViews(snapshots.get(id));
  if (id == lastId) {
    lastId = 0;
    lastSnapshot = null;
    lastReasons = null;
  }
  snapshots.delete(id);
  reasonTables.delete(id);
  return true;
}

export function failure(code: string, message: string, path: string): usize {
  const f = new FailureDTO();
  const e = new ErrorDTO();
  e.code = code;
  e.message = message;
  e.path = path;
  f.errors.push(e);
  return output(JSON.stringify(f));
}

export function unknownSnapshot(id: i32): usize {
  return failure("UNKNOWN_SNAPSHOT", "no snapshot " + id.toString(), "");
}
