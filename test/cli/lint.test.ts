// rbac-guard lint and scan: the three formats on examples/cluster (goldens), --fail-on exit codes, --only/--skip,
// .rbac-guard.yaml (suppressions, expiry, severity, custom checks, errors with file:line:col, discovery), annotation
// suppressions, SARIF 2.1.0 validated against the official JSON schema (ajv) plus GitHub code scanning's
// constraints, JSON positions checked against the YAML lines, --list-checks, --help, scan's top subjects, the
// progress bar, and docs/checks.md kept up to date.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { beforeAll, describe, expect, test, vi } from "vitest";
import { createEngine } from "../../bindings/index.js";
import { progressBar } from "../../host/cli/progress.js";
import { checksMarkdown } from "../../host/lint/checks-doc.js";
import { parseConfig } from "../../host/lint/config.js";
import { pathText } from "../../host/lint/report.js";
import { expectGolden } from "./golden.js";
import { CLUSTER, ROOT, runCli, type RunResult } from "./helpers.js";

// each test starts the CLI (a Node process compiling the wasm core) one or more times
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const LINT = "test/fixtures/lint";
const SUPPRESS = `${LINT}/suppress.yaml`;
const ANNOTATED = `${LINT}/annotated.yaml`;
const SCHEMA = path.join(ROOT, "test/fixtures/sarif/sarif-schema-2.1.0.json");

function fileLine(file: string, line: number): string {
  return readFileSync(path.join(ROOT, file), "utf8").split("\n")[line - 1] ?? "";
}

/** The SARIF validator: ajv (JSON Schema 2020-12, as the schema declares) with ajv-formats (uri, uri-reference, ...). */
function sarifValidator() {
  const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
  // strict: false because ajv's strict mode refuses schema idioms the SARIF schema uses (anyOf of bare `required`)
  const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: true });
  addFormats(ajv);
  return ajv.compile(JSON.parse(readFileSync(SCHEMA, "utf8")));
}

/** The run's version and working directory made stable for the golden file. */
function normaliseSarif(text: string): string {
  const root = pathToFileURL(ROOT.endsWith("/") ? ROOT : ROOT + "/").href;
  const version = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")).version as string;
  return text.split(root).join("file:///ROOT/")
    .split(`"version": "${version}"`).join('"version": "VERSION"')
    .split(`"semanticVersion": "${version}"`).join('"semanticVersion": "VERSION"');
}

/** The constraints GitHub code scanning puts on an upload, beyond the schema. */
function expectGitHubAcceptable(log: any): void {
  expect(log.version).toBe("2.1.0");
  expect(log.runs.length).toBeLessThanOrEqual(20);
  for (const run of log.runs) {
    const rules = run.tool.driver.rules as any[];
    expect(run.tool.driver.name).toBe("rbac-guard");
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
    for (const r of rules) {
      expect(r.shortDescription.text.length).toBeGreaterThan(0);
      expect(r.fullDescription.text.length).toBeGreaterThan(0);
      expect(r.help.text.length).toBeGreaterThan(0); // GitHub requires help (Multitool rule GH2012)
      expect(r.help.markdown.length).toBeGreaterThan(0);
      expect(["error", "warning", "note"]).toContain(r.defaultConfiguration.level);
      const sev = Number(r.properties["security-severity"]);
      expect(sev).toBeGreaterThan(0);
      expect(sev).toBeLessThanOrEqual(10);
      expect(r.properties.tags.length).toBeLessThanOrEqual(20);
      expect(r.name).not.toBe(r.id);
    }
    expect(run.results.length).toBeLessThanOrEqual(25_000);
    const fingerprints = new Set<string>();
    for (const res of run.results) {
      expect(rules.map((r) => r.id)).toContain(res.ruleId);
      expect(rules[res.ruleIndex].id).toBe(res.ruleId);
      expect(["error", "warning", "note"]).toContain(res.level);
      expect(res.message.text.length).toBeGreaterThan(0);
      expect(res.locations.length).toBeGreaterThanOrEqual(1);
      const pl = res.locations[0].physicalLocation;
      expect(pl.artifactLocation.uri).toMatch(/^[^/]/); // relative to the checkout (or file://)
      expect(pl.region.startLine).toBeGreaterThanOrEqual(1);
      expect(pl.region.startColumn).toBeGreaterThanOrEqual(1);
      if (!/^[a-z]+:/i.test(pl.artifactLocation.uri)) {
        expect(pl.artifactLocation.uriBaseId).toBe("%SRCROOT%");
        expect(run.originalUriBaseIds["%SRCROOT%"].uri).toMatch(/^file:\/\/\/.*\/$/);
        expect(existsSync(path.join(ROOT, decodeURIComponent(pl.artifactLocation.uri)))).toBe(true);
      }
      const fp = res.partialFingerprints["rbacGuardFinding/v1"];
      expect(fp).toMatch(/^[0-9a-f]{16}(:\d+)?$/);
      expect(fingerprints.has(fp)).toBe(false);
      fingerprints.add(fp);
      for (const rel of res.relatedLocations ?? []) expect(rel.physicalLocation.region.startLine).toBeGreaterThanOrEqual(1);
    }
  }
}

describe("lint on examples/cluster", () => {
  let text: RunResult;
  let json: RunResult;
  let sarif: RunResult;
  beforeAll(async () => {
    [text, json, sarif] = await Promise.all([
      runCli(["lint", "-f", CLUSTER, "--quiet"]),
      runCli(["lint", "-f", CLUSTER, "--quiet", "--format", "json"]),
      runCli(["lint", "-f", CLUSTER, "--quiet", "--format", "sarif"]),
    ]);
  });

  test("text: grouped by severity, positions, paths, one summary line (golden)", () => {
    expect(text.code).toBe(1); // critical and high findings, --fail-on high by default
    expect(text.stderr).toBe("");
    const out = text.stdout;
    const order = ["CRITICAL (2)", "HIGH (8)", "MEDIUM (10)", "LOW (4)"].map((h) => out.indexOf(h));
    expect(order.every((i, k) => i >= 0 && (k === 0 || i > order[k - 1]))).toBe(true);
    expect(out).toContain("examples/cluster/payments.yaml:92:9  critical  cluster-admin-binding  ClusterRoleBinding//debug-payments-tmp");
    expect(out).toContain("path: Deployment/shop/storefront → ServiceAccount/shop/default → RoleBinding/shop/default-edit → " +
      "ClusterRole//edit → ClusterRole//system:aggregate-to-edit → rule #0");
    expect(out).toContain("path: CronJob/ci/nightly-deploy → ServiceAccount/ci/deployer → ClusterRoleBinding//ci-deployer → " +
      "ClusterRole//ci-deployer → rule #0");
    expect(out.trimEnd().split("\n").at(-1)).toBe("24 findings: 2 critical, 8 high, 10 medium, 4 low (0 suppressed) in 146 objects");
    expect(out).not.toContain("\x1b[");
    expect(out).not.toContain("fix:");
    expectGolden("lint-cluster.txt", out);
  });

  test("text --explain adds the remediation under each finding (golden); colours on a forced TTY", async () => {
    const r = await runCli(["lint", "-f", CLUSTER, "--quiet", "--explain"]);
    expect(r.code).toBe(1);
    const lines = r.stdout.split("\n");
    const i = lines.findIndex((l) => l.includes("cluster-admin-binding  ClusterRoleBinding//debug-payments-tmp"));
    expect(lines.slice(i, i + 4).find((l) => l.startsWith("      fix: "))).toBeDefined();
    expect(lines.filter((l) => l.startsWith("      fix: ")).length).toBe(24);
    expectGolden("lint-cluster-explain.txt", r.stdout);
    const colour = await runCli(["lint", "-f", CLUSTER, "--quiet"], { env: { NO_COLOR: undefined, FORCE_COLOR: "1" } });
    expect(colour.stdout).toContain("\x1b[31m"); // critical/high in red
    expect(colour.stdout.replace(/\x1b\[\d+m/g, "")).toBe(text.stdout);
  });

  test("json: findings with file, line and column, and the summary (golden)", () => {
    expect(json.code).toBe(1);
    const data = JSON.parse(json.stdout);
    expect(Object.keys(data)).toEqual(["findings", "summary"]);
    expect(data.findings).toHaveLength(24);
    expect(data.summary.bySeverity).toEqual({ critical: 2, high: 8, medium: 10, low: 4 });
    for (const f of data.findings) {
      expect(Object.keys(f)).toEqual(["id", "concept", "severity", "object", "fieldPath", "message", "subjects", "path", "file",
        "line", "column"]);
    }
    expectGolden("lint-cluster.json", json.stdout);
  });

  test("json positions point at the offending YAML node", () => {
    const data = JSON.parse(json.stdout);
    const at = (id: string, object: string) => {
      const f = data.findings.find((x: any) => x.id === id && x.object === object);
      const line = fileLine(f.file, f.line);
      return { f, line, node: line.slice(f.column - 1) };
    };
    let r = at("cluster-admin-binding", "ClusterRoleBinding//debug-payments-tmp");
    expect(r.f.fieldPath).toBe("roleRef.name");
    expect(r.line.trim()).toBe("name: cluster-admin");
    expect(r.node).toBe("cluster-admin");
    r = at("projected-token-long-expiry", "Deployment/shop/cart-worker");
    expect(r.line.trim()).toBe("expirationSeconds: 172800");
    expect(r.node).toBe("172800");
    r = at("workload-privileged-sa", "Deployment/payments/payments-api");
    expect(r.line.trim()).toBe("serviceAccountName: api");
    r = at("wildcard-verbs", "ClusterRole//ci-deployer");
    expect(r.f.fieldPath).toBe("rules[0].verbs[0]");
    expect(r.node.startsWith('"*"')).toBe(true);
    r = at("secrets-read", "Role/payments/oncall-exec");
    expect(r.f.fieldPath).toBe("rules[2].verbs[0]");
    expect(r.line).toContain('verbs: ["get", "list"]');
    // every located finding points at a non-blank character of its file
    for (const f of data.findings) expect(fileLine(f.file, f.line).charAt(f.column - 1).trim()).not.toBe("");
  });

  test("sarif: valid against the SARIF 2.1.0 JSON schema (ajv) and acceptable to GitHub code scanning (golden)", () => {
    expect(sarif.code).toBe(1);
    const log = JSON.parse(sarif.stdout);
    const validate = sarifValidator();
    expect(validate(log), JSON.stringify(validate.errors, null, 2)).toBe(true);
    expectGitHubAcceptable(log);
    const run = log.runs[0];
    expect(run.tool.driver.rules).toHaveLength(50); // one per catalog check
    expect(run.results).toHaveLength(24);
    expect(run.originalUriBaseIds["%SRCROOT%"].uri).toBe(pathToFileURL(ROOT.endsWith("/") ? ROOT : ROOT + "/").href);
    const levels = Object.fromEntries(run.tool.driver.rules.map((r: any) => [r.id, [r.defaultConfiguration.level, r.properties["security-severity"]]]));
    expect(levels["cluster-admin-binding"]).toEqual(["error", "9.0"]);
    expect(levels["workload-create"]).toEqual(["error", "7.0"]);
    expect(levels["wildcard-verbs"]).toEqual(["warning", "5.0"]);
    expect(levels["unused-role"]).toEqual(["note", "3.0"]);
    const wc = run.tool.driver.rules.find((r: any) => r.id === "wildcard-verbs");
    expect(wc.help.text).toContain("Remediation:");
    expect(wc.help.text).toContain("Trivy KSV045");
    const res = run.results.find((r: any) => r.ruleId === "workload-privileged-sa" && r.properties.object === "Deployment/payments/payments-api");
    expect(res.level).toBe("error");
    expect(res.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: "examples/cluster/payments.yaml", uriBaseId: "%SRCROOT%", index: 3 },
      region: { startLine: 52, startColumn: 27 },
    });
    expect(res.relatedLocations.map((l: any) => l.message.text)).toEqual([
      "Workload: Deployment/payments/payments-api", "ServiceAccount: ServiceAccount/payments/api",
      "Binding: ClusterRoleBinding//debug-payments-tmp", "Role: ClusterRole//cluster-admin", "Rule: rule #0 of ClusterRole//cluster-admin"]);
    expectGolden("lint-cluster.sarif", normaliseSarif(sarif.stdout));
  });

  test("partial fingerprints do not move with the file's lines", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "rbac-guard-lint-"));
    try {
      const src = readFileSync(path.join(ROOT, CLUSTER, "payments.yaml"), "utf8");
      writeFileSync(path.join(dir, "payments.yaml"), "# a comment\n\n" + src);
      const a = await runCli(["lint", "-f", path.join(CLUSTER, "payments.yaml"), "--format", "sarif", "--quiet"]);
      const b = await runCli(["lint", "-f", path.join(dir, "payments.yaml"), "--format", "sarif", "--quiet"]);
      const fp = (r: RunResult) => JSON.parse(r.stdout).runs[0].results.map((x: any) => x.partialFingerprints["rbacGuardFinding/v1"]);
      expect(fp(b)).toEqual(fp(a));
      const lines = (r: RunResult) => JSON.parse(r.stdout).runs[0].results.map((x: any) => x.locations[0].physicalLocation.region.startLine);
      expect(lines(b)).toEqual(lines(a).map((l: number) => l + 2));
      // outside the working directory: an absolute file:// URI, without uriBaseId
      const loc = JSON.parse(b.stdout).runs[0].results[0].locations[0].physicalLocation.artifactLocation;
      expect(loc.uri).toBe(pathToFileURL(path.join(dir, "payments.yaml")).href);
      expect(loc.uriBaseId).toBeUndefined();
      expect(sarifValidator()(JSON.parse(b.stdout))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("exit codes and check selection", () => {
  test("--fail-on: 1 when an unsuppressed finding is at or above it, else 0", async () => {
    const code = async (...args: string[]) => (await runCli(["lint", "-f", CLUSTER, "--quiet", ...args])).code;
    expect(await code()).toBe(1);
    expect(await code("--fail-on", "critical")).toBe(1);
    expect(await code("--fail-on", "none")).toBe(0);
    // only medium findings: default-sa-automount, sa-secrets-reference
    const medium = ["--only", "default-sa-automount,sa-secrets-reference"];
    expect(await code(...medium)).toBe(0);
    expect(await code(...medium, "--fail-on", "high")).toBe(0);
    expect(await code(...medium, "--fail-on", "medium")).toBe(1);
    expect(await code(...medium, "--fail-on", "low")).toBe(1);
    // only low findings
    expect(await code("--only", "automount-token-enabled", "--fail-on", "medium")).toBe(0);
    expect(await code("--only", "automount-token-enabled", "--fail-on", "low")).toBe(1);
  });

  test("--only and --skip (comma-separated, repeatable)", async () => {
    const ids = async (...args: string[]) => {
      const r = await runCli(["lint", "-f", CLUSTER, "--quiet", "--format", "json", "--fail-on", "none", ...args]);
      expect(r.code).toBe(0);
      return [...new Set(JSON.parse(r.stdout).findings.map((f: any) => f.id))].sort();
    };
    expect(await ids("--only", "secrets-read,pods-exec")).toEqual(["pods-exec", "secrets-read"]);
    expect(await ids("--only", "secrets-read", "--only", "debug-rbac-leftover")).toEqual(["debug-rbac-leftover", "secrets-read"]);
    const skipped = await ids("--skip", "workload-privileged-sa,automount-token-enabled", "--skip", "default-sa-used");
    expect(skipped).not.toContain("workload-privileged-sa");
    expect(skipped).not.toContain("automount-token-enabled");
    expect(skipped).not.toContain("default-sa-used");
    expect(skipped).toContain("cluster-admin-binding");
  });

  test("exit 2: unknown check id, unreadable input, missing configuration, bad option value", async () => {
    let r = await runCli(["lint", "-f", CLUSTER, "--only", "secrets-reed"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--only: unknown check `secrets-reed`");
    r = await runCli(["lint", "-f", "no/such/dir"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("no/such/dir: error: no such file or directory [NOT_FOUND]");
    r = await runCli(["lint", "-f", CLUSTER, "--config", "no-such-config.yaml"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("cannot read the lint configuration no-such-config.yaml: no such file");
    r = await runCli(["lint", "-f", CLUSTER, "--fail-on", "severe"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Allowed choices are critical, high, medium, low, none");
    r = await runCli(["lint"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("no input");
  });

  test("-o FILE writes the report there, nothing on stdout", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "rbac-guard-lint-"));
    try {
      const out = path.join(dir, "report.json");
      const r = await runCli(["lint", "-f", CLUSTER, "--quiet", "--format", "json", "-o", out]);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe("");
      expect(JSON.parse(readFileSync(out, "utf8")).findings).toHaveLength(24);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("suppressions and configuration", () => {
  test("config suppressions (kept, listed apart, not failing), an expired one reported at its line, severity override", async () => {
    const r = await runCli(["lint", "-f", CLUSTER, "--config", SUPPRESS, "--quiet", "--format", "json"]);
    expect(r.code).toBe(1);
    const data = JSON.parse(r.stdout);
    const find = (id: string, object: string) => data.findings.find((f: any) => f.id === id && f.object === object);
    expect(find("cluster-admin-binding", "ClusterRoleBinding//debug-payments-tmp").suppressed).toEqual({
      reason: "INC-4821, removed after the settlement replay", expires: "2099-12-31", source: "config" });
    expect(find("default-sa-binding", "RoleBinding/shop/default-edit").suppressed).toEqual({
      reason: "the storefront moves to its own ServiceAccount in SHOP-12", source: "config" });
    // the expired suppression no longer applies, and is itself a finding located in the configuration
    expect(find("secrets-read", "Role/payments/oncall-exec").suppressed).toBeUndefined();
    const expired = find("expired-suppression", "Role/payments/oncall-*");
    expect(expired.severity).toBe("low");
    expect(expired.message).toContain("expired on 2020-01-31");
    expect(expired.file).toBe(SUPPRESS);
    expect(fileLine(SUPPRESS, expired.line)).toContain('- concept: "*"');
    expect(find("debug-rbac-leftover", "ClusterRoleBinding//debug-payments-tmp").severity).toBe("high");
    expect(data.summary.suppressed).toBe(2);

    const t = await runCli(["lint", "-f", CLUSTER, "--config", SUPPRESS, "--quiet"]);
    const suppressed = t.stdout.slice(t.stdout.indexOf("SUPPRESSED (2)"));
    expect(suppressed).toContain("suppressed by the lint configuration: INC-4821, removed after the settlement replay (until 2099-12-31)");
    expect(t.stdout).toMatch(/test\/fixtures\/lint\/suppress\.yaml:10:5 {2}low {2}expired-suppression/);
    expect(t.stdout.trimEnd().split("\n").at(-1)).toBe("23 findings: 1 critical, 9 high, 9 medium, 4 low (2 suppressed) in 146 objects");
    // a suppressed critical does not fail --fail-on critical
    const crit = await runCli(["lint", "-f", CLUSTER, "--config", SUPPRESS, "--quiet", "--only", "cluster-admin-binding", "--fail-on", "critical"]);
    expect(crit.code).toBe(0);
  });

  test("annotation suppression (rbac-guard.io/ignore) and SARIF suppressions: inSource and external", async () => {
    const r = await runCli(["lint", "-f", ANNOTATED, "--quiet", "--format", "json", "--fail-on", "none"]);
    expect(r.code).toBe(0);
    const data = JSON.parse(r.stdout);
    const f = data.findings.find((x: any) => x.id === "secrets-read" && x.object === "ClusterRole//backup-reader");
    expect(f.suppressed).toEqual({ reason: "the backup job copies every Secret to the vault, by design (SEC-7)", source: "annotation" });
    expect(data.findings.find((x: any) => x.object === "ClusterRole//config-writer" && !x.suppressed)).toBeDefined();

    const s = await runCli(["lint", "-f", CLUSTER, "-f", ANNOTATED, "--config", SUPPRESS, "--quiet", "--format", "sarif"]);
    const log = JSON.parse(s.stdout);
    const validate = sarifValidator();
    expect(validate(log), JSON.stringify(validate.errors, null, 2)).toBe(true);
    expectGitHubAcceptable(log);
    const results = log.runs[0].results;
    const byRule = (id: string, object: string) => results.find((x: any) => x.ruleId === id && x.properties.object === object);
    expect(byRule("secrets-read", "ClusterRole//backup-reader").suppressions).toEqual([{
      kind: "inSource", status: "accepted", justification: "the backup job copies every Secret to the vault, by design (SEC-7)" }]);
    expect(byRule("cluster-admin-binding", "ClusterRoleBinding//debug-payments-tmp").suppressions).toEqual([{
      kind: "external", status: "accepted", justification: "INC-4821, removed after the settlement replay (until 2099-12-31)" }]);
    expect(byRule("pods-exec", "Role/payments/oncall-exec").suppressions).toBeUndefined();
    const expired = byRule("expired-suppression", "Role/payments/oncall-*");
    expect(expired.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: SUPPRESS, uriBaseId: "%SRCROOT%" }, region: { startLine: 10, startColumn: 5 } });

    const t = await runCli(["lint", "-f", ANNOTATED, "--quiet", "--fail-on", "none"]);
    expect(t.stdout).toContain("suppressed by annotation rbac-guard.io/ignore: the backup job copies every Secret to the vault");
  });

  test("custom checks from the configuration: findings, a SARIF rule with help, --list-checks row", async () => {
    const cfg = `${LINT}/custom.yaml`;
    const r = await runCli(["lint", "-f", ANNOTATED, "--config", cfg, "--quiet", "--format", "sarif", "--fail-on", "none"]);
    const log = JSON.parse(r.stdout);
    expect(sarifValidator()(log)).toBe(true);
    expectGitHubAcceptable(log);
    const rule = log.runs[0].tool.driver.rules.find((x: any) => x.id === "configmap-writers");
    expect(rule.help.text).toContain("update on configmaps");
    expect(rule.defaultConfiguration.level).toBe("warning");
    expect(log.runs[0].results.some((x: any) => x.ruleId === "configmap-writers")).toBe(true);
    const l = await runCli(["lint", "--list-checks", "--config", cfg]);
    expect(l.stdout).toMatch(/configmap-writers +medium +role +writes ConfigMaps other teams read/);
  });

  test("unknown configuration key: exit 2 with file:line:col", async () => {
    const r = await runCli(["lint", "-f", CLUSTER, "--config", `${LINT}/unknown-key.yaml`]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(`${LINT}/unknown-key.yaml:2:1: error: unknown key "supressions" (known: only, skip, severity,`);
    expect(fileLine(`${LINT}/unknown-key.yaml`, 2).startsWith("supressions:")).toBe(true);
  });

  test("malformed entries: every error with its position, nothing ignored", async () => {
    const f = `${LINT}/bad-entries.yaml`;
    const r = await runCli(["lint", "-f", CLUSTER, "--config", f]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${f}:1:28: error: maxTokenExpirationSeconds must be a whole number of seconds, not the string "one day"`);
    expect(r.stderr).toContain(`${f}:2:22: error: sensitiveNamespaces must be a list of strings, not the string "payments"`);
    expect(r.stderr).toContain(`${f}:4:5: error: suppressions[0] needs \`reason\``);
    expect(r.stderr).toContain(`${f}:9:5: error: unknown key "until" in suppressions[1] (known: concept, object, reason, expires)`);
    expect(r.stderr).toContain(`error: 4 errors in the lint configuration ${f}`);
  });

  test("values the engine refuses (BAD_CONFIG) are mapped back to their line", async () => {
    const f = `${LINT}/bad-check-id.yaml`;
    const r = await runCli(["lint", "-f", CLUSTER, "--config", f]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${f}:3:3: error: unknown check \`secret-reads\` (severity["secret-reads"])`);
    expect(fileLine(f, 3).trim()).toBe("secret-reads: critical");
  });

  test("parseConfig: YAML syntax errors, duplicate keys, an empty file, engine paths to positions", () => {
    expect(parseConfig("", "c.yaml")).toMatchObject({ config: {}, errors: [] });
    expect(parseConfig("# nothing yet\n", "c.yaml").errors).toEqual([]);
    const dup = parseConfig("skip: [a]\nskip: [b]\n", "c.yaml");
    expect(dup.errors[0]).toMatchObject({ file: "c.yaml", line: 2, column: 1 });
    const syntax = parseConfig("skip: [a\n", "c.yaml");
    expect(syntax.errors.length).toBeGreaterThan(0);
    expect(syntax.errors[0].line).toBeGreaterThanOrEqual(1);
    expect(parseConfig("- a\n", "c.yaml").errors[0].message).toContain("must be a mapping");
    const ok = parseConfig("suppressions:\n  - concept: x\n    object: \"*\"\n    reason: r\n", "c.yaml");
    expect(ok.errors).toEqual([]);
    expect(ok.positionOf("suppressions[0].reason")).toEqual({ file: "c.yaml", line: 4, column: 5 });
    expect(ok.positionOf("suppressions[0].expires")).toEqual({ file: "c.yaml", line: 2, column: 5 }); // nearest: the entry
    expect(ok.positionOf("suppressions[0]")).toEqual({ file: "c.yaml", line: 2, column: 5 });
  });

  test(".rbac-guard.yaml is found next to the input (or in the cwd); --no-config ignores it", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "rbac-guard-lint-"));
    try {
      copyFileSync(path.join(ROOT, ANNOTATED), path.join(dir, "rbac.yaml"));
      writeFileSync(path.join(dir, ".rbac-guard.yaml"), "skip: [unused-role]\nsuppressions:\n  - concept: \"*\"\n" +
        "    object: ClusterRole//config-writer\n    reason: ConfigMaps are this team's own\n");
      const ids = (r: RunResult) => JSON.parse(r.stdout).findings.filter((f: any) => !f.suppressed).map((f: any) => f.object);
      const found = await runCli(["lint", "-f", dir, "--format", "json", "--quiet", "--fail-on", "none"]);
      expect(ids(found)).not.toContain("ClusterRole//config-writer");
      const byFile = await runCli(["lint", "-f", path.join(dir, "rbac.yaml"), "--format", "json", "--quiet", "--fail-on", "none"]);
      expect(ids(byFile)).toEqual(ids(found));
      const inCwd = await runCli(["lint", "-f", "rbac.yaml", "--format", "json", "--quiet", "--fail-on", "none"], { cwd: dir });
      expect(ids(inCwd)).toEqual(ids(found));
      const ignored = await runCli(["lint", "-f", dir, "--no-config", "--format", "json", "--quiet", "--fail-on", "none"]);
      expect(ids(ignored)).toContain("ClusterRole//config-writer");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("--list-checks, --help, scan", () => {
  test("--list-checks: the check table (golden); --format json: the catalog", async () => {
    const r = await runCli(["lint", "--list-checks"]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ID +SEVERITY +ANCHOR +TITLE$/);
    expect(lines).toHaveLength(51);
    expect(r.stdout).toMatch(/\nnodes-proxy +critical +role +Proxy to the kubelet \(nodes\/proxy\)\n/);
    expectGolden("lint-list-checks.txt", r.stdout);
    const j = await runCli(["lint", "--list-checks", "--format", "json"]);
    const catalog = JSON.parse(j.stdout);
    expect(catalog).toHaveLength(50);
    expect(Object.keys(catalog[0])).toEqual(["id", "severity", "anchor", "title", "rationale", "remediation", "tools"]);
  });

  test("lint --help documents the options, the configuration and examples (golden)", async () => {
    const r = await runCli(["lint", "--help"]);
    expect(r.code).toBe(0);
    for (const s of ["-f, --filename", "--format <format>", "-o, --output <file>", "--fail-on <severity>", "--config <file>",
      "--no-config", "--only <ids>", "--skip <ids>", "--explain", "--list-checks", "suppressions:", "customChecks:",
      "rbac-guard.io/ignore", "expired-suppression", "%SRCROOT%", "Examples:", "Exit codes: 0"]) {
      expect(r.stdout).toContain(s);
    }
    expectGolden("help-lint.txt", r.stdout);
    // the configuration example of the help is a valid configuration
    const example = r.stdout.slice(r.stdout.indexOf("Configuration ("), r.stdout.indexOf("\nThe object a finding"))
      .split("\n").slice(1).map((l) => l.slice(2)).join("\n");
    const parsed = parseConfig(example, "help.yaml");
    expect(parsed.errors).toEqual([]);
    expect(Object.keys(parsed.config)).toEqual(["only", "skip", "severity", "sensitiveNamespaces", "sensitiveConfigMaps",
      "maxTokenExpirationSeconds", "customChecks", "suppressions"]);
    const dir = mkdtempSync(path.join(tmpdir(), "rbac-guard-lint-"));
    try {
      writeFileSync(path.join(dir, "help.yaml"), example);
      const run = await runCli(["lint", "-f", CLUSTER, "--config", path.join(dir, "help.yaml"), "--quiet"]);
      expect(run.stderr).toBe("");
      expect(run.code).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const root = await runCli(["--help"]);
    expect(root.stdout).toMatch(/\n  lint \[options\] +run the guardrail checks/);
    expect(root.stdout).toMatch(/\n  scan \[options\] +guardrail report/);
    const scan = await runCli(["scan", "--help"]);
    expect(scan.stdout).toContain("Usage: rbac-guard scan [options]");
    expect(scan.stdout).toContain("--top <n>");
  });

  test("scan: the report, then the most dangerous subjects and what each can reach (golden); exit 0", async () => {
    const r = await runCli(["scan", "-f", CLUSTER, "--quiet"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("24 findings: 2 critical, 8 high, 10 medium, 4 low (0 suppressed) in 146 objects");
    const top = r.stdout.slice(r.stdout.indexOf("MOST DANGEROUS SUBJECTS"));
    const heads = top.split("\n").filter((l) => /^ {2}\S/.test(l));
    expect(heads).toEqual([
      "  ServiceAccount payments/api: cluster-admin via ClusterRoleBinding//debug-payments-tmp",
      "  User alice@example.com: cluster-admin via ClusterRoleBinding//debug-payments-tmp",
      "  ServiceAccount ci/deployer: create workloads, write ConfigMaps, write Services cluster-wide via " +
        "ClusterRoleBinding//ci-deployer → ClusterRole//ci-deployer",
      "  ServiceAccount shop/default: read Secrets, write Secrets, create pods, create workloads, exec into pods, " +
        "impersonate ServiceAccounts, write ConfigMaps, write Services in namespace shop via RoleBinding/shop/default-edit → ClusterRole//edit",
      "  Group oncall: read Secrets, exec into pods in namespace payments via RoleBinding/payments/oncall-exec → Role/payments/oncall-exec",
    ]);
    expect(top).toContain("3 findings: 2 critical, 1 low; token in Deployment/payments/payments-api");
    expect(top).toContain("token in Deployment/shop/storefront, Deployment/shop/cart-worker");
    expectGolden("scan-cluster.txt", r.stdout);
  });
});

describe("progress bar and checks doc", () => {
  test("drawn on a terminal for inputs above 2,000 objects only, and erased", () => {
    let out = "";
    const tty = { isTTY: true, columns: 60, write: (s: string) => ((out += s), true) };
    const small = progressBar(tty, 2000);
    small.update(1, 3, "linting");
    small.end();
    expect(out).toBe("");
    const pipe = progressBar({ ...tty, isTTY: false }, 50_000);
    pipe.update(1, 3, "linting");
    expect(out).toBe("");
    const bar = progressBar(tty, 2001);
    bar.update(1, 3, "running 50 checks over 2001 objects");
    expect(out).toBe("\r\x1b[2K[########----------------]  33% running 50 checks over 2001"); // cut at 59 columns
    bar.update(3, 3, "done");
    bar.end();
    expect(out.endsWith("\r\x1b[2K")).toBe(true);
    expect(out).toContain("[########################] 100% done");
  });

  test("a long input on a pipe: no progress output, same report", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "rbac-guard-lint-"));
    try {
      const items = Array.from({ length: 2100 }, (_, i) => ({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: `sa-${i}`, namespace: "bulk" } }));
      writeFileSync(path.join(dir, "many.json"), JSON.stringify({ apiVersion: "v1", kind: "List", items }));
      const r = await runCli(["lint", "-f", path.join(dir, "many.json"), "--fail-on", "none"]);
      expect(r.code).toBe(0);
      expect(r.stderr).not.toContain("\r");
      expect(r.stdout.trimEnd().split("\n").at(-1)).toBe("0 findings: 0 critical, 0 high, 0 medium, 0 low (0 suppressed) in 2100 objects");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("docs/checks.md is generated from engine.checks() and up to date (npm run docs:checks)", async () => {
    const engine = await createEngine([]);
    const expected = checksMarkdown(engine.checks());
    expect(readFileSync(path.join(ROOT, "docs/checks.md"), "utf8"), "docs/checks.md is out of date: run npm run docs:checks").toBe(expected);
    for (const c of engine.checks()) expect(expected).toContain(`| \`${c.id}\` | ${c.severity} | `);
  });

  test("path text", () => {
    expect(pathText([
      { kind: "Workload", object: "Deployment/shop/storefront" },
      { kind: "ServiceAccount", object: "ServiceAccount/shop/default" },
      { kind: "Binding", object: "RoleBinding/shop/default-edit" },
      { kind: "Role", object: "ClusterRole//edit" },
      { kind: "Rule", object: "ClusterRole//edit", ruleIndex: 3 },
    ])).toBe("Deployment/shop/storefront → ServiceAccount/shop/default → RoleBinding/shop/default-edit → ClusterRole//edit → rule #3");
  });
});
