// --help of who-can, can-i (--list, --explain), check-escalation and access-matrix: golden files, plus the
// essentials checked by name so that a wording change shows what it lost.
import { describe, expect, test, vi } from "vitest";
import { expectGolden } from "./golden.js";
import { runCli } from "./helpers.js";

// each test starts the CLI (a Node process compiling the wasm core) one or more times
vi.setConfig({ testTimeout: 60_000 });

const COMMANDS: Record<string, string[]> = {
  "who-can": ["<VERB>", "<TYPE>", "[NAME]", "-n, --namespace", "-A, --all-namespaces", "--subresource", "-f, --filename",
    "-o, --output", "system:masters", "(authorizer chain: always", "rule #N", "Examples:", "Exit codes"],
  "can-i": ["[VERB]", "[TYPE]", "--list", "--explain", "--no-headers", "-o, --output", "kubectl auth can-i --list",
    "grant: BINDING →", "Examples:", "Exit codes"],
  "check-escalation": ["<ROLE_FILE...>", "--as <user>", "--as-group", "-f, --filename", "--no-implicit-groups", "-o, --output",
    "escalate", "system:masters", "Error from server (Forbidden)", "aggregationRule", "Examples:", "Exit codes: 0 every role is allowed, 1"],
  "access-matrix": ["--as <user>", "--as-group", "-n, --namespace", "--explain", "--ascii", "-o, --output", "✔", "✖",
    'namespace ""', "deletecollection", "Examples:", "Exit codes"],
};

describe("--help of the access-question commands", () => {
  for (const [command, needles] of Object.entries(COMMANDS)) {
    test(`${command} --help`, async () => {
      const r = await runCli([command, "--help"]);
      expect(r.code).toBe(0);
      for (const s of needles) expect(r.stdout).toContain(s);
      expectGolden(`help-${command}.txt`, r.stdout);
    });
  }

  test("the root help lists the commands and the exit codes", async () => {
    const r = await runCli(["--help"]);
    expect(r.code).toBe(0);
    for (const s of ["who-can [options] <VERB> <TYPE> [NAME]", "access-matrix [options]", "check-escalation [options] <ROLE_FILE...>",
      "can-i [options] [VERB] [TYPE] [NAME]", "check-escalation: a role would be refused"]) {
      expect(r.stdout).toContain(s);
    }
    const h = await runCli(["help", "who-can"]);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain("Usage: rbac-guard who-can");
  });
});
