// The `console` blocks of examples/cluster/README.md: each `$ rbac-guard ...` command (optionally piped through
// `grep -E 'REGEX'`) is run and its standard output compared with the lines below it, exactly.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, test, vi } from "vitest";
import { ROOT, runCli } from "./helpers.js";

// each test starts the CLI (a Node process compiling the wasm core) one or more times
vi.setConfig({ testTimeout: 60_000 });

interface Example {
  command: string;
  args: string[];
  grep?: RegExp;
  expected: string;
}

function examples(markdown: string): Example[] {
  const out: Example[] = [];
  for (const m of markdown.matchAll(/^```console\n\$ rbac-guard (.*)\n([\s\S]*?)^```$/gm)) {
    const [commandLine, grep] = m[1].split(" | grep -E ");
    out.push({
      command: m[1],
      args: commandLine.trim().split(/\s+/),
      grep: grep === undefined ? undefined : new RegExp(grep.trim().replace(/^'(.*)'$/, "$1")),
      expected: m[2],
    });
  }
  return out;
}

describe("examples/cluster/README.md console blocks", () => {
  const readme = readFileSync(path.join(ROOT, "examples/cluster/README.md"), "utf8");
  const all = examples(readme);

  test("the README has the who-can, can-i --list, access-matrix and check-escalation examples", () => {
    expect(all.map((e) => e.args[0])).toEqual(["who-can", "can-i", "access-matrix", "check-escalation"]);
  });

  for (const e of all) {
    test(e.command, async () => {
      const r = await runCli(e.args);
      expect([0, 1]).toContain(r.code);
      let stdout = r.stdout;
      if (e.grep) stdout = stdout.split("\n").filter((l) => e.grep!.test(l)).map((l) => l + "\n").join("");
      expect(stdout).toBe(e.expected);
    });
  }
});
