// Every RequestInfo vector through the Node library's requestInfo() (the core's rbac_request_info).
import { describe, test, expect } from "vitest";
import { loadRequestInfoVectors, requestInfoMismatches, caseTitle } from "../vectors/requestinfo/load.js";
import { requestInfo, RequestInfoResolver, EngineError } from "../../bindings/index.js";

const vectors = loadRequestInfoVectors();

describe.each(vectors)("$file", (v) => {
  test.each(v.cases.map((c) => [caseTitle(c), c] as const))("%s", (_title, c) => {
    const got = requestInfo({ method: c.method, path: c.url });
    expect(requestInfoMismatches(got as unknown as Record<string, unknown>, c.expect)).toEqual([]);
  });
});

describe("requestInfo input", () => {
  test("refuses values that are not strings", () => {
    expect(() => requestInfo({ method: 1 as unknown as string, path: "/" })).toThrow(EngineError);
    expect(() => requestInfo(null as unknown as { method: string; path: string })).toThrow(/object/);
  });

  test("returns Kubernetes' field names and nothing else", () => {
    expect(Object.keys(requestInfo({ method: "GET", path: "/api/v1/namespaces/a/pods/b/log" })).sort()).toEqual(
      ["apiGroup", "apiPrefix", "apiVersion", "isResourceRequest", "name", "namespace", "parts", "path", "resource", "subresource", "verb"]);
  });

  test("a resolver can be made over any compatible module", async () => {
    const { loadModule } = await import("../../bindings/load-node.js");
    const r = new RequestInfoResolver(await loadModule());
    expect(r.resolve({ method: "DELETE", path: "/apis/apps/v1/namespaces/x/deployments" }).verb).toBe("deletecollection");
  });
});
