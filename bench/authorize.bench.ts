// Authorization throughput: the wasm engine against the naive Kubernetes visitor port (test/oracle/k8s-rbac.ts),
// on generated policies of 100, 1k, 10k and 100k bindings (bench/corpora/gen.ts).
//
//   npm run bench                      full run (~2–3 min on 2 cores), writes bench/results/authorize.json
//   npx tsx bench/authorize.bench.ts --quick   sizes 100 and 1k, a handful of iterations, no results file
//
// Per size: the engine (createEngine) and the naive port are built on the same objects; their answers (allowed,
// reason, evaluation error or not) must agree on a 2,000-request sample for every engine path, otherwise the
// bench stops with exit code 1. Then, in the same process, one tinybench iteration = one decision, cycling through
// a fixed array of 10,000 requests, so the tinybench mean is ns per decision. "loop" is a cross-check without
// per-sample timer overhead: the same task in a plain loop, wall time / decisions; "loop cpu" is the process CPU
// time of that loop / decisions (less inflated than wall time when other processes share the cores).
// Targets are reported as PASS/MISS; a miss never fails the process.
import { Bench, type Task } from "tinybench";
import { createHash } from "node:crypto";
import { cpus, platform, arch, totalmem, loadavg } from "node:os";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { createEngine, flattenLists, type Engine, type PreparedRequest } from "../bindings/index.js";
import { toWireObjects } from "../bindings/wire.js";
import { NaiveAuthorizer } from "../test/oracle/k8s-rbac.js";
import { generatePolicy, generateRequests, type SubjectAccessReviewSpec } from "./corpora/gen.js";

const QUICK = process.argv.includes("--quick");
const SIZES = QUICK ? [100, 1_000] : [100, 1_000, 10_000, 100_000];
const REQUESTS = 10_000;
const EQUIVALENCE_SAMPLE = 2_000;
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const WASM = ROOT + "build/rbac-guard.wasm";
const RESULTS = ROOT + "bench/results/authorize.json";

const EVALUATORS = ["naive", "authorize", "check", "authorizeJSON", "prepare"] as const;
type Evaluator = (typeof EVALUATORS)[number];
const LABEL: Record<Evaluator, string> = {
  naive: "naive k8s visitor (TS)",
  authorize: "engine.authorize (public)",
  check: "engine.check (prepared)",
  authorizeJSON: "engine.authorizeJSON (wasm JSON)",
  prepare: "  of which prepare (JS interning)",
};

interface Figures {
  meanNs: number; medianNs: number; p99Ns: number; opsPerSec: number; samples: number;
  loopNs?: number; loopCpuNs?: number; ratioVsNaive?: number;
}
interface SizeResult {
  bindings: number;
  corpus: Record<string, number>;
  requests: { count: number; allowedShare: number; nonResourceShare: number; withReason: number };
  wasmMemoryMiB: number;
  evaluators: Partial<Record<Evaluator, Figures>>;
}

// why: results go through this sink so that no decision can be optimised away
let sink = 0;

// why: `npm run bench` cannot pass --expose-gc; a full GC between phases frees the previous engines' wasm memories
// (hundreds of MB at 100k) so they do not tax the next measurement
setFlagsFromString("--expose-gc");
const gc: () => void = runInNewContext("gc");

const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const ns = (n: number) => (n >= 10_000 ? fmt(n / 1000, 1) + " µs" : fmt(n, 0) + " ns");
const sizeLabel = (n: number) => (n >= 1000 ? `${n / 1000}k` : String(n));
const median = (xs: number[]) => { const s = [...xs].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };

function sameAnswer(x: { allowed: boolean; reason: string; evaluationError?: string }, y: typeof x): boolean {
  return x.allowed === y.allowed && x.reason === y.reason && (x.evaluationError !== undefined) === (y.evaluationError !== undefined);
}

/** Every engine path must give the naive port's answer on the sample; throws with the first differences. */
function checkEquivalence(size: number, engine: Engine, naive: NaiveAuthorizer, specs: SubjectAccessReviewSpec[], prepared: PreparedRequest[]) {
  const stride = Math.max(1, Math.floor(specs.length / EQUIVALENCE_SAMPLE));
  const diffs: string[] = [];
  let checked = 0, mismatches = 0;
  for (let i = 0; i < specs.length && checked < EQUIVALENCE_SAMPLE; i += stride, checked++) {
    const want = naive.authorize(specs[i]);
    const got = { authorize: engine.authorize(specs[i]), check: engine.check(prepared[i]), authorizeJSON: engine.authorizeJSON(specs[i]) };
    for (const [path, r] of Object.entries(got)) {
      if (sameAnswer(r, want)) continue;
      mismatches++;
      if (diffs.length < 5) {
        diffs.push(`  request #${i} via engine.${path}: ${JSON.stringify(specs[i])}\n` +
          `    naive : ${JSON.stringify(want)}\n    engine: ${JSON.stringify(r)}`);
      }
    }
  }
  if (mismatches > 0) {
    throw new Error(`EQUIVALENCE FAILURE at ${fmt(size)} bindings: ${mismatches} answer(s) differ from the naive ` +
      `Kubernetes port on a sample of ${checked} requests (×3 engine paths). First differences:\n${diffs.join("\n")}`);
  }
  return checked;
}

/** ns per call of `fn` in a plain loop, for at least `ms` milliseconds: wall clock, and process CPU time
 * (all threads, so GC helpers count; less sensitive than wall time to other processes on a busy machine). */
function loopNs(fn: () => void, ms: number): { wall: number; cpu: number } {
  let calls = 0;
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const budget = BigInt(Math.round(ms * 1e6));
  let elapsed = 0n;
  while (elapsed < budget) {
    for (let k = 0; k < 200; k++) fn();
    calls += 200;
    elapsed = process.hrtime.bigint() - t0;
  }
  const c = process.cpuUsage(c0);
  return { wall: Number(elapsed) / calls, cpu: ((c.user + c.system) * 1000) / calls };
}

function cycling<T>(items: T[], decide: (x: T) => boolean): () => void {
  let i = 0;
  const n = items.length;
  return () => {
    sink += decide(items[i]) ? 1 : 0;
    if (++i === n) i = 0;
  };
}

function figures(task: Task): Figures {
  const r = task.result;
  if (r.state !== "completed") throw new Error(`task ${task.name} did not complete: ${r.state}${"error" in r ? ` (${r.error})` : ""}`);
  return {
    meanNs: r.latency.mean * 1e6,
    medianNs: r.latency.p50 * 1e6,
    p99Ns: r.latency.p99 * 1e6,
    opsPerSec: 1e9 / (r.latency.mean * 1e6),
    samples: r.latency.samplesCount,
  };
}

/** Bytes of linear memory the engine's instance holds (reads a private field; informational only). */
function wasmMemoryBytes(engine: Engine): number {
  return (engine as unknown as { ex?: { memory?: WebAssembly.Memory } }).ex?.memory?.buffer.byteLength ?? 0;
}

async function benchSize(size: number): Promise<SizeResult> {
  gc();
  const t0 = performance.now();
  const corpus = generatePolicy(size);
  // why: a webhook decodes its specs from JSON; the round trip gives them the string shapes JSON.parse makes
  const specs: SubjectAccessReviewSpec[] = JSON.parse(JSON.stringify(generateRequests(corpus, REQUESTS)));
  const engine = await createEngine(corpus.objects);
  const naive = new NaiveAuthorizer(corpus.objects);
  const prepared = specs.map((s) => engine.prepare(s));
  const setupMs = performance.now() - t0;

  const checked = checkEquivalence(size, engine, naive, specs, prepared);
  let allowed = 0, withReason = 0;
  for (const p of prepared) {
    const r = engine.check(p);
    if (r.allowed) allowed++;
    if (r.reason !== "") withReason++;
  }
  const nonResource = specs.filter((s) => s.nonResourceAttributes).length;
  const st = engine.stats;
  console.log(`\n== ${fmt(size)} bindings: ${fmt(st.clusterRoleBindings)} ClusterRoleBindings, ${fmt(st.roleBindings)} RoleBindings, ` +
    `${fmt(st.roles)} roles, ${fmt(corpus.stats.namespaces)} namespaces, ${corpus.stats.missingRoleRefs} bindings to missing roles, ` +
    `vocabulary ${fmt(st.vocabulary)}, wasm memory ${fmt(wasmMemoryBytes(engine) / 2 ** 20)} MiB (setup ${fmt(setupMs / 1000, 1)} s)`);
  console.log(`   ${fmt(REQUESTS)} requests: ${fmt((100 * allowed) / REQUESTS, 1)}% allowed, ${fmt((100 * nonResource) / REQUESTS, 1)}% non-resource, ` +
    `${fmt((100 * (withReason - allowed)) / REQUESTS, 1)}% denied with a resolution-error reason; ` +
    `equivalence with the naive port: ${checked} requests × 3 engine paths, all identical`);

  const slowNaive = size >= 100_000;
  const tasks: [Evaluator, () => void][] = [
    ["naive", cycling(specs, (s) => naive.authorize(s).allowed)],
    ["authorize", cycling(specs, (s) => engine.authorize(s).allowed)],
    ["check", cycling(prepared, (p) => engine.check(p).allowed)],
    ["authorizeJSON", cycling(specs, (s) => engine.authorizeJSON(s).allowed)],
    // informational: the JS half of authorize() (interning the spec's strings), without the wasm call
    ["prepare", cycling(specs, (s) => engine.prepare(s).ids[0] >= 0)],
  ];
  const result: SizeResult = {
    bindings: size,
    corpus: { ...corpus.stats, vocabulary: st.vocabulary },
    requests: { count: REQUESTS, allowedShare: allowed / REQUESTS, nonResourceShare: nonResource / REQUESTS, withReason: withReason / REQUESTS },
    wasmMemoryMiB: wasmMemoryBytes(engine) / 2 ** 20,
    evaluators: {},
  };
  for (const [name, fn] of tasks) {
    const isNaive = name === "naive";
    const bench = new Bench({
      name: `${name}@${size}`,
      timestampProvider: "hrtimeNow",
      subtractTimerOverhead: true,
      throws: true,
      ...(QUICK
        ? { time: 0, iterations: 10, warmup: false }
        : { time: isNaive && slowNaive ? 1_500 : 700, iterations: 50, warmupTime: isNaive && slowNaive ? 150 : 150, warmupIterations: 20 }),
    });
    bench.add(LABEL[name], fn);
    await bench.run();
    const f = figures(bench.tasks[0]);
    if (!QUICK) {
      const l = loopNs(fn, isNaive && slowNaive ? 800 : 300);
      f.loopNs = l.wall;
      f.loopCpuNs = l.cpu;
    }
    result.evaluators[name] = f;
  }
  const base = result.evaluators.naive!.meanNs;
  for (const e of EVALUATORS) if (e !== "prepare") result.evaluators[e]!.ratioVsNaive = base / result.evaluators[e]!.meanNs;

  const rows = EVALUATORS.map((e) => {
    const f = result.evaluators[e]!;
    return [LABEL[e], ns(f.medianNs), ns(f.meanNs), ns(f.p99Ns), f.loopNs === undefined ? "-" : ns(f.loopNs),
      f.loopCpuNs === undefined ? "-" : ns(f.loopCpuNs),
      e === "prepare" ? "-" : fmt(f.opsPerSec), fmt(f.samples),
      e === "naive" ? "1×" : e === "prepare" ? "-" : fmt(f.ratioVsNaive!, f.ratioVsNaive! < 10 ? 1 : 0) + "×"];
  });
  table(["evaluator", "median", "mean", "p99", "loop", "loop cpu", "decisions/s", "samples", "vs naive"], rows);
  engine.dispose();
  return result;
}

function table(head: string[], rows: string[][]) {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => "   " + r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join("  ");
  console.log(line(head));
  console.log("   " + w.map((n) => "-".repeat(n)).join("  "));
  rows.forEach((r) => console.log(line(r)));
}

/** createEngine time (median of `runs`), with where the time goes on the JS side. */
async function snapshotTime(size: number, runs: number) {
  const corpus = generatePolicy(size);
  const total: number[] = [], wire: number[] = [];
  await createEngine(generatePolicy(100).objects); // module compiled and cached before timing
  for (let r = 0; r < runs; r++) {
    gc();
    let t = performance.now();
    const json = JSON.stringify({ items: toWireObjects(flattenLists(corpus.objects)) });
    new TextEncoder().encode(json);
    wire.push(performance.now() - t);
    t = performance.now();
    const e = await createEngine(corpus.objects);
    total.push(performance.now() - t);
    e.dispose();
  }
  let t = performance.now();
  new NaiveAuthorizer(corpus.objects);
  const naiveMs = performance.now() - t;
  const jsonBytes = JSON.stringify({ items: toWireObjects(flattenLists(corpus.objects)) }).length;
  return { bindings: size, runs, medianMs: median(total), allMs: total, wireJsonMs: median(wire), wireJsonBytes: jsonBytes, naiveConstructorMs: naiveMs };
}

interface Target { name: string; measured: number; limit: number; unit: string; atMost: boolean; pass: boolean }

async function main() {
  const started = performance.now();
  const machine = {
    cores: cpus().length, cpu: cpus()[0]?.model ?? "unknown", memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version, platform: `${platform()}-${arch()}`, date: new Date().toISOString(),
    tinybench: JSON.parse(readFileSync(ROOT + "node_modules/tinybench/package.json", "utf8")).version,
    loadAverageAtStart: loadavg().map((x) => Math.round(x * 100) / 100),
    loadAverageAtEnd: [] as number[],
  };
  const wasm = readFileSync(WASM);
  const wasmBytes = wasm.byteLength;
  const wasmSha256 = createHash("sha256").update(wasm).digest("hex");
  console.log(`rbac-guard authorize bench${QUICK ? " (--quick: figures are not meaningful)" : ""}: ` +
    `${machine.cores} cores (${machine.cpu}), Node ${machine.node}, tinybench ${machine.tinybench}, ${machine.date}; ` +
    `load average ${machine.loadAverageAtStart.join(" ")}; wasm sha256 ${wasmSha256.slice(0, 12)}`);
  if (machine.loadAverageAtStart[0] > machine.cores * 0.5) {
    console.log(`   note: the machine is busy (1-min load ${machine.loadAverageAtStart[0]} on ${machine.cores} cores); absolute figures will be inflated`);
  }

  const sizes: Record<string, SizeResult> = {};
  for (const size of SIZES) sizes[String(size)] = await benchSize(size);

  const first = sizes[String(SIZES[0])], last = sizes[String(SIZES[SIZES.length - 1])];
  const scale = (e: Evaluator) => last.evaluators[e]!.meanNs / first.evaluators[e]!.meanNs;
  console.log(`\nscaling ${sizeLabel(SIZES[0])} → ${sizeLabel(SIZES[SIZES.length - 1])} bindings (mean): ` +
    (["authorize", "check", "authorizeJSON", "naive"] as Evaluator[]).map((e) =>
      `${e} ${ns(first.evaluators[e]!.meanNs)} → ${ns(last.evaluators[e]!.meanNs)} (${fmt(scale(e), 2)}×)`).join("; "));

  if (QUICK) {
    console.log(`\nwasm: ${fmt(wasmBytes)} bytes (${fmt(wasmBytes / 1024, 1)} KiB). --quick: no snapshot timing, no targets, no results file.`);
    console.log(`done in ${fmt((performance.now() - started) / 1000, 1)} s`);
    return;
  }

  console.log("\nsnapshot build (createEngine; median of runs):");
  const snapshots = [await snapshotTime(10_000, 5), await snapshotTime(100_000, 3)];
  for (const s of snapshots) {
    console.log(`   ${fmt(s.bindings)} bindings: ${fmt(s.medianMs, 0)} ms (runs: ${s.allMs.map((x) => fmt(x, 0)).join(", ")} ms); ` +
      `of which JS wire projection + JSON.stringify + encode ≈ ${fmt(s.wireJsonMs, 0)} ms for ${fmt(s.wireJsonBytes / 2 ** 20, 1)} MiB; ` +
      `naive port constructor ${fmt(s.naiveConstructorMs, 0)} ms`);
  }
  console.log(`wasm: build/rbac-guard.wasm ${fmt(wasmBytes)} bytes (${fmt(wasmBytes / 1024, 1)} KiB)`);

  const ev = (size: number, e: Evaluator) => sizes[String(size)].evaluators[e]!;
  const targets: Target[] = [];
  const digitsOf = new Map<Target, number>();
  const target = (name: string, measured: number, limit: number, unit: string, atMost = true, digits = 0) => {
    const t = { name, measured, limit, unit: unit.trim(), atMost, pass: atMost ? measured <= limit : measured >= limit };
    digitsOf.set(t, digits);
    targets.push(t);
  };
  for (const s of [10_000, 100_000]) target(`public authorize at ${sizeLabel(s)} (mean)`, ev(s, "authorize").meanNs, 300, " ns");
  for (const s of SIZES) target(`fast path check at ${sizeLabel(s)} (mean)`, ev(s, "check").meanNs, 100, " ns");
  target("public authorize 100k vs 100", scale("authorize"), 1.5, "×", true, 2);
  target("fast path 100k vs 100", scale("check"), 1.5, "×", true, 2);
  target("public authorize vs naive at 10k", ev(10_000, "authorize").ratioVsNaive!, 150, "×", false);
  target("fast path vs naive at 10k", ev(10_000, "check").ratioVsNaive!, 150, "×", false);
  target("snapshot of 10k bindings", snapshots[0].medianMs, 150, " ms");
  target("release wasm size", wasmBytes / 1024, 200, " KiB", true, 1);
  console.log("\ntargets:");
  table(["target", "measured", "limit", ""], targets.map((t) => {
    const d = digitsOf.get(t)!, unit = t.unit === "×" ? "×" : " " + t.unit;
    return [t.name, fmt(t.measured, d) + unit, (t.atMost ? "≤ " : "≥ ") + fmt(t.limit, d) + unit, t.pass ? "PASS" : "MISS"];
  }));
  const missed = targets.filter((t) => !t.pass).length;
  console.log(`${targets.length - missed}/${targets.length} targets met${missed ? ` (${missed} MISS; reported only)` : ""}`);

  machine.loadAverageAtEnd = loadavg().map((x) => Math.round(x * 100) / 100);
  console.log(`load average at end: ${machine.loadAverageAtEnd.join(" ")}`);
  mkdirSync(ROOT + "bench/results", { recursive: true });
  const out = { machine, requestsPerSize: REQUESTS, equivalenceSample: EQUIVALENCE_SAMPLE, wasmBytes, wasmSha256, snapshots, sizes,
    scaling: { from: SIZES[0], to: SIZES[SIZES.length - 1], authorize: scale("authorize"), check: scale("check"), authorizeJSON: scale("authorizeJSON") },
    targets, durationSeconds: (performance.now() - started) / 1000 };
  // why: sub-nanosecond digits are noise; keep the file readable
  const round = (_k: string, v: unknown) => (typeof v === "number" && !Number.isInteger(v) ? Math.round(v * 1000) / 1000 : v);
  writeFileSync(RESULTS, JSON.stringify(out, round, 2) + "\n");
  console.log(`\nresults: bench/results/authorize.json; done in ${fmt((performance.now() - started) / 1000, 1)} s` + (sink < 0 ? "" : ""));
}

main().catch((e) => {
  console.error(`\n${e instanceof Error ? e.message : e}`);
  process.exit(1);
});
