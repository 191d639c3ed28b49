// Webhook server load test: autocannon against a real `rbac-guard serve` (HTTPS, loopback, its own process) on a
// generated policy of 1,000 bindings (bench/corpora/gen.ts) plus 20 expired just-in-time bindings, so every
// /authorize request that RBAC would not allow also runs the two-engine expiry check.
//
//   npx tsx bench/webhook.bench.ts            ~2 min; writes bench/results/webhook.json
//   npx tsx bench/webhook.bench.ts --quick    2 s per run, no results file
//
// Runs, each after a warm-up: /authorize at 2,000 req/s evenly paced (open loop, latency from each request's
// scheduled start; the target: p99 ≤ 5 ms), the same rate through autocannon's overallRate (which spends each
// connection's per-second budget in a burst, then waits), /authorize at full speed (autocannon, 16 connections),
// the same three in --mode rbac, /validate for a RoleBinding CREATE (engine + lint over the whole context +
// object) at 10 req/s and at full speed, and /validate for a Deployment CREATE (engine + lint over the workload's
// scoped context) at 100 req/s and at full speed, and /authorize paced at 2,000 req/s while RoleBinding
// admissions run flat out (they are evaluated in the admission worker thread, not on the /authorize thread). Load generator and server share the machine's cores; latencies are client-side.
// Targets are reported as PASS/MISS; a miss never fails the process.
import autocannon from "autocannon";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as https from "node:https";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { generatePolicy, generateRequests } from "./corpora/gen.js";
import { freePort } from "../test/webhook/helpers.js";

const QUICK = process.argv.includes("--quick");
const DURATION = QUICK ? 2 : 10;
const WARMUP = QUICK ? 1 : 3;
const CONNECTIONS = 16;
// why: autocannon spends each connection's per-second budget back to back; few connections keep those bursts
// close to what an API server's connection pool sends
const RATE_CONNECTIONS = 4;
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const RESULTS = path.join(ROOT, "bench/results/webhook.json");

interface RunResult {
  name: string;
  targetRate?: number;
  requestsPerSec: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  total: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

function get(url: string, ca: Buffer): Promise<number> {
  return new Promise((resolve) => {
    https.get(url, { ca }, (res) => { res.resume(); resolve(res.statusCode ?? 0); }).on("error", () => resolve(0));
  });
}

/** Share of requests per latency bucket as the server measured them (body read → answer written), from /metrics. */
async function serverSide(url: string, ca: Buffer, endpoint: string): Promise<Record<string, number>> {
  const text = await new Promise<string>((resolve, reject) => {
    https.get(`${url}/metrics`, { ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve(Buffer.concat(chunks).toString()));
    }).on("error", reject);
  });
  const buckets = new Map<string, number>();
  let count = 0;
  for (const m of text.matchAll(/^rbac_guard_request_duration_seconds_(bucket|count)\{(?:le="([^"]+)",)?endpoint="([^"]+)"\} (\d+)/gm)) {
    if (m[3] !== endpoint) continue;
    if (m[1] === "count") count = Number(m[4]);
    else buckets.set(m[2]!, Number(m[4]));
  }
  const out: Record<string, number> = {};
  for (const le of ["0.0005", "0.001", "0.0025", "0.005"]) out[`le${Number(le) * 1000}ms`] = count ? Math.round((1000 * (buckets.get(le) ?? 0)) / count) / 10 : NaN;
  return out;
}

async function startServer(dir: string, ca: Buffer, args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "host/cli/main.ts"), "serve",
    "--tls-cert", path.join(dir, "certs/tls.crt"), "--tls-key", path.join(dir, "certs/tls.key"),
    "--address", "127.0.0.1", "--port", String(port), "-f", path.join(dir, "context.json"), "--watch-interval", "0",
    // why: autocannon ignores `Connection: close` and would get 503s once a socket reaches the server's limit
    "--max-requests-per-socket", "0", ...args],
  { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] }); // why: decision log lines go to /dev/null, as a log shipper would take them
  const url = `https://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    if ((await get(`${url}/readyz`, ca)) === 200) return { child, url };
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill("SIGTERM");
  throw new Error("server did not become ready");
}

async function stopServer(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await exited;
}

async function run(name: string, url: string, bodies: string[], rate?: number, duration = DURATION): Promise<RunResult> {
  const requests = bodies.map((body) => ({ method: "POST" as const, body, headers: { "content-type": "application/json" } }));
  const r = await autocannon({
    url, connections: rate ? RATE_CONNECTIONS : CONNECTIONS, duration, requests, ...(rate ? { overallRate: rate } : {}), timeout: 10,
  });
  return {
    name: `${name} autocannon`, targetRate: rate,
    requestsPerSec: Math.round(r.requests.average),
    p50Ms: r.latency.p50, p90Ms: r.latency.p90, p99Ms: r.latency.p99, maxMs: r.latency.max,
    total: r.requests.total, non2xx: r.non2xx, errors: r.errors, timeouts: r.timeouts,
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * Open-loop load at an even pace (a request every 1/rate s, sent from a 1 ms timer), latency measured from each
 * request's scheduled start, so a stalled server or client is charged in full (no coordinated omission).
 */
async function paced(name: string, url: string, bodies: string[], rate: number, seconds: number, ca: Buffer): Promise<RunResult> {
  const agent = new https.Agent({ keepAlive: true, maxSockets: 32, ca });
  // why: the first second opens the connections (TLS handshakes); it is not measured
  await pacedLoad(agent, url, bodies, rate, 1);
  const r = await pacedLoad(agent, url, bodies, rate, seconds);
  agent.destroy();
  return { name: `${name} paced`, ...r };
}

async function pacedLoad(agent: https.Agent, url: string, bodies: string[], rate: number, seconds: number): Promise<Omit<RunResult, "name">> {
  const total = rate * seconds;
  const interval = 1000 / rate;
  const latencies: number[] = [];
  let sent = 0, completed = 0, non2xx = 0, errors = 0;
  const start = performance.now();
  await new Promise<void>((done) => {
    const finish = () => { if (++completed === total) done(); };
    const tick = () => {
      const due = Math.min(total, Math.floor((performance.now() - start) / interval) + 1);
      while (sent < due) {
        const scheduled = start + sent * interval;
        const body = bodies[sent % bodies.length]!;
        sent++;
        const req = https.request(url, { method: "POST", agent, headers: { "content-type": "application/json" } }, (res) => {
          res.resume();
          res.on("end", () => {
            latencies.push(performance.now() - scheduled);
            if (res.statusCode !== 200) non2xx++;
            finish();
          });
        });
        req.on("error", () => { errors++; finish(); });
        req.end(body);
      }
      if (sent < total) setTimeout(tick, 1);
    };
    tick();
  });
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const r2 = (x: number) => Math.round(x * 100) / 100;
  return {
    targetRate: rate, requestsPerSec: Math.round(total / elapsed),
    p50Ms: r2(percentile(latencies, 50)), p90Ms: r2(percentile(latencies, 90)), p99Ms: r2(percentile(latencies, 99)),
    maxMs: r2(latencies.at(-1) ?? NaN), total, non2xx, errors, timeouts: 0,
  };
}

function withExpiredBindings(objects: object[], count: number): object[] {
  const out = [...objects];
  for (let i = 0; i < count; i++) {
    out.push({
      apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding",
      metadata: { name: `jit-${i}`, annotations: { "rbac-guard.io/expires-at": "2020-01-01T00:00:00Z" } },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
      subjects: [{ kind: "User", apiGroup: "rbac.authorization.k8s.io", name: `user-${i}@example.com` }],
    });
  }
  return out;
}

function admissionBodies(): string[] {
  const out: string[] = [];
  for (let i = 0; i < 50; i++) {
    const object = {
      apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding",
      metadata: { name: `bench-${i}`, namespace: "bench" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: i % 2 ? "view" : "edit" },
      subjects: [{ kind: "ServiceAccount", name: `app-${i}`, namespace: "bench" }],
    };
    out.push(JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request: {
      uid: `bench-${i}`, kind: { group: "rbac.authorization.k8s.io", version: "v1", kind: "RoleBinding" },
      operation: "CREATE", namespace: "bench", name: object.metadata.name,
      userInfo: { username: "bench", groups: ["system:authenticated"] }, object,
    } }));
  }
  return out;
}

function deploymentBodies(): string[] {
  const out: string[] = [];
  for (let i = 0; i < 50; i++) {
    const object = {
      apiVersion: "apps/v1", kind: "Deployment", metadata: { name: `web-${i}`, namespace: "bench" },
      spec: { selector: { matchLabels: { app: `web-${i}` } }, template: { metadata: { labels: { app: `web-${i}` } },
        spec: { ...(i % 3 ? { serviceAccountName: `app-${i}` } : {}), containers: [{ name: "web", image: "nginx:1.27" }] } } },
    };
    out.push(JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request: {
      uid: `bench-d-${i}`, kind: { group: "apps", version: "v1", kind: "Deployment" }, operation: "CREATE", namespace: "bench",
      name: object.metadata.name, userInfo: { username: "bench", groups: ["system:authenticated"] }, object,
    } }));
  }
  return out;
}

function line(r: RunResult): string {
  const rate = r.targetRate ? `${r.targetRate}/s` : "max";
  return `${r.name.padEnd(42)} ${rate.padStart(7)}  ${String(r.requestsPerSec).padStart(7)} req/s  p50 ${r.p50Ms.toFixed(2).padStart(7)} ms` +
    `  p99 ${r.p99Ms.toFixed(2).padStart(7)} ms  max ${r.maxMs.toFixed(1).padStart(7)} ms  non2xx ${r.non2xx}  errors ${r.errors + r.timeouts}`;
}

async function main(): Promise<void> {
  const loadBefore = loadavg().map((x) => Math.round(x * 100) / 100);
  const dir = mkdtempSync(path.join(tmpdir(), "rbac-guard-bench-"));
  const results: RunResult[] = [];
  const serverShare: Record<string, Record<string, number>> = {};
  try {
    execFileSync("bash", [path.join(ROOT, "deploy/gen-certs.sh"), path.join(dir, "certs")],
      { env: { ...process.env, EXTRA_SANS: "IP:127.0.0.1" }, stdio: "ignore" });
    const ca = readFileSync(path.join(dir, "certs/ca.crt"));
    const corpus = generatePolicy(1_000);
    writeFileSync(path.join(dir, "context.json"), JSON.stringify({ apiVersion: "v1", kind: "List", items: withExpiredBindings(corpus.objects, 20) }));
    const sars = generateRequests(corpus, 500).map((spec) => JSON.stringify({ apiVersion: "authorization.k8s.io/v1", kind: "SubjectAccessReview", spec }));
    const policy = path.join(dir, "policy.yaml");
    writeFileSync(policy, [
      "deny:",
      "  - {name: no-kube-system-secrets, subjects: {groups: ['system:authenticated']}, resources: [secrets], namespaces: [kube-system]}",
      "  - {name: no-exec, subjects: {users: ['contractor-*']}, resources: ['pods/exec']}",
    ].join("\n"));

    for (const mode of ["guardrail", "rbac"]) {
      const { child, url } = await startServer(dir, ca, ["--policy", policy, "--mode", mode]);
      try {
        await run("warm-up", `${url}/authorize`, sars, undefined, WARMUP);
        results.push(await paced(`/authorize (${mode})`, `${url}/authorize`, sars, 2_000, DURATION, ca));
        console.log(line(results.at(-1)!));
        results.push(await run(`/authorize (${mode})`, `${url}/authorize`, sars, 2_000));
        console.log(line(results.at(-1)!));
        results.push(await run(`/authorize (${mode})`, `${url}/authorize`, sars));
        console.log(line(results.at(-1)!));
        if (mode === "guardrail") {
          const adm = admissionBodies();
          await run("warm-up", `${url}/validate`, adm, undefined, WARMUP);
          results.push(await run("/validate (RoleBinding CREATE)", `${url}/validate`, adm, 10));
          console.log(line(results.at(-1)!));
          results.push(await run("/validate (RoleBinding CREATE)", `${url}/validate`, adm));
          console.log(line(results.at(-1)!));
          const deps = deploymentBodies();
          await run("warm-up", `${url}/validate`, deps, undefined, WARMUP);
          results.push(await run("/validate (Deployment CREATE)", `${url}/validate`, deps, 100));
          console.log(line(results.at(-1)!));
          results.push(await run("/validate (Deployment CREATE)", `${url}/validate`, deps));
          console.log(line(results.at(-1)!));
          // /authorize at 2,000 req/s while RoleBinding admissions run flat out (in the admission worker)
          const background = run("/validate (RoleBinding, background)", `${url}/validate`, adm, undefined, DURATION + 2);
          results.push(await paced("/authorize (guardrail) + admissions", `${url}/authorize`, sars, 2_000, DURATION, ca));
          console.log(line(results.at(-1)!));
          results.push(await background);
          console.log(line(results.at(-1)!));
        }
        serverShare[mode] = await serverSide(url, ca, "authorize");
        console.log(`server-side /authorize time (% of requests at or under): ${JSON.stringify(serverShare[mode])}`);
      } finally {
        await stopServer(child);
      }
    }
    const target = results.find((r) => r.name === "/authorize (guardrail) paced")!;
    const ok = target.p99Ms <= 5 && target.requestsPerSec >= 1_900 && target.non2xx === 0 && target.errors === 0;
    console.log(`\nload average before ${loadBefore.join(" ")}, after ${loadavg().map((x) => x.toFixed(2)).join(" ")} (${cpus().length} cores)`);
    console.log(`target /authorize p99 ≤ 5 ms at 2,000 req/s: ${ok ? "PASS" : "MISS"} (p99 ${target.p99Ms} ms at ${target.requestsPerSec} req/s)`);
    if (!QUICK) {
      mkdirSync(path.dirname(RESULTS), { recursive: true });
      writeFileSync(RESULTS, JSON.stringify({
        machine: { cores: cpus().length, cpu: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version,
          date: new Date().toISOString(),
          // why: other processes share the 2 cores; latency tails follow the load average
          loadAverageBefore: loadBefore, loadAverageAfter: loadavg().map((x) => Math.round(x * 100) / 100) },
        corpus: { bindings: 1_000, expiredBindings: 20, sarBodies: sars.length, connections: CONNECTIONS, durationSeconds: DURATION },
        runs: results,
        serverSideAuthorizeShare: serverShare,
        target: { p99Ms: 5, rate: 2_000, pass: ok },
      }, null, 2) + "\n");
      console.log(`wrote ${path.relative(ROOT, RESULTS)}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
