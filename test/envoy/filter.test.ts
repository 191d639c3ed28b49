// build/rbac-guard-envoy.wasm under the TypeScript proxy-wasm host: realistic request sequences.
import { describe, test, expect } from "vitest";
import { readFileSync } from "node:fs";
import { parse as parseYAML } from "yaml";
import { ProxyWasmHost, HOST_FUNCTIONS, Action, LogLevel, Status, type RequestResult } from "./host.js";
import { envoyModule } from "./module.js";
import { newHost, saRequest, baseConfig, policy, PAYLOAD_PROPERTY } from "./fixtures.js";
import { jwt, saClaims, legacyClaims, encodeStruct, NOW_S } from "./tokens.js";

function refused(r: RequestResult) {
  expect(r.action).toBe(Action.Pause);
  expect(r.local).toBeDefined();
  expect(r.local!.status).toBe(403);
  const body = JSON.parse(r.local!.body);
  const headers = Object.fromEntries(r.local!.headers);
  return { body, headers, details: r.local!.details };
}

function allowed(r: RequestResult) {
  expect(r.local).toBeUndefined();
  expect(r.action).toBe(Action.Continue);
}

describe("module", () => {
  test("imports only Proxy-Wasm 0.2.1 host functions and exports the ABI marker and every callback", () => {
    const m = envoyModule();
    const imports = WebAssembly.Module.imports(m);
    for (const i of imports) {
      expect(i.module).toBe("env");
      expect(HOST_FUNCTIONS as readonly string[]).toContain(i.name);
    }
    const exports = WebAssembly.Module.exports(m).map((e) => e.name);
    for (const name of ["proxy_abi_version_0_2_1", "proxy_on_memory_allocate", "proxy_on_context_create", "proxy_on_vm_start",
      "proxy_on_configure", "proxy_on_request_headers", "proxy_on_request_body", "proxy_on_request_trailers",
      "proxy_on_response_headers", "proxy_on_response_body", "proxy_on_response_trailers", "proxy_on_done", "proxy_on_log",
      "proxy_on_delete", "proxy_on_tick", "proxy_on_queue_ready", "proxy_on_foreign_function", "proxy_on_new_connection",
      "proxy_on_downstream_data", "proxy_on_upstream_data", "proxy_on_downstream_connection_close",
      "proxy_on_upstream_connection_close", "proxy_on_http_call_response", "proxy_on_grpc_receive",
      "proxy_on_grpc_receive_initial_metadata", "proxy_on_grpc_receive_trailing_metadata", "proxy_on_grpc_close",
      "_initialize", "memory", "rbac_load", "rbac_authorize", "rbac_request_info"]) {
      expect(exports).toContain(name);
    }
    expect(exports).not.toContain("malloc");
    expect(imports.map((i) => i.name)).not.toContain("abort");
  });

  test("callbacks the filter does not use answer the spec's defaults", () => {
    const host = newHost();
    const ex = host.exports;
    ex.proxy_on_context_create(50, 1);
    expect(ex.proxy_on_response_headers(50, 3, 0)).toBe(Action.Continue);
    expect(ex.proxy_on_request_body(50, 10, 1)).toBe(Action.Continue);
    expect(ex.proxy_on_new_connection(50)).toBe(Action.Continue);
    expect(ex.proxy_on_done(50)).toBe(1);
    ex.proxy_on_delete(50);
  });

  test("an abort goes to proxy_log at CRITICAL, then the VM traps", () => {
    const host = newHost();
    const ex = host.exports;
    // a core export fed bytes json-as cannot parse aborts (bindings never do this; the filter never calls it)
    const bad = new TextEncoder().encode("{\"owner\": [");
    const ptr = ex.rbac_alloc(bad.length);
    new Uint8Array(ex.memory.buffer, ptr, bad.length).set(bad);
    expect(() => ex.rbac_covers(ptr, bad.length, 0)).toThrow(WebAssembly.RuntimeError);
    const critical = host.logs.filter((l) => l.level === LogLevel.Critical);
    expect(critical.length).toBe(1);
    expect(critical[0].message).toMatch(/^rbac-guard: abort: /);
  });
});

describe("decisions", () => {
  test("allowed: a ServiceAccount RBAC allows goes through, counted", () => {
    const host = newHost();
    allowed(host.request(saRequest("team-a", "app", { path: "/api/v1/namespaces/team-a/pods?watch=1" })));
    allowed(host.request(saRequest("team-a", "app", { path: "/api/v1/namespaces/team-a/pods/web-0/log" })));
    allowed(host.request(saRequest("team-b", "other", { path: "/healthz" })));
    expect(host.metricValues()).toMatchObject({ "rbac_guard.requests": 3, "rbac_guard.allowed": 3 });
    expect(host.metric("rbac_guard.denied")).toBe(0n);
  });

  test("refused by RBAC: kube-apiserver's Forbidden Status, with the reason header", () => {
    const host = newHost();
    const { body, headers, details } = refused(host.request(saRequest("team-a", "app", { path: "/api/v1/namespaces/team-b/pods/web-0" })));
    expect(body).toEqual({
      kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure",
      message: "pods \"web-0\" is forbidden: User \"system:serviceaccount:team-a:app\" cannot get resource \"pods\" in API group \"\" in the namespace \"team-b\": rbac-guard: no RBAC rule allows it",
      reason: "Forbidden", details: { name: "web-0", kind: "pods" }, code: 403,
    });
    expect(headers["x-rbac-guard-reason"]).toBe("rbac");
    expect(headers["content-type"]).toBe("application/json");
    expect(details).toBe("rbac_guard_rbac");
    expect(host.metricValues()).toMatchObject({ "rbac_guard.denied": 1, "rbac_guard.denied.rbac": 1 });
  });

  test("the body is byte-identical to Go's encoding of the Status (field order, escaping)", () => {
    const host = newHost();
    const r = host.request(saRequest("team-a", "app", { method: "DELETE", path: "/apis/apps/v1/namespaces/team-a/deployments/a&b" }));
    expect(r.local!.body).toBe("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":" +
      "\"deployments.apps \\\"a\\u0026b\\\" is forbidden: User \\\"system:serviceaccount:team-a:app\\\" cannot delete resource " +
      "\\\"deployments\\\" in API group \\\"apps\\\" in the namespace \\\"team-a\\\": rbac-guard: no RBAC rule allows it\"," +
      "\"reason\":\"Forbidden\",\"details\":{\"name\":\"a\\u0026b\",\"group\":\"apps\",\"kind\":\"deployments\"},\"code\":403}");
  });

  test("refused by a non-resource path RBAC does not grant", () => {
    const host = newHost();
    const { body } = refused(host.request(saRequest("team-a", "app", { path: "/metrics" })));
    expect(body.message).toBe("forbidden: User \"system:serviceaccount:team-a:app\" cannot get path \"/metrics\": rbac-guard: no RBAC rule allows it");
    expect(body.details).toEqual({});
  });

  test("refused by a deny rule even where RBAC allows; the message names the rule", () => {
    const host = newHost();
    const spec = saRequest("ci", "deployer", { method: "POST", path: "/api/v1/namespaces/team-a/pods/web-0/exec?command=sh&stdin=true" });
    const { body, headers, details } = refused(host.request(spec));
    expect(body.message).toBe("pods \"web-0\" is forbidden: User \"system:serviceaccount:ci:deployer\" cannot create resource \"pods/exec\" in API group \"\" in the namespace \"team-a\": rbac-guard: denied by rule \"no-exec\"");
    expect(headers["x-rbac-guard-reason"]).toBe("rule:no-exec");
    expect(details).toBe("rbac_guard_rule");
    expect(host.metricValues()).toMatchObject({ "rbac_guard.rule.no-exec.denied": 1, "rbac_guard.denied.rule": 1 });
    // without the rule, RBAC allows it
    const open = newHost({ ...baseConfig, deny: [] });
    allowed(open.request(spec));
  });

  test("deny rules match subjects by ServiceAccount glob, resources and namespaces", () => {
    const host = newHost({ ...baseConfig, rbac: { enabled: false } });
    refused(host.request(saRequest("ci", "deployer", { path: "/api/v1/namespaces/kube-system/secrets" })));
    allowed(host.request(saRequest("ci", "deployer", { path: "/api/v1/namespaces/team-a/secrets" })));
    allowed(host.request(saRequest("team-a", "app", { path: "/api/v1/namespaces/kube-system/secrets" })));
    expect(host.metric("rbac_guard.rule.no-kube-system-secrets.denied")).toBe(1n);
  });

  test("shadow mode counts and logs what it would refuse and lets everything through", () => {
    const host = newHost({ ...baseConfig, mode: "shadow" });
    allowed(host.request(saRequest("team-a", "app", { path: "/api/v1/namespaces/team-b/pods" })));
    allowed(host.request(saRequest("ci", "deployer", { method: "POST", path: "/api/v1/namespaces/team-a/pods/p/exec" })));
    allowed(host.request(saRequest("team-a", "app", { path: "/api/v1/namespaces/team-a/pods" }, { exp: NOW_S - 3600 })));
    expect(host.metricValues()).toMatchObject({
      "rbac_guard.shadow_denied": 3, "rbac_guard.shadow_denied.rbac": 1, "rbac_guard.shadow_denied.rule": 1,
      "rbac_guard.shadow_denied.token_expired": 1, "rbac_guard.rule.no-exec.shadow_denied": 1,
    });
    expect(host.metric("rbac_guard.denied")).toBe(0n);
    expect(host.logs.filter((l) => l.message.startsWith("rbac-guard: shadow: would refuse")).length).toBe(3);
  });
});

describe("identity", () => {
  test("the verified payload may come as a protobuf Struct (real Envoy) or as JSON", () => {
    const host = newHost();
    allowed(host.request(saRequest("team-a", "app", { path: "/api/v1/namespaces/team-a/pods" }, { protobuf: true })));
    allowed(host.request(saRequest("team-a", "app", { path: "/api/v1/namespaces/team-a/pods" }, { protobuf: false })));
  });

  test("the identity is the verified payload's, not the token's", () => {
    const host = newHost();
    // the header claims team-a/app; jwt_authn verified ci/deployer: RBAC sees ci/deployer
    const spec = saRequest("ci", "deployer", { path: "/api/v1/namespaces/team-a/pods" });
    spec.headers!.authorization = `Bearer ${jwt(saClaims("team-a", "app"))}`;
    const { body } = refused(host.request(spec));
    expect(body.message).toContain("system:serviceaccount:ci:deployer");
  });

  test("bad token: claims that do not hold together are refused", () => {
    const host = newHost();
    const claims = saClaims("team-a", "app", { sub: "system:serviceaccount:kube-system:admin" });
    const spec = { path: "/api/v1/namespaces/team-a/pods", headers: { authorization: `Bearer ${jwt(claims)}` },
      properties: { [PAYLOAD_PROPERTY]: encodeStruct(claims), "source/address": "10.0.0.1:1" } };
    const { body, headers } = refused(host.request(spec));
    expect(headers["x-rbac-guard-reason"]).toBe("bad_token");
    expect(body.message).toMatch(/^forbidden: rbac-guard: the ServiceAccount token is invalid: /);
    const noExp = saClaims("team-a", "app", { exp: null });
    expect(refused(host.request({ ...spec, properties: { [PAYLOAD_PROPERTY]: encodeStruct(noExp) } })).headers["x-rbac-guard-reason"]).toBe("bad_token");
    const badType = { ...saClaims("team-a", "app"), exp: "soon" };
    expect(refused(host.request({ ...spec, properties: { [PAYLOAD_PROPERTY]: encodeStruct(badType) } })).headers["x-rbac-guard-reason"]).toBe("bad_token");
  });

  test("a ServiceAccount token jwt_authn did not verify is refused", () => {
    const host = newHost();
    const r = host.request({ path: "/api/v1/namespaces/team-a/pods", headers: { authorization: `Bearer ${jwt(saClaims("team-a", "app"))}` } });
    const { headers, body } = refused(r);
    expect(headers["x-rbac-guard-reason"]).toBe("unverified_token");
    expect(body.message).toContain("k8s_sa");
  });

  test("expired and not-yet-valid tokens are refused, within the clock skew they pass", () => {
    const host = newHost();
    const path = "/api/v1/namespaces/team-a/pods";
    expect(refused(host.request(saRequest("team-a", "app", { path }, { exp: NOW_S - 61 }))).body.message)
      .toBe("forbidden: rbac-guard: service account token has expired");
    allowed(host.request(saRequest("team-a", "app", { path }, { exp: NOW_S - 59 })));
    expect(refused(host.request(saRequest("team-a", "app", { path }, { nbf: NOW_S + 120 }))).headers["x-rbac-guard-reason"]).toBe("token_not_yet_valid");
    allowed(host.request(saRequest("team-a", "app", { path }, { nbf: NOW_S + 30 })));
    expect(refused(host.request(saRequest("team-a", "app", { path }, { iat: NOW_S + 600 }))).headers["x-rbac-guard-reason"]).toBe("token_issued_in_future");
    const strict = newHost({ ...baseConfig, jwt: { payloadInMetadata: "k8s_sa", clockSkewSeconds: 0 } });
    refused(strict.request(saRequest("team-a", "app", { path }, { exp: NOW_S - 1 })));
    expect(host.metricValues()).toMatchObject({ "rbac_guard.denied.token_expired": 1, "rbac_guard.denied.token_not_yet_valid": 1 });
  });

  test("legacy Secret-based tokens (no expiry) identify their ServiceAccount", () => {
    const host = newHost();
    const claims = legacyClaims("team-a", "app");
    allowed(host.request({ path: "/api/v1/namespaces/team-a/pods", headers: { authorization: `Bearer ${jwt(claims)}` },
      properties: { [PAYLOAD_PROPERTY]: JSON.stringify(claims) } }));
  });

  test("trustUnverifiedClaims reads the token itself, and says so loudly at configure", () => {
    const host = newHost({ ...baseConfig, trustUnverifiedClaims: true });
    expect(host.logs.some((l) => l.level === LogLevel.Critical && /trustUnverifiedClaims is ON/.test(l.message))).toBe(true);
    allowed(host.request({ path: "/api/v1/namespaces/team-a/pods", headers: { authorization: `Bearer ${jwt(saClaims("team-a", "app"))}` },
      properties: { "source/address": "10.20.0.1:5" } }));
  });

  test("non-JWT credentials pass through to the apiserver by default, or are refused when configured", () => {
    const host = newHost();
    const path = "/api/v1/namespaces/team-a/secrets";
    allowed(host.request({ path }));
    allowed(host.request({ path, headers: { authorization: "Basic YWxpY2U6c2VjcmV0" } }));
    allowed(host.request({ path, headers: { authorization: "Bearer abcdef.0123456789abcdef" } })); // bootstrap token
    // an OIDC user's JWT: not a ServiceAccount token, not verified by the cluster's jwt_authn provider
    allowed(host.request({ path, headers: { authorization: `Bearer ${jwt({ iss: "https://idp.example.com", sub: "alice", exp: NOW_S + 60 })}` } }));
    expect(host.metric("rbac_guard.passthrough")).toBe(4n);
    const strict = newHost({ ...baseConfig, nonJWTCredentials: "refuse" });
    const { headers, body } = refused(strict.request({ path, headers: { authorization: "Basic YWxpY2U6c2VjcmV0" } }));
    expect(headers["x-rbac-guard-reason"]).toBe("non_jwt");
    expect(body.message).toMatch(/only ServiceAccount tokens are accepted/);
  });

  test("the bearer scheme is case-insensitive and the token ends at a space, as in the apiserver", () => {
    const host = newHost();
    const spec = saRequest("team-a", "app", { path: "/api/v1/namespaces/team-a/pods" });
    const token = spec.headers!.authorization.slice(7);
    allowed(host.request({ ...spec, headers: { authorization: `bEaReR ${token} trailing` } }));
  });
});

describe("source addresses", () => {
  const path = "/apis/apps/v1/namespaces/team-a/deployments/web";

  test("a ServiceAccount with source rules must come from one of their CIDRs", () => {
    const host = newHost();
    allowed(host.request(saRequest("ci", "deployer", { method: "PATCH", path }, { address: "10.20.7.8:50000" })));
    allowed(host.request(saRequest("ci", "deployer", { method: "PATCH", path }, { address: "[fd00:20::1]:50000" })));
    allowed(host.request(saRequest("ci", "deployer", { method: "PATCH", path }, { address: "[::ffff:10.20.1.1]:50000" })));
    const { body, headers } = refused(host.request(saRequest("ci", "deployer", { method: "PATCH", path }, { address: "192.168.1.5:50000" })));
    expect(headers["x-rbac-guard-reason"]).toBe("source");
    expect(body.message).toContain("rbac-guard: source address \"192.168.1.5:50000\" is not allowed for ServiceAccount \"ci/deployer\" (rule \"ci-runners\")");
    refused(host.request(saRequest("ci", "deployer", { method: "PATCH", path }, { address: "[fd00:21::1]:50000" })));
    // ServiceAccounts no rule names come from anywhere
    allowed(host.request(saRequest("team-a", "app", { path: "/api/v1/namespaces/team-a/pods" }, { address: "192.168.1.5:1" })));
  });

  test("an address the host cannot give fails closed", () => {
    const host = newHost();
    const spec = saRequest("ci", "deployer", { method: "PATCH", path });
    delete spec.properties!["source/address"];
    expect(refused(host.request(spec)).headers["x-rbac-guard-reason"]).toBe("engine_error");
  });
});

describe("configuration", () => {
  test("an invalid configuration is refused and the previous one stays in force", () => {
    const host = newHost();
    const before = host.request(saRequest("team-a", "app", { path: "/api/v1/namespaces/team-b/pods" }));
    refused(before);
    for (const bad of ["{\"mode\": \"enforce\",", "[]", "{\"mode\": \"audit\"}", "{\"deny\": [{\"name\": \"x\", \"verbs\": []}]}",
      "{\"sourceCIDRs\": [{\"namespace\": \"a\", \"cidrs\": [\"10.0.0.0/33\"]}]}", "{\"unknown\": 1}",
      "{\"rbac\": {\"enabled\": true}}", "{\"policy\": {\"items\": 5}}", "{\"deny\": [{\"name\": \"a b\"}]}",
      "{\"deny\": [{\"name\": \"a\"}, {\"name\": \"a\"}]}", "{\"failOpen\": \"yes\"}", "", "{\"jwt\": {\"clockSkewSeconds\": -1}}",
      "{\"policy\": {\"items\": [{\"kind\": \"ClusterRole\", \"rules\": \"nope\"}]}, \"deny\": [{\"name\": \"n\", \"subjects\": {}}]}"]) {
      expect(host.configure(bad), bad).toBe(false);
    }
    expect(host.metric("rbac_guard.config_rejected")).toBe(14n);
    expect(host.logs.filter((l) => l.level === LogLevel.Error && /configuration refused \(the previous one stays in force\)/.test(l.message)).length).toBe(14);
    // still the first configuration: RBAC on, same answers
    refused(host.request(saRequest("team-a", "app", { path: "/api/v1/namespaces/team-b/pods" })));
    allowed(host.request(saRequest("team-a", "app", { path: "/api/v1/namespaces/team-a/pods" })));
  });

  test("errors name the field", () => {
    const host = newHost();
    host.configure({ deny: [{ name: "ok" }, { name: "x", resources: ["pods"], nonResourceURLs: ["/x"] }] });
    expect(host.logs.at(-1)!.message).toMatch(/`deny\[1\]`: a rule is either about nonResourceURLs/);
    host.configure({ sourceCIDRs: [{ serviceAccount: "a/b", namespace: "a", cidrs: ["10.0.0.0/8"] }] });
    expect(host.logs.at(-1)!.message).toMatch(/`sourceCIDRs\[0\]`: needs exactly one of/);
  });

  test("malformed Kubernetes objects in the policy are projected like the library does, never trapping", () => {
    const host = newHost({ jwt: baseConfig.jwt, policy: { items: [
      { kind: "ClusterRole", metadata: { name: "r" }, rules: [{ verbs: ["get"], apiGroups: [""], resources: ["pods"], resourceNames: 5 }, "junk", null] },
      { kind: "ClusterRoleBinding", metadata: { name: "b" }, roleRef: { kind: "ClusterRole", name: "r" }, subjects: [{ kind: "Group", name: "system:serviceaccounts" }, 7] },
      { kind: "List", items: [{ kind: "RoleList", items: [{ metadata: { name: "x", namespace: "n" }, rules: [] }] }] },
      [], 3, "s", { kind: 5 },
    ] } });
    // resourceNames 5 means the name "5", never "all names"
    refused(host.request(saRequest("team-a", "app", { path: "/api/v1/namespaces/team-a/pods/web" })));
    allowed(host.request(saRequest("team-a", "app", { path: "/api/v1/namespaces/team-a/pods/5" })));
  });

  test("the configuration shipped in deploy/envoy/envoy.yaml is accepted, and names jwt_authn's payload key", () => {
    const doc = parseYAML(readFileSync(new URL("../../deploy/envoy/envoy.yaml", import.meta.url), "utf8"));
    const filters = doc.static_resources.listeners[0].filter_chains[0].filters[0].typed_config.http_filters;
    expect(filters.map((f: { name: string }) => f.name)).toEqual(["envoy.filters.http.jwt_authn", "envoy.filters.http.wasm", "envoy.filters.http.router"]);
    const config = filters[1].typed_config.config.configuration.value;
    const host = newHost(null);
    expect(host.configure(config)).toBe(true);
    expect(JSON.parse(config).jwt.payloadInMetadata).toBe(filters[0].typed_config.providers.kubernetes.payload_in_metadata);
    expect(filters[1].typed_config.config.fail_open).toBe(false);
  });

  test("no valid configuration yet: every request fails closed", () => {
    const host = newHost(null);
    expect(host.configure("{oops")).toBe(false);
    const { headers, body } = refused(host.request(saRequest("team-a", "app", { path: "/api/v1/namespaces/team-a/pods" })));
    expect(headers["x-rbac-guard-reason"]).toBe("not_configured");
    expect(body.message).toMatch(/no valid configuration is loaded \(failing closed\)/);
  });

  test("an empty policy with RBAC on refuses everything; RBAC off leaves the apiserver to decide", () => {
    const r = newHost({ jwt: baseConfig.jwt, policy: { items: [] } }).request(saRequest("team-a", "app", { path: "/healthz" }));
    expect(refused(r).headers["x-rbac-guard-reason"]).toBe("rbac");
    allowed(newHost({ jwt: baseConfig.jwt, policy: { items: [] }, rbac: { enabled: false } }).request(saRequest("team-a", "app", { path: "/healthz" })));
  });
});

describe("errors", () => {
  test("an engine error fails closed with 403, or passes with failOpen", () => {
    const host = newHost();
    host.failures.set("proxy_get_current_time_nanoseconds", Status.InternalFailure);
    const spec = saRequest("team-a", "app", { path: "/api/v1/namespaces/team-a/pods" });
    const { headers, body } = refused(host.request(spec));
    expect(headers["x-rbac-guard-reason"]).toBe("engine_error");
    expect(body.message).toBe("forbidden: rbac-guard: the host clock is unavailable (failing closed)");
    expect(host.metric("rbac_guard.errors")).toBe(1n);
    const open = newHost({ ...baseConfig, failOpen: true });
    open.failures.set("proxy_get_current_time_nanoseconds", Status.InternalFailure);
    allowed(open.request(spec));
    expect(open.metricValues()).toMatchObject({ "rbac_guard.errors": 1, "rbac_guard.failed_open": 1 });
  });

  test("host failures and unreadable metadata fail closed", () => {
    const host = newHost();
    const spec = saRequest("team-a", "app", { path: "/api/v1/namespaces/team-a/pods" });
    host.failures.set("proxy_get_property", Status.SerializationFailure);
    expect(refused(host.request(spec)).headers["x-rbac-guard-reason"]).toBe("engine_error");
    host.failures.clear();
    host.failures.set("proxy_get_header_map_value", Status.BadArgument);
    expect(refused(host.request(spec)).headers["x-rbac-guard-reason"]).toBe("engine_error");
    host.failures.clear();
    const garbage = { ...spec, properties: { ...spec.properties, [PAYLOAD_PROPERTY]: Uint8Array.from([0x0a, 0xff, 0xff]) } };
    expect(refused(host.request(garbage)).headers["x-rbac-guard-reason"]).toBe("engine_error");
    allowed(host.request(spec));
  });

  test("a request kube-apiserver could not parse is refused", () => {
    const host = newHost();
    const r = refused(host.request(saRequest("team-a", "app", { path: "/api/v1/namespaces/team-a/pods/%zz" })));
    expect(r.headers["x-rbac-guard-reason"]).toBe("bad_request");
    expect(refused(host.request(saRequest("team-a", "app", { path: "/api/v1/watch" }))).headers["x-rbac-guard-reason"]).toBe("bad_request");
  });

  test("a trapped VM answers like Envoy with fail_open false (503), and traps are never silent", () => {
    const host = new ProxyWasmHost(envoyModule());
    host.start();
    host.configure(baseConfig);
    const ex = host.exports;
    expect(() => ex.rbac_covers(0, 0xfffffff, 0)).toThrow();
    host.trapped = true;
    const r = host.request(saRequest("team-a", "app", { path: "/api/v1/namespaces/team-a/pods" }));
    expect(r.trapped).toBe(true);
    expect(r.local!.status).toBe(503);
  });
});

describe("host-side memory", () => {
  test("every buffer the host hands over is allocated through proxy_on_memory_allocate", () => {
    const host = newHost();
    const n = host.allocations;
    host.request(saRequest("team-a", "app", { path: "/api/v1/namespaces/team-a/pods" }));
    // :method, :path, authorization, the payload property
    expect(host.allocations - n).toBe(4);
  });

  test("the configuration's RBAC policy answers like the library", async () => {
    const { createEngine } = await import("../../bindings/index.js");
    const engine = await createEngine(policy.items);
    const host = newHost({ policy, rbac: { enabled: true }, jwt: baseConfig.jwt });
    const cases: [string, string, string, string][] = [
      ["team-a", "app", "GET", "/api/v1/namespaces/team-a/pods/p"], ["team-a", "app", "GET", "/api/v1/namespaces/team-b/pods"],
      ["ci", "deployer", "DELETE", "/apis/apps/v1/namespaces/team-a/deployments/d"], ["ci", "deployer", "GET", "/version"],
      ["ci", "deployer", "PUT", "/apis/apps/v1/namespaces/team-a/deployments/d/scale"], ["x", "y", "GET", "/metrics"],
    ];
    for (const [ns, name, method, path] of cases) {
      const got = host.request(saRequest(ns, name, { method, path }, { address: "10.20.0.9:1" }));
      const { requestInfo } = await import("../../bindings/index.js");
      const ri = requestInfo({ method, path });
      const spec = { user: `system:serviceaccount:${ns}:${name}`, groups: ["system:serviceaccounts", `system:serviceaccounts:${ns}`, "system:authenticated"],
        ...(ri.isResourceRequest
          ? { resourceAttributes: { verb: ri.verb, group: ri.apiGroup, resource: ri.resource, subresource: ri.subresource, name: ri.name, namespace: ri.namespace } }
          : { nonResourceAttributes: { verb: ri.verb, path: ri.path } }) };
      expect(got.local === undefined, `${method} ${path}`).toBe(engine.authorize(spec).allowed);
    }
  });
});
