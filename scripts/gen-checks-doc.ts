// Generates docs/checks.md (the check table: id, severity, what, why, other tools' ids) from engine.checks() of the
// built core (build/rbac-guard.wasm; `npm run build:wasm` first).
// Run: npm run docs:checks   (or: npx tsx scripts/gen-checks-doc.ts [--check])
// --check writes nothing and exits 1 when docs/checks.md is out of date.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createEngine } from "../bindings/index.js";
import { checksMarkdown } from "../host/lint/checks-doc.js";

const file = fileURLToPath(new URL("../docs/checks.md", import.meta.url));
const engine = await createEngine([]);
const text = checksMarkdown(engine.checks());
if (process.argv.includes("--check")) {
  let current = "";
  try {
    current = readFileSync(file, "utf8");
  } catch { /* missing: out of date */ }
  if (current !== text) {
    console.error("docs/checks.md is out of date: run npm run docs:checks");
    process.exit(1);
  }
} else {
  writeFileSync(file, text);
  console.log(`wrote docs/checks.md (${engine.checks().length} checks)`);
}
