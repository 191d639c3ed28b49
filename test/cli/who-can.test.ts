import { describe, expect, test, vi } from "vitest";
import { expectGolden } from "./golden.js";
import { CLUSTER, FIXTURES, RBAC, runCli } from "./helpers.js";

// each test starts the CLI (a Node process compiling the wasm core) one or more times
vi.setConfig({ testTimeout: 60_000 });

const DANGLING = `${FIXTURES}/dangling.yaml`;

describe("who-can on examples/cluster", () => {
  test("who can get secrets -n payments (table)", async () => {
    const r = await runCli(["who-can", "get", "secrets", "-n", "payments", "-f", CLUSTER, "--quiet"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expectGolden("who-can-get-secrets-payments.txt", r.stdout);
  });

  test("who can create pods/exec -n payments: the README's four subjects, system:masters marked", async () => {
    const r = await runCli(["who-can", "create", "pods/exec", "-n", "payments", "-f", CLUSTER, "--quiet"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe([
      "KIND             NAME                NAMESPACE   BINDING → ROLE",
      "Group            system:masters      -           (authorizer chain: always allowed)",
      "                                                 ClusterRoleBinding//cluster-admin → ClusterRole//cluster-admin rule #0",
      "User             alice@example.com   -           ClusterRoleBinding//debug-payments-tmp → ClusterRole//cluster-admin rule #0",
      "ServiceAccount   api                 payments    ClusterRoleBinding//debug-payments-tmp → ClusterRole//cluster-admin rule #0",
      "Group            oncall              -           RoleBinding/payments/oncall-exec → Role/payments/oncall-exec rule #1",
      "",
    ].join("\n"));
    expectGolden("who-can-create-pods-exec-payments.txt", r.stdout);
    // --subresource asks the same question
    const flag = await runCli(["who-can", "create", "pods", "--subresource", "exec", "-n", "payments", "-f", CLUSTER, "--quiet"]);
    expect(flag.stdout).toBe(r.stdout);
  });

  test("-o json prints {subjects, errors} as the engine returns them", async () => {
    const r = await runCli(["who-can", "create", "pods/exec", "-n", "payments", "-f", CLUSTER, "--quiet", "-o", "json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(["subjects", "errors"]);
    expect(out.subjects.map((s: any) => `${s.kind}/${s.namespace}/${s.name}`)).toEqual([
      "Group//system:masters", "User//alice@example.com", "ServiceAccount/payments/api", "Group//oncall",
    ]);
    expect(out.subjects[3].grants).toEqual([{ binding: "RoleBinding/payments/oncall-exec", role: "Role/payments/oncall-exec", ruleIndex: 1 }]);
    expectGolden("who-can-create-pods-exec-payments.json", r.stdout);
  });
});

describe("who-can on fixtures", () => {
  test("the default namespace is default; -n and -A (cluster-wide bindings only)", async () => {
    const inTeamA = await runCli(["who-can", "get", "pods", "-n", "team-a", "-f", RBAC]);
    expect(inTeamA.stdout).toBe([
      "KIND    NAME             NAMESPACE   BINDING → ROLE",
      "Group   system:masters   -           (authorizer chain: always allowed)",
      "User    auditor          -           ClusterRoleBinding//auditor-pods → ClusterRole//pod-reader rule #0",
      "User    dev              -           RoleBinding/team-a/dev-pods → ClusterRole//pod-reader rule #0",
      "",
    ].join("\n"));
    const byDefault = await runCli(["who-can", "get", "pods", "-f", RBAC]);
    expect(byDefault.stdout).not.toContain("dev");
    expect(byDefault.stdout).toContain("auditor");
    const all = await runCli(["who-can", "get", "pods", "-A", "-f", RBAC, "-o", "json"]);
    expect(JSON.parse(all.stdout).subjects.map((s: any) => s.name)).toEqual(["system:masters", "auditor"]);
  });

  test("non-resource URLs; NAME; resource.group", async () => {
    const metrics = await runCli(["who-can", "get", "/metrics", "-f", RBAC]);
    expect(metrics.code).toBe(0);
    expect(metrics.stdout).toContain("User    prometheus       -           ClusterRoleBinding//prometheus-metrics → ClusterRole//metrics-reader rule #0");
    const named = await runCli(["who-can", "create", "deployments.apps", "-n", "team-a", "-f", RBAC, "-o", "json"]);
    expect(JSON.parse(named.stdout).subjects.map((s: any) => `${s.kind}/${s.name}`))
      .toEqual(["Group/system:masters", "Group/system:serviceaccounts:team-a"]);
  });

  test("bindings whose role does not exist are reported (warning; errors in JSON) and skipped", async () => {
    const args = ["who-can", "get", "pods", "-n", "team-a", "-f", RBAC, "-f", DANGLING];
    const table = await runCli(args);
    expect(table.code).toBe(0);
    expect(table.stderr).toBe('warning: a binding was skipped: role.rbac.authorization.k8s.io "ghost" not found\n');
    const json = await runCli([...args, "-o", "json"]);
    expect(JSON.parse(json.stdout).errors).toEqual(['role.rbac.authorization.k8s.io "ghost" not found']);
    expect((await runCli([...args, "--quiet"])).stderr).toBe("");
  });

  test("usage errors exit 2", async () => {
    for (const args of [
      ["who-can", "get", "-f", RBAC], // no TYPE
      ["who-can", "get", "pods"], // no -f
      ["who-can", "get", "pods", "-f", RBAC, "-o", "yaml"],
      ["who-can", "get", "pods", "-n", "a", "-A", "-f", RBAC],
      ["who-can", "get", "/metrics", "-n", "a", "-f", RBAC],
    ]) {
      const r = await runCli(args);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(/error:/);
    }
  });
});
