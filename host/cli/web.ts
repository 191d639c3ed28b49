// `rbac-guard web`: serves the manifest-lint page (dist/web, built by `npm run build`) on 127.0.0.1 with node:http.
// The page runs the policy core in the browser; this server only hands out the static files.
import { createReadStream, statSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { InvalidArgumentError, type Command } from "commander";
import { CliError, EXIT, paragraphs } from "./common.js";

export const MIME_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".webmanifest": "application/manifest+json",
};

// why: the same policy as the page's <meta> tag, and it also covers the worker (a worker's CSP comes from the
// response that delivered its script)
export const CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; " +
  "connect-src 'self'; img-src 'self' data: blob:; style-src 'self'; font-src 'none'; object-src 'none'; base-uri 'none'; " +
  "form-action 'none'; frame-ancestors 'none'";

/** The built page: ../../dist/web from the source (host/cli/), ../../web from the compiled CLI (dist/host/cli/). */
export function webRoot(): string | undefined {
  for (const rel of ["../../dist/web/", "../../web/"]) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    try {
      if (statSync(join(dir, "index.html")).isFile()) return dir;
    } catch { /* try the next */ }
  }
  return undefined;
}

export interface WebServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff" });
  res.end(text);
}

function handler(root: string) {
  const base = normalize(root.endsWith(sep) ? root : root + sep);
  return (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("Allow", "GET, HEAD");
      return send(res, 405, "method not allowed\n");
    }
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname);
    } catch {
      return send(res, 400, "bad request\n");
    }
    if (path.includes("\0")) return send(res, 400, "bad request\n");
    if (path.endsWith("/")) path += "index.html";
    const file = normalize(join(base, path));
    if (!file.startsWith(base)) return send(res, 403, "forbidden\n");
    let size: number;
    try {
      const st = statSync(file);
      if (!st.isFile()) return send(res, 404, "not found\n");
      size = st.size;
    } catch {
      return send(res, 404, "not found\n");
    }
    res.writeHead(200, {
      "Content-Type": MIME_TYPES[extname(file).toLowerCase()] ?? "application/octet-stream",
      "Content-Length": size,
      // why: hashed assets never change; the page itself must be revalidated to pick up a new build
      "Cache-Control": path.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "no-cache",
      "Content-Security-Policy": CONTENT_SECURITY_POLICY,
      "X-Content-Type-Options": "nosniff",
      "Referrer-Policy": "no-referrer",
      "Cross-Origin-Opener-Policy": "same-origin",
    });
    if (req.method === "HEAD") return res.end();
    createReadStream(file).on("error", () => res.destroy()).pipe(res);
  };
}

/** Serves `root` (default: the built page) on host:port (port 0: any free port). */
export function startWebServer(opts: { port?: number; host?: string; root?: string } = {}): Promise<WebServer> {
  const root = opts.root ?? webRoot();
  if (!root) {
    return Promise.reject(new CliError("the web page is not built (dist/web/index.html is missing); run `npm run build`", EXIT.INPUT));
  }
  const host = opts.host ?? "127.0.0.1";
  const server = createServer(handler(root));
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off("error", reject);
      const addr = server.address();
      const port = typeof addr === "object" && addr ? addr.port : opts.port ?? 0;
      resolve({
        server,
        url: `http://${host}:${port}/`,
        close: () => new Promise<void>((ok) => {
          server.close(() => ok());
          server.closeAllConnections();
        }),
      });
    });
  });
}

function port(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError("--port must be an integer from 0 to 65535");
  return n;
}

export function register(program: Command): Command {
  const cmd = program
    .command("web")
    .summary("serve the manifest-lint page on 127.0.0.1")
    .description(paragraphs(`Serve the manifest-lint page on http://127.0.0.1:PORT/. Open it in a browser and paste,
drop or open manifests: the page runs the same WebAssembly policy core as this command line, in the browser, and
shows the guardrail findings with their source lines, can-i and who-can answers and SARIF/JSON exports. Nothing is
uploaded; after the page has loaded it makes no network request. The files come from dist/web (npm run build);
any static file server can host them too.`))
    .option("--port <n>", "port to listen on (0: any free port)", port, 8080);
  cmd.addHelpText("after", `
Examples:
  rbac-guard web
  rbac-guard web --port 0`);
  cmd.action(async (opts: { port: number }) => {
    let web: WebServer;
    try {
      web = await startWebServer({ port: opts.port });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "EADDRINUSE" || code === "EACCES") throw new CliError(`cannot listen on 127.0.0.1:${opts.port}: ${code}`, EXIT.INPUT);
      throw e;
    }
    process.stdout.write(`rbac-guard web: serving ${web.url} (Ctrl+C stops)\n`);
    const stop = () => void web.close().then(() => process.exit(0));
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    await new Promise<void>((ok) => web.server.once("close", () => ok()));
  });
  return cmd;
}
