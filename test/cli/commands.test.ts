// --help, demo, exit code 3, and the package's main export.
import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, test, vi } from "vitest";
import { CLUSTER, FIXTURES, RBAC, ROOT, runCli } from "./helpers.js";

// each test starts the CLI (a Node process compiling the wasm core) one or more times
vi.setConfig({ testTimeout: 60_000 });

describe("--help", () => {
  test("root help documents the commands and exit codes", async () => {
    const r = await runCli(["--help"]);
    expect(r.code).toBe(0);
    for (const s of ["can-i", "authorize", "demo", "Exit codes:", "  0 ", "  1 ", "  2 ", "  3 ", "--filename", "stdin"]) {
      expect(r.stdout).toContain(s);
    }
  });

  test("can-i --help mentions every flag, implicit groups and has examples", async () => {
    const r = await runCli(["can-i", "--help"]);
    expect(r.code).toBe(0);
    for (const s of ["--as <user>", "--as-group", "-n, --namespace", "-A, --all-namespaces", "-f, --filename", "--subresource",
      "--reason", "--no-aggregate", "--no-implicit-groups", "--quiet", "system:authenticated", "system:unauthenticated",
      "system:serviceaccounts:NS", "Examples:", "Exit codes"]) {
      expect(r.stdout).toContain(s);
    }
  });

  test("authorize and demo --help; help COMMAND", async () => {
    const a = await runCli(["authorize", "--help"]);
    expect(a.code).toBe(0);
    for (const s of ["--input", "-f, --filename", "JSON Lines", "v1beta1", "spec.group", "evaluationError", "Examples:"]) {
      expect(a.stdout).toContain(s);
    }
    const d = await runCli(["demo", "--help"]);
    expect(d.code).toBe(0);
    expect(d.stdout).toContain("-f, --filename");
    expect(d.stdout).toContain("Examples:");
    const h = await runCli(["help", "can-i"]);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain("--as-group");
  });

  test("--version", async () => {
    const r = await runCli(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  test("no command is a usage error", async () => {
    const r = await runCli([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Usage: rbac-guard");
  });
});

describe("demo", () => {
  test("summarises examples/cluster and exits 0", async () => {
    const r = await runCli(["demo", "-f", CLUSTER]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/\x1b\[/);
    expect(r.stdout).toMatch(/146 objects from 5 files/);
    expect(r.stdout).toMatch(/^ {2}ClusterRole +62$/m);
    expect(r.stdout).toMatch(/^ {2}RoleBinding +10$/m);
    expect(r.stdout).toMatch(/cluster role bindings +44/);
    expect(r.stdout).toMatch(/role bindings +10/);
    expect(r.stdout).toContain('RBAC: allowed by RoleBinding "default-edit/shop" of ClusterRole "edit" to ServiceAccount "default/shop"');
    expect(r.stdout).toContain('RBAC: allowed by RoleBinding "oncall-exec/payments" of Role "oncall-exec" to Group "oncall"');
    expect(r.stdout).not.toContain("README expects");
    expect(r.stdout).toMatch(/^ {2}Group +oncall +- +2$/m);
    expect(r.stdout).toMatch(/^ {2}ServiceAccount +default +shop +1$/m);
    expect(r.stdout).toMatch(/^ {2}User +system:kube-scheduler +- +4$/m);
  });

  test("colours only when forced or on a TTY, never with NO_COLOR", async () => {
    const forced = await runCli(["demo", "-f", CLUSTER, "--quiet"], { env: { NO_COLOR: undefined, FORCE_COLOR: "1" } });
    expect(forced.code).toBe(0);
    expect(forced.stdout).toMatch(/\x1b\[/);
    const off = await runCli(["demo", "-f", CLUSTER, "--quiet"], { env: { NO_COLOR: "1", FORCE_COLOR: "1" } });
    expect(off.stdout).not.toMatch(/\x1b\[/);
  });

  test("runs on other manifests too", async () => {
    const r = await runCli(["demo", "-f", RBAC]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("README expects");
  });
});

describe("engine failure", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "rbac-guard-cli-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("a missing core module exits 3", async () => {
    // a copy of dist/ without build/rbac-guard.wasm next to it
    cpSync(path.join(ROOT, "dist"), path.join(dir, "dist"), { recursive: true });
    writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "rbac-guard", version: "0.0.0", type: "module" }));
    symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
    const r = await runCli(["can-i", "get", "pods", "--as", "dev", "-f", path.join(ROOT, RBAC)],
      { cli: path.join(dir, "dist/host/cli/main.js") });
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^error: policy engine failure: .*\[MODULE_NOT_FOUND\]$/m);
  });
});

describe("package main export (host/node)", () => {
  test("loadObjects returns plain objects; createEngine decides over them", async () => {
    const api = await import("../../host/node/index.js");
    const objects = await api.loadObjects([path.join(ROOT, RBAC)]);
    expect(objects.map((o: any) => o.kind)).toContain("ClusterRoleBinding");
    const engine = await api.createEngine(objects);
    expect(engine.authorize({ user: "prometheus", nonResourceAttributes: { verb: "get", path: "/metrics" } }).allowed).toBe(true);
    expect(typeof api.EngineError).toBe("function");
  });

  test("loadObjects throws listing the diagnostics; loadManifests returns the full LoadResult", async () => {
    const api = await import("../../host/node/index.js");
    const broken = path.join(ROOT, FIXTURES, "broken.yaml");
    await expect(api.loadObjects([broken])).rejects.toThrow(/broken\.yaml:\d+:\d+: error: .*\[YAML_SYNTAX\]/);
    const result = await api.loadManifests([broken, path.join(ROOT, RBAC)]);
    expect(result.diagnostics.some((d) => d.severity === "error" && d.code === "YAML_SYNTAX")).toBe(true);
    expect(result.objects.length).toBeGreaterThan(0);
    expect(result.objects[0].source.file).toContain("rbac.yaml");
  });
});
