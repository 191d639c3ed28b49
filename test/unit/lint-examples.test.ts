// Lint of the bundled example cluster (examples/cluster): every planted problem its README lists is found, the
// negative controls stay quiet, and the tidy `inventory` namespace has no finding at all.
import { describe, test, expect, beforeAll } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadObjects } from "../../host/k8s/load.js";
import { createEngine, type LintResult } from "../../bindings/index.js";
import { REPO_ROOT } from "../vectors/load.js";

const DIR = join(REPO_ROOT, "examples", "cluster");

// The "Expected findings" table of the README: | `concept` | `Kind/ns/name` (why), `Kind/ns/name` ... |
function expectedPairs(): { concept: string; object: string }[] {
  const text = readFileSync(join(DIR, "README.md"), "utf8");
  const start = text.indexOf("### Expected findings");
  const end = text.indexOf("These must **not** fire");
  const pairs: { concept: string; object: string }[] = [];
  for (const line of text.slice(start, end).split("\n")) {
    const cells = line.split("|").map((c) => c.trim());
    const concept = /^`([a-z-]+)`$/.exec(cells[1] ?? "")?.[1];
    if (!concept) continue;
    for (const m of (cells[2] ?? "").matchAll(/`([A-Za-z]+\/[^`/]*\/[^`]+)`/g)) pairs.push({ concept, object: m[1] });
  }
  return pairs;
}

describe("examples/cluster", () => {
  let out: LintResult;
  let reported: Set<string>;
  beforeAll(async () => {
    const loaded = await loadObjects([DIR]);
    expect(loaded.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const engine = await createEngine(loaded.objects.map((o) => o.object));
    out = engine.lint({ config: { today: "2026-01-01" } });
    reported = new Set(out.findings.filter((f) => !f.suppressed).map((f) => `${f.concept} ${f.object}`));
  });

  const pairs = expectedPairs();
  test("the README lists the planted problems", () => {
    expect(pairs.length).toBeGreaterThanOrEqual(24);
  });

  test.each(pairs)("reports $concept on $object", ({ concept, object }) => {
    expect([...reported]).toContain(`${concept} ${object}`);
  });

  test("the tidy inventory namespace has no finding, let alone a critical or high one", () => {
    const inInventory = out.findings.filter((f) => f.object.split("/")[1] === "inventory" ||
      f.subjects.some((s) => s.namespace === "inventory"));
    expect(inInventory.filter((f) => f.severity === "critical" || f.severity === "high")).toEqual([]);
    expect(inInventory).toEqual([]);
  });

  test("the README's negative controls do not fire", () => {
    const absent = [
      "aggregation-label-injection ClusterRole//monitoring-view",
      "unused-role ClusterRole//monitoring-view",
      "automount-token-enabled Deployment/shop/cart-worker",
    ];
    for (const pair of absent) expect([...reported]).not.toContain(pair);
    const anywhere = out.findings.filter((f) => f.concept === "nonexistent-service-account" || f.concept === "binding-missing-subject-sa");
    expect(anywhere).toEqual([]);
  });

  test("unmodified bootstrap roles and bindings are not reported", () => {
    const bootstrap = out.findings.filter((f) => /^(Cluster)?Role(Binding)?\/(kube-system|kube-public)?\/system:/.test(f.object) ||
      /^ClusterRole(Binding)?\/\/(cluster-admin|admin|edit|view)$/.test(f.object));
    expect(bootstrap).toEqual([]);
  });

  test("the most dangerous subject is the payments API's ServiceAccount (cluster-admin through a debug binding)", () => {
    expect(out.summary.topSubjects[0]).toMatchObject({ kind: "ServiceAccount", name: "api", namespace: "payments" });
    const f = out.findings.find((x) => x.id === "workload-privileged-sa" && x.object === "Deployment/payments/payments-api")!;
    expect(f.severity).toBe("critical");
    expect(f.path.map((p) => p.object)).toEqual(["Deployment/payments/payments-api", "ServiceAccount/payments/api",
      "ClusterRoleBinding//debug-payments-tmp", "ClusterRole//cluster-admin", "ClusterRole//cluster-admin"]);
    expect(out.summary.objects).toBeGreaterThan(100);
  });

  test("role findings name who holds the grant and the path to the rule", () => {
    const f = out.findings.find((x) => x.id === "workload-create" && x.object === "ClusterRole//ci-deployer")!;
    expect(f.severity).toBe("high");
    expect(f.subjects).toEqual([{ kind: "ServiceAccount", name: "deployer", namespace: "ci" }]);
    expect(f.path).toEqual([
      { kind: "Workload", object: "CronJob/ci/nightly-deploy" },
      { kind: "ServiceAccount", object: "ServiceAccount/ci/deployer" },
      { kind: "Binding", object: "ClusterRoleBinding//ci-deployer" },
      { kind: "Role", object: "ClusterRole//ci-deployer" },
      { kind: "Rule", object: "ClusterRole//ci-deployer", ruleIndex: 0 },
    ]);
  });
});
