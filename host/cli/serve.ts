// `rbac-guard serve`: the admission (POST /validate) and authorization (POST /authorize) webhook server.
import { InvalidArgumentError, Option, type Command } from "commander";
import type { ContextSource } from "../webhook/context.js";
import type { WebhookServer } from "../webhook/server.js";
import { CliError, collect, EXIT, paragraphs, usageError } from "./common.js";

export interface ServeCliOptions {
  tlsCert?: string;
  tlsKey?: string;
  insecureHttp?: boolean;
  clientCa?: string;
  port: number;
  address: string;
  filename?: string[];
  kubeconfig?: string;
  inCluster?: boolean;
  policy?: string;
  config?: string;
  mode: "guardrail" | "rbac";
  admissionMode?: "enforce" | "warn" | "shadow";
  onError: "deny" | "no-opinion";
  maxBodyBytes: number;
  requestTimeout: number;
  keepAliveTimeout: number;
  maxRequestsPerSocket: number;
  watchInterval: number;
  admissionWorkers: number;
  unknownRoleWait: number;
  shutdownTimeout: number;
  shutdownDelay: number;
  logLevel: string;
  aggregate: boolean;
}

function int(name: string, min: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer ≥ ${min}`);
    return n;
  };
}

export function register(program: Command): Command {
  const cmd = program
    .command("serve")
    .summary("run the admission and authorization webhook server (HTTPS)")
    .description(paragraphs(`Serve Kubernetes webhooks over HTTPS: POST /validate answers AdmissionReview
(admission.k8s.io/v1) with the guardrail checks run on the object being written in the context of the cluster;
POST /authorize answers SubjectAccessReview (authorization.k8s.io/v1 and v1beta1) with denied:true for requests
that break the guardrail policy or that only expired just-in-time bindings (annotation rbac-guard.io/expires-at)
would allow, and no opinion otherwise (--mode rbac also allows what RBAC in the snapshot allows).
GET /healthz, /readyz (ready once a policy snapshot is loaded) and /metrics (Prometheus).

Context: -f manifests (reloaded when they change), or a live cluster through informers (--kubeconfig,
--in-cluster, or the default kubeconfig when neither -f nor these are given). Policy, config and TLS files are
reloaded when they change; an invalid new version is logged and counted, and the last good one stays in use.
SIGTERM and SIGINT stop accepting connections and finish in-flight requests.`))
    .option("--tls-cert <file>", "PEM certificate (chain) to serve; reloaded when it changes")
    .option("--tls-key <file>", "PEM private key; reloaded when it changes")
    .option("--insecure-http", "serve plain HTTP without TLS (local testing only; logged loudly)")
    .option("--client-ca <file>", "PEM CA bundle: /validate and /authorize then require a client certificate it signed (mTLS; " +
      "probes and /metrics do not)")
    .option("--port <n>", "port to listen on (0: any free port)", int("--port", 0), 8443)
    .option("--address <host>", "address to listen on", "0.0.0.0")
    .option("-f, --filename <path>", "context from manifests: a file, a directory (recursive) or -; repeatable", collect)
    .option("--kubeconfig <file>", "context from the cluster of this kubeconfig (informers)")
    .option("--in-cluster", "context from the cluster this pod runs in (service-account credentials)")
    .option("--policy <file>", "authorization guardrail policy (GuardrailPolicy YAML: deny entries)")
    .option("--config <file>", "admission config (AdmissionConfig YAML: mode, per-check actions, allowlists)")
    .addOption(new Option("--mode <mode>", "authorization mode: guardrail (deny or no opinion) or rbac (also allow as RBAC would)")
      .choices(["guardrail", "rbac"]).default("guardrail"))
    .addOption(new Option("--admission-mode <mode>", "override the config's admission mode")
      .choices(["enforce", "warn", "shadow"]))
    .addOption(new Option("--on-error <policy>", "authorization answer when the engine fails: deny (denied:true) or no-opinion")
      .choices(["deny", "no-opinion"]).default("deny"))
    .option("--max-body-bytes <n>", "largest accepted request body (larger: HTTP 413)", int("--max-body-bytes", 1), 3 * 1024 * 1024)
    .option("--request-timeout <ms>", "deadline to receive a whole request", int("--request-timeout", 1), 10_000)
    .option("--keep-alive-timeout <ms>", "idle time before a kept-alive connection is closed (longer than the API server's 90 s idle timeout, so the client closes first)", int("--keep-alive-timeout", 0), 120_000)
    .option("--max-requests-per-socket <n>", "requests served on one connection before it is closed (0: no limit)",
      int("--max-requests-per-socket", 0), 1000)
    .option("--admission-workers <n>", "worker threads evaluating admissions, so /authorize never waits behind them " +
      "(0: on the main thread)", int("--admission-workers", 0), 1)
    .option("--unknown-role-wait <ms>", "how long a binding whose role is not in the context yet waits for it to appear " +
      "(a role and its binding applied together), before it is refused as context-incomplete", int("--unknown-role-wait", 0), 3_000)
    .option("--watch-interval <ms>", "how often watched files are checked for changes (0: do not watch)", int("--watch-interval", 0), 2000)
    .option("--shutdown-delay <ms>", "on SIGTERM, keep serving (not ready) this long before closing, so endpoints update",
      int("--shutdown-delay", 0), 0)
    .option("--shutdown-timeout <ms>", "longest wait for in-flight requests at shutdown", int("--shutdown-timeout", 0), 20_000)
    .option("--log-level <level>", "pino log level (trace, debug, info, warn, error)", "info")
    .option("--no-aggregate", "do not resolve ClusterRole aggregationRules");
  cmd.addHelpText("after", `
Examples:
  rbac-guard serve --tls-cert tls.crt --tls-key tls.key --in-cluster --policy policy.yaml
  rbac-guard serve --insecure-http --port 8080 -f examples/cluster --admission-mode warn`);
  cmd.action(async (opts: ServeCliOptions) => {
    try {
      await run(opts);
    } catch (e) {
      // why: unreadable files and invalid policy/config/context are input errors (exit 2), not engine failures
      const code = (e as NodeJS.ErrnoException).code;
      const name = (e as Error).name;
      if (code === "ENOENT" || code === "EACCES" || code === "EADDRINUSE" || name === "ConfigError" ||
        /^cannot load context|^--client-ca|^--tls-cert/.test((e as Error).message)) {
        throw new CliError((e as Error).message, EXIT.INPUT);
      }
      throw e;
    }
  });
  return cmd;
}

export async function run(opts: ServeCliOptions): Promise<WebhookServer> {
  if (opts.insecureHttp && opts.clientCa) throw usageError("--client-ca needs TLS; it cannot be combined with --insecure-http");
  if (!opts.insecureHttp && (!opts.tlsCert || !opts.tlsKey)) {
    throw usageError("--tls-cert and --tls-key are required (or --insecure-http for local testing)");
  }
  const files = opts.filename ?? [];
  if (files.length > 0 && (opts.kubeconfig || opts.inCluster)) throw usageError("give either -f or --kubeconfig/--in-cluster, not both");
  // why: loaded here, not at the top, so other commands do not pay for the server's dependencies at startup
  const { createLogger } = await import("../webhook/log.js");
  const { startServer } = await import("../webhook/server.js");
  const { FileContext } = await import("../webhook/context.js");
  const log = createLogger({ level: opts.logLevel });
  const context: ContextSource = files.length > 0
    ? new FileContext(files, files.includes("-") ? 0 : opts.watchInterval, log)
    : new (await import("../webhook/cluster.js")).ClusterContext({ kubeconfig: opts.kubeconfig, inCluster: opts.inCluster, log });
  const server = await startServer({
    context, logger: log,
    tlsCert: opts.tlsCert, tlsKey: opts.tlsKey, insecureHttp: opts.insecureHttp, clientCA: opts.clientCa, port: opts.port, host: opts.address,
    policyFile: opts.policy, configFile: opts.config, admissionMode: opts.admissionMode, mode: opts.mode, onError: opts.onError,
    maxBodyBytes: opts.maxBodyBytes, requestTimeoutMs: opts.requestTimeout, keepAliveTimeoutMs: opts.keepAliveTimeout,
    maxRequestsPerSocket: opts.maxRequestsPerSocket, watchIntervalMs: opts.watchInterval, shutdownTimeoutMs: opts.shutdownTimeout,
    shutdownDelayMs: opts.shutdownDelay, admissionWorkers: opts.admissionWorkers, unknownRoleWaitMs: opts.unknownRoleWait,
    aggregate: opts.aggregate,
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, delayMs: opts.shutdownDelay }, "signal received: shutting down");
    void server.close().then(() => process.exit(0), (e) => {
      log.error({ err: String(e) }, "shutdown failed");
      process.exit(1);
    });
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
  return server;
}
