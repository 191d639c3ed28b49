// Query latency: whoCan, rulesFor, covers and lint through the library (createEngine) at 100, 1k and 10k bindings
// (bench/corpora/gen.ts), side by side with the naive TypeScript ports of Kubernetes' subject locator, rule resolver
// and policy comparator (test/oracle/k8s-rbac.ts, test/oracle/k8s-queries.ts) measured in the same process; and the
// CLI (`rbac-guard who-can ... -f DIR`, `rbac-guard lint -f DIR`) timed as whole commands (process start to exit,
// median of runs) on the corpus written to a temporary directory, next to a bare `node -e 0` start.
//
//   npx tsx --expose-gc bench/queries.bench.ts [--rounds N]   full run (~2 min), writes bench/results/queries.json
//   npx tsx --expose-gc bench/queries.bench.ts --quick        one iteration each, writes bench/results/quick/queries.json
//
// Before timing, on a sample, the library's answers must match the baselines': whoCan's subjects (as a de-duplicated
// set) equal the subject locator's, rulesFor's rules (as a multiset, sources ignored) the rule resolver's,
// covers gives the comparator's verdict and uncovered count; otherwise exit code 1. lint has no naive baseline
// (reported absolute).
// Targets of issue 3 (whoCan ≤ 50 µs and rulesFor ≤ 20 µs at 10k bindings) are reported as PASS/MISS, never fail.
import { Bench } from "tinybench";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createEngine, type Engine, type PolicyRule as EnginePolicyRule } from "../bindings/index.js";
import { NaiveAuthorizer, type SubjectAccessReviewSpec } from "../test/oracle/k8s-rbac.js";
import { covers as naiveCovers, subjectRulesReview } from "../test/oracle/k8s-queries.js";
import { generatePolicy, generateRequests } from "./corpora/gen.js";
import { fmt, gc, historyFile, taskFigures, loadAverage, machineInfo, median, ROOT, table } from "./common.js";

const QUICK = process.argv.includes("--quick");
const ROUNDS = QUICK ? 1 : Number(process.argv[process.argv.indexOf("--rounds") + 1] ?? 3) || 3;
const SIZES = [100, 1_000, 10_000];
const INPUTS = 500;
const CLI_RUNS = QUICK ? 1 : 5;
const CLI = ROOT + "dist/host/cli/main.js";
const RESULTS = ROOT + (QUICK ? "bench/results/quick/queries.json" : "bench/results/queries.json");

// why: a full GC between phases frees the previous engines' wasm memories (hundreds of MB at 100k) so they do not
// tax the next measurement. The scripts run tsx with --expose-gc (setting the flag at run time, as this file once
// did, is undefined behaviour in V8 and coincided with a fatal deoptimizer crash); without it, no forced GC.
let sink = 0;

const ns = (n: number) => (n >= 1e7 ? fmt(n / 1e6, 1) + " ms" : n >= 10_000 ? fmt(n / 1000, 1) + " µs" : fmt(n, 0) + " ns");

export const QUERIES = ["whoCan", "rulesFor", "covers", "lint"] as const;
type Query = (typeof QUERIES)[number];

interface Timing { meanNs: number; medianNs: number; p99Ns: number; samples: number; roundsMeanNs: number[] }
interface QueryResult { library: Timing; naive?: Timing; ratioVsNaive?: number; baseline: string }
interface CliResult { command: string; runs: number; medianMs: number; allMs: number[]; nodeStartMs: number; ratioVsNodeStart: number }
interface SizeResult { bindings: number; inputs: number; queries: Partial<Record<Query, QueryResult>>; cli: CliResult[]; lintFindings: number }

function cycling<T>(items: T[], f: (x: T) => unknown): () => void {
  let i = 0;
  return () => {
    sink += f(items[i]) ? 1 : 0;
    if (++i === items.length) i = 0;
  };
}

async function time(name: string, fn: () => void, slow: boolean): Promise<Omit<Timing, "roundsMeanNs">> {
  const bench = new Bench({
    name, timestampProvider: "hrtimeNow", subtractTimerOverhead: true, throws: true,
    ...(QUICK ? { time: 0, iterations: 3, warmup: false } : { time: slow ? 1_500 : 600, iterations: 10, warmupTime: 100, warmupIterations: 5 }),
  });
  bench.add(name, fn);
  await bench.run();
  return taskFigures(bench.tasks[0]);
}

/** rules as a sorted multiset (the engine's "source" ignored, absent lists = []), as the rules-for vectors compare */
function ruleMultiset(resource: object[], nonResource: object[]): string {
  const key = (r: any, nr: boolean) => JSON.stringify(nr ? [r.verbs ?? [], r.nonResourceURLs ?? []]
    : [r.verbs ?? [], r.apiGroups ?? [], r.resources ?? [], r.resourceNames ?? []]);
  return [...resource.map((r) => key(r, false)), ...nonResource.map((r) => key(r, true))].sort().join("\n");
}

const subjectKey = (s: { kind: string; name: string; namespace?: string }) => `${s.kind}\u0000${s.name}\u0000${s.namespace ?? ""}`;

/** The library must answer as the baselines do on a sample before anything is timed. */
function checkAgreement(size: number, engine: Engine, naive: NaiveAuthorizer, who: SubjectAccessReviewSpec[],
  subjects: { user: string; groups: string[]; namespace: string }[], pairs: [EnginePolicyRule[], EnginePolicyRule[]][]): number {
  const n = Math.min(QUICK ? 20 : 100, who.length);
  const fail = (what: string, input: unknown, want: unknown, got: unknown) => {
    throw new Error(`AGREEMENT FAILURE (${what}) at ${fmt(size)} bindings for ${JSON.stringify(input)}:\n  baseline: ${JSON.stringify(want)}\n  library : ${JSON.stringify(got)}`);
  };
  for (let i = 0; i < n; i++) {
    const want = [...new Set(naive.allowedSubjects(who[i]).subjects.map(subjectKey))].sort();
    const got = [...new Set(engine.whoCan(who[i]).subjects.map(subjectKey))].sort();
    if (want.join("\n") !== got.join("\n")) fail("whoCan", who[i], want, got);
    const s = subjects[i];
    const w = subjectRulesReview(naive, s.user, s.groups, s.namespace), g = engine.rulesFor(s);
    const wr = ruleMultiset(w.resourceRules, w.nonResourceRules), gr = ruleMultiset(g.resourceRules, g.nonResourceRules);
    if (wr !== gr) fail("rulesFor", s, wr, gr);
    const [owner, servant] = pairs[i % pairs.length];
    const cw = naiveCovers(owner, servant), cg = engine.covers(owner, servant);
    if (cw.covers !== cg.covers || cw.uncovered.length !== cg.uncovered.length) fail("covers", { owner, servant }, cw, cg);
  }
  return n;
}

function runCli(args: string[]): number {
  const t = performance.now();
  const r = spawnSync(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"], maxBuffer: 64 * 2 ** 20 });
  const ms = performance.now() - t;
  // who-can exits 0; lint exits 1 when it has findings at or above --fail-on; 2/3 are failures
  if (r.status === null || r.status >= 2) throw new Error(`${args.join(" ")} failed (${r.status}): ${r.stderr?.toString().slice(0, 500)}`);
  return ms;
}

async function benchSize(size: number): Promise<SizeResult> {
  gc();
  const corpus = generatePolicy(size);
  const engine = await createEngine(corpus.objects);
  const naive = new NaiveAuthorizer(corpus.objects);
  const requests = generateRequests(corpus, INPUTS * 2, 0x51ed);
  const who = requests.filter((r) => r.resourceAttributes).slice(0, INPUTS).map((r) => ({ ...r, user: "", groups: [] }));
  const subjects = requests.slice(0, INPUTS).map((r) => ({ user: r.user ?? "", groups: r.groups ?? [], namespace: r.resourceAttributes?.namespace ?? "" }));
  // covers: the owner holds what rulesFor gives a principal, the servant is a role from the corpus (an escalation check)
  const roles = corpus.objects.flatMap((o: any) => (o.kind === "List" ? o.items : [o])).filter((o: any) => o.kind === "Role" || o.kind === "ClusterRole");
  const pairs: [EnginePolicyRule[], EnginePolicyRule[]][] = subjects.slice(0, 100).map((s, i) => [
    naive.rulesFor(s.user, s.groups, s.namespace).rules as EnginePolicyRule[],
    (roles[(i * 7919) % roles.length].rules ?? []) as EnginePolicyRule[],
  ]);
  const checked = checkAgreement(size, engine, naive, who, subjects, pairs);
  const findings = engine.lint().findings.length;
  console.log(`\n== ${fmt(size)} bindings (${fmt(corpus.stats.namespaces)} namespaces): ${INPUTS} whoCan specs, ${INPUTS} rulesFor subjects, ` +
    `${pairs.length} covers pairs; answers agree with the baselines on ${checked} of each; lint: ${fmt(findings)} findings`);

  const tasks: [Query, "library" | "naive", () => void][] = [
    ["whoCan", "library", cycling(who, (s) => engine.whoCan(s).subjects.length)],
    ["whoCan", "naive", cycling(who, (s) => naive.allowedSubjects(s).subjects.length)],
    ["rulesFor", "library", cycling(subjects, (s) => engine.rulesFor(s).resourceRules.length)],
    ["rulesFor", "naive", cycling(subjects, (s) => subjectRulesReview(naive, s.user, s.groups, s.namespace).resourceRules.length)],
    ["covers", "library", cycling(pairs, ([o, sv]) => engine.covers(o, sv).covers)],
    ["covers", "naive", cycling(pairs, ([o, sv]) => naiveCovers(o, sv).covers)],
    ["lint", "library", () => { sink += engine.lint().findings.length; }],
  ];
  const rounds = new Map<string, Omit<Timing, "roundsMeanNs">[]>();
  for (let r = 0; r < ROUNDS; r++) {
    for (const [q, who_, fn] of tasks) {
      const key = `${q}/${who_}`;
      rounds.set(key, [...(rounds.get(key) ?? []), await time(key, fn, q === "lint")]);
    }
  }
  const combine = (xs: Omit<Timing, "roundsMeanNs">[]): Timing => ({
    meanNs: median(xs.map((x) => x.meanNs)), medianNs: median(xs.map((x) => x.medianNs)), p99Ns: median(xs.map((x) => x.p99Ns)),
    samples: xs.reduce((n, x) => n + x.samples, 0), roundsMeanNs: xs.map((x) => x.meanNs),
  });
  const queries: SizeResult["queries"] = {};
  const BASELINE: Record<Query, string> = {
    whoCan: "naive subject locator (NaiveAuthorizer.allowedSubjects)",
    rulesFor: "naive rule resolver (subjectRulesReview)",
    covers: "naive policy comparator (k8s-queries covers)",
    lint: "none (no naive lint exists)",
  };
  for (const q of QUERIES) {
    const lib = combine(rounds.get(`${q}/library`)!);
    const nv = rounds.get(`${q}/naive`);
    const res: QueryResult = { library: lib, baseline: BASELINE[q] };
    // why: medians; on a shared machine the mean mostly measures preemption
    if (nv) { res.naive = combine(nv); res.ratioVsNaive = res.naive.medianNs / lib.medianNs; }
    queries[q] = res;
  }

  // the CLI as a whole command on the corpus written out as a List
  const cli: CliResult[] = [];
  // why: --quick keeps the smoke short; one CLI size is enough to keep the commands from rotting
  const dir = QUICK && size > SIZES[0] ? null : mkdtempSync(join(tmpdir(), "rbac-guard-bench-"));
  if (dir !== null) try {
    const items = corpus.objects.flatMap((o: any) => (o.kind === "List" ? o.items : [o]));
    writeFileSync(join(dir, "policy.json"), JSON.stringify({ apiVersion: "v1", kind: "List", items }));
    const ns0 = corpus.namespaces[0].name;
    const commands: [string, string[]][] = [
      [`who-can get secrets -n ${ns0} -f DIR`, [CLI, "who-can", "get", "secrets", "-n", ns0, "-f", dir, "--quiet"]],
      ["lint -f DIR", [CLI, "lint", "-f", dir, "--quiet"]],
    ];
    const nodeStart: number[] = [];
    for (let r = 0; r < CLI_RUNS; r++) nodeStart.push(runCli(["-e", "0"]));
    const nodeStartMs = median(nodeStart);
    for (const [command, args] of commands) {
      const all: number[] = [];
      for (let r = 0; r < CLI_RUNS; r++) all.push(runCli(args));
      cli.push({ command: `rbac-guard ${command}`, runs: CLI_RUNS, medianMs: median(all), allMs: all, nodeStartMs, ratioVsNodeStart: median(all) / nodeStartMs });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const rows = QUERIES.map((q) => {
    const r = queries[q]!;
    return [q, ns(r.library.medianNs), ns(r.library.meanNs), ns(r.library.p99Ns), r.naive ? ns(r.naive.medianNs) : "-",
      r.ratioVsNaive ? fmt(r.ratioVsNaive, r.ratioVsNaive < 10 ? 2 : 0) + "×" : "-", fmt(r.library.samples)];
  });
  table(["query (library)", "median", "mean", "p99", "naive median", "vs naive", "samples"], rows);
  table(["CLI command (whole process)", "median", "runs", "node -e 0", "vs node start"], cli.map((c) =>
    [c.command, fmt(c.medianMs, 0) + " ms", String(c.runs), fmt(c.nodeStartMs, 0) + " ms", fmt(c.ratioVsNodeStart, 1) + "×"]));
  engine.dispose();
  return { bindings: size, inputs: INPUTS, queries, cli, lintFindings: findings };
}


async function main() {
  const started = performance.now();
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build:ts first`);
  const machine = machineInfo();
  console.log(`rbac-guard queries bench${QUICK ? " (--quick: figures are not meaningful)" : `, ${ROUNDS} rounds`}: ${machine.cores} cores ` +
    `(${machine.cpu}), Node ${machine.node}, ${machine.date}; load average ${machine.loadAverageAtStart.join(" ")}`);
  const sizes: Record<string, SizeResult> = {};
  for (const s of SIZES) sizes[String(s)] = await benchSize(s);

  const at10k = sizes["10000"].queries;
  const targets = [
    { name: "whoCan at 10k (median)", measured: at10k.whoCan!.library.medianNs / 1000, limit: 50, unit: "µs", atMost: true },
    { name: "rulesFor at 10k (median)", measured: at10k.rulesFor!.library.medianNs / 1000, limit: 20, unit: "µs", atMost: true },
  ].map((t) => ({ ...t, pass: t.measured <= t.limit, factor: t.measured / t.limit }));
  console.log("\ntargets (issue 3):");
  table(["target", "measured", "limit", "", "by"], targets.map((t) =>
    [t.name, `${fmt(t.measured, 1)} µs`, `≤ ${t.limit} µs`, t.pass ? "PASS" : "MISS", t.pass ? "" : `${fmt(t.factor, 1)}× off`]));

  machine.loadAverageAtEnd = loadAverage();
  console.log(`load average at end: ${machine.loadAverageAtEnd.join(" ")}`);
  mkdirSync(dirname(RESULTS), { recursive: true });
  // why: 5 significant digits; fixed decimals would turn Cedar's tiny ratios into 0
  const round = (_k: string, v: unknown) => (typeof v === "number" && !Number.isInteger(v) ? Number(v.toPrecision(5)) : v);
  const text = JSON.stringify({ suite: "queries", quick: QUICK, rounds: ROUNDS, machine, sizes, targets,
    durationSeconds: (performance.now() - started) / 1000 }, round, 2) + "\n";
  writeFileSync(RESULTS, text);
  // every full run is kept, so the report can show the run-to-run spread
  if (!QUICK) writeFileSync(historyFile("queries", machine.date), text);
  console.log(`\nresults: ${RESULTS.slice(ROOT.length)}; done in ${fmt((performance.now() - started) / 1000, 1)} s` + (sink < 0 ? "" : ""));
}

main().catch((e) => {
  console.error(`\n${e instanceof Error ? e.message : e}`);
  process.exit(1);
});
