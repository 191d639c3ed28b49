// What the bench suites share: number formatting, the console table, the machine description and the history file.
import { mkdirSync, readFileSync } from "node:fs";
import { arch, cpus, loadavg, platform, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import type { Task } from "tinybench";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** `--expose-gc` is passed by the npm scripts; without it, a no-op. */
export const gc: () => void = (globalThis as { gc?: () => void }).gc ?? (() => {});

export const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
export const sizeLabel = (n: number) => (n >= 1000 ? `${n / 1000}k` : String(n));
export const median = (xs: number[]) => { const s = [...xs].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
export const loadAverage = () => loadavg().map((x) => Math.round(x * 100) / 100);

/** The machine a run measured, as every results file records it. */
export function machineInfo() {
  return {
    cores: cpus().length, cpu: cpus()[0]?.model ?? "unknown", memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version, platform: `${platform()}-${arch()}`, date: new Date().toISOString(),
    tinybench: JSON.parse(readFileSync(ROOT + "node_modules/tinybench/package.json", "utf8")).version as string,
    loadAverageAtStart: loadAverage(), loadAverageAtEnd: [] as number[],
  };
}

/** bench/results/history/<suite>-<UTC date, colons as dashes>.json */
export function historyFile(suite: string, isoDate: string): string {
  mkdirSync(ROOT + "bench/results/history", { recursive: true });
  return ROOT + `bench/results/history/${suite}-${isoDate.slice(0, 19).replace(/:/g, "-")}Z.json`;
}

/** A console table: the first column left-aligned, the others right-aligned. */
export function table(head: string[], rows: string[][]) {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => "   " + r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join("  ");
  console.log(line(head));
  console.log("   " + w.map((n) => "-".repeat(n)).join("  "));
  rows.forEach((r) => console.log(line(r)));
}

/** Per-iteration figures of a finished tinybench task, in ns; throws when the task did not complete. */
export function taskFigures(task: Task): { meanNs: number; medianNs: number; p99Ns: number; samples: number } {
  const r = task.result;
  if (r.state !== "completed") throw new Error(`task ${task.name} did not complete: ${r.state}${"error" in r ? ` (${r.error})` : ""}`);
  return { meanNs: r.latency.mean * 1e6, medianNs: r.latency.p50 * 1e6, p99Ns: r.latency.p99 * 1e6, samples: r.latency.samplesCount };
}

/**
 * The machine's latency of one dependent load from a working set of each size: a pointer chase through a random
 * cyclic permutation of 64-byte lines (every load's address comes from the previous load, as a decision's view
 * lookup, record and role-table probe do). It is the floor under any per-decision figure whose working set has
 * that size. Median of 3 passes of `steps` loads per size, ns per load.
 */
export function memoryLatency(sizesKiB = [64, 512, 1024, 2048, 4096, 16384, 65536], steps = 2_000_000): { kib: number; ns: number }[] {
  chase(64, steps); // why: the first call runs before the JIT has compiled the loop
  return sizesKiB.map((kib) => ({ kib, ns: chase(kib, steps) }));
}

function chase(kib: number, steps: number): number {
  const lines = (kib * 1024) / 64, stride = 16; // 16 Int32 = one 64-byte line
  const a = new Int32Array(lines * stride);
  // a random cyclic order of the lines (a seeded LCG: the same permutation in every run)
  const order = Array.from({ length: lines }, (_, i) => i);
  let seed = 0x2545f491;
  for (let i = lines - 1; i > 0; i--) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const j = seed % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  for (let i = 0; i < lines; i++) a[order[i] * stride] = order[(i + 1) % lines] * stride;
  let p = 0;
  for (let i = 0; i < lines; i++) p = a[p]; // one lap to warm what fits
  const passes: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < steps; i++) p = a[p];
    passes.push(Number(process.hrtime.bigint() - t0) / steps);
  }
  if (p < 0) throw new Error("unreachable"); // why: keeps the chase from being optimised away
  return median(passes);
}
