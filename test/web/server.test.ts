// `rbac-guard web`'s static server (host/cli/web.ts) over the built dist/web: MIME types (application/wasm for
// compileStreaming), security headers, path confinement, and the command itself. Node only: no browser needed.
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { CONTENT_SECURITY_POLICY, startWebServer, webRoot, type WebServer } from "../../host/cli/web.js";
import { CLI, ROOT, runCli } from "../cli/helpers.js";

vi.setConfig({ testTimeout: 60_000 });

/** A raw GET (fetch would normalise `..` away). */
function raw(url: string, path: string, method = "GET"): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("the static server of the web page", () => {
  let web: WebServer;
  const assets = readdirSync(join(ROOT, "dist/web/assets"));
  beforeAll(async () => {
    web = await startWebServer({ port: 0 });
  });
  afterAll(() => web?.close());

  test("listens on 127.0.0.1 and finds dist/web", () => {
    expect(web.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(webRoot()).toBe(join(ROOT, "dist/web/"));
  });

  test("serves every file with its MIME type; the core module as application/wasm", async () => {
    const index = await fetch(web.url);
    expect(index.status).toBe(200);
    expect(index.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(index.headers.get("cache-control")).toBe("no-cache");
    const types: Record<string, string> = {
      ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".wasm": "application/wasm",
    };
    for (const ext of Object.keys(types)) expect(assets.some((a) => a.endsWith(ext)), ext).toBe(true);
    for (const a of assets) {
      const r = await fetch(`${web.url}assets/${a}`);
      expect(r.status).toBe(200);
      expect(r.headers.get("content-type")).toBe(types[a.slice(a.lastIndexOf("."))]);
      expect(r.headers.get("cache-control")).toContain("immutable");
      expect(r.headers.get("x-content-type-options")).toBe("nosniff");
      expect(r.headers.get("content-security-policy")).toBe(CONTENT_SECURITY_POLICY);
      await r.arrayBuffer();
    }
    const head = await fetch(web.url, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
  });

  test("the policy allows nothing from elsewhere and lets the worker compile wasm", () => {
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("connect-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("'wasm-unsafe-eval'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/https?:/);
  });

  test("refuses other methods, missing files and paths outside dist/web", async () => {
    expect((await raw(web.url, "/", "POST")).status).toBe(405);
    expect((await raw(web.url, "/nope.js")).status).toBe(404);
    expect((await raw(web.url, "/assets")).status).toBe(404);
    for (const p of ["/../package.json", "/%2e%2e/package.json", "/assets/..%2f..%2fpackage.json", "/..%5c..%5cpackage.json"]) {
      const r = await raw(web.url, p);
      expect([403, 404], p).toContain(r.status);
      expect(r.body).not.toContain("rbac-guard");
    }
    expect((await raw(web.url, "/%00")).status).toBe(400);
  });
});

describe("rbac-guard web", () => {
  test("--help says where it listens", async () => {
    const r = await runCli(["web", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Usage: rbac-guard web [options]");
    expect(r.stdout).toContain("127.0.0.1");
    expect(r.stdout).toContain("--port <n>");
  });

  test("rejects a bad port", async () => {
    const r = await runCli(["web", "--port", "70000"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--port must be an integer from 0 to 65535");
  });

  test("serves the page until SIGTERM", async () => {
    const child = spawn(process.execPath, [CLI, "web", "--port", "0"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    const url = await new Promise<string>((resolve, reject) => {
      let out = "";
      child.stdout.setEncoding("utf8").on("data", (d: string) => {
        out += d;
        const m = /serving (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
        if (m) resolve(m[1]);
      });
      child.on("exit", (code) => reject(new Error(`exited with ${code} before serving: ${out}`)));
    });
    const r = await fetch(url);
    expect(r.status).toBe(200);
    expect(await r.text()).toContain("rbac-guard: RBAC manifest lint");
    const code = await new Promise<number | null>((resolve) => {
      child.on("exit", (c) => resolve(c));
      child.kill("SIGTERM");
    });
    expect(code).toBe(0);
  });
});
