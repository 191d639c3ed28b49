// End-to-end harness: etcd, a real kube-apiserver (v1.20, built by the shared scripts/kube-apiserver.sh beside the
// checkout) and `rbac-guard serve` (the built CLI, dist/host/cli/main.js) as child processes on loopback.
//
// Isolation: every test file gets its own temp dir (mkdtemp), random free ports (bound by the kernel, retried when
// a process loses the race for one), random bearer tokens, and the kube-apiserver's insecure port is disabled, so
// parallel runs (other files, other checkouts) never share a port, a directory or a credential.
// Cleanup: every child is tracked by PID and stopped in reverse start order by Stack.stop() (afterAll), and killed
// by PID from a process `exit` hook (SIGINT/SIGTERM/SIGHUP exit through it too) if the worker goes away first.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { accessSync, constants, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync,
  type WriteStream } from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import { createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const CLI = path.join(ROOT, "dist/host/cli/main.js");
export const RBAC = "rbac.authorization.k8s.io";
const KEEP = process.env.RBAC_GUARD_E2E_KEEP === "1";

// ---------------------------------------------------------------------------------------------------------------
// Tools

export interface Tools {
  apiserver: string;
  etcd: string;
  /** undefined: kubectl is not installed (or KUBECTL=""): the scenarios speak to the API directly instead. */
  kubectl?: string;
}

function executable(p: string | undefined): p is string {
  if (!p) return false;
  try {
    accessSync(p, constants.X_OK);
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

export function which(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    const p = path.join(dir, name);
    if (dir && executable(p)) return p;
  }
  return undefined;
}

let toolsCache: Tools | undefined;

/** Where ../shared/scripts/kube-apiserver.sh (and scripts/kube-controller-manager.sh) keep what they build. */
const E2E_CACHE = process.env.RBAC_GUARD_E2E_CACHE ?? path.join(homedir(), ".cache/rbac-guard-e2e");

/** A binary the e2e scripts build: `fromEnv` when set, else the cache's bin/NAME; undefined unless executable. */
export function cachedBinary(fromEnv: string | undefined, name: string): string | undefined {
  return [fromEnv, path.join(E2E_CACHE, "bin", name)].find(executable);
}

function statOrZero(p: string): number {
  try {
    return statSync(p).mtimeMs;
  } catch {
    return 0;
  }
}

/** The binaries the suite needs; throws (the suite fails, it is never skipped silently) when one is missing. */
export function tools(): Tools {
  if (toolsCache) return toolsCache;
  const apiserver = cachedBinary(process.env.KUBE_APISERVER, "kube-apiserver");
  const etcd = [process.env.ETCD, which("etcd")].find(executable);
  const kubectl = process.env.KUBECTL !== undefined ? (process.env.KUBECTL === "" ? undefined : process.env.KUBECTL) : which("kubectl");
  const missing: string[] = [];
  if (!apiserver) missing.push(`kube-apiserver (KUBE_APISERVER=${process.env.KUBE_APISERVER ?? "unset"}, nor ${E2E_CACHE}/bin/kube-apiserver)`);
  if (!etcd) missing.push("etcd (ETCD or PATH)");
  if (!existsSync(CLI)) missing.push(`${path.relative(ROOT, CLI)} (run npm run build)`);
  if (missing.length > 0) {
    throw new Error(`e2e prerequisites missing: ${missing.join("; ")}. ` +
      `Get them with: KUBE_APISERVER=$(bash ../shared/scripts/kube-apiserver.sh) (relative to the repository root; ` +
      "it builds kube-apiserver v1.20 once, ~10 min, and installs etcd), then npm run build.");
  }
  // the suite runs dist/: say so when the webhook's sources changed after the last build
  const stale = ["host/webhook", "host/cli"].flatMap((d) => readdirSync(path.join(ROOT, d)).filter((f) => f.endsWith(".ts"))
    .map((f) => path.join(d, f)))
    .filter((f) => (f.startsWith("host/webhook") || f === "host/cli/serve.ts" || f === "host/cli/main.ts") &&
      statSync(path.join(ROOT, f)).mtimeMs > (statOrZero(path.join(ROOT, "dist", f.replace(/\.ts$/, ".js")))));
  if (stale.length > 0) console.warn(`[e2e] dist/ is older than ${stale.join(", ")}: run npm run build to test the current sources`);
  toolsCache = { apiserver: apiserver!, etcd: etcd!, kubectl };
  return toolsCache;
}

// ---------------------------------------------------------------------------------------------------------------
// Processes, ports, temp dirs

const live = new Map<number, string>();
const dirs = new Set<string>();
let hooked = false;

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on("exit", () => {
    for (const pid of live.keys()) {
      try { process.kill(pid, "SIGKILL"); } catch { /* gone */ }
    }
    if (!KEEP) for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  for (const [sig, code] of [["SIGINT", 130], ["SIGTERM", 143], ["SIGHUP", 129]] as const) {
    process.once(sig, () => process.exit(code));
  }
}

/** A port the kernel just handed out on 127.0.0.1 (the caller retries if another process takes it first). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/**
 * A free port held by a placeholder listener (which resets every connection, so a caller sees "connection refused"
 * soon enough) until `release()`: for a server that must be named in a config before it can start.
 */
export function reservePort(): Promise<{ port: number; release(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    const s = createServer((socket) => socket.resetAndDestroy());
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      resolve({ port, release: () => new Promise<void>((r) => s.close(() => r())) });
    });
  });
}

export class PortInUse extends Error {}

export class Proc {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly logFile: string;
  private readonly tail: string[] = [];
  private readonly log: WriteStream;
  private partial = "";
  readonly exit: Promise<number | null>;

  constructor(readonly name: string, cmd: string, args: string[], logDir: string,
    private readonly onLine?: (line: string) => void, env?: NodeJS.ProcessEnv) {
    hookExit();
    mkdirSync(logDir, { recursive: true });
    this.logFile = path.join(logDir, `${name}.log`);
    this.log = createWriteStream(this.logFile, { flags: "a" });
    this.log.write(`$ ${cmd} ${args.join(" ")}\n`);
    this.child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], env: env ?? process.env });
    if (this.child.pid === undefined) throw new Error(`cannot start ${cmd}`);
    this.pid = this.child.pid;
    live.set(this.pid, name);
    this.exit = new Promise((resolve) => this.child.once("exit", (code, signal) => {
      live.delete(this.pid);
      this.log.end(`[exited: code ${code} signal ${signal}]\n`);
      resolve(code);
    }));
    const data = (d: Buffer) => {
      const text = this.partial + d.toString("utf8");
      const lines = text.split("\n");
      this.partial = lines.pop() ?? "";
      for (const l of lines) {
        this.tail.push(l);
        if (this.tail.length > 300) this.tail.splice(0, 100);
        this.onLine?.(l);
      }
    };
    this.child.stdout!.on("data", (d: Buffer) => { this.log.write(d); data(d); });
    this.child.stderr!.on("data", (d: Buffer) => { this.log.write(d); data(d); });
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  recent(n = 25): string {
    return this.tail.slice(-n).join("\n");
  }

  logText(): string {
    return readFileSync(this.logFile, "utf8");
  }

  /** SIGTERM by PID, SIGKILL after `graceMs`. */
  async stop(graceMs = 8000): Promise<void> {
    if (!this.running) return;
    process.kill(this.pid, "SIGTERM");
    const timer = setTimeout(() => { if (this.running) process.kill(this.pid, "SIGKILL"); }, graceMs);
    await this.exit;
    clearTimeout(timer);
  }
}

/** Polls `cond` until it returns a truthy value (returned) or throws after `ms` with `what()`. */
export async function until<T>(cond: () => T | Promise<T>, ms: number, what: () => string, everyMs = 100): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await cond();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what()}${last ? ` (last error: ${String(last)})` : ""}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** One test file's processes and temp dir: stop() stops them in reverse order and removes the dir. */
export class Stack {
  readonly dir: string;
  readonly procs: Proc[] = [];
  private readonly extraDirs: string[] = [];
  private stopped = false;

  constructor(prefix: string) {
    hookExit();
    this.dir = mkdtempSync(path.join(tmpdir(), `rbac-guard-e2e-${prefix}-`));
    dirs.add(this.dir);
  }

  /** A temp dir on tmpfs when there is one (etcd fsyncs), else inside the stack's dir; removed by stop(). */
  fastDir(name: string): string {
    try {
      accessSync("/dev/shm", constants.W_OK);
      const d = mkdtempSync(path.join("/dev/shm", `rbac-guard-e2e-${name}-`));
      dirs.add(d);
      this.extraDirs.push(d);
      return d;
    } catch {
      const d = path.join(this.dir, name);
      mkdirSync(d, { recursive: true });
      return d;
    }
  }

  track(p: Proc): Proc {
    this.procs.push(p);
    return p;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const p of [...this.procs].reverse()) await p.stop();
    if (KEEP) {
      console.log(`[e2e] RBAC_GUARD_E2E_KEEP=1: logs and files kept in ${[this.dir, ...this.extraDirs].join(", ")}`);
      return;
    }
    for (const d of [this.dir, ...this.extraDirs]) {
      rmSync(d, { recursive: true, force: true });
      dirs.delete(d);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Certificates and identities

export interface Pki {
  dir: string;
  /** the CA of both serving certificates (kube-apiserver's and rbac-guard's) */
  caFile: string;
  ca: Buffer;
  /** serving certificate for 127.0.0.1 / localhost, made by deploy/gen-certs.sh */
  certFile: string;
  keyFile: string;
  /** a second CA and the kube-apiserver's client certificate towards the webhooks (mTLS, `serve --client-ca`) */
  clientCaFile: string;
  clientCertFile: string;
  clientKeyFile: string;
  /** service-account token signing key pair */
  saKey: string;
  saPub: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

export function makePki(dir: string): Pki {
  mkdirSync(dir, { recursive: true });
  execFileSync("bash", [path.join(ROOT, "deploy/gen-certs.sh"), dir], {
    env: { ...process.env, EXTRA_SANS: "IP:127.0.0.1,DNS:localhost" }, stdio: ["ignore", "ignore", "pipe"],
  });
  openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "2", "-keyout", "client-ca.key", "-out", "client-ca.crt",
    "-subj", "/CN=e2e-webhook-client-ca", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign"], dir);
  writeFileSync(path.join(dir, "client.ext"), "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n");
  openssl(["req", "-newkey", "rsa:2048", "-nodes", "-sha256", "-keyout", "client.key", "-out", "client.csr", "-subj", "/CN=kube-apiserver"], dir);
  openssl(["x509", "-req", "-in", "client.csr", "-CA", "client-ca.crt", "-CAkey", "client-ca.key", "-CAcreateserial", "-days", "2",
    "-extfile", "client.ext", "-out", "client.crt"], dir);
  openssl(["genrsa", "-out", "sa.key", "2048"], dir);
  openssl(["rsa", "-in", "sa.key", "-pubout", "-out", "sa.pub"], dir);
  const p = (f: string) => path.join(dir, f);
  return {
    dir, caFile: p("ca.crt"), ca: readFileSync(p("ca.crt")), certFile: p("tls.crt"), keyFile: p("tls.key"),
    clientCaFile: p("client-ca.crt"), clientCertFile: p("client.crt"), clientKeyFile: p("client.key"), saKey: p("sa.key"), saPub: p("sa.pub"),
  };
}

export interface Identity {
  name: string;
  groups: string[];
  token: string;
}

/** Identities for --token-auth-file, each with a random token; `admin` (system:masters) is always there. */
export function identities(spec: Record<string, string[]>): Record<string, Identity> {
  const out: Record<string, Identity> = {};
  for (const [name, groups] of Object.entries({ admin: ["system:masters"], ...spec })) {
    out[name] = { name, groups, token: randomBytes(18).toString("hex") };
  }
  return out;
}

function tokenFile(ids: Record<string, Identity>): string {
  const q = (g: string[]) => (g.length ? `,"${g.join(",")}"` : "");
  return Object.values(ids).map((i) => `${i.token},${i.name},uid-${i.name}${q(i.groups)}`).join("\n") + "\n";
}

export function kubeconfigText(server: string, caFile: string, user: Record<string, string>, userName = "user"): string {
  const u = Object.entries(user).map(([k, v]) => `      ${k}: ${JSON.stringify(v)}`).join("\n");
  return [
    "apiVersion: v1", "kind: Config",
    "clusters:", "  - name: e2e", "    cluster:", `      server: ${JSON.stringify(server)}`, `      certificate-authority: ${JSON.stringify(caFile)}`,
    "users:", `  - name: ${JSON.stringify(userName)}`, ...(u ? ["    user:", u] : ["    user: {}"]),
    "contexts:", "  - name: e2e", `    context: {cluster: e2e, user: ${JSON.stringify(userName)}}`, "current-context: e2e",
  ].join("\n") + "\n";
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  json: any;
  text: string;
  ms: number;
}

export function httpsRequest(url: string, opts: { method?: string; ca: Buffer; body?: unknown; headers?: http.OutgoingHttpHeaders;
  cert?: Buffer; key?: Buffer; agent?: https.Agent }): Promise<Reply> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const body = opts.body === undefined ? undefined : typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
    const req = https.request(url, {
      method: opts.method ?? "GET", ca: opts.ca, cert: opts.cert, key: opts.key, agent: opts.agent,
      headers: { accept: "application/json", ...(body !== undefined ? { "content-type": "application/json" } : {}), ...opts.headers },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c) => chunks.push(c));
      res.on("error", reject);
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let json: any;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, json, text, ms: Date.now() - started });
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

function httpGet(url: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
    }).on("error", reject);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// etcd

export interface Etcd {
  url: string;
  proc: Proc;
}

export async function startEtcd(stack: Stack, name = "etcd"): Promise<Etcd> {
  for (let attempt = 1; ; attempt++) {
    const [client, peer] = [await freePort(), await freePort()];
    const data = stack.fastDir(`${name}-data`);
    const url = `http://127.0.0.1:${client}`;
    const proc = stack.track(new Proc(name, tools().etcd, [
      "--name", name, "--data-dir", data, "--listen-client-urls", url, "--advertise-client-urls", url,
      "--listen-peer-urls", `http://127.0.0.1:${peer}`, "--initial-advertise-peer-urls", `http://127.0.0.1:${peer}`,
      "--initial-cluster", `${name}=http://127.0.0.1:${peer}`, "--log-level", "warn",
    ], path.join(stack.dir, "logs")));
    try {
      await until(async () => {
        if (!proc.running) {
          throw /address already in use/.test(proc.logText()) ? new PortInUse(name) : new Error(`etcd exited:\n${proc.recent()}`);
        }
        const r = await httpGet(`${url}/health`).catch(() => undefined);
        return r?.status === 200 && r.text.includes("true");
      }, 30_000, () => `etcd on ${url}:\n${proc.recent()}`);
      return { url, proc };
    } catch (e) {
      await proc.stop();
      if (!(e instanceof PortInUse) || attempt >= 4) throw e;
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// kube-apiserver

export interface ApiServerOptions {
  name: string;
  etcd: Etcd;
  /** etcd key prefix; two apiservers with the same etcd and prefix serve the same objects */
  etcdPrefix?: string;
  pki: Pki;
  ids: Record<string, Identity>;
  /** --authorization-mode, e.g. ["Webhook", "RBAC"] */
  authorizationModes: string[];
  /** the authorization webhook (kube-apiserver --authorization-webhook-config-file) */
  authzWebhook?: { url: string; version: "v1" | "v1beta1"; mtls?: boolean };
  /** admission webhooks get the kube-apiserver's client certificate (--admission-control-config-file) for these host:ports */
  admissionClientCertFor?: string[];
  /** --api-audiences */
  audiences?: string[];
}

export const SA_ISSUER = "https://kubernetes.default.svc.cluster.local";
export const API_AUDIENCES = [SA_ISSUER, "rbac-guard-e2e"];

export class ApiServer {
  readonly kubeconfigs = new Map<string, string>();
  private readonly agent: https.Agent;
  constructor(readonly opts: ApiServerOptions, readonly url: string, readonly proc: Proc, private readonly dir: string) {
    this.agent = new https.Agent({ keepAlive: true, ca: opts.pki.ca, maxSockets: 32 });
  }

  get ids(): Record<string, Identity> {
    return this.opts.ids;
  }

  /** An API request with a bearer token: an identity's name, or a raw token (e.g. from the TokenRequest API). */
  request(method: string, p: string, body?: unknown, as: string = "admin", headers: http.OutgoingHttpHeaders = {}): Promise<Reply> {
    const token = this.opts.ids[as]?.token ?? as;
    return httpsRequest(new URL(p, this.url).toString(), {
      method, body, ca: this.opts.pki.ca, agent: this.agent, headers: { authorization: `Bearer ${token}`, ...headers },
    });
  }

  /** A kubeconfig file for an identity name or a raw token. */
  kubeconfig(as: string = "admin"): string {
    let f = this.kubeconfigs.get(as);
    if (!f) {
      const token = this.opts.ids[as]?.token ?? as;
      f = path.join(this.dir, `kubeconfig-${this.opts.ids[as] ? as : `token-${this.kubeconfigs.size}`}`);
      writeFileSync(f, kubeconfigText(this.url, this.opts.pki.caFile, { token }, this.opts.ids[as] ? as : "token"), { mode: 0o600 });
      this.kubeconfigs.set(as, f);
    }
    return f;
  }

  async stop(): Promise<void> {
    this.agent.destroy();
    await this.proc.stop();
  }
}

export async function startApiServer(stack: Stack, opts: ApiServerOptions): Promise<ApiServer> {
  const dir = path.join(stack.dir, opts.name);
  mkdirSync(dir, { recursive: true });
  const { pki } = opts;
  writeFileSync(path.join(dir, "tokens.csv"), tokenFile(opts.ids), { mode: 0o600 });
  const base = [
    `--etcd-servers=${opts.etcd.url}`, `--etcd-prefix=${opts.etcdPrefix ?? "/registry"}`,
    "--bind-address=127.0.0.1", "--advertise-address=127.0.0.1", "--insecure-port=0",
    `--cert-dir=${path.join(dir, "pki")}`, `--tls-cert-file=${pki.certFile}`, `--tls-private-key-file=${pki.keyFile}`,
    `--token-auth-file=${path.join(dir, "tokens.csv")}`,
    `--service-account-issuer=${SA_ISSUER}`, `--service-account-key-file=${pki.saPub}`,
    `--service-account-signing-key-file=${pki.saKey}`, `--api-audiences=${(opts.audiences ?? API_AUDIENCES).join(",")}`,
    "--service-cluster-ip-range=10.0.0.0/24",
    // why: a second apiserver on the same etcd would otherwise rewrite the `kubernetes` Endpoints with its port
    "--endpoint-reconciler-type=none",
    `--authorization-mode=${opts.authorizationModes.join(",")}`,
    "--profiling=false", "--logtostderr", "-v=1",
  ];
  if (opts.authzWebhook) {
    const kc = path.join(dir, "authz-webhook.kubeconfig");
    const user: Record<string, string> = opts.authzWebhook.mtls ? { "client-certificate": pki.clientCertFile, "client-key": pki.clientKeyFile } : {};
    writeFileSync(kc, kubeconfigText(opts.authzWebhook.url, pki.caFile, user, "kube-apiserver"));
    base.push(`--authorization-webhook-config-file=${kc}`, `--authorization-webhook-version=${opts.authzWebhook.version}`,
      "--authorization-webhook-cache-authorized-ttl=1s", "--authorization-webhook-cache-unauthorized-ttl=1s");
  }
  if (opts.admissionClientCertFor?.length) {
    const kc = path.join(dir, "admission-webhooks.kubeconfig");
    writeFileSync(kc, [
      "apiVersion: v1", "kind: Config", "users:",
      ...opts.admissionClientCertFor.flatMap((hostPort) => [
        `  - name: ${JSON.stringify(hostPort)}`, "    user:",
        `      client-certificate: ${JSON.stringify(pki.clientCertFile)}`, `      client-key: ${JSON.stringify(pki.clientKeyFile)}`,
      ]),
    ].join("\n") + "\n");
    const ac = path.join(dir, "admission-config.yaml");
    writeFileSync(ac, [
      "apiVersion: apiserver.config.k8s.io/v1", "kind: AdmissionConfiguration", "plugins:",
      "  - name: ValidatingAdmissionWebhook", "    configuration:",
      "      apiVersion: apiserver.config.k8s.io/v1", "      kind: WebhookAdmissionConfiguration", `      kubeConfigFile: ${JSON.stringify(kc)}`,
    ].join("\n") + "\n");
    base.push(`--admission-control-config-file=${ac}`);
  }
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const url = `https://127.0.0.1:${port}`;
    const proc = stack.track(new Proc(opts.name, tools().apiserver, [...base, `--secure-port=${port}`], path.join(stack.dir, "logs")));
    const api = new ApiServer(opts, url, proc, dir);
    try {
      await until(async () => {
        if (!proc.running) {
          throw /address already in use/.test(proc.logText()) ? new PortInUse(opts.name) : new Error(`kube-apiserver exited:\n${proc.recent()}`);
        }
        return (await api.request("GET", "/readyz").catch(() => undefined))?.status === 200;
      }, 90_000, () => `kube-apiserver ${opts.name} on ${url}:\n${proc.recent()}`, 200);
      return api;
    } catch (e) {
      await api.stop();
      if (!(e instanceof PortInUse) || attempt >= 4) throw e;
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// rbac-guard serve

export interface GuardOptions {
  name?: string;
  pki: Pki;
  /** the kubeconfig its informers use */
  kubeconfig: string;
  policy?: string;
  config?: string;
  mode?: "guardrail" | "rbac";
  mtls?: boolean;
  port?: number;
  extraArgs?: string[];
}

export class Guard {
  readonly lines: any[] = [];
  proc?: Proc;
  port = 0;
  private restarts = 0;

  private readonly plain: https.Agent;
  private readonly withCert: https.Agent;

  constructor(private readonly stack: Stack, readonly opts: GuardOptions) {
    // why: no keep-alive, so every request is a new TLS connection, resuming the session of the one before
    this.plain = new https.Agent({ keepAlive: false, ca: opts.pki.ca });
    this.withCert = new https.Agent({ keepAlive: false, ca: opts.pki.ca, cert: readFileSync(opts.pki.clientCertFile), key: readFileSync(opts.pki.clientKeyFile) });
  }

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  /** Starts `node dist/host/cli/main.js serve` and waits for /readyz (informers synced). */
  async start(port?: number): Promise<this> {
    const o = this.opts;
    for (let attempt = 1; ; attempt++) {
      this.port = port ?? o.port ?? await freePort();
      const args = [CLI, "serve", "--tls-cert", o.pki.certFile, "--tls-key", o.pki.keyFile, "--address", "127.0.0.1", "--port", String(this.port),
        "--kubeconfig", o.kubeconfig, "--mode", o.mode ?? "guardrail", "--watch-interval", "250", "--log-level", "info",
        // why: with the default 5 s, Node closes kept-alive connections the apiserver's Go client may be reusing at that
        // very moment; the apiserver does not retry a POST that got EOF, so that review fails (docs/e2e.md, known
        // issues). Longer than Go's 90 s idle timeout, the client always closes first.
        "--keep-alive-timeout", "120000",
        ...(o.policy ? ["--policy", o.policy] : []), ...(o.config ? ["--config", o.config] : []),
        ...(o.mtls ? ["--client-ca", o.pki.clientCaFile] : []), ...(o.extraArgs ?? [])];
      const name = `${o.name ?? "rbac-guard"}${this.restarts++ ? `-${this.restarts}` : ""}`;
      const proc = this.stack.track(new Proc(name, process.execPath, args, path.join(this.stack.dir, "logs"), (l) => {
        if (l.startsWith("{")) {
          try { this.lines.push(JSON.parse(l)); } catch { /* not a log line */ }
        }
      }));
      this.proc = proc;
      try {
        await until(async () => {
          if (!proc.running) {
            throw /EADDRINUSE/.test(proc.logText()) ? new PortInUse(name) : new Error(`rbac-guard serve exited:\n${proc.recent()}`);
          }
          return (await this.get("/readyz").catch(() => undefined))?.status === 200;
        }, 60_000, () => `rbac-guard serve on ${this.url} to be ready:\n${proc.recent()}`, 100);
        return this;
      } catch (e) {
        await proc.stop();
        if (!(e instanceof PortInUse) || port !== undefined || o.port !== undefined || attempt >= 4) throw e;
      }
    }
  }

  /** SIGTERM by PID; resolves once the process exited. */
  async stop(): Promise<void> {
    await this.proc?.stop();
  }


  get(p: string): Promise<Reply> {
    return httpsRequest(`${this.url}${p}`, { ca: this.opts.pki.ca, agent: this.plain });
  }

  /** A review POSTed as the kube-apiserver would (with its client certificate when mTLS is on). */
  post(p: string, body: unknown, withClientCert = true): Promise<Reply> {
    const agent = this.opts.mtls && withClientCert ? this.withCert : this.plain;
    return httpsRequest(`${this.url}${p}`, { method: "POST", body, ca: this.opts.pki.ca, agent });
  }

  decisions(): any[] {
    return this.lines.filter((l) => l.msg === "decision");
  }

  async metrics(): Promise<Metrics> {
    const r = await this.get("/metrics");
    if (r.status !== 200) throw new Error(`/metrics: HTTP ${r.status}`);
    return new Metrics(r.text);
  }
}

/** Prometheus text exposition, parsed enough to sum samples by name and labels. */
export class Metrics {
  readonly samples: { name: string; labels: Record<string, string>; value: number }[] = [];
  constructor(readonly text: string) {
    for (const line of text.split("\n")) {
      const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
      if (!m || line.startsWith("#")) continue;
      const labels: Record<string, string> = {};
      for (const l of (m[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!.replace(/\\(.)/g, "$1");
      this.samples.push({ name: m[1]!, labels, value: Number(m[3]) });
    }
  }

  /** The sum of the samples of `name` whose labels include `labels`. */
  sum(name: string, labels: Record<string, string> = {}): number {
    return this.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
      .reduce((a, s) => a + s.value, 0);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// kubectl (or the API directly when kubectl is not installed)

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr together: what the user sees */
  out: string;
  ms: number;
}

/** Runs kubectl against `api` as an identity (name) or with a raw token; HOME and the cache dir are per stack. */
export function kubectl(api: ApiServer, as: string, args: string[], input?: string): Promise<CliResult> {
  const bin = tools().kubectl;
  if (!bin) throw new Error("kubectl is not installed");
  const home = path.join(path.dirname(api.kubeconfig(as)), "home");
  mkdirSync(home, { recursive: true });
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const env = { ...process.env, HOME: home, KUBECONFIG: api.kubeconfig(as) };
    const child = spawn(bin, [`--kubeconfig=${api.kubeconfig(as)}`, `--cache-dir=${path.join(home, "cache")}`, ...args],
      { env, stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const all: Buffer[] = [];
    child.stdout.on("data", (d: Buffer) => { out.push(d); all.push(d); });
    child.stderr.on("data", (d: Buffer) => { err.push(d); all.push(d); });
    child.on("error", reject);
    child.on("close", (code) => resolve({
      code: code ?? -1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), out: Buffer.concat(all).toString(),
      ms: Date.now() - started,
    }));
    child.stdin.end(input ?? "");
  });
}

/** A question for `kubectl auth can-i` (or a SelfSubjectAccessReview with impersonation headers, without kubectl). */
export interface Question {
  as: string;
  groups?: string[];
  verb: string;
  /** resource or non-resource URL (starting with /) */
  resource: string;
  group?: string;
  subresource?: string;
  name?: string;
  /** undefined: cluster-scoped; "*": all namespaces (-A) */
  namespace?: string;
}

export function canIArgs(q: Question): string[] {
  if (q.resource.startsWith("/")) return ["auth", "can-i", q.verb, q.resource, `--as=${q.as}`, ...(q.groups ?? []).map((g) => `--as-group=${g}`)];
  const res = `${q.resource}${q.group ? `.${q.group}` : ""}${q.name ? `/${q.name}` : ""}`;
  return ["auth", "can-i", q.verb, res, ...(q.subresource ? [`--subresource=${q.subresource}`] : []),
    ...(q.namespace === "*" ? ["--all-namespaces"] : q.namespace ? ["-n", q.namespace] : []),
    `--as=${q.as}`, ...(q.groups ?? []).map((g) => `--as-group=${g}`)];
}

export function describeQuestion(q: Question): string {
  return `kubectl ${canIArgs(q).join(" ")}`;
}

/** "yes" / "no" and the whole answer line, as the admin impersonating the question's subject sees it. */
export async function canI(api: ApiServer, q: Question, via: "kubectl" | "api" = tools().kubectl ? "kubectl" : "api"):
  Promise<{ allowed: boolean; text: string }> {
  if (via === "kubectl") {
    const r = await kubectl(api, "admin", canIArgs(q));
    const answer = r.stdout.trim();
    if (r.code > 1 || !/^(yes|no)\b/.test(answer)) throw new Error(`${describeQuestion(q)}: exit ${r.code}: ${r.out}`);
    return { allowed: r.code === 0 && answer.startsWith("yes"), text: answer };
  }
  const spec = q.resource.startsWith("/")
    ? { nonResourceAttributes: { verb: q.verb, path: q.resource } }
    : { resourceAttributes: { verb: q.verb, group: q.group ?? "", resource: q.resource, subresource: q.subresource ?? "", name: q.name ?? "",
      namespace: q.namespace === "*" || q.namespace === undefined ? "" : q.namespace } };
  // what kubectl --as/--as-group sends: Impersonate-User and one Impersonate-Group header per group
  const headers = { "impersonate-user": q.as, ...(q.groups?.length ? { "impersonate-group": q.groups } : {}) };
  const r = await api.request("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
    { apiVersion: "authorization.k8s.io/v1", kind: "SelfSubjectAccessReview", spec }, "admin", headers);
  if (r.status !== 201) throw new Error(`${describeQuestion(q)}: HTTP ${r.status} ${r.text}`);
  const s = r.json.status ?? {};
  const text = s.allowed ? "yes" : `no${s.reason ? ` - ${s.reason}` : ""}${s.evaluationError ? ` - ${s.evaluationError}` : ""}`;
  return { allowed: !!s.allowed, text };
}

/** Runs `fn` over `items` with at most `n` at a time, keeping the order of results. */
export async function pool<T, R>(items: T[], n: number, fn: (t: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  }));
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Objects

export function deployObjects(file: string): any[] {
  return parseAllDocuments(readFileSync(path.join(ROOT, "deploy", file), "utf8")).map((d) => d.toJS()).filter(Boolean);
}

const CLUSTER_SCOPED = new Set(["Namespace", "ClusterRole", "ClusterRoleBinding", "ValidatingWebhookConfiguration"]);
const PLURAL: Record<string, string> = {
  Namespace: "namespaces", ServiceAccount: "serviceaccounts", Secret: "secrets", ConfigMap: "configmaps", Service: "services", Pod: "pods",
  Role: "roles", RoleBinding: "rolebindings", ClusterRole: "clusterroles", ClusterRoleBinding: "clusterrolebindings",
  Deployment: "deployments", ValidatingWebhookConfiguration: "validatingwebhookconfigurations",
};

/** The collection path of an object (for POST). */
export function collectionPath(o: any): string {
  const [group, version] = String(o.apiVersion).includes("/") ? String(o.apiVersion).split("/") : ["", o.apiVersion];
  const plural = PLURAL[o.kind];
  if (!plural) throw new Error(`no path for kind ${o.kind}`);
  const prefix = group ? `/apis/${group}/${version}` : `/api/${version}`;
  return CLUSTER_SCOPED.has(o.kind) ? `${prefix}/${plural}` : `${prefix}/namespaces/${o.metadata.namespace}/${plural}`;
}

/** Creates objects as the admin, failing on anything but 201. */
export async function createAll(api: ApiServer, objects: any[], as = "admin"): Promise<void> {
  for (const o of objects) {
    const r = await api.request("POST", collectionPath(o), o, as);
    if (r.status !== 201) throw new Error(`creating ${o.kind} ${o.metadata?.namespace ?? ""}/${o.metadata?.name}: HTTP ${r.status} ${r.json?.message ?? r.text}`);
  }
}

export const ns = (name: string, labels?: Record<string, string>) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name, ...(labels ? { labels } : {}) } });
export const sa = (namespace: string, name: string) => ({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name, namespace } });
export const clusterRole = (name: string, rules: object[]) => ({ apiVersion: `${RBAC}/v1`, kind: "ClusterRole", metadata: { name }, rules });
export const role = (namespace: string, name: string, rules: object[]) => ({ apiVersion: `${RBAC}/v1`, kind: "Role", metadata: { name, namespace }, rules });
export type Subject = { kind: string; name: string; namespace?: string; apiGroup?: string };
export const User = (name: string): Subject => ({ kind: "User", apiGroup: RBAC, name });
export const Group = (name: string): Subject => ({ kind: "Group", apiGroup: RBAC, name });
export const SA = (namespace: string, name: string): Subject => ({ kind: "ServiceAccount", name, namespace });
export function roleBinding(namespace: string, name: string, roleRef: { kind?: "Role" | "ClusterRole"; name: string }, subjects: Subject[],
  annotations?: Record<string, string>) {
  return {
    apiVersion: `${RBAC}/v1`, kind: "RoleBinding", metadata: { name, namespace, ...(annotations ? { annotations } : {}) },
    roleRef: { apiGroup: RBAC, kind: roleRef.kind ?? "ClusterRole", name: roleRef.name }, subjects,
  };
}
export function clusterRoleBinding(name: string, roleName: string, subjects: Subject[], annotations?: Record<string, string>) {
  return {
    apiVersion: `${RBAC}/v1`, kind: "ClusterRoleBinding", metadata: { name, ...(annotations ? { annotations } : {}) },
    roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: roleName }, subjects,
  };
}

/** A ServiceAccount token from the TokenRequest API (`kubectl create token` is 1.24+; this is what it calls). */
export async function tokenRequest(api: ApiServer, namespace: string, name: string, expirationSeconds = 3600,
  audiences: string[] = [SA_ISSUER]): Promise<string> {
  const r = await api.request("POST", `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`,
    { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { audiences, expirationSeconds } });
  if (r.status !== 201 || !r.json?.status?.token) throw new Error(`TokenRequest for ${namespace}/${name}: HTTP ${r.status} ${r.text}`);
  return r.json.status.token as string;
}

/** The ValidatingWebhookConfiguration of deploy/, pointed at `url` by URL (not Service) with `caBundle`. */
export function webhookConfiguration(url: string, caBundle: Buffer): any {
  const [vwc] = deployObjects("validatingwebhookconfiguration.yaml");
  for (const w of vwc.webhooks) {
    w.clientConfig = { url: `${url}${w.clientConfig.service.path}`, caBundle: caBundle.toString("base64") };
  }
  return vwc;
}

// ---------------------------------------------------------------------------------------------------------------
// What a user sees: kubectl's output, or (without kubectl) the API's answer rendered the way kubectl would show it

export interface Seen {
  ok: boolean;
  /** kubectl's stdout + stderr (or the API's message and warnings) */
  text: string;
  ms: number;
}

const CORE = new Set(["pods", "secrets", "configmaps", "serviceaccounts", "services"]);

/** `kubectl get RESOURCE[/NAME] [-n NS] -o name` as `as` (identity name or raw token). */
export async function kubeGet(api: ApiServer, as: string, resource: string, namespace?: string, name?: string): Promise<Seen> {
  if (tools().kubectl) {
    const r = await kubectl(api, as, ["get", name ? `${resource}/${name}` : resource, ...(namespace ? ["-n", namespace] : []), "-o", "name"]);
    return { ok: r.code === 0, text: r.out, ms: r.ms };
  }
  const [plural, group] = resource.split(/\.(.*)/s) as [string, string | undefined];
  const prefix = group ? `/apis/${group}/v1` : CORE.has(plural) ? "/api/v1" : `/apis/${RBAC}/v1`;
  const r = await api.request("GET", `${prefix}${namespace ? `/namespaces/${namespace}` : ""}/${plural}${name ? `/${name}` : ""}`, undefined, as);
  return { ok: r.status === 200, text: r.status === 200 ? r.text : `Error from server (${r.json?.reason}): ${r.json?.message ?? r.text}`, ms: r.ms };
}

/** `kubectl create -f -` of one object as `as`. */
export async function kubeCreate(api: ApiServer, as: string, obj: object): Promise<Seen> {
  if (tools().kubectl) {
    const r = await kubectl(api, as, ["create", "-f", "-"], JSON.stringify(obj));
    return { ok: r.code === 0, text: r.out, ms: r.ms };
  }
  const r = await api.request("POST", collectionPath(obj), obj, as);
  // kubectl prints each `Warning: 299 - "text"` response header as `Warning: text`
  const raw = r.headers.warning;
  const warnings = (Array.isArray(raw) ? raw : raw ? [raw] : []).map((w) => `Warning: ${w.replace(/^299 - "(.*)"$/s, "$1")}`);
  return { ok: r.status === 201, text: [...warnings, r.status === 201 ? "created" : `Error from server (${r.json?.reason}): ${r.json?.message}`].join("\n"), ms: r.ms };
}

export async function kubeDelete(api: ApiServer, as: string, obj: any): Promise<void> {
  const r = await api.request("DELETE", `${collectionPath(obj)}/${obj.metadata.name}`, undefined, as);
  if (r.status !== 200 && r.status !== 202) throw new Error(`deleting ${obj.kind} ${obj.metadata.name}: HTTP ${r.status} ${r.text}`);
}
