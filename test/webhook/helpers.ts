// Test plumbing: certificates from deploy/gen-certs.sh (openssl), a real server on loopback, HTTPS requests.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { createLogger } from "../../host/webhook/log.js";
import { startServer, type ServeOptions, type WebhookServer } from "../../host/webhook/server.js";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const FIXTURES = path.join(ROOT, "test/webhook/fixtures");

export function tempDir(prefix = "rbac-guard-webhook-"): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Certs {
  dir: string;
  ca: Buffer;
  cert: string;
  key: string;
}

/** A CA and a serving certificate for 127.0.0.1/localhost, made by deploy/gen-certs.sh. */
export function makeCerts(dir: string, env: Record<string, string> = {}): Certs {
  execFileSync("bash", [path.join(ROOT, "deploy/gen-certs.sh"), dir], {
    env: { ...process.env, EXTRA_SANS: "IP:127.0.0.1,DNS:localhost", ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  return { dir, ca: readFileSync(path.join(dir, "ca.crt")), cert: path.join(dir, "tls.crt"), key: path.join(dir, "tls.key") };
}

/** Log lines of a server, parsed. */
export class LogSink {
  readonly lines: any[] = [];
  readonly stream = new Writable({
    write: (chunk, _enc, cb) => {
      for (const l of chunk.toString().split("\n")) if (l.trim()) this.lines.push(JSON.parse(l));
      cb();
    },
  });
  decisions(): any[] {
    return this.lines.filter((l) => l.msg === "decision");
  }
}

export interface TestServer {
  server: WebhookServer;
  logs: LogSink;
  ca?: Buffer;
  agent: https.Agent;
}

export async function serve(opts: Partial<ServeOptions> & Pick<ServeOptions, "context">, certs?: Certs): Promise<TestServer> {
  const logs = new LogSink();
  const server = await startServer({
    port: 0, host: "127.0.0.1", watchIntervalMs: 50, logger: createLogger({ destination: logs.stream }),
    ...(certs ? { tlsCert: certs.cert, tlsKey: certs.key } : { insecureHttp: true }),
    ...opts,
  });
  const agent = new https.Agent({ keepAlive: true, ca: certs?.ca, maxSockets: 64 });
  return { server, logs, ca: certs?.ca, agent };
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any;
}

/** One HTTPS request (checked against the test CA; no insecure flags), or plain HTTP to an --insecure-http server. */
export function request(t: TestServer, method: string, urlPath: string, body?: string | Buffer,
  headers: Record<string, string> = { "content-type": "application/json" }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const url = new URL(urlPath, t.server.url);
    const plain = url.protocol === "http:";
    const req = (plain ? http : https).request(url, { method, agent: plain ? undefined : t.agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let json: any;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    if (body !== undefined) req.end(body);
    else req.end();
  });
}

export function post(t: TestServer, urlPath: string, body: unknown): Promise<Reply> {
  return request(t, "POST", urlPath, JSON.stringify(body));
}

/** A port the kernel just handed out on 127.0.0.1. */
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

/** Polls `cond` until it holds (or throws after `ms`). */
export async function until(cond: () => boolean | Promise<boolean>, ms = 5000, what = "condition"): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export class FakeClock {
  constructor(public t: number) {}
  now(): number { return this.t; }
  set(iso: string): void { this.t = Date.parse(iso); }
}

export function sar(spec: Record<string, unknown>, apiVersion = "authorization.k8s.io/v1") {
  return { apiVersion, kind: "SubjectAccessReview", spec };
}

let uidCounter = 0;
export function review(operation: string, object: any, extra: Record<string, unknown> = {}) {
  const ns = object?.metadata?.namespace ?? "";
  return {
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: {
      uid: `uid-${++uidCounter}`,
      kind: { group: "", version: "v1", kind: object?.kind },
      operation,
      namespace: ns,
      name: object?.metadata?.name,
      userInfo: { username: "jane", groups: ["system:authenticated"] },
      object,
      ...extra,
    },
  };
}
