// What the web page's source highlight and exports rely on, in Node (no browser): host/lint/locate.ts (a finding's
// fieldPath → its lines) and the shared SARIF builder host/lint/sarif.ts, on synthetic findings and on the
// examples/cluster lint.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { createEngine, type CheckInfo, type LintFinding } from "../../bindings/index.js";
import { parseText } from "../../host/k8s/parse.js";
import { objectKey, parseFieldPath, SourceIndex } from "../../host/lint/locate.js";
import { fileUri, fingerprint, sarifLevel, toSarif } from "../../host/lint/sarif.js";
import { REPO_ROOT } from "../vectors/load.js";

const check: CheckInfo = {
  id: "wildcard-verbs", severity: "medium", anchor: "role", title: "Wildcard verbs", rationale: "A `*` grants every verb.",
  remediation: "List the verbs.", tools: ["Trivy KSV045"],
};

function finding(over: Partial<LintFinding> = {}): LintFinding {
  return {
    id: "wildcard-verbs", concept: "wildcard-verbs", severity: "medium", object: "ClusterRole//ci", objectIndex: 0,
    fieldPath: "rules[0].verbs[0]", message: "ClusterRole//ci allows every verb", subjects: [{ kind: "ServiceAccount", name: "d", namespace: "ci" }],
    path: [{ kind: "Binding", object: "ClusterRoleBinding//ci" }, { kind: "Role", object: "ClusterRole//ci" },
      { kind: "Rule", object: "ClusterRole//ci", ruleIndex: 0 }],
    ...over,
  };
}

describe("parseFieldPath", () => {
  test.each([
    ["", []],
    ["roleRef.name", ["roleRef", "name"]],
    ["rules[2].verbs[0]", ["rules", 2, "verbs", 0]],
    ["spec.template.spec.volumes[0].projected.sources[1].serviceAccountToken.expirationSeconds",
      ["spec", "template", "spec", "volumes", 0, "projected", "sources", 1, "serviceAccountToken", "expirationSeconds"]],
    ['metadata.annotations["rbac-guard.io/ignore"]', ["metadata", "annotations", "rbac-guard.io/ignore"]],
    ['metadata.labels["a\\"b.c"]', ["metadata", "labels", 'a"b.c']],
  ])("%s", (text, path) => {
    expect(parseFieldPath(text)).toEqual(path);
  });
  test.each(["rules[x]", ".a", 'a["b"', "a[1"])("%s is not a path", (text) => {
    expect(parseFieldPath(text)).toBeUndefined();
  });
});

describe("SourceIndex.locate", () => {
  const yaml = `# roles
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: r
  namespace: a
rules:
  - apiGroups: [""]
    resources: ["pods"]
    verbs: ["get"]

  # the second rule
  - apiGroups: ["apps"]
    resources: ["*"]
    verbs: ["*"]
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: s
  namespace: a
`;
  const objects = parseText(yaml, "a.yaml").objects;
  const index = new SourceIndex(objects, new Map([["a.yaml", yaml]]));

  test("the node's line, widened to its rule without trailing blank or comment lines", () => {
    expect(index.locate(0, "rules[0].verbs[0]")).toMatchObject({ file: "a.yaml", line: 10, from: 8, to: 10 });
    expect(index.locate(0, "rules[1].resources[0]")).toMatchObject({ line: 14, from: 13, to: 15 });
  });

  test("a path without index is the node itself; an empty path the whole object", () => {
    expect(index.locate(0, "metadata.name")).toMatchObject({ line: 5, from: 5, to: 5 });
    expect(index.locate(1, "")).toMatchObject({ line: 17, from: 17, to: 21 });
  });

  test("a default filled in by the loader falls back to the nearest located parent; no object, no location", () => {
    expect(index.locate(1, "automountServiceAccountToken")).toMatchObject({ line: 17 });
    expect(index.locate(-1, "suppressions[0]")).toBeUndefined();
  });

  test("objects are found by Kind/namespace/name", () => {
    expect(objectKey(objects[1].object)).toBe("ServiceAccount/a/s");
    expect(index.indexOf("ServiceAccount/a/s")).toBe(1);
    expect(index.indexOf("ServiceAccount/a/missing")).toBe(-1);
  });

  test("JSON inputs: positions inside Lists", () => {
    const json = JSON.stringify({ kind: "List", items: [{ apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole",
      metadata: { name: "x" }, rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get"] },
        { apiGroups: [""], resources: ["secrets"], verbs: ["*"] }] }] }, null, 2);
    const o = parseText(json, "l.json").objects;
    const loc = new SourceIndex(o, new Map([["l.json", json]])).locate(0, "rules[1].verbs[0]")!;
    const lines = json.split("\n");
    expect(lines[loc.line - 1].trim()).toBe('"*"');
    expect(lines[loc.from - 1].trim()).toBe("{");
    expect(lines[loc.to - 1].trim()).toBe("}");
    expect(lines.slice(loc.from - 1, loc.to).join("\n")).toContain('"secrets"');
  });
});

describe("toSarif", () => {
  test("a SARIF 2.1.0 log: one rule per check, one result per finding, levels and security-severity", () => {
    const log = toSarif({
      findings: [finding(), finding({ id: "custom-x", concept: "custom", severity: "critical", fieldPath: "", path: [] })],
      checks: [check],
      files: ["dir/my file.yaml"],
      locate: (f) => (f.id === "custom-x" ? undefined : { file: "dir/my file.yaml", line: 10, column: 12, endLine: 11 }),
      locateObject: (key) => (key === "ClusterRoleBinding//ci" ? { file: "dir/my file.yaml", line: 20 } : undefined),
      toolVersion: "1.2.3",
    });
    expect(log.version).toBe("2.1.0");
    const run = log.runs[0];
    expect(run.tool.driver).toMatchObject({ name: "rbac-guard", version: "1.2.3", semanticVersion: "1.2.3" });
    expect(run.columnKind).toBe("utf16CodeUnits");
    const rules = run.tool.driver.rules!;
    expect(rules.map((r) => r.id)).toEqual(["wildcard-verbs", "custom-x"]);
    expect(rules[0]).toMatchObject({
      name: "WildcardVerbs", shortDescription: { text: "Wildcard verbs" }, fullDescription: { text: "A `*` grants every verb." },
      defaultConfiguration: { level: "warning" }, properties: { tags: ["security", "kubernetes", "rbac"] },
    });
    expect(Number(rules[0].properties!["security-severity"])).toBeGreaterThanOrEqual(4);
    expect(Number(rules[0].properties!["security-severity"])).toBeLessThan(7);
    expect(rules[0].help!.text).toContain("Remediation: List the verbs.");
    expect(rules[0].help!.text).toContain("Trivy KSV045");
    expect(run.artifacts).toEqual([{ location: { uri: "dir/my%20file.yaml" }, roles: ["analysisTarget"] }]);
    const [a, b] = run.results!;
    expect(a).toMatchObject({ ruleId: "wildcard-verbs", ruleIndex: 0, level: "warning", message: { text: "ClusterRole//ci allows every verb" } });
    expect(a.locations![0].physicalLocation).toEqual({
      artifactLocation: { uri: "dir/my%20file.yaml", index: 0 }, region: { startLine: 10, startColumn: 12, endLine: 11 },
    });
    expect(a.locations![0].logicalLocations).toEqual([{ fullyQualifiedName: "ClusterRole//ci.rules[0].verbs[0]", name: "rules[0].verbs[0]", kind: "object" }]);
    const steps = a.codeFlows![0].threadFlows[0].locations;
    expect(steps.map((s) => s.location!.message!.text)).toEqual(["Binding: ClusterRoleBinding//ci", "Role: ClusterRole//ci",
      "Rule: rule #0 of ClusterRole//ci"]);
    expect(steps[0].location!.physicalLocation!.region).toEqual({ startLine: 20 });
    expect(steps[1].location!.physicalLocation).toBeUndefined();
    expect(steps[2].location!.physicalLocation!.region!.startLine).toBe(10);
    // a custom check gets a rule of its own; a finding without position keeps its logical location
    expect(b).toMatchObject({ ruleId: "custom-x", ruleIndex: 1, level: "error" });
    expect(b.locations![0].physicalLocation).toBeUndefined();
    expect(b.codeFlows).toBeUndefined();
    expect(Number(rules[1].properties!["security-severity"])).toBeGreaterThanOrEqual(9);
  });

  test("suppressed findings stay, with an inSource or external suppression", () => {
    const log = toSarif({
      findings: [
        finding({ suppressed: { reason: "break-glass", source: "annotation" } }),
        finding({ object: "ClusterRole//other", suppressed: { reason: "ticket 12", expires: "2030-01-01", source: "config" } }),
      ],
      checks: [check],
    });
    const [a, b] = log.runs[0].results!;
    expect(a.suppressions).toEqual([{ kind: "inSource", status: "accepted", justification: "break-glass" }]);
    expect(b.suppressions).toEqual([{ kind: "external", status: "accepted", justification: "ticket 12 (until 2030-01-01)" }]);
    expect(log.runs[0].artifacts).toBeUndefined();
  });

  test("fingerprints are stable and tell findings apart", () => {
    const fp = (f: LintFinding) => toSarif({ findings: [f], checks: [check] }).runs[0].results![0].partialFingerprints!["rbacGuardFinding/v1"];
    expect(fp(finding())).toBe(fp(finding({ message: "reworded" })));
    expect(fp(finding())).not.toBe(fp(finding({ fieldPath: "rules[1].verbs[0]" })));
    expect(fp(finding())).not.toBe(fp(finding({ object: "ClusterRole//other" })));
    expect(fingerprint("")).toMatch(/^[0-9a-f]{16}$/);
  });

  test("file URIs: relative paths stay relative, absolute ones become file:// URIs, segments are encoded", () => {
    expect(fileUri("examples/cluster/ci.yaml")).toBe("examples/cluster/ci.yaml");
    expect(fileUri("/work/a b/#1.yaml")).toBe("file:///work/a%20b/%231.yaml");
    expect(fileUri("C:\\rbac\\ci.yaml")).toBe("file:///C:/rbac/ci.yaml");
    expect(fileUri("pasted.yaml")).toBe("pasted.yaml");
    expect(sarifLevel("high")).toBe("error");
    expect(sarifLevel("low")).toBe("note");
  });

  test("the examples/cluster lint: every result points into its file at the offending node", async () => {
    const files = ["ci.yaml", "shop.yaml", "payments.yaml", "inventory.yaml", "bootstrap-rbac.json"].map((name) => ({
      name: `examples/cluster/${name}`, text: readFileSync(join(REPO_ROOT, "examples/cluster", name), "utf8"),
    }));
    const objects = files.flatMap((f) => parseText(f.text, f.name).objects);
    const engine = await createEngine(objects.map((o) => o.object));
    const lint = engine.lint();
    const index = new SourceIndex(objects, new Map(files.map((f) => [f.name, f.text])));
    const log = toSarif({
      findings: lint.findings, checks: engine.checks(), files: files.map((f) => f.name),
      locate: (f) => {
        const l = index.locate(f.objectIndex, f.fieldPath);
        return l && { file: l.file, line: l.line, column: l.column, endLine: l.to };
      },
    });
    const results = log.runs[0].results!;
    expect(results).toHaveLength(lint.findings.length);
    for (const r of results) {
      const p = r.locations![0].physicalLocation!;
      expect(p, r.ruleId).toBeDefined();
      const file = files[p.artifactLocation!.index!];
      expect(p.artifactLocation!.uri).toBe(file.name);
      expect(p.region!.startLine).toBeGreaterThan(0);
      expect(p.region!.startLine).toBeLessThanOrEqual(file.text.split("\n").length);
    }
    const wc = results.find((r) => r.ruleId === "wildcard-verbs")!;
    const line = files[0].text.split("\n")[wc.locations![0].physicalLocation!.region!.startLine! - 1];
    expect(line).toContain('verbs: ["*"]');
  });
});
