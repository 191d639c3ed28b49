// RequestInfo against Kubernetes itself: the attributes kube-apiserver v1.20 derives from a request's method and
// URL (k8s.io/apiserver/pkg/endpoints/request/requestinfo.go), as it sends them to its authorization webhook, must
// equal what rbac-guard's core derives from the same request (requestInfo(), the code the Envoy filter runs).
// A recording authorization webhook (SubjectAccessReview v1, always "no opinion", so no request reaches storage)
// is the only authorizer; the admin (system:masters, which needs no webhook) sends every request with
// `Impersonate-User: probe-N`, so that each SubjectAccessReview the webhook receives names the request it came
// from, and no two are alike (the apiserver caches webhook answers). Requests are sent byte for byte as generated:
// random methods (lower-case ones too), paths (prefixes, groups, namespaces, subresources, empty segments, percent escapes, `watch/`)
// and query strings (`watch`, `fieldSelector`, `labelSelector`, `limit`, ...). A request the core refuses to
// parse must be one that never reached authorization.
// E2E_RI_SEED and E2E_RI_REQUESTS pick the seed and the number of requests.
import { readFileSync } from "node:fs";
import * as https from "node:https";
import * as tls from "node:tls";
import * as path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { requestInfo } from "../../bindings/index.js";
import { freePort, identities, makePki, pool, Stack, startApiServer, startEtcd, tools, type ApiServer, type Pki } from "./harness.js";
import { rng, type Rng } from "./random-policy.js";

const SEED = Number(process.env.E2E_RI_SEED ?? 1);
const REQUESTS = Number(process.env.E2E_RI_REQUESTS ?? 1500);



// methods as Go's HTTP server takes them: any token, case kept ("get" is not GET to RequestInfo)
const METHODS = ["GET", "GET", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "PROPFIND", "get", "Post", "patch", "CONNECT", "TRACE"];
// segments as they occur in real paths, and ones that test the edges (escapes, dots, empty, `*`)
const SEG = ["api", "apis", "v1", "apps", "namespaces", "ns1", "default", "pods", "log", "status", "finalize", "proxy", "watch",
  "deployments", "scale", "x", "", "*", "%2A", "ns%31", "a%2Fb", "..", ".", "healthz", "version", "openapi", "v2", "batch", "jobs",
  "exec", "nodes", "n1", "%7E", "A", "-", "a.b", "~", "%zz", "%C3%A9", "%c3", "a+b", "a;b", "a:b", "@", "%25", "%3F", "%23", "%20", "%2e%2e", "%00"];
const PREFIXES = ["/api/v1", "/apis/apps/v1", "/apis/batch/v1", "/api", "/apis", "/apis/apps", "/api/v1/watch", "/apis/apps/v1/watch", "", "/healthz", "//api/v1"];
const QUERY = ["watch=true", "watch=1", "watch=false", "watch=0", "watch=", "watch", "watch=FALSE", "fieldSelector=metadata.name%3Dfoo",
  "fieldSelector=metadata.name=bar", "fieldSelector=metadata.name%3D", "fieldSelector=spec.nodeName%3Dn1", "fieldSelector=metadata.name%3Da%2Fb",
  "labelSelector=app%3Dx", "labelSelector=%21%21", "limit=5", "limit=x", "timeoutSeconds=1", "timeoutSeconds=x", "resourceVersion=0",
  "fieldSelector=metadata.name%3Dfoo,metadata.name%3Dbar", "fieldSelector=metadata.name%3D%3D", "includeUninitialized=true", "x=%zz",
  "watch=%zz", "fieldSelector=metadata.name%3D%C3%A9", "fieldSelector=metadata.name%3Da%20b", "watch=true;x=1", "a=b&&watch=1", "watch=tru%65"];

function requestOf(r: Rng): { method: string; url: string } {
  let p = r.pick(PREFIXES);
  if (r.chance(0.6)) p += "/namespaces/" + r.pick(["ns1", "default", "", "x", "ns%31"]);
  const n = r.int(5);
  for (let i = 0; i < n; i++) p += "/" + r.pick(SEG);
  if (r.chance(0.1)) p += "/";
  if (p === "") p = "/";
  let url = p;
  if (r.chance(0.5)) {
    const q = Array.from({ length: 1 + r.int(3) }, () => r.pick(QUERY));
    url += "?" + q.join("&");
  }
  return { method: r.pick(METHODS), url };
}

const stack = new Stack("requestinfo");
let api: ApiServer;
let pki: Pki;
const seen = new Map<string, any>();
let recorder: https.Server;

beforeAll(async () => {
  tools();
  pki = makePki(path.join(stack.dir, "pki"));
  recorder = https.createServer({ cert: readFileSync(pki.certFile), key: readFileSync(pki.keyFile) }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const review = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      seen.set(review.spec.user, review.spec);
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ apiVersion: review.apiVersion, kind: "SubjectAccessReview", status: { allowed: false } }));
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => recorder.listen(port, "127.0.0.1", resolve));
  const etcd = await startEtcd(stack);
  api = await startApiServer(stack, {
    name: "kube-apiserver", etcd, pki, ids: identities({}), authorizationModes: ["Webhook"],
    authzWebhook: { url: `https://127.0.0.1:${port}/authorize`, version: "v1" },
  });
}, 240_000);

afterAll(async () => {
  recorder?.close();
  await stack.stop();
}, 60_000);

/**
 * Sends the request exactly as written, over its own TLS connection (no client-side URL normalisation, and the
 * method as given: Node's HTTP client would upper-case "get"), as the admin impersonating `user`. Resolves the
 * status code of the response, or -1 when the server answered with something that is not an HTTP response.
 */
function raw(method: string, url: string, user: string): Promise<number> {
  const u = new URL(api.url);
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: u.hostname, port: Number(u.port), ca: pki.ca, servername: "localhost" }, () => {
      // why: write, not end: Go's server cancels a request whose client half-closes (it reads EOF)
      socket.write([`${method} ${url} HTTP/1.1`, `Host: ${u.host}`, `Authorization: Bearer ${api.ids.admin!.token}`,
        `Impersonate-User: ${user}`, "Accept: application/json", "Connection: close", "", ""].join("\r\n"));
    });
    const chunks: Buffer[] = [];
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("error", reject);
    socket.on("close", () => {
      const m = /^HTTP\/1\.1 (\d{3}) /.exec(Buffer.concat(chunks).toString("latin1"));
      resolve(m ? Number(m[1]) : -1);
    });
  });
}

test(`${REQUESTS} random requests (seed ${SEED}): the attributes kube-apiserver sends to its authorization webhook equal requestInfo()`, async () => {
  const r = rng(SEED);
  const requests = Array.from({ length: REQUESTS }, (_, i) => ({ ...requestOf(r), user: `probe-${SEED}-${i}` }));
  const statuses = await pool(requests, 16, (q) => raw(q.method, q.url, q.user));
  const differ: string[] = [];
  let resource = 0, nonResource = 0, refused = 0;
  requests.forEach((q, i) => {
    const got = requestInfo({ method: q.method, path: q.url });
    const sar = seen.get(q.user);
    const where = `${q.method} ${q.url} (HTTP ${statuses[i]})`;
    if (got.error) {
      refused++;
      if (sar) differ.push(`${where}: rbac-guard refuses it (${got.error}), kube-apiserver authorized ${JSON.stringify(sar)}`);
      return;
    }
    if (!sar) { differ.push(`${where}: never reached the webhook; rbac-guard: ${JSON.stringify(got)}`); return; }
    let ours: object;
    if (got.isResourceRequest) {
      resource++;
      // the webhook's v1 ResourceAttributes omit empty fields
      ours = Object.fromEntries(Object.entries({ namespace: got.namespace, verb: got.verb, group: got.apiGroup, version: got.apiVersion,
        resource: got.resource, subresource: got.subresource, name: got.name }).filter(([, v]) => v !== ""));
    } else {
      nonResource++;
      ours = Object.fromEntries(Object.entries({ path: got.path, verb: got.verb }).filter(([, v]) => v !== ""));
    }
    const theirs = got.isResourceRequest ? sar.resourceAttributes : sar.nonResourceAttributes;
    if (JSON.stringify(sortKeys(theirs ?? null)) !== JSON.stringify(sortKeys(ours))) {
      differ.push(`${where}: kube-apiserver ${JSON.stringify(sar.resourceAttributes ? { resourceAttributes: sar.resourceAttributes } : { nonResourceAttributes: sar.nonResourceAttributes })}` +
        ` / rbac-guard ${JSON.stringify(got.isResourceRequest ? { resourceAttributes: ours } : { nonResourceAttributes: ours })}`);
    }
  });
  console.log(`seed ${SEED}: ${REQUESTS} requests: ${resource} resource, ${nonResource} non-resource, ${refused} refused before authorization; ${differ.length} differ`);
  expect(differ).toEqual([]);
  expect(resource).toBeGreaterThan(REQUESTS / 3);
  expect(nonResource).toBeGreaterThan(REQUESTS / 20);
}, 240_000);

function sortKeys(o: any): any {
  return o && typeof o === "object" ? Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]])) : o;
}
