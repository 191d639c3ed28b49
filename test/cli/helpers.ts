// Runs the built CLI (dist/host/cli/main.js; `npm run build` first) as a child process.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const CLI = path.join(ROOT, "dist/host/cli/main.js");
export const CLUSTER = "examples/cluster";
export const FIXTURES = "test/fixtures/cli";
export const RBAC = `${FIXTURES}/rbac.yaml`;

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Written to the child's stdin (stdin is closed either way). */
  stdin?: string;
  /** Extra environment; a value of undefined removes the variable. */
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Another entry point (e.g. a copy of dist/). */
  cli?: string;
}

export function runCli(args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const cli = opts.cli ?? CLI;
  if (!existsSync(cli)) throw new Error(`${cli} does not exist: run \`npm run build\` before these tests`);
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  delete env.FORCE_COLOR;
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: opts.cwd ?? ROOT, env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.on("error", () => { /* the CLI may exit before reading stdin */ });
    child.stdin.end(opts.stdin ?? "");
  });
}

/** The stdout lines of a run, without the final empty one. */
export function lines(s: string): string[] {
  return s.split("\n").filter((l, i, all) => !(l === "" && i === all.length - 1));
}
