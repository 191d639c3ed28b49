// Per-request cost inside the Envoy filter (build/rbac-guard-envoy.wasm) under the TypeScript proxy-wasm host of
// test/envoy/host.ts, on a generated 1k-binding cluster policy (bench/corpora/gen.ts) with the filter's RBAC on
// and two deny rules, ServiceAccount requests turned into HTTP (method + path) and verified payloads as protobuf
// Structs, as real Envoy hands them over.
//
//   npx tsx bench/envoy.bench.ts            full run (~1 min), writes bench/results/envoy.json
//   npx tsx bench/envoy.bench.ts --quick    a handful of iterations, no results file (CI smoke)
//
// Before timing, every request's outcome through the filter must equal the library's: requestInfo() then
// engine.authorize() (and the deny rules); a difference stops the bench with exit code 1.
// One tinybench iteration = one request through the host: proxy_on_context_create, proxy_on_request_headers
// (with its host calls), proxy_on_done, proxy_on_log, proxy_on_delete. A second pass with the host's timing on
// splits proxy_on_request_headers into time inside the module and time in host functions (approximate: each
// host call is wrapped in two hrtime reads). Benchmarks are never timing tests.
import { Bench } from "tinybench";
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { cpus, loadavg } from "node:os";
import { createEngine, requestInfo, type RequestInfo } from "../bindings/index.js";
import { generatePolicy, generateRequests, type SubjectAccessReviewSpec } from "./corpora/gen.js";
import { ProxyWasmHost, Action, type RequestSpec } from "../test/envoy/host.js";
import { envoyModule } from "../test/envoy/module.js";
import { jwt, saClaims, encodeStruct, NOW_NS } from "../test/envoy/tokens.js";
import { fmt, taskFigures } from "./common.js";

const QUICK = process.argv.includes("--quick");
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const RESULTS = ROOT + "bench/results/envoy.json";
const PAYLOAD = "metadata/filter_metadata/envoy.filters.http.jwt_authn/k8s_sa";
const DENY = [
  { name: "no-exec", resources: ["pods/exec", "pods/attach"] },
  { name: "no-secrets-writes", verbs: ["create", "update", "patch", "delete"], resources: ["secrets"] },
];

// ---- SubjectAccessReview spec -> HTTP request --------------------------------------------------------------------

const METHOD: Record<string, string> = { get: "GET", list: "GET", watch: "GET", create: "POST", update: "PUT", patch: "PATCH", delete: "DELETE", deletecollection: "DELETE" };

function toHTTP(s: SubjectAccessReviewSpec): { method: string; path: string } | null {
  const na = s.nonResourceAttributes;
  if (na) return na.verb === "get" || na.verb === "post" ? { method: na.verb.toUpperCase(), path: na.path ?? "/" } : null;
  const ra = s.resourceAttributes!;
  const method = METHOD[ra.verb ?? ""];
  if (!method || !ra.resource) return null;
  const named = ra.verb !== "list" && ra.verb !== "watch" && ra.verb !== "create" && ra.verb !== "deletecollection";
  if (named !== Boolean(ra.name) || (ra.subresource && !ra.name)) return null;
  let p = ra.group ? `/apis/${ra.group}/v1` : "/api/v1";
  if (ra.namespace) p += `/namespaces/${ra.namespace}`;
  p += `/${ra.resource}`;
  if (ra.name) p += `/${encodeURIComponent(ra.name)}`;
  if (ra.subresource) p += `/${ra.subresource}`;
  if (ra.verb === "watch") p += "?watch=1";
  return { method, path: p };
}

interface Prepared { spec: RequestSpec; sar: SubjectAccessReviewSpec; expectAllowed: boolean }

function denied(ri: RequestInfo): boolean {
  if (!ri.isResourceRequest) return false;
  const res = ri.subresource ? `${ri.resource}/${ri.subresource}` : ri.resource;
  return DENY.some((r) => r.resources.includes(res) && (!r.verbs || r.verbs.includes(ri.verb)));
}

async function prepare() {
  const corpus = generatePolicy(1000);
  const engine = await createEngine(corpus.objects);
  const tokens = new Map<string, { auth: string; payload: Uint8Array }>();
  const out: Prepared[] = [];
  for (const s of generateRequests(corpus, 20_000)) {
    const m = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(s.user ?? "");
    const http = m && toHTTP(s);
    if (!m || !http) continue;
    let t = tokens.get(s.user!);
    if (!t) {
      const claims = saClaims(m[1], m[2]);
      t = { auth: `Bearer ${jwt(claims)}`, payload: encodeStruct(claims) };
      tokens.set(s.user!, t);
    }
    const ri = requestInfo(http);
    const sar: SubjectAccessReviewSpec = {
      user: s.user, groups: ["system:serviceaccounts", `system:serviceaccounts:${m[1]}`, "system:authenticated"],
      ...(ri.isResourceRequest
        ? { resourceAttributes: { verb: ri.verb, group: ri.apiGroup, resource: ri.resource, subresource: ri.subresource, name: ri.name, namespace: ri.namespace } }
        : { nonResourceAttributes: { verb: ri.verb, path: ri.path } }),
    };
    out.push({
      spec: { ...http, headers: { authorization: t.auth }, properties: { [PAYLOAD]: t.payload, "source/address": "10.1.2.3:40000" } },
      sar, expectAllowed: !denied(ri) && engine.authorize(sar).allowed,
    });
  }
  return { corpus, engine, requests: out, serviceAccounts: tokens.size };
}

function newHost(items: object[]): ProxyWasmHost {
  const host = new ProxyWasmHost(envoyModule(), { now: () => NOW_NS });
  host.start();
  if (!host.configure({ policy: { items }, deny: DENY, jwt: { payloadInMetadata: "k8s_sa" } })) throw new Error("configuration refused");
  return host;
}

function cycling<T>(items: T[], fn: (x: T) => unknown): () => void {
  let i = 0;
  return () => { fn(items[i]); i = (i + 1) % items.length; };
}

type Figures = ReturnType<typeof taskFigures>;
const us = (ns: number) => fmt(ns / 1000, 1) + " µs";

async function main() {
  const { corpus, engine, requests, serviceAccounts } = await prepare();
  const allowedShare = requests.filter((r) => r.expectAllowed).length / requests.length;
  console.log(`rbac-guard Envoy filter bench: ${fmt(corpus.stats.bindings)} bindings, ${fmt(requests.length)} ServiceAccount requests ` +
    `from ${serviceAccounts} ServiceAccounts, ${fmt(100 * allowedShare, 1)}% allowed; ${cpus().length} cores, load ${loadavg()[0].toFixed(2)}`);

  // equivalence: the filter answers like the library
  const host = newHost(corpus.objects);
  let mismatches = 0;
  for (const r of requests) {
    const got = host.request(r.spec);
    const allowed = got.action === Action.Continue && got.local === undefined;
    if (allowed !== r.expectAllowed && mismatches++ < 5) console.error(`mismatch: ${r.spec.method} ${r.spec.path} as ${r.sar.user}: filter ${allowed}, library ${r.expectAllowed}`);
  }
  if (mismatches > 0) {
    console.error(`${mismatches} requests differ from the library`);
    process.exit(1);
  }
  console.log(`equivalence: all ${fmt(requests.length)} outcomes equal the library's (requestInfo + authorize + deny rules)`);

  const allowedOnly = requests.filter((r) => r.expectAllowed);
  const refusedOnly = requests.filter((r) => !r.expectAllowed);
  const passthrough: RequestSpec[] = requests.slice(0, 500).map((r) => ({ method: r.spec.method, path: r.spec.path, headers: { authorization: "Basic YWxpY2U6c2VjcmV0" } }));
  const sars = requests.map((r) => r.sar);
  const tasks: [string, () => void][] = [
    ["filter: mixed requests", cycling(requests, (r) => host.request(r.spec))],
    ["filter: allowed", cycling(allowedOnly, (r) => host.request(r.spec))],
    ["filter: refused (403 Status built)", cycling(refusedOnly, (r) => host.request(r.spec))],
    ["filter: non-JWT passthrough", cycling(passthrough, (s) => host.request(s))],
    ["library: engine.authorize (RBAC only)", cycling(sars, (s) => engine.authorize(s))],
    ["library: requestInfo()", cycling(requests, (r) => requestInfo({ method: r.spec.method!, path: r.spec.path }))],
  ];
  const results: Record<string, Figures & { insideModuleNs?: number; hostCallsNs?: number }> = {};
  for (const [name, fn] of tasks) {
    const bench = new Bench({
      name, timestampProvider: "hrtimeNow", throws: true,
      ...(QUICK ? { time: 0, iterations: 20, warmup: false } : { time: 1_500, iterations: 200, warmupTime: 300, warmupIterations: 500 }),
    });
    bench.add(name, fn);
    await bench.run();
    results[name] = taskFigures(bench.tasks[0]);
  }
  // the split of proxy_on_request_headers on the mixed workload
  const timed = newHost(corpus.objects);
  const n = QUICK ? 200 : 50_000;
  for (let i = 0; i < Math.min(n, 5_000); i++) timed.request(requests[i % requests.length].spec); // warm the identity cache
  timed.timing = { headersNs: 0n, hostNs: 0n, requests: 0 };
  for (let i = 0; i < n; i++) timed.request(requests[i % requests.length].spec);
  const t = timed.timing;
  const headersNs = Number(t.headersNs) / t.requests;
  const hostNs = Number(t.hostNs) / t.requests;
  results["filter: mixed requests"].insideModuleNs = headersNs - hostNs;
  results["filter: mixed requests"].hostCallsNs = hostNs;

  console.log("\n" + "task".padEnd(42) + "mean".padStart(11) + "median".padStart(11) + "p99".padStart(11));
  for (const [name, f] of Object.entries(results)) {
    console.log(name.padEnd(42) + us(f.meanNs).padStart(11) + us(f.medianNs).padStart(11) + us(f.p99Ns).padStart(11));
  }
  console.log(`\nproxy_on_request_headers on the mixed workload: ${us(headersNs)} per request, of which ` +
    `${us(hostNs)} in the host's functions (TypeScript) and ${us(headersNs - hostNs)} inside the module`);
  console.log(`linear memory after the runs: ${fmt(host.memoryBytes / 2 ** 20, 2)} MiB`);
  if (!QUICK) {
    mkdirSync(ROOT + "bench/results", { recursive: true });
    writeFileSync(RESULTS, JSON.stringify({
      date: new Date().toISOString(), node: process.version, cpus: cpus().length, load: loadavg()[0],
      bindings: corpus.stats.bindings, requests: requests.length, allowedShare, results,
      proxyOnRequestHeaders: { meanNs: headersNs, hostCallsNs: hostNs, insideModuleNs: headersNs - hostNs },
    }, null, 2) + "\n");
    console.log(`results written to ${RESULTS}`);
  }
}

await main();
