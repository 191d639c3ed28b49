// `rbac-guard serve` as a process: flags, TLS from files, SIGTERM finishing an in-flight request.
import { spawn, type ChildProcess } from "node:child_process";
import * as https from "node:https";
import * as path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { FIXTURES, freePort, makeCerts, ROOT, tempDir, until, type Certs } from "./helpers.js";

const tmp = tempDir();
let certs: Certs;
beforeAll(() => { certs = makeCerts(path.join(tmp.dir, "certs")); });
afterAll(() => tmp.cleanup());

function cli(args: string[]): { child: ChildProcess; out: string[]; err: string[] } {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "host/cli/main.ts"), ...args], { cwd: ROOT });
  const out: string[] = [];
  const err: string[] = [];
  child.stdout!.on("data", (d) => out.push(String(d)));
  child.stderr!.on("data", (d) => err.push(String(d)));
  return { child, out, err };
}

const exited = (c: ChildProcess) => new Promise<number | null>((r) => (c.exitCode !== null ? r(c.exitCode) : c.once("exit", (code) => r(code))));

test("without TLS files or --insecure-http it is a usage error (exit 2)", async () => {
  const p = cli(["serve", "-f", path.join(FIXTURES, "authz/context.yaml")]);
  expect(await exited(p.child)).toBe(2);
  expect(p.err.join("")).toContain("--tls-cert and --tls-key are required");
}, 30_000);

test("serves HTTPS from the flags; SIGTERM fails readiness, finishes the in-flight request and exits 0", async () => {
  const port = await freePort();
  const p = cli(["serve", "--tls-cert", certs.cert, "--tls-key", certs.key, "--address", "127.0.0.1", "--port", String(port),
    "-f", path.join(FIXTURES, "authz/context.yaml"), "--mode", "rbac", "--shutdown-delay", "300"]);
  const agent = new https.Agent({ ca: certs.ca });
  const get = (p: string) => new Promise<number>((resolve) => {
    https.get({ host: "127.0.0.1", port, path: p, agent, servername: "localhost" }, (res) => { res.resume(); resolve(res.statusCode ?? 0); })
      .on("error", () => resolve(0));
  });
  try {
    await until(async () => (await get("/readyz")) === 200, 20_000, "readyz");
    // an in-flight request: headers and half the body now, the rest after SIGTERM
    const body = JSON.stringify({ apiVersion: "authorization.k8s.io/v1", kind: "SubjectAccessReview",
      spec: { user: "alice", groups: [], resourceAttributes: { verb: "get", resource: "pods", namespace: "prod" } } });
    let readyDuringShutdown = -1;
    const answer = new Promise<any>((resolve, reject) => {
      const req = https.request({ host: "127.0.0.1", port, path: "/authorize", method: "POST", ca: certs.ca, servername: "localhost",
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode, json: JSON.parse(Buffer.concat(chunks).toString()) }));
      });
      req.on("error", reject);
      req.write(body.slice(0, 40));
      setTimeout(() => {
        p.child.kill("SIGTERM");
        setTimeout(() => void get("/readyz").then((code) => { readyDuringShutdown = code; }), 50);
        setTimeout(() => req.end(body.slice(40)), 150);
      }, 100);
    });
    const r = await answer;
    expect(r.status).toBe(200);
    expect(r.json.status.allowed).toBe(true);
    expect(await exited(p.child)).toBe(0);
    expect(readyDuringShutdown).toBe(503);
    const logs = p.out.join("").split("\n").filter(Boolean).map((l) => JSON.parse(l));
    expect(logs.some((l) => l.msg === "signal received: shutting down" && l.signal === "SIGTERM")).toBe(true);
    expect(logs.some((l) => l.msg === "decision" && l.endpoint === "authorize")).toBe(true);
    expect(logs.at(-1).msg).toBe("shut down");
  } finally {
    if (p.child.exitCode === null) p.child.kill("SIGKILL");
  }
}, 60_000);
