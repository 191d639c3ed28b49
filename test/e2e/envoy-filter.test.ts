// The Envoy filter against kube-apiserver itself: the same request with the same ServiceAccount token goes to a
// real kube-apiserver v1.20 (--authorization-mode=RBAC) and through the proxy-wasm filter (build/rbac-guard-envoy.wasm
// in test/envoy's host, enforce mode, RBAC only, the policy the apiserver stores, the token's payload as jwt_authn
// would put it in the metadata). Where the apiserver forbids, the filter must answer the same 403 Status (reason,
// details, code, and the message, whose reason part names rbac-guard and keeps the authorizer's in brackets:
// RequestInfo, the token's identity, the decision and the Forbidden text all take part); where the apiserver lets the request through (to a 2xx, 404, 409, 422, ... answer), the filter must
// let it through too. Tokens come from the TokenRequest API; writes carry ?dryRun=All, so nothing is changed.
// E2E_ENVOY_SEED and E2E_ENVOY_REQUESTS pick the seed and the number of requests.
import * as https from "node:https";
import { expect, test } from "vitest";
import { newHost, PAYLOAD_PROPERTY } from "../envoy/fixtures.js";
import { Action } from "../envoy/host.js";
import { encodeStruct } from "../envoy/tokens.js";
import { createAll, pool, RBAC, tokenRequest } from "./harness.js";
import { createAndSync, policyRounds, rbacClusterForFile, rng, stored, unorderedErrors, V } from "./random-policy.js";

const SEED = Number(process.env.E2E_ENVOY_SEED ?? 1);
const REQUESTS = Number(process.env.E2E_ENVOY_REQUESTS ?? 400);

const cluster = rbacClusterForFile("envoy-filter");

const GROUP_PATH: Record<string, string> = { "": "/api/v1", apps: "/apis/apps/v1", [RBAC]: `/apis/${RBAC}/v1`, "example.com": "/apis/example.com/v1" };
const RESOURCES: Record<string, string[]> = { "": ["pods", "secrets", "configmaps", "nodes"], apps: ["deployments"], [RBAC]: ["roles"], "example.com": ["widgets"] };
const NON_RESOURCE = ["/healthz", "/version", "/api", "/apis", "/logs", "/logs/x", "/openapi/v2", "/livez"];

interface Req { sa: string; method: string; path: string }

/** A request by one of the ServiceAccounts; half aimed at a rule of a role bound to it. */
function requestOf(r: ReturnType<typeof rng>, sas: string[], objects: any[]): Req {
  const sa = r.pick(sas);
  const [ns, name] = sa.split("/") as [string, string];
  let group = r.pick(Object.keys(GROUP_PATH));
  let resource = r.pick(RESOURCES[group]!);
  let sub = r.chance(0.15) ? r.pick(["log", "status", "scale", "exec"]) : "";
  let verb = r.pick(["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"]);
  let namespace = r.chance(0.7) ? r.pick([ns, ...V.namespaces, "kube-system"]) : "";
  let objectName = r.chance(0.5) ? r.pick(["a", "b", "app-config"]) : "";
  const mine = objects.filter((b) => b.kind.endsWith("Binding") && (b.subjects ?? []).some((s: any) =>
    (s.kind === "ServiceAccount" && s.name === name && (s.namespace ?? b.metadata.namespace) === ns) ||
    (s.kind === "Group" && ["system:serviceaccounts", `system:serviceaccounts:${ns}`, "system:authenticated"].includes(s.name))));
  if (mine.length > 0 && r.chance(0.5)) {
    const b = r.pick(mine);
    const role = objects.find((o) => o.kind === b.roleRef.kind && o.metadata.name === b.roleRef.name &&
      (o.kind === "ClusterRole" || o.metadata.namespace === b.metadata.namespace));
    const rule = role?.rules?.length ? r.pick<any>(role.rules) : undefined;
    if (b.kind === "RoleBinding") namespace = b.metadata.namespace;
    if (rule?.nonResourceURLs?.length) {
      const url = String(r.pick(rule.nonResourceURLs));
      return { sa, method: "GET", path: url === "*" ? "/x" : url.replace(/\*+$/, "x") };
    }
    if (rule) {
      const g = r.pick<string>(rule.apiGroups);
      if (GROUP_PATH[g] !== undefined) group = g;
      const [res, s2] = String(r.pick(rule.resources)).split("/");
      if (res && res !== "*") resource = res;
      sub = s2 && s2 !== "*" ? s2 : "";
      const v = r.pick<string>(rule.verbs);
      if (v !== "*" && v !== "escalate") verb = v;
      if (rule.resourceNames?.length) objectName = r.pick(rule.resourceNames);
    }
  }
  if (r.chance(0.1)) return { sa, method: r.pick(["GET", "POST"]), path: r.pick(NON_RESOURCE) };
  // the verb decides the method and whether the URL names an object
  const named = ["get", "update", "patch", "delete"].includes(verb) || sub !== "";
  if (named && !objectName) objectName = "a";
  const base = `${GROUP_PATH[group]}${namespace ? `/namespaces/${namespace}` : ""}/${resource}`;
  const method = { get: "GET", list: "GET", watch: "GET", create: "POST", update: "PUT", patch: "PATCH", delete: "DELETE", deletecollection: "DELETE" }[verb] ?? "GET";
  let path = named ? `${base}/${objectName}${sub ? `/${sub}` : ""}` : base;
  if (verb === "watch") path += "?watch=true&timeoutSeconds=1";
  else if (method !== "GET") path += "?dryRun=All";
  return { sa, method, path };
}

function send(url: string, token: string, ca: Buffer, q: Req): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const body = q.method === "POST" || q.method === "PUT" || q.method === "PATCH" ? "{}" : undefined;
    const req = https.request({ host: u.hostname, port: u.port, method: q.method, path: q.path, ca, headers: {
      authorization: `Bearer ${token}`, accept: "application/json",
      ...(body ? { "content-type": q.method === "PATCH" ? "application/merge-patch+json" : "application/json" } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let json: any;
        try { json = JSON.parse(text); } catch { json = text; }
        resolve({ status: res.statusCode ?? 0, body: json });
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

/**
 * The filter's text for a 403 kube-apiserver gives: the same Forbidden message, but the filter says who refused: its
 * reason is "rbac-guard: no RBAC rule allows it", with the RBAC authorizer's reason (role lookup errors) in brackets.
 */
function filterMessage(k8s: string): string {
  const at = k8s.indexOf(": RBAC: ");
  const [prefix, reason] = at < 0 ? [k8s, ""] : [k8s.slice(0, at), k8s.slice(at + 2)];
  return `${prefix}: rbac-guard: no RBAC rule allows it${reason ? ` (${reason})` : ""}`;
}

test(`${REQUESTS} random requests with TokenRequest tokens (seed ${SEED}): the filter's 403s are kube-apiserver's`, async () => {
  const api = cluster();
  const sas = V.namespaces.flatMap((ns) => V.saNames.map((name) => `${ns}/${name}`));
  await createAll(api, sas.map((s) => ({ apiVersion: "v1", kind: "ServiceAccount", metadata: { namespace: s.split("/")[0], name: s.split("/")[1] } })));
  await createAndSync(api, `envoy${SEED}`, policyRounds([SEED, SEED + 1000]));
  const objects = await stored(api);
  const tokens = new Map<string, string>();
  for (const sa of sas) tokens.set(sa, await tokenRequest(api, sa.split("/")[0]!, sa.split("/")[1]!));

  // the real clock: the tokens' exp, nbf and iat are real (test/envoy's hosts run at a fixed one)
  const host = newHost({ mode: "enforce", policy: { items: objects }, rbac: { enabled: true, aggregate: false }, jwt: { payloadInMetadata: "k8s_sa" } },
    { now: () => BigInt(Date.now()) * 1_000_000n });

  const r = rng(SEED * 131 + 9);
  const requests = Array.from({ length: REQUESTS }, () => requestOf(r, sas, objects));
  const ca = api.opts.pki.ca;
  const answers = await pool(requests, 8, async (q) => ({ q, k8s: await send(api.url, tokens.get(q.sa)!, ca, q) }));
  const differ: string[] = [];
  let forbidden = 0, through = 0;
  for (const { q, k8s } of answers) {
    const token = tokens.get(q.sa)!;
    const payload = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString("utf8"));
    const res = host.request({ method: q.method, path: q.path, headers: { authorization: `Bearer ${token}` },
      properties: { [PAYLOAD_PROPERTY]: encodeStruct(payload), "source/address": "10.0.0.1:40000" } });
    const where = `${q.sa} ${q.method} ${q.path}`;
    // a 403 from authorization names the user; one from admission (e.g. a Pod whose ServiceAccount does not
    // exist) comes after authorization let the request through
    const byAuthorization = k8s.status === 403 && /(^|is )forbidden: User "/.test(k8s.body?.message ?? "");
    if (k8s.status === 400 && k8s.body?.kind !== "Status") {
      // Go's HTTP server refused the request line (a plain-text 400, before any handler): the filter, unable to
      // know what it asks, refuses it too. (A 400 Status comes from a handler, after authorization.)
      if (!res.local) differ.push(`${where}: kube-apiserver HTTP 400 / the filter let it through`);
      continue;
    }
    if (byAuthorization) {
      forbidden++;
      if (!res.local) { differ.push(`${where}: kube-apiserver 403 ${k8s.body?.message} / the filter let it through`); continue; }
      const ours = JSON.parse(res.local.body);
      const want = { ...k8s.body, message: filterMessage(k8s.body.message) };
      if (res.local.status !== 403 || JSON.stringify({ ...ours, message: unorderedErrors(ours.message) }) !== JSON.stringify({ ...want, message: unorderedErrors(want.message) })) {
        differ.push(`${where}:\n  kube-apiserver ${JSON.stringify(k8s.body)}\n  filter ${res.local.status} ${res.local.body}`);
      }
    } else {
      through++;
      if (res.action !== Action.Continue || res.local) differ.push(`${where}: kube-apiserver HTTP ${k8s.status} / the filter answered ${res.local?.status} ${res.local?.body}`);
    }
  }
  console.log(`seed ${SEED}: ${objects.length} RBAC objects, ${sas.length} ServiceAccount tokens, ${REQUESTS} requests: ` +
    `${forbidden} forbidden, ${through} let through; ${differ.length} differ`);
  expect(differ).toEqual([]);
  expect(forbidden).toBeGreaterThan(REQUESTS / 10);
  expect(through).toBeGreaterThan(REQUESTS / 10);
}, 240_000);
