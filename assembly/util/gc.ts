// Garbage collection at export boundaries. The module runs AssemblyScript's `minimal` runtime: no
// incremental marking and no shadow stack on the hot path, so a collection is only safe when no managed
// object is held by a local alone — at the end of an export, once its result is pinned or returned.
// INVARIANT: call collectIfGrown() only as the last step of an export.

let pagesAfterCollect: i32 = 0;

// Collects when memory grew by more than half (at least 16 MiB) since the last collection, so garbage
// never makes memory grow without bound and a steady hot path never pays for a collection.
export function collectIfGrown(): void {
  const pages = <i32>memory.size();
  const slack = max(256, pagesAfterCollect >> 1);
  if (pages - pagesAfterCollect <= slack) return;
  __collect();
  pagesAfterCollect = <i32>memory.size();
}

// Unconditional collection, after a load (the parse leaves large garbage behind).
export function collectNow(): void {
  __collect();
  pagesAfterCollect = <i32>memory.size();
}
