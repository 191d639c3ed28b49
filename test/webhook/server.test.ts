// The server itself over real HTTPS: probes, metrics, limits, malformed input, TLS reload, concurrency, shutdown.
import { execFileSync } from "node:child_process";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import * as https from "node:https";
import * as path from "node:path";
import * as tls from "node:tls";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { FileContext, StaticContext, type ContextSource, type ContextUpdate } from "../../host/webhook/context.js";
import { FIXTURES, makeCerts, post, request, sar, serve, tempDir, until, type Certs, type TestServer } from "./helpers.js";

const CONTEXT = path.join(FIXTURES, "authz/context.yaml");
const tmp = tempDir();
let certs: Certs;

beforeAll(() => { certs = makeCerts(path.join(tmp.dir, "certs")); });
afterAll(() => tmp.cleanup());

const getPods = sar({ user: "alice", groups: [], resourceAttributes: { verb: "get", resource: "pods", namespace: "prod" } });

describe("endpoints and input errors", () => {
  let t: TestServer;
  beforeAll(async () => { t = await serve({ context: new FileContext([CONTEXT], 0), maxBodyBytes: 3 * 1024 * 1024 }, certs); });
  afterAll(() => t.server.close());

  test("healthz, readyz and metrics", async () => {
    expect((await request(t, "GET", "/healthz")).status).toBe(200);
    const ready = await request(t, "GET", "/readyz");
    expect(ready.status).toBe(200);
    expect(ready.text).toBe("ok");
    const m = await request(t, "GET", "/metrics");
    expect(m.status).toBe(200);
    expect(m.headers["content-type"]).toContain("text/plain");
    expect(m.text).toContain("rbac_guard_snapshot_age_seconds");
    expect(m.text).toContain("rbac_guard_reload_failures_total");
    expect(m.text).toContain("rbac_guard_request_duration_seconds");
  });

  test("malformed JSON is a 400 with a Status body", async () => {
    for (const p of ["/authorize", "/validate"]) {
      const r = await request(t, "POST", p, "{\"apiVersion\": ");
      expect(r.status).toBe(400);
      expect(r.json).toMatchObject({ apiVersion: "v1", kind: "Status", status: "Failure", reason: "BadRequest", code: 400 });
      expect(r.json.message).toContain("malformed JSON");
    }
    const arr = await request(t, "POST", "/authorize", "[1,2]");
    expect(arr.status).toBe(400);
  });

  test("wrong kind or apiVersion is a 400", async () => {
    const cases: [string, unknown][] = [
      ["/authorize", { apiVersion: "authorization.k8s.io/v1", kind: "SelfSubjectAccessReview", spec: {} }],
      ["/authorize", { apiVersion: "authorization.k8s.io/v2", kind: "SubjectAccessReview", spec: {} }],
      ["/authorize", { apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request: { uid: "x" } }],
      ["/authorize", { apiVersion: "authorization.k8s.io/v1", kind: "SubjectAccessReview" }],
      ["/authorize", sar({ user: "a", groups: "g", resourceAttributes: {} })],
      ["/authorize", sar({ user: "a", resourceAttributes: { verb: ["get"] } })],
      ["/authorize", sar({ user: "a", resourceAttributes: {}, nonResourceAttributes: {} })],
      ["/authorize", sar({ user: "a" })],
      ["/validate", getPods],
      ["/validate", { apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview" }],
      ["/validate", { apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request: { operation: "CREATE", object: {} } }],
      ["/validate", { apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request: { uid: "u", operation: "CREATE", object: null } }],
    ];
    for (const [p, body] of cases) {
      const r = await post(t, p, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json.kind).toBe("Status");
      expect(r.json.code).toBe(400);
    }
  });

  test("wrong content type is a 415", async () => {
    const r = await request(t, "POST", "/authorize", JSON.stringify(getPods), { "content-type": "text/plain" });
    expect(r.status).toBe(415);
    expect(r.json.reason).toBe("UnsupportedMediaType");
    const none = await request(t, "POST", "/validate", JSON.stringify(getPods), {});
    expect(none.status).toBe(415);
    const ok = await request(t, "POST", "/authorize", JSON.stringify(getPods), { "content-type": "application/json; charset=utf-8" });
    expect(ok.status).toBe(200);
  });

  test("bodies over 3 MiB are a 413, declared or streamed", async () => {
    const big = Buffer.alloc(3 * 1024 * 1024 + 1, " ");
    const r = await request(t, "POST", "/validate", big);
    expect(r.status).toBe(413);
    expect(r.json.reason).toBe("RequestEntityTooLarge");
    // chunked: no Content-Length
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = https.request(new URL("/authorize", t.server.url), { method: "POST", ca: certs.ca,
        headers: { "content-type": "application/json", "transfer-encoding": "chunked" } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      const chunk = Buffer.alloc(256 * 1024, " ");
      let sent = 0;
      const write = () => {
        while (sent < 4 * 1024 * 1024) {
          sent += chunk.length;
          if (!req.write(chunk)) return req.once("drain", write);
        }
        req.end();
      };
      write();
    }).catch((e) => `error ${e.code}`);
    expect(chunked).toBe(413);
    // a body just under the limit is read (and is then a malformed review, not a 413)
    const under = await request(t, "POST", "/authorize", Buffer.alloc(3 * 1024 * 1024 - 10, " "));
    expect(under.status).toBe(400);
  });

  test("unknown paths are 404, wrong methods 405", async () => {
    expect((await request(t, "GET", "/nope")).status).toBe(404);
    const r = await request(t, "GET", "/authorize");
    expect(r.status).toBe(405);
    expect(r.headers.allow).toBe("POST");
  });

  test("concurrent requests are all answered, each in its own API version", async () => {
    const bodies = Array.from({ length: 200 }, (_, i) => i % 2 === 0
      ? sar({ user: i % 4 === 0 ? "alice" : "bob", groups: [], resourceAttributes: { verb: "get", resource: "pods", namespace: "prod" } })
      : sar({ user: "mallory", group: ["g"], resourceAttributes: { verb: "list", resource: "pods", namespace: "prod" } }, "authorization.k8s.io/v1beta1"));
    const replies = await Promise.all(bodies.map((b) => post(t, "/authorize", b)));
    replies.forEach((r, i) => {
      expect(r.status).toBe(200);
      expect(r.json.apiVersion).toBe((bodies[i] as any).apiVersion);
      expect(r.json.status.allowed).toBe(false);
    });
  });
});

describe("readiness", () => {
  test("not ready until a snapshot is loaded", async () => {
    let deliver: ((u: ContextUpdate) => void) | undefined;
    const slow: ContextSource = {
      description: "test source",
      async start(onUpdate) { deliver = onUpdate; },
      async stop() {},
    };
    const t = await serve({ context: slow }, certs);
    try {
      const r = await request(t, "GET", "/readyz");
      expect(r.status).toBe(503);
      expect(r.text).toContain("no policy snapshot");
      expect((await request(t, "GET", "/healthz")).status).toBe(200);
      const a = await post(t, "/authorize", { ...getPods, spec: { ...getPods.spec } });
      expect(a.json.status).toEqual({ allowed: false, denied: true, evaluationError: expect.stringContaining("no policy snapshot"),
        reason: expect.stringContaining("no policy snapshot") });
      deliver!({ objects: [], state: { synced: false, reason: "informer cache not synced for Role" } });
      await until(async () => (await request(t, "GET", "/readyz")).text.includes("informer cache not synced"), 2000, "unsynced");
      deliver!({ objects: [], state: { synced: true } });
      await until(async () => (await request(t, "GET", "/readyz")).status === 200, 2000, "ready");
    } finally {
      await t.server.close();
    }
  });
});

describe("TLS", () => {
  function servedCert(t: TestServer, ca: Buffer): Promise<string> {
    return new Promise((resolve, reject) => {
      const s = tls.connect({ host: "127.0.0.1", port: t.server.port, ca, servername: "localhost" }, () => {
        const fp = s.getPeerCertificate().fingerprint256;
        s.end();
        resolve(fp);
      });
      s.on("error", reject);
    });
  }

  test("the certificate is reloaded when its files change (setSecureContext)", async () => {
    const dir = tempDir();
    const live = makeCerts(path.join(dir.dir, "live"));
    const t = await serve({ context: new StaticContext([]) }, live);
    try {
      const before = await servedCert(t, live.ca);
      // rotate: a new key and certificate from the same CA, written over the served files
      makeCerts(path.join(dir.dir, "live"), { REUSE_CA: "1" });
      await until(async () => (await servedCert(t, live.ca)) !== before, 5000, "the new certificate");
      expect((await request(t, "GET", "/healthz")).status).toBe(200);
      expect(await t.server.metrics.registry.metrics()).toMatch(/rbac_guard_reloads_total\{source="tls"\} [1-9]/);
    } finally {
      await t.server.close();
      dir.cleanup();
    }
  });

  test("a broken certificate file keeps the current one", async () => {
    const dir = tempDir();
    const live = makeCerts(path.join(dir.dir, "live"));
    const t = await serve({ context: new StaticContext([]) }, live);
    try {
      const before = await servedCert(t, live.ca);
      copyFileSync(path.join(FIXTURES, "authz/policy.yaml"), live.cert);
      await until(async () => /rbac_guard_reload_failures_total\{source="tls"\} [1-9]/.test(await t.server.metrics.registry.metrics()),
        5000, "a counted TLS failure");
      expect(await servedCert(t, live.ca)).toBe(before);
    } finally {
      await t.server.close();
      dir.cleanup();
    }
  });

  test("plain HTTP only with insecureHttp, logged loudly", async () => {
    const t = await serve({ context: new StaticContext([]) });
    try {
      expect(t.server.url.startsWith("http://")).toBe(true);
      expect((await request(t, "GET", "/healthz")).status).toBe(200);
      expect(t.logs.lines.some((l) => l.level === "warn" && /PLAIN HTTP/.test(l.msg))).toBe(true);
    } finally {
      await t.server.close();
    }
  });
});

/** A client CA and a client certificate (extendedKeyUsage clientAuth), as an API server would present. */
function makeClientCert(dir: string): { ca: string; cert: Buffer; key: Buffer } {
  const f = (n: string) => path.join(dir, n);
  const run = (args: string[]) => execFileSync("openssl", args, { stdio: "ignore" });
  run(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "2", "-keyout", f("client-ca.key"), "-out", f("client-ca.crt"),
    "-subj", "/CN=test-client-ca", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign"]);
  run(["req", "-newkey", "rsa:2048", "-nodes", "-sha256", "-keyout", f("client.key"), "-out", f("client.csr"), "-subj", "/CN=kube-apiserver"]);
  writeFileSync(f("client.ext"), "extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n");
  run(["x509", "-req", "-in", f("client.csr"), "-CA", f("client-ca.crt"), "-CAkey", f("client-ca.key"), "-CAcreateserial", "-days", "2",
    "-extfile", f("client.ext"), "-out", f("client.crt")]);
  return { ca: f("client-ca.crt"), cert: readFileSync(f("client.crt")), key: readFileSync(f("client.key")) };
}

describe("client certificates (--client-ca)", () => {
  test("review endpoints need a certificate from the client CA; probes do not", async () => {
    const dir = tempDir();
    const client = makeClientCert(dir.dir);
    const t = await serve({ context: new FileContext([CONTEXT], 0), clientCA: client.ca }, certs);
    try {
      const anonymous = await post(t, "/authorize", getPods);
      expect(anonymous.status).toBe(401);
      expect(anonymous.json.reason).toBe("Unauthorized");
      expect((await request(t, "GET", "/readyz")).status).toBe(200);
      const withCert = { ...t, agent: new https.Agent({ ca: certs.ca, cert: client.cert, key: client.key }) };
      const r = await post(withCert, "/authorize", getPods);
      expect(r.status).toBe(200);
      expect(r.json.kind).toBe("SubjectAccessReview");
      // a certificate of another CA (the server's own) is refused
      const other = { ...t, agent: new https.Agent({ ca: certs.ca, cert: readFileSync(certs.cert), key: readFileSync(certs.key) }) };
      expect((await post(other, "/authorize", getPods)).status).toBe(401);
    } finally {
      await t.server.close();
      dir.cleanup();
    }
  });
  test("a resumed TLS session that never presented a certificate is refused too (Node calls it authorized)", async () => {
    const dir = tempDir();
    const client = makeClientCert(dir.dir);
    const t = await serve({ context: new FileContext([CONTEXT], 0), clientCA: client.ca }, certs);
    try {
      // no keep-alive: every request is a new TLS connection, resuming the session ticket of the one before
      const noCert = { ...t, agent: new https.Agent({ ca: certs.ca, keepAlive: false }) };
      expect((await request(noCert, "GET", "/readyz")).status).toBe(200);
      for (let i = 0; i < 3; i++) expect((await post(noCert, "/authorize", getPods)).status).toBe(401);
      const withCert = { ...t, agent: new https.Agent({ ca: certs.ca, cert: client.cert, key: client.key, keepAlive: false }) };
      for (let i = 0; i < 3; i++) expect((await post(withCert, "/authorize", getPods)).status).toBe(200);
    } finally {
      await t.server.close();
      dir.cleanup();
    }
  });
});

describe("graceful shutdown", () => {
  test("in-flight requests finish; new connections are refused; readyz fails while draining", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    let entered = 0;
    const source: ContextSource = new StaticContext([]);
    const t = await serve({ context: source, shutdownDelayMs: 300 }, certs);
    // hold /authorize requests inside the handler until released
    const state = t.server.state as any;
    const orig = state.snapshot.bind(state);
    state.snapshot = async () => { entered++; await gate; return orig(); };
    try {
      const inflight = [post(t, "/authorize", getPods), post(t, "/authorize", getPods)];
      await until(() => entered === 2, 2000, "requests in flight");
      const closing = t.server.close();
      await new Promise((r) => setTimeout(r, 50));
      const fresh = await request({ ...t, agent: new https.Agent({ ca: certs.ca }) }, "GET", "/readyz");
      expect(fresh.status).toBe(503);
      release();
      const replies = await Promise.all(inflight);
      for (const r of replies) expect(r.status).toBe(200);
      await closing;
      await expect(request({ ...t, agent: new https.Agent({ ca: certs.ca }) }, "GET", "/healthz")).rejects.toThrow();
    } finally {
      release();
      await t.server.close();
    }
  });
});
