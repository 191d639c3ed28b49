// Garbage collection at export boundaries. The module runs AssemblyScript's `minimal` runtime: no
// incremental marking and no shadow stack on the hot path, so a collection is only safe when no managed
// object is held by a local alone — at the end of an export, once its result is pinned or returned.
// INVARIANT: call collectIfGrown() only as the last step of an export.

let pagesAfterCollect: i32 = 0;

// Collects once memory has grown since the last collection, that is once the space the last collection
// freed is used up: memory then stays near the live heap plus one round of garbage, and a hot path that
// allocates nothing never pays for a collection.
// why: not "grew by half": the threshold would then scale with memory that garbage itself made grow.
export function collectIfGrown(): void {
  const pages = <i32>memory.size();
  if (pages <= pagesAfterCollect) return;
  __collect();
  pagesAfterCollect = <i32>memory.size();
}

// Unconditional collection, after a load (the parse leaves large garbage behind).
export function collectNow(): void {
  __collect();
  pagesAfterCollect = <i32>memory.size();
}

// After rbac_load: the snapshot just built is nearly the whole heap and the decode's garbage is small beside it,
// so a collection now would mostly mark live objects (once the largest part of a load) to free little. The pages
// count as collected instead: the load's garbage is reclaimed by the next collection, when memory grows again.
// Wasm memory never shrinks, so this changes which later allocations reuse space, not the module's size.
export function settleAfterLoad(): void {
  pagesAfterCollect = <i32>memory.size();
}
