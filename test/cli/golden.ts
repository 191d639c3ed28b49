// Golden files for CLI output (test/golden/cli/). Compared exactly; `UPDATE_GOLDEN=1 npx vitest run test/cli`
// rewrites them (review the diff before keeping it).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { expect } from "vitest";
import { ROOT } from "./helpers.js";

export const GOLDEN_DIR = path.join(ROOT, "test/golden/cli");

export function expectGolden(name: string, actual: string): void {
  const file = path.join(GOLDEN_DIR, name);
  if (process.env.UPDATE_GOLDEN) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  if (!existsSync(file)) throw new Error(`missing golden file ${path.relative(ROOT, file)}: run with UPDATE_GOLDEN=1`);
  expect(actual, `output differs from ${path.relative(ROOT, file)} (UPDATE_GOLDEN=1 rewrites it)`).toBe(readFileSync(file, "utf8"));
}
