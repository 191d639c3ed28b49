// The shared vectors against build/rbac-guard-envoy.wasm: proof that the Envoy build answers like the library.
// - authorize/: the module's rbac_* exports (instantiated over stub proxy imports), driven through the
//   bindings' own memory and wire helpers, on the JSON path (rbac_authorize) and the interned fast path
//   (rbac_decide / rbac_decide_path), compared with the vector and with the Node engine;
// - requestinfo/: the module's rbac_request_info, and the filter itself (proxy_on_request_headers logs the
//   RequestInfo it resolved at TRACE level).
import { describe, test, expect, beforeAll } from "vitest";
import { loadVectors } from "../vectors/load.js";
import { loadRequestInfoVectors, requestInfoMismatches, caseTitle } from "../vectors/requestinfo/load.js";
import { createEngine, flattenLists, type SubjectAccessReviewSpec } from "../../bindings/index.js";
import { encodeWire } from "../../bindings/wire.js";
import { encode, takeOutput, takeStrings, withInput } from "../../bindings/memory.js";
import type { RawExports } from "../../bindings/exports.js";
import { stubImports, ProxyWasmHost, LogLevel } from "./host.js";
import { envoyModule } from "./module.js";

interface Answer { allowed: boolean; reason: string; evaluationError?: string }

/** The core ABI of the Envoy module, called the way bindings/engine.ts calls build/rbac-guard.wasm. */
class EnvoyCore {
  readonly ex: RawExports & { rbac_request_info(ptr: number, len: number, flags: number): number };
  readonly logs: string[] = [];
  private snapshot = 0;
  private ids = new Map<string, number>();

  constructor() {
    let memory: WebAssembly.Memory | undefined;
    const instance = new WebAssembly.Instance(envoyModule(), stubImports((_l, m) => this.logs.push(m), () => memory!));
    this.ex = instance.exports as any;
    memory = this.ex.memory;
    this.ex._initialize?.();
    expect(this.ex.rbac_abi_version.value).toBe(2);
  }

  load(objects: object[], aggregate: boolean): void {
    const input = encodeWire(flattenLists(objects));
    const out = JSON.parse(takeOutput(this.ex, withInput(this.ex, input, (p, n) => this.ex.rbac_load(p, n, aggregate ? 0 : 1))));
    expect(out.type).toBe("success");
    this.snapshot = out.snapshot;
    takeStrings(this.ex, this.ex.rbac_vocab(this.snapshot, 0)).forEach((s, i) => this.ids.set(s, i));
  }

  authorizeJSON(spec: SubjectAccessReviewSpec): Answer {
    const out = JSON.parse(takeOutput(this.ex, withInput(this.ex, encode(JSON.stringify(spec)), (p, n) => this.ex.rbac_authorize(this.snapshot, p, n, 0))));
    const a: Answer = { allowed: out.allowed, reason: out.reason };
    if (out.evaluationError) a.evaluationError = out.evaluationError;
    return a;
  }

  private id(s: unknown): number {
    const v = this.ids.get(typeof s === "string" ? s : "");
    return v === undefined ? -1 : v;
  }

  /** The fast path: strings interned against the vocabulary, integers across the boundary. */
  decide(spec: SubjectAccessReviewSpec): Answer {
    const ra = spec.resourceAttributes, na = spec.nonResourceAttributes;
    if ((ra == null) === (na == null)) return { allowed: false, reason: "", evaluationError: "one attribute block" };
    const groups = spec.groups ?? [];
    const ptr = this.ex.rbac_groups_buffer(Math.max(groups.length, 64));
    new Int32Array(this.ex.memory.buffer, ptr, groups.length).set(groups.map((g) => this.id(g)));
    const code = ra != null
      ? this.ex.rbac_decide(this.snapshot, this.id(spec.user), groups.length, this.id(ra.verb), this.id(ra.group), this.id(ra.resource),
        this.id(ra.subresource), this.id(ra.name), this.id(ra.namespace))
      : withInput(this.ex, encode(na!.path ?? ""), (p, n) => this.ex.rbac_decide_path(this.snapshot, this.id(spec.user), groups.length, this.id(na!.verb), p, n));
    expect(code).toBeGreaterThanOrEqual(0);
    return { allowed: (code & 1) === 1, reason: takeOutput(this.ex, this.ex.rbac_reason(this.snapshot, code >>> 1)) };
  }

  requestInfo(method: string, path: string): any {
    return JSON.parse(takeOutput(this.ex, withInput(this.ex, encode(JSON.stringify({ method, path })), (p, n) => this.ex.rbac_request_info(p, n, 0))));
  }
}

describe("authorize vectors on the Envoy build", () => {
  describe.each(loadVectors("authorize"))("$file", (v) => {
    let core: EnvoyCore;
    let node: Awaited<ReturnType<typeof createEngine>>;
    beforeAll(async () => {
      core = new EnvoyCore();
      core.load(v.objects, v.options.aggregate);
      node = await createEngine(v.objects, { aggregate: v.options.aggregate });
    });
    test.each(v.requests)("$description", (r) => {
      const spec = r.spec as SubjectAccessReviewSpec;
      const paths = [core.authorizeJSON(spec)];
      if (!r.expect.evaluationError) paths.push(core.decide(spec));
      for (const got of paths) {
        if (r.expect.evaluationError) {
          expect(got.allowed).toBe(false);
          expect(got.evaluationError).toBeTruthy();
        } else {
          expect(got.evaluationError).toBeUndefined();
          expect({ allowed: got.allowed, reason: got.reason }).toEqual({ allowed: r.expect.allowed, reason: r.expect.reason });
          const lib = node.authorize(spec);
          expect({ allowed: got.allowed, reason: got.reason }).toEqual({ allowed: lib.allowed, reason: lib.reason });
        }
      }
      expect(core.logs).toEqual([]); // no abort
    });
  });
});

describe("requestinfo vectors on the Envoy build", () => {
  const vectors = loadRequestInfoVectors();
  let core: EnvoyCore;
  let host: ProxyWasmHost;
  beforeAll(() => {
    core = new EnvoyCore();
    host = new ProxyWasmHost(envoyModule(), { logLevel: LogLevel.Trace });
    host.start();
    // no credentials on the requests: after RequestInfo, they pass through as non-JWT
    expect(host.configure({ mode: "enforce" })).toBe(true);
  });

  describe.each(vectors)("$file", (v) => {
    test.each(v.cases.map((c) => [caseTitle(c), c] as const))("%s", (_t, c) => {
      const viaABI = core.requestInfo(c.method, c.url);
      expect(viaABI.type).toBe("success");
      expect(requestInfoMismatches(viaABI, c.expect)).toEqual([]);

      const before = host.logs.length;
      const r = host.request({ method: c.method, path: c.url });
      const line = host.logs.slice(before).find((l) => l.message.startsWith("rbac-guard: request-info "));
      expect(line, "the filter logs the RequestInfo it resolved").toBeDefined();
      const viaFilter = JSON.parse(line!.message.slice("rbac-guard: request-info ".length));
      expect(requestInfoMismatches(viaFilter, c.expect)).toEqual([]);
      // kube-apiserver would refuse it itself: the filter refuses it too (fail closed); otherwise non-JWT passes
      if (c.expect.error === true) expect(r.local?.status).toBe(403);
      else expect(r.local).toBeUndefined();
    });
  });

  test("rbac_request_info refuses malformed input with a failure envelope, never trapping", () => {
    for (const input of ["{", "[]", "{\"method\": 1, \"path\": \"/\"}", "{\"method\": \"GET\", \"path\": null}", "\"x\""]) {
      const out = JSON.parse(takeOutput(core.ex, withInput(core.ex, encode(input), (p, n) => core.ex.rbac_request_info(p, n, 0))));
      expect(out.type, input).toBe("failure");
      expect(["BAD_JSON", "BAD_INPUT"]).toContain(out.errors[0].code);
    }
    expect(JSON.parse(takeOutput(core.ex, core.ex.rbac_request_info(0, 0, 2))).errors[0].code).toBe("BAD_FLAGS");
  });
});
