import { describe, expect, test, vi } from "vitest";
import { expectGolden } from "./golden.js";
import { CLUSTER, RBAC, runCli } from "./helpers.js";

// each test starts the CLI (a Node process compiling the wasm core) one or more times
vi.setConfig({ testTimeout: 60_000 });

describe("access-matrix on examples/cluster", () => {
  test("on-call in payments (table)", async () => {
    const r = await runCli(["access-matrix", "--as", "bob@example.com", "--as-group", "oncall", "-n", "payments", "-f", CLUSTER, "--quiet"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const lines = r.stdout.split("\n");
    expect(lines[0]).toBe('User "bob@example.com" (groups: oncall, system:authenticated) in namespace "payments" (namespaced resources):');
    expect(lines[1]).toMatch(/^NAME +GET +LIST +WATCH +CREATE +UPDATE +PATCH +DELETE +DELETECOLLECTION$/);
    expect(lines).toContainEqual(expect.stringMatching(/^pods\/exec +✖ +✖ +✖ +✔ +✖ +✖ +✖ +✖$/));
    expect(lines).toContainEqual(expect.stringMatching(/^secrets +✔ +✔ +✖ +✖ +✖ +✖ +✖ +✖$/));
    // resources named by the policy's rules (custom resources, subresources), but no cluster-scoped ones with -n
    expect(lines).toContainEqual(expect.stringMatching(/^servicemonitors\.monitoring\.coreos\.com +✔ +✔ +✔ +✖/));
    expect(r.stdout).not.toMatch(/^(nodes|namespaces|clusterroles\.rbac\.authorization\.k8s\.io) /m);
    expect(r.stdout).not.toMatch(/^\*/m);
    expectGolden("access-matrix-oncall-payments.txt", r.stdout);
  });

  test("the shop default service account (edit) in shop, --explain", async () => {
    const r = await runCli(["access-matrix", "--as", "system:serviceaccount:shop:default", "-n", "shop", "-f", CLUSTER, "--quiet", "--explain"]);
    expect(r.code).toBe(0);
    const [matrix, grants] = r.stdout.split("\n\n");
    expect(matrix).toMatch(/^secrets +✔ +✔ +✔ +✔ +✔ +✔ +✔ +✔$/m);
    expect(grants.split("\n")[0]).toMatch(/^NAME +VERB +BINDING → ROLE$/);
    expect(grants).toMatch(/^secrets +get +RoleBinding\/shop\/default-edit → ClusterRole\/\/edit rule #\d+$/m);
    expect(grants).toMatch(/^servicemonitors\.monitoring\.coreos\.com +list +RoleBinding\/shop\/default-edit → ClusterRole\/\/edit rule #\d+$/m);
    // one grant line per allowed cell
    const allowed = (matrix.match(/✔/g) ?? []).length;
    expect(grants.trimEnd().split("\n").length - 1).toBe(allowed);
  });

  test("-o json: namespace, verbs, resources with grants", async () => {
    const r = await runCli(["access-matrix", "--as", "bob@example.com", "--as-group", "oncall", "-n", "payments", "-f", CLUSTER, "--quiet", "-o", "json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.namespace).toBe("payments");
    expect(out.verbs).toEqual(["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"]);
    const exec = out.resources.find((x: any) => x.resource === "pods" && x.subresource === "exec");
    expect(exec.group).toBe("");
    expect(exec.verbs.create).toEqual({
      allowed: true, grant: { binding: "RoleBinding/payments/oncall-exec", role: "Role/payments/oncall-exec", ruleIndex: 1 },
    });
    expect(exec.verbs.get).toEqual({ allowed: false });
    const small = await runCli(["access-matrix", "--as", "dev", "-n", "team-a", "-f", RBAC, "-o", "json"]);
    expect(small.code).toBe(0);
    expectGolden("access-matrix-dev-team-a.json", small.stdout);
  });
});

describe("access-matrix on fixtures", () => {
  test("-n: namespaced resources only, exactly; --ascii; --explain", async () => {
    const r = await runCli(["access-matrix", "--as", "dev", "-n", "team-a", "-f", RBAC, "--ascii", "--explain"]);
    expect(r.code).toBe(0);
    expectGolden("access-matrix-dev-team-a-ascii-explain.txt", r.stdout);
    expect(r.stdout).toContain([
      "NAME       VERB   BINDING → ROLE",
      "pods       get    RoleBinding/team-a/dev-pods → ClusterRole//pod-reader rule #0",
      "pods       list   RoleBinding/team-a/dev-pods → ClusterRole//pod-reader rule #0",
      "pods/log   get    RoleBinding/team-a/dev-pods → ClusterRole//pod-reader rule #0",
      "pods/log   list   RoleBinding/team-a/dev-pods → ClusterRole//pod-reader rule #0",
      "",
    ].join("\n"));
    expect(r.stdout).toMatch(/^widgets\.example\.com +no +no/m);
    expect(r.stdout).not.toMatch(/^(nodes|namespaces) /m);
  });

  test("without -n: every resource cluster-wide (namespace \"\"), said in the first line", async () => {
    const dev = await runCli(["access-matrix", "--as", "dev", "-f", RBAC]);
    expect(dev.code).toBe(0);
    expect(dev.stdout.split("\n")[0]).toBe('User "dev" (groups: system:authenticated) cluster-wide (namespace "": cluster-scoped resources, ' +
      "and namespaced resources in all namespaces at once):");
    expect(dev.stdout).toMatch(/^nodes +✖/m);
    expect(dev.stdout).toMatch(/^pods +✖ +✖/m); // dev's RoleBinding does not count cluster-wide
    const auditor = await runCli(["access-matrix", "--as", "auditor", "-f", RBAC]);
    expect(auditor.stdout).toMatch(/^pods +✔ +✔ +✖/m);
    expectGolden("access-matrix-auditor-cluster.txt", auditor.stdout);
    const json = await runCli(["access-matrix", "--as", "auditor", "-f", RBAC, "-o", "json"]);
    expect(JSON.parse(json.stdout).namespace).toBe("");
  });

  test("colours only when forced; widths ignore them", async () => {
    const args = ["access-matrix", "--as", "dev", "-n", "team-a", "-f", RBAC];
    const plain = await runCli(args);
    const forced = await runCli(args, { env: { NO_COLOR: undefined, FORCE_COLOR: "1" } });
    expect(forced.stdout).toMatch(/\x1b\[32m✔ +\x1b\[39m/);
    expect(forced.stdout.replace(/\x1b\[\d+m/g, "")).toBe(plain.stdout);
  });

  test("usage errors exit 2", async () => {
    for (const args of [
      ["access-matrix", "-f", RBAC], // no --as
      ["access-matrix", "--as", "dev"], // no -f
      ["access-matrix", "--as", "dev", "-f", RBAC, "pods"], // no arguments
      ["access-matrix", "--as", "dev", "-f", RBAC, "-o", "wide"],
    ]) {
      const r = await runCli(args);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr).toMatch(/error:/);
    }
  });
});
