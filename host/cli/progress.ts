// A progress bar on stderr for long lint runs: drawn only on a terminal, only for inputs above a size, and erased
// when done, so pipes, files and CI logs never see it.

export const PROGRESS_MIN_OBJECTS = 2000;
const WIDTH = 24;

export interface Progress {
  /** moves to `done` of `total` steps, with a label of what runs now */
  update(done: number, total: number, label: string): void;
  /** erases the bar */
  end(): void;
}

const NONE: Progress = { update() {}, end() {} };

interface Stream {
  isTTY?: boolean;
  columns?: number;
  write(s: string): boolean;
}

/** A bar on `stream` when it is a terminal and `objects` is above the threshold; otherwise does nothing. */
export function progressBar(stream: Stream, objects: number, opts: { enabled?: boolean; min?: number } = {}): Progress {
  if (opts.enabled === false || stream.isTTY !== true || objects <= (opts.min ?? PROGRESS_MIN_OBJECTS)) return NONE;
  let drawn = false;
  let last = "";
  return {
    update(done, total, label) {
      const frac = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
      const filled = Math.round(frac * WIDTH);
      let line = `[${"#".repeat(filled)}${"-".repeat(WIDTH - filled)}] ${String(Math.round(frac * 100)).padStart(3)}% ${label}`;
      const cols = stream.columns ?? 80;
      if (line.length > cols - 1) line = line.slice(0, Math.max(0, cols - 1));
      if (line === last) return;
      last = line;
      stream.write(`\r\x1b[2K${line}`);
      drawn = true;
    },
    end() {
      if (drawn) stream.write("\r\x1b[2K");
      drawn = false;
      last = "";
    },
  };
}
