// Size budget of the release core module (issue #2): build/rbac-guard.wasm, as `npm run build:wasm` writes it, stays
// within 200 KiB. What keeps it there: the checks' literals packed as UTF-8 (scripts/packed-text.js, on the asc
// command line of build:wasm) and the JSON inputs read by assembly/abi/json-input.ts instead of json-as decoders.
import { statSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { wasmPath } from "../../bindings/load-node.js";

const BUDGET = 200 * 1024;

describe("size budget", () => {
  test(`build/rbac-guard.wasm is at most ${BUDGET} bytes (200 KiB)`, () => {
    const bytes = statSync(wasmPath()).size;
    expect(bytes, `build/rbac-guard.wasm is ${bytes} bytes, over the 200 KiB budget by ${bytes - BUDGET}`)
      .toBeLessThanOrEqual(BUDGET);
  });
});
