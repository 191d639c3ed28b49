// engine.lint() configuration: only/skip, severity overrides, sensitive namespaces and ConfigMaps, the token expiry
// threshold, custom checks, suppressions (config and annotation), expiry, BAD_CONFIG paths, and the catalog.
import { describe, test, expect } from "vitest";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { createEngine, EngineError, type LintConfig, type LintFinding, type LintResult } from "../../bindings/index.js";
import { REPO_ROOT } from "../vectors/load.js";

const RBAC = "rbac.authorization.k8s.io/v1";
const rule = (verbs: string[], apiGroups: string[], resources: string[], resourceNames?: string[]) =>
  ({ verbs, apiGroups, resources, ...(resourceNames ? { resourceNames } : {}) });
const role = (namespace: string, name: string, rules: object[], annotations?: Record<string, string>) =>
  ({ apiVersion: RBAC, kind: "Role", metadata: { name, namespace, ...(annotations ? { annotations } : {}) }, rules });
const rb = (namespace: string, name: string, roleName: string, subjects: object[]) => ({
  apiVersion: RBAC, kind: "RoleBinding", metadata: { name, namespace },
  roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: roleName }, subjects,
});
const group = (name: string) => ({ kind: "Group", apiGroup: "rbac.authorization.k8s.io", name });
const deployment = (namespace: string, name: string, expirationSeconds: number) => ({
  apiVersion: "apps/v1", kind: "Deployment", metadata: { name, namespace },
  spec: { template: { spec: { automountServiceAccountToken: false, containers: [{ name: "c", image: "i" }],
    volumes: [{ name: "t", projected: { sources: [{ serviceAccountToken: { path: "token", expirationSeconds } }] } }] } } },
});

// Role/prod/reader reads Secrets and execs (held by Group sre); Role/kube-system/cm patches one named ConfigMap.
const objects = [
  role("prod", "reader", [rule(["get"], [""], ["secrets"]), rule(["create"], [""], ["pods/exec"]), rule(["get"], [""], ["pods/log"])]),
  rb("prod", "reader", "reader", [group("sre")]),
  role("kube-system", "cm", [rule(["patch"], [""], ["configmaps"], ["my-critical"])]),
  rb("kube-system", "cm", "cm", [group("sre")]),
  deployment("prod", "api", 7200),
];

async function lint(config?: LintConfig, objs: object[] = objects, only?: string[], skip?: string[]): Promise<LintResult> {
  const e = await createEngine(objs);
  return e.lint({ config, only, skip });
}

const find = (r: LintResult, id: string, object: string): LintFinding | undefined =>
  r.findings.find((f) => f.id === id && f.object === object);

async function badConfig(config: unknown): Promise<EngineError> {
  const e = await createEngine(objects);
  try {
    e.lint({ config: config as LintConfig });
  } catch (err) {
    expect(err).toBeInstanceOf(EngineError);
    return err as EngineError;
  }
  throw new Error("lint accepted a malformed configuration");
}

describe("selection and grading", () => {
  test("only and skip select checks; options.only replaces config.only, options.skip adds to config.skip", async () => {
    const only = await lint({ only: ["secrets-read"] });
    expect(new Set(only.findings.map((f) => f.id))).toEqual(new Set(["secrets-read"]));
    const replaced = await lint({ only: ["secrets-read"] }, objects, ["pods-exec"]);
    expect(new Set(replaced.findings.map((f) => f.id))).toEqual(new Set(["pods-exec"]));
    const skipped = await lint({ skip: ["secrets-read"] }, objects, undefined, ["pods-exec"]);
    expect(skipped.findings.some((f) => f.id === "secrets-read" || f.id === "pods-exec")).toBe(false);
    expect(skipped.findings.length).toBeGreaterThan(0);
  });

  test("a grant held in an ordinary namespace ranks one level below the same grant in a sensitive namespace", async () => {
    expect(find(await lint(), "secrets-read", "Role/prod/reader")?.severity).toBe("high");
    expect(find(await lint({ sensitiveNamespaces: ["prod"] }), "secrets-read", "Role/prod/reader")?.severity).toBe("critical");
  });

  test("a role nobody holds is reported two levels lower and says so", async () => {
    const r = await lint({}, [objects[0]]);
    const f = find(r, "secrets-read", "Role/prod/reader")!;
    expect(f.severity).toBe("medium");
    expect(f.message).toMatch(/nobody holds it/);
    expect(f.subjects).toEqual([]);
  });

  test("severity overrides replace the graded severity", async () => {
    const r = await lint({ severity: { "secrets-read": "low", "pods-exec": "critical" } });
    expect(find(r, "secrets-read", "Role/prod/reader")?.severity).toBe("low");
    expect(find(r, "pods-exec", "Role/prod/reader")?.severity).toBe("critical");
  });

  test("extra sensitive ConfigMap names count for kube-system-configmap-write, also when scoped", async () => {
    expect(find(await lint(), "kube-system-configmap-write", "Role/kube-system/cm")).toBeUndefined();
    const r = await lint({ sensitiveConfigMaps: ["my-critical"] });
    expect(find(r, "kube-system-configmap-write", "Role/kube-system/cm")?.fieldPath).toBe("rules[0].verbs[0]");
  });

  test("the token expiry threshold is configurable (strictly above it is reported)", async () => {
    expect(find(await lint(), "projected-token-long-expiry", "Deployment/prod/api")).toBeUndefined();
    expect(find(await lint({ maxTokenExpirationSeconds: 7200 }), "projected-token-long-expiry", "Deployment/prod/api")).toBeUndefined();
    const r = await lint({ maxTokenExpirationSeconds: 7199 });
    expect(find(r, "projected-token-long-expiry", "Deployment/prod/api")?.fieldPath)
      .toBe("spec.template.spec.volumes[0].projected.sources[0].serviceAccountToken.expirationSeconds");
  });

  test("custom dangerous permissions become role-anchored checks with exact matching", async () => {
    const config: LintConfig = {
      customChecks: [{ id: "pod-logs", severity: "high", verbs: ["get"], apiGroups: [""], resources: ["pods/log"], message: "logs hold tokens" },
        { id: "apps-logs", severity: "high", verbs: ["get"], apiGroups: ["apps"], resources: ["pods/log"] }],
    };
    const r = await lint(config);
    const f = find(r, "pod-logs", "Role/prod/reader")!;
    expect(f).toMatchObject({ concept: "pod-logs", severity: "medium", fieldPath: "rules[2].verbs[0]" });
    expect(f.message).toMatch(/logs hold tokens/);
    expect(f.subjects).toEqual([{ kind: "Group", name: "sre", namespace: "" }]);
    expect(r.findings.some((x) => x.id === "apps-logs")).toBe(false);
    const skipped = await lint({ ...config, skip: ["pod-logs"], severity: { "apps-logs": "low" } });
    expect(skipped.findings.some((x) => x.id === "pod-logs")).toBe(false);
  });
});

describe("suppressions", () => {
  test("a config suppression marks the finding, which stays in the output and leaves the severity counts", async () => {
    const before = await lint();
    const r = await lint({ suppressions: [{ concept: "secrets-read", object: "Role/prod/*", reason: "reviewed", expires: "2999-01-01" }] });
    expect(find(r, "secrets-read", "Role/prod/reader")?.suppressed).toEqual({ reason: "reviewed", expires: "2999-01-01", source: "config" });
    expect(find(r, "pods-exec", "Role/prod/reader")?.suppressed).toBeUndefined();
    expect(r.summary.suppressed).toBe(1);
    expect(r.summary.unsuppressed).toBe(before.summary.unsuppressed - 1);
  });

  test("concept `*` and a glob suppress every matching finding", async () => {
    const r = await lint({ suppressions: [{ concept: "*", object: "*/prod/*", reason: "legacy app" }] });
    expect(r.findings.filter((f) => f.object.includes("/prod/")).every((f) => f.suppressed)).toBe(true);
  });

  test("an expired suppression no longer applies and is reported; on its expiry day it still applies", async () => {
    const s = { concept: "secrets-read", object: "Role/prod/reader", reason: "until the audit", expires: "2025-06-30" };
    const onDay = await lint({ suppressions: [s], today: "2025-06-30" });
    expect(find(onDay, "secrets-read", "Role/prod/reader")?.suppressed).toBeDefined();
    expect(onDay.findings.some((f) => f.id === "expired-suppression")).toBe(false);
    const after = await lint({ suppressions: [s], today: "2025-07-01" });
    expect(find(after, "secrets-read", "Role/prod/reader")?.suppressed).toBeUndefined();
    const expired = after.findings.find((f) => f.id === "expired-suppression")!;
    expect(expired).toMatchObject({ severity: "low", objectIndex: -1, fieldPath: "suppressions[0]", object: "Role/prod/reader" });
    expect(expired.message).toMatch(/expired on 2025-06-30/);
  });

  test("the bindings pass today's date, so a suppression that expired long ago is reported without `today`", async () => {
    const r = await lint({ suppressions: [{ concept: "pods-exec", object: "Role/prod/reader", reason: "x", expires: "2001-01-01" }] });
    expect(r.findings.some((f) => f.id === "expired-suppression")).toBe(true);
  });

  test("the rbac-guard.io/ignore annotation suppresses the listed checks on its object", async () => {
    const annotated = [role("prod", "reader", (objects[0] as any).rules, { "rbac-guard.io/ignore": "secrets-read, pods-exec: break-glass for SRE" }),
      ...objects.slice(1)];
    const r = await lint({}, annotated);
    expect(find(r, "secrets-read", "Role/prod/reader")?.suppressed).toEqual({ reason: "break-glass for SRE", source: "annotation" });
    expect(find(r, "pods-exec", "Role/prod/reader")?.suppressed).toBeDefined();
    expect(r.warnings).toEqual([]);
  });

  test("a malformed annotation is not applied and is warned about; unknown ids are warned about", async () => {
    const noReason = [role("prod", "reader", (objects[0] as any).rules, { "rbac-guard.io/ignore": "secrets-read" }), ...objects.slice(1)];
    const r = await lint({}, noReason);
    expect(find(r, "secrets-read", "Role/prod/reader")?.suppressed).toBeUndefined();
    expect(r.warnings).toEqual([{ code: "BAD_IGNORE_ANNOTATION", message: expect.any(String), object: 0,
      path: 'metadata.annotations["rbac-guard.io/ignore"]' }]);
    const unknown = [role("prod", "reader", (objects[0] as any).rules, { "rbac-guard.io/ignore": "secret-read,pods-exec: typo" }), ...objects.slice(1)];
    const u = await lint({}, unknown);
    expect(u.warnings.map((w) => w.code)).toEqual(["UNKNOWN_CHECK"]);
    expect(find(u, "secrets-read", "Role/prod/reader")?.suppressed).toBeUndefined();
    expect(find(u, "pods-exec", "Role/prod/reader")?.suppressed).toBeDefined();
  });
});

describe("BAD_CONFIG", () => {
  const cases: [string, unknown, string][] = [
    ["unknown check id", { only: ["secret-read"] }, "only[0]"],
    ["unknown skip id", { skip: ["wildcard-verbs", "nope"] }, "skip[1]"],
    ["unknown severity", { severity: { "secrets-read": "urgent" } }, 'severity["secrets-read"]'],
    ["severity of an unknown check", { severity: { nope: "low" } }, 'severity["nope"]'],
    ["non-positive threshold", { maxTokenExpirationSeconds: 0 }, "maxTokenExpirationSeconds"],
    ["suppression without reason", { suppressions: [{ concept: "secrets-read", object: "Role/*", reason: "  " }] }, "suppressions[0].reason"],
    ["suppression without object", { suppressions: [{ concept: "secrets-read", reason: "r" }] }, "suppressions[0].object"],
    ["suppression of an unknown check", { suppressions: [{ concept: "x", object: "*", reason: "r" }] }, "suppressions[0].concept"],
    ["invalid expiry", { suppressions: [{ concept: "secrets-read", object: "*", reason: "r", expires: "2025-02-30" }] }, "suppressions[0].expires"],
    ["invalid today", { today: "tomorrow" }, "today"],
    ["custom check shadowing a built-in", { customChecks: [{ id: "secrets-read", severity: "low", verbs: ["get"], apiGroups: [""], resources: ["x"] }] }, "customChecks[0].id"],
    ["custom check without verbs", { customChecks: [{ id: "mine", severity: "low", verbs: [], apiGroups: [""], resources: ["x"] }] }, "customChecks[0].verbs"],
    ["custom check with a bad severity", { customChecks: [{ id: "mine", severity: "huge", verbs: ["get"], apiGroups: [""], resources: ["x"] }] }, "customChecks[0].severity"],
    ["wrong JSON type", { only: "secrets-read" }, "only"],
    ["wrong element type", { sensitiveNamespaces: ["a", 3] }, "sensitiveNamespaces[1]"],
    ["non-integer threshold", { maxTokenExpirationSeconds: "86400" }, "maxTokenExpirationSeconds"],
    ["unknown field", { onlyy: [] }, "onlyy"],
    ["unknown suppression field", { suppressions: [{ concept: "x", object: "*", reason: "r", until: "2025-01-01" }] }, "suppressions[0].until"],
    ["a YAML date", { suppressions: [{ concept: "secrets-read", object: "*", reason: "r", expires: new Date("2025-01-01") }] }, "suppressions[0].expires"],
  ];
  test.each(cases)("%s", async (_name, config, path) => {
    const err = await badConfig(config);
    expect(err.code).toBe("BAD_CONFIG");
    expect(err.path).toBe(path);
    expect(err.message.length).toBeGreaterThan(0);
  });
});

describe("output", () => {
  test("a finding has the documented shape", async () => {
    const r = await lint({ only: ["secrets-read"] });
    expect(r.findings).toEqual([{
      id: "secrets-read", concept: "secrets-read", severity: "high", object: "Role/prod/reader", objectIndex: 0,
      fieldPath: "rules[0].verbs[0]", message: expect.stringMatching(/^Role\/prod\/reader allows get on secrets \(rules\[0\]\); held in namespace prod by Group sre via RoleBinding\/prod\/reader/),
      subjects: [{ kind: "Group", name: "sre", namespace: "" }],
      path: [{ kind: "Binding", object: "RoleBinding/prod/reader" }, { kind: "Role", object: "Role/prod/reader" },
        { kind: "Rule", object: "Role/prod/reader", ruleIndex: 0 }],
    }]);
    expect(r.summary).toEqual({
      bySeverity: { critical: 0, high: 1, medium: 0, low: 0 }, unsuppressed: 1, suppressed: 0, objects: objects.length,
      topSubjects: [{ kind: "Group", name: "sre", namespace: "", findings: 1, bySeverity: { critical: 0, high: 1, medium: 0, low: 0 } }],
    });
  });

  test("the catalog has one entry per concept vector plus expired-suppression, each with rule help", async () => {
    const e = await createEngine([]);
    const checks = e.checks();
    const concepts = readdirSync(join(REPO_ROOT, "test", "vectors", "lint")).map((f) => f.replace(/^\d+-|\.json$/g, ""));
    expect(concepts.length).toBe(49);
    expect(checks.map((c) => c.id).sort()).toEqual([...concepts, "expired-suppression"].sort());
    for (const c of checks) {
      expect(["critical", "high", "medium", "low"]).toContain(c.severity);
      expect(c.title.length * c.rationale.length * c.remediation.length).toBeGreaterThan(0);
      expect(Array.isArray(c.tools)).toBe(true);
    }
    expect(checks.find((c) => c.id === "secrets-read")?.tools).toContain("Trivy KSV041");
  });
});
