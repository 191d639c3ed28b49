// File watching by polling a fingerprint (path, size, mtime, inode of every file below the watched paths).
// why polling: Kubernetes mounts Secrets and ConfigMaps through a `..data` symlink that is swapped atomically;
// fs.watch on the file misses that swap, a stat of the path does not.
import { promises as fs } from "node:fs";
import * as path from "node:path";

async function fingerprintOf(p: string, out: string[], depth: number): Promise<void> {
  let st;
  try {
    st = await fs.stat(p);
  } catch (e) {
    out.push(`${p}:missing:${(e as NodeJS.ErrnoException).code ?? ""}`);
    return;
  }
  if (st.isDirectory()) {
    if (depth > 16) return;
    let names: string[];
    try {
      names = (await fs.readdir(p)).sort();
    } catch {
      out.push(`${p}:unreadable`);
      return;
    }
    out.push(`${p}:dir`);
    for (const n of names) await fingerprintOf(path.join(p, n), out, depth + 1);
    return;
  }
  out.push(`${p}:${st.size}:${st.mtimeMs}:${st.ino}`);
}

export async function fingerprint(paths: string[]): Promise<string> {
  const out: string[] = [];
  for (const p of paths) await fingerprintOf(p, out, 0);
  return out.join("\n");
}

export interface Watcher {
  stop(): void;
}

/**
 * Calls `onChange` (awaited; never concurrently) when the fingerprint of `paths` changes, checking every
 * `intervalMs`. The first fingerprint is taken at once and is not a change.
 */
export function watchPaths(paths: string[], intervalMs: number, onChange: () => Promise<void> | void): Watcher {
  let last: string | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = async () => {
    if (stopped) return;
    try {
      const fp = await fingerprint(paths);
      if (last !== undefined && fp !== last) {
        last = fp;
        await onChange();
      } else {
        last = fp;
      }
    } catch {
      // why: a transient error (file replaced mid-read) is retried at the next tick
    }
    if (!stopped) {
      timer = setTimeout(tick, intervalMs);
      timer.unref();
    }
  };
  void tick();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
