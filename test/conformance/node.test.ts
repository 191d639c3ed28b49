// Every shared authorize vector, decided by the wasm engine in Node through each entry point:
// the public API (JS-side interning), the prepared fast path, the batch path, and the core's own JSON path.
import { describe, test, expect, beforeAll } from "vitest";
import { loadVectors } from "../vectors/load.js";
import { createEngine, type Engine } from "../../bindings/index.js";

const vectors = loadVectors("authorize");

describe.each(vectors)("$file", (v) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await createEngine(v.objects, { aggregate: v.options.aggregate });
  });
  test.each(v.requests)("$description", (r) => {
    const paths = [engine.authorize(r.spec), engine.authorizeJSON(r.spec)];
    try {
      paths.push(engine.check(engine.prepare(r.spec)));
    } catch (e) {
      paths.push({ allowed: false, reason: "", evaluationError: String(e) });
    }
    paths.push(engine.checkBatch(engine.prepareBatch([r.spec])).result(0));
    for (const got of paths) {
      if (r.expect.evaluationError) {
        expect(got.allowed).toBe(false);
        expect(got.evaluationError).toBeTruthy();
      } else {
        expect(got.evaluationError).toBeUndefined();
        expect({ allowed: got.allowed, reason: got.reason }).toEqual({ allowed: r.expect.allowed, reason: r.expect.reason });
      }
      expect(got.denied).toBeUndefined();
    }
  });
});

// One batch per vector file, in file order: the batch path decides many requests in one call into the core,
// and every answer must be the one check() gives alone (views and reason handles shared across the batch).
describe.each(vectors)("$file (one batch)", (v) => {
  test("batch answers equal one-by-one answers", async () => {
    const engine = await createEngine(v.objects, { aggregate: v.options.aggregate });
    const specs = v.requests.map((r) => r.spec);
    const batch = engine.checkBatch(engine.prepareBatch(specs)).results();
    expect(batch).toEqual(specs.map((s) => engine.authorize(s)));
  });
});
