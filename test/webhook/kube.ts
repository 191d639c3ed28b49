// A real kube-apiserver (v1.20, built by the shared scripts/kube-apiserver.sh beside the checkout or found at $KUBE_APISERVER) and
// etcd on loopback, for end-to-end tests of the informer context and of the webhooks as the apiserver calls them.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as https from "node:https";
import { createServer } from "node:net";
import { homedir } from "node:os";
import * as path from "node:path";

export const ADMIN_TOKEN = "admin-token-0123456789";

export function apiserverBinary(): string | undefined {
  const candidates = [process.env.KUBE_APISERVER, path.join(process.env.RBAC_GUARD_E2E_CACHE ?? path.join(homedir(), ".cache/rbac-guard-e2e"), "bin/kube-apiserver")];
  for (const c of candidates) if (c && existsSync(c)) return c;
  return undefined;
}

export function etcdBinary(): string | undefined {
  for (const c of [process.env.ETCD, "/usr/bin/etcd", "/usr/local/bin/etcd"]) if (c && existsSync(c)) return c;
  return undefined;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

export interface Kube {
  url: string;
  kubeconfig: string;
  request(method: string, p: string, body?: unknown, token?: string): Promise<{ status: number; json: any }>;
  stop(): Promise<void>;
}

export interface KubeOptions {
  dir: string;
  /** users: token → [user, groups] */
  users: Record<string, [string, string[]]>;
  /** the authorization webhook URL and its CA (adds Webhook before RBAC) */
  authzWebhook?: { url: string; caFile: string };
}

function stop(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    p.once("exit", () => resolve());
    p.kill("SIGTERM");
    setTimeout(() => p.kill("SIGKILL"), 5000).unref();
  });
}

export async function startKube(opts: KubeOptions): Promise<Kube> {
  const { dir } = opts;
  mkdirSync(dir, { recursive: true });
  const etcdPort = await freePort();
  const peerPort = await freePort();
  const port = await freePort();
  const logs: string[] = [];
  const etcd = spawn(etcdBinary()!, ["--data-dir", path.join(dir, "etcd"), "--listen-client-urls", `http://127.0.0.1:${etcdPort}`,
    "--advertise-client-urls", `http://127.0.0.1:${etcdPort}`, "--listen-peer-urls", `http://127.0.0.1:${peerPort}`,
    "--initial-advertise-peer-urls", `http://127.0.0.1:${peerPort}`, "--initial-cluster", `default=http://127.0.0.1:${peerPort}`],
  { stdio: ["ignore", "ignore", "pipe"] });
  etcd.stderr!.on("data", (d) => logs.push(String(d)));
  execFileSync("openssl", ["genrsa", "-out", path.join(dir, "sa.key"), "2048"], { stdio: "ignore" });
  execFileSync("openssl", ["rsa", "-in", path.join(dir, "sa.key"), "-pubout", "-out", path.join(dir, "sa.pub")], { stdio: "ignore" });
  const tokens = [`${ADMIN_TOKEN},admin,admin,"system:masters"`,
    ...Object.entries(opts.users).map(([t, [u, g]]) => `${t},${u},${u},"${g.join(",")}"`)];
  writeFileSync(path.join(dir, "tokens.csv"), tokens.join("\n") + "\n");
  const args = [
    `--etcd-servers=http://127.0.0.1:${etcdPort}`, `--secure-port=${port}`, "--bind-address=127.0.0.1", "--advertise-address=127.0.0.1",
    `--cert-dir=${path.join(dir, "pki")}`, `--token-auth-file=${path.join(dir, "tokens.csv")}`,
    `--service-account-issuer=https://kubernetes.default.svc`, `--service-account-key-file=${path.join(dir, "sa.pub")}`,
    `--service-account-signing-key-file=${path.join(dir, "sa.key")}`, "--service-cluster-ip-range=10.0.0.0/24",
    "--disable-admission-plugins=ServiceAccount", "--logtostderr", "-v=0",
  ];
  if (opts.authzWebhook) {
    const kc = path.join(dir, "authz-webhook.kubeconfig");
    writeFileSync(kc, [
      "apiVersion: v1", "kind: Config",
      "clusters:", "  - name: rbac-guard", "    cluster:", `      server: ${opts.authzWebhook.url}`, `      certificate-authority: ${opts.authzWebhook.caFile}`,
      "users:", "  - name: apiserver", "    user: {}",
      "contexts:", "  - name: webhook", "    context: {cluster: rbac-guard, user: apiserver}", "current-context: webhook",
    ].join("\n") + "\n");
    args.push("--authorization-mode=Webhook,RBAC", `--authorization-webhook-config-file=${kc}`,
      "--authorization-webhook-cache-authorized-ttl=1s", "--authorization-webhook-cache-unauthorized-ttl=1s");
  } else {
    args.push("--authorization-mode=RBAC");
  }
  const api = spawn(apiserverBinary()!, args, { stdio: ["ignore", "ignore", "pipe"] });
  api.stderr!.on("data", (d) => { logs.push(String(d)); if (logs.length > 400) logs.splice(0, 100); });
  const url = `https://127.0.0.1:${port}`;
  const agent = new https.Agent({ rejectUnauthorized: false, keepAlive: true });
  const request = (method: string, p: string, body?: unknown, token = ADMIN_TOKEN) => new Promise<{ status: number; json: any }>((resolve, reject) => {
    const req = https.request(new URL(p, url), { method, agent, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString();
        let json: any;
        try { json = JSON.parse(text); } catch { json = { text }; }
        resolve({ status: res.statusCode ?? 0, json });
      });
    });
    req.on("error", reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (api.exitCode !== null || etcd.exitCode !== null) throw new Error(`kube-apiserver or etcd exited:\n${logs.slice(-30).join("")}`);
    try {
      const r = await request("GET", "/readyz");
      if (r.status === 200) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) throw new Error(`kube-apiserver not ready:\n${logs.slice(-30).join("")}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const kubeconfig = path.join(dir, "admin.kubeconfig");
  writeFileSync(kubeconfig, [
    "apiVersion: v1", "kind: Config",
    "clusters:", "  - name: e2e", "    cluster:", `      server: ${url}`, "      insecure-skip-tls-verify: true",
    "users:", "  - name: admin", "    user:", `      token: ${ADMIN_TOKEN}`,
    "contexts:", "  - name: e2e", "    context: {cluster: e2e, user: admin}", "current-context: e2e",
  ].join("\n") + "\n");
  return {
    url, kubeconfig, request,
    async stop() {
      agent.destroy();
      await stop(api);
      await stop(etcd);
    },
  };
}

export function caBundle(caFile: string): string {
  return readFileSync(caFile).toString("base64");
}
