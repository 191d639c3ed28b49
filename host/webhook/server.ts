// The webhook HTTPS server: routes, limits, TLS reload, graceful shutdown. Decisions live in admission.ts and
// authorization.ts; state (snapshot, policy, config) in state.ts.
import { readFileSync } from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import { createEngine, type Engine, type LintConfig } from "../../bindings/index.js";
import { AdmissionHandler } from "./admission.js";
import { AuthorizationHandler, type AuthorizationMode, type OnError } from "./authorization.js";
import type { AdmissionConfig } from "./config.js";
import type { ContextSource } from "./context.js";
import { WorkerEvaluator } from "./admission-pool.js";
import { LocalEvaluator, type LintFn } from "./evaluate.js";
import type { LintOutput } from "./findings.js";
import { DEFAULT_MAX_BODY_BYTES, HttpError, httpError, isJSONContentType, parseJSONObject, readBody, sendError, sendJSON, sendText } from "./http.js";
import { createLogger, type Logger } from "./log.js";
import { createMetrics, type Endpoint, type WebhookMetrics } from "./metrics.js";
import { SYSTEM_CLOCK, type Clock, type EngineFactory } from "./snapshot.js";
import { WebhookState } from "./state.js";
import { watchPaths, type Watcher } from "./watch.js";

export interface ServeOptions {
  context: ContextSource;
  /** PEM files; required unless insecureHttp. Reloaded when they change (setSecureContext). */
  tlsCert?: string;
  tlsKey?: string;
  insecureHttp?: boolean;
  /** PEM CA bundle: when set, /validate and /authorize require a client certificate it verifies (mTLS). */
  clientCA?: string;
  port?: number;
  host?: string;
  policyFile?: string;
  configFile?: string;
  admissionMode?: AdmissionConfig["mode"];
  mode?: AuthorizationMode;
  onError?: OnError;
  maxBodyBytes?: number;
  /** Whole-request deadline (headers + body) in ms. */
  requestTimeoutMs?: number;
  keepAliveTimeoutMs?: number;
  maxRequestsPerSocket?: number;
  /** Polling interval for TLS, policy, config and context files; 0 disables watching. */
  watchIntervalMs?: number;
  /** How long shutdown waits for in-flight requests before closing connections. */
  shutdownTimeoutMs?: number;
  /** At shutdown, keep serving (readyz failing) this long before closing the listener, so endpoints update. */
  shutdownDelayMs?: number;
  aggregate?: boolean;
  clock?: Clock;
  logger?: Logger;
  metrics?: WebhookMetrics;
  /** Builds engines (tests inject failures here). */
  engineFactory?: EngineFactory;
  /** Runs lint on an engine (defaults to engine.lint). Injected factory or lint run admissions in process. */
  lint?: LintFn;
  /** Worker threads evaluating admissions (default 1); 0 evaluates them on the main thread. */
  admissionWorkers?: number;
  /**
   * How long an admission of a binding whose role is not in the context yet waits for the context to show it
   * (default 3000 ms): one `kubectl apply` of a role and its binding sends the binding before the watch has seen the
   * role. Past it, the binding is refused as context-incomplete (fail closed).
   */
  unknownRoleWaitMs?: number;
}

export interface WebhookServer {
  readonly server: http.Server | https.Server;
  readonly state: WebhookState;
  readonly metrics: WebhookMetrics;
  readonly log: Logger;
  /** The bound port (useful with port 0). */
  readonly port: number;
  readonly url: string;
  /** Stops accepting, finishes in-flight requests (up to shutdownTimeoutMs), stops watchers. */
  close(): Promise<void>;
}

/** engine.lint() with the admission config's `lint` section (an EngineError BAD_CONFIG when it is malformed). */
export function defaultLint(engine: Engine, lintConfig: unknown): LintOutput {
  return engine.lint(lintConfig !== undefined ? { config: lintConfig as LintConfig } : {});
}

function readTLS(cert: string, key: string, clientCA?: string): { cert: Buffer; key: Buffer; ca?: Buffer } {
  return { cert: readFileSync(cert), key: readFileSync(key), ...(clientCA ? { ca: readFileSync(clientCA) } : {}) };
}

const ENDPOINTS: Record<string, Endpoint | "healthz" | "readyz" | "metrics"> = {
  "/validate": "validate", "/authorize": "authorize", "/healthz": "healthz", "/readyz": "readyz", "/metrics": "metrics",
};

export async function startServer(opts: ServeOptions): Promise<WebhookServer> {
  const log = opts.logger ?? createLogger();
  const clock = opts.clock ?? SYSTEM_CLOCK;
  const metrics = opts.metrics ?? createMetrics({ now: () => clock.now() });
  const watchIntervalMs = opts.watchIntervalMs ?? 2000;
  const clientCA = opts.insecureHttp ? undefined : opts.clientCA;
  if (opts.insecureHttp && opts.clientCA) throw new Error("--client-ca needs TLS; it cannot be combined with --insecure-http");
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const aggregate = opts.aggregate !== false;
  let factory = opts.engineFactory;
  if (!factory) {
    await createEngine([]); // why: fail at startup (ABI mismatch, missing wasm), not at the first request
    factory = (objects) => createEngine(objects, { aggregate });
  }
  const serverOptions: http.ServerOptions = {
    requestTimeout: opts.requestTimeoutMs ?? 10_000,
    headersTimeout: Math.min(opts.requestTimeoutMs ?? 10_000, 10_000),
    // why: longer than client-go's 90 s idle-connection timeout, so the API server closes idle connections first;
    // a server that closes first races the client's reuse and the review fails with EOF (docs/e2e.md)
    keepAliveTimeout: opts.keepAliveTimeoutMs ?? 120_000,
    maxHeaderSize: 16 * 1024,
  };
  let server: http.Server | https.Server;
  const watchers: Watcher[] = [];
  if (opts.insecureHttp) {
    log.warn({ insecure: true }, "*** SERVING PLAIN HTTP WITHOUT TLS (--insecure-http): for local testing only; " +
      "Kubernetes never calls a webhook over plain HTTP and reviews travel unencrypted ***");
    server = http.createServer(serverOptions, (req, res) => void handler(req, res));
  } else {
    if (!opts.tlsCert || !opts.tlsKey) throw new Error("--tls-cert and --tls-key are required (or --insecure-http for local testing)");
    const certFile = opts.tlsCert;
    const keyFile = opts.tlsKey;
    const tls = readTLS(certFile, keyFile, clientCA);
    // why: rejectUnauthorized false so that probes and /metrics work without a client certificate; the review
    // endpoints check req.socket.authorized themselves
    const mtls = clientCA ? { requestCert: true, rejectUnauthorized: false } : {};
    const s = https.createServer({ ...serverOptions, ...tls, ...mtls, minVersion: "TLSv1.2" }, (req, res) => void handler(req, res));
    server = s;
    if (watchIntervalMs > 0) {
      watchers.push(watchPaths([certFile, keyFile, ...(clientCA ? [clientCA] : [])], watchIntervalMs, () => {
        try {
          s.setSecureContext({ ...readTLS(certFile, keyFile, clientCA), minVersion: "TLSv1.2" });
          metrics.reloads.inc({ source: "tls" });
          log.info({ source: "tls", cert: certFile }, "TLS certificate reloaded");
        } catch (e) {
          // why: a cert and key written one after the other mismatch for a moment; the next change retries
          metrics.reloadFailures.inc({ source: "tls" });
          log.error({ source: "tls", err: (e as Error).message }, "TLS reload failed; keeping the current certificate");
        }
      }));
    }
  }
  server.maxRequestsPerSocket = opts.maxRequestsPerSocket ?? 1000;
  server.on("clientError", (err: NodeJS.ErrnoException, socket) => {
    if (socket.writable && !socket.destroyed) {
      const code = err.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400;
      socket.end(`HTTP/1.1 ${code} ${code === 408 ? "Request Timeout" : "Bad Request"}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    } else {
      socket.destroy();
    }
  });

  const lint = opts.lint ?? defaultLint;
  const engineFactory = factory;
  const workers = opts.engineFactory || opts.lint ? 0 : (opts.admissionWorkers ?? 1);
  const pool = workers > 0
    ? new WorkerEvaluator({ size: workers, timeoutMs: opts.requestTimeoutMs ?? 10_000, aggregate, log })
    : undefined;
  const state = new WebhookState({
    factory, clock, metrics, log, policyFile: opts.policyFile, configFile: opts.configFile, watchIntervalMs,
    modeOverride: opts.admissionMode,
    // why: a malformed `lint:` section would refuse every admission; reject it when the config is loaded instead
    validateConfig: async (cfg) => {
      if (cfg.lint === undefined) return;
      const e = await engineFactory([]);
      try { lint(e, cfg.lint); } finally { e.dispose(); }
    },
    onContext: pool ? (u) => pool.setContext(u) : undefined,
  });
  const evaluator = pool ?? new LocalEvaluator({ snapshot: () => state.snapshot(), factory, lint });
  const admission = new AdmissionHandler({
    config: () => state.config(), evaluator,
    awaitRole: (kind, namespace, name) => state.waitFor((s) => s.roleKnown(kind, namespace, name), opts.unknownRoleWaitMs ?? 3_000),
  });
  const authorization = new AuthorizationHandler({
    snapshot: () => state.snapshot(), policy: () => state.policy(), mode: opts.mode ?? "guardrail", onError: opts.onError ?? "deny", clock,
  });

  let shuttingDown = false;
  let inFlight = 0;
  let drained: (() => void) | undefined;

  const handler = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    inFlight++;
    const path = (req.url ?? "/").split("?")[0]!;
    const endpoint = ENDPOINTS[path];
    if (shuttingDown) res.setHeader("Connection", "close");
    res.on("finish", () => metrics.httpRequests.inc({ endpoint: endpoint ?? "unknown", code: String(res.statusCode) }));
    try {
      await route(req, res, endpoint);
    } catch (e) {
      if (!res.headersSent) {
        if (e instanceof HttpError) sendError(res, e);
        else {
          log.error({ err: (e as Error).message, path }, "internal error");
          sendError(res, httpError(500, "internal error"));
        }
      }
    } finally {
      inFlight--;
      if (inFlight === 0) drained?.();
    }
  };

  const route = async (req: http.IncomingMessage, res: http.ServerResponse, endpoint: string | undefined) => {
    if (endpoint === undefined) throw httpError(404, `no such endpoint: ${req.url}`);
    if (endpoint === "healthz") return sendText(res, 200, "ok");
    if (endpoint === "readyz") {
      const r = shuttingDown ? { ready: false, reason: "shutting down" } : state.ready();
      return sendText(res, r.ready ? 200 : 503, r.ready ? "ok" : `not ready: ${r.reason}`);
    }
    if (endpoint === "metrics") {
      const text = await metrics.registry.metrics();
      return sendText(res, 200, text, metrics.registry.contentType);
    }
    // why: Node reports a resumed TLS 1.3 session as authorized although no certificate was ever presented (it
    // looks like PSK), so a client that got a session ticket without one would pass: require the certificate too
    if (clientCA && (!(req.socket as TLSSocket).authorized || !(req.socket as TLSSocket).getPeerCertificate()?.raw)) {
      const why = (req.socket as TLSSocket).authorizationError ?? "no client certificate";
      throw httpError(401, `a client certificate signed by --client-ca is required${why ? ` (${String(why)})` : ""}`);
    }
    if (req.method !== "POST") {
      res.setHeader("Allow", "POST");
      throw httpError(405, `${endpoint === "validate" ? "/validate" : "/authorize"} takes POST, not ${req.method}`);
    }
    if (!isJSONContentType(req.headers["content-type"])) {
      throw httpError(415, `Content-Type must be application/json, got ${JSON.stringify(req.headers["content-type"] ?? "")}`);
    }
    const body = await readBody(req, maxBody);
    const started = process.hrtime.bigint();
    const review = parseJSONObject(body);
    const outcome = endpoint === "validate" ? await admission.handle(review) : await authorization.handle(review);
    sendJSON(res, 200, outcome.body);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    metrics.latency.observe({ endpoint }, seconds);
    if ("checks" in outcome) {
      const checks = outcome.checks.length ? outcome.checks : ["none"];
      for (const check of checks) metrics.decisions.inc({ endpoint, result: outcome.result, check });
      for (const a of outcome.findings) metrics.findings.inc({ check: a.finding.id, action: a.note ?? a.action });
    } else {
      metrics.decisions.inc({ endpoint, result: outcome.result, check: outcome.check });
    }
    log.info({ endpoint, result: outcome.result, ms: Math.round(seconds * 1e6) / 1e3, ...outcome.log }, "decision");
  };


  try {
    await pool?.start();
    await state.start(opts.context);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(opts.port ?? 8443, opts.host ?? "0.0.0.0", () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (e) {
    for (const w of watchers) w.stop();
    await state.stop();
    await pool?.stop();
    throw e;
  }
  const port = (server.address() as AddressInfo).port;
  const url = `${opts.insecureHttp ? "http" : "https"}://${opts.host && opts.host !== "0.0.0.0" ? opts.host : "127.0.0.1"}:${port}`;
  log.info({ port, tls: !opts.insecureHttp, mode: opts.mode ?? "guardrail", admissionMode: state.config().mode,
    context: opts.context.description }, "rbac-guard webhook listening");

  let closing: Promise<void> | undefined;
  const close = () => closing ??= (async () => {
    shuttingDown = true;
    if (opts.shutdownDelayMs) await new Promise((r) => setTimeout(r, opts.shutdownDelayMs));
    log.info({ inFlight }, "shutting down: finishing in-flight requests");
    for (const w of watchers) w.stop();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    if (inFlight > 0) {
      await Promise.race([
        new Promise<void>((resolve) => { drained = resolve; }),
        new Promise<void>((resolve) => setTimeout(resolve, opts.shutdownTimeoutMs ?? 20_000).unref()),
      ]);
    }
    server.closeAllConnections();
    await closed;
    await state.stop();
    await pool?.stop();
    log.info({}, "shut down");
  })();

  return { server, state, metrics, log, port, url, close };
}
