import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, test, vi } from "vitest";
import { CLUSTER, FIXTURES, RBAC, ROOT, runCli } from "./helpers.js";

// each test starts the CLI (a Node process compiling the wasm core) one or more times
vi.setConfig({ testTimeout: 60_000 });

const SHOP_DEFAULT = "system:serviceaccount:shop:default";

describe("can-i on examples/cluster (README questions)", () => {
  test("yes exits 0 and --reason prints Kubernetes' reason", async () => {
    const r = await runCli(["can-i", "create", "deployments", "-n", "shop", "--as", SHOP_DEFAULT, "-f", CLUSTER, "--reason"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      'yes\nreason: RBAC: allowed by RoleBinding "default-edit/shop" of ClusterRole "edit" to ServiceAccount "default/shop"\n',
    );
  });

  test("no exits 1; --reason prints (none) for an empty reason", async () => {
    const r = await runCli(["can-i", "create", "rolebindings.rbac.authorization.k8s.io", "-n", "shop", "--as", SHOP_DEFAULT,
      "-f", CLUSTER, "--reason"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("no\nreason: (none)\n");
  });

  test("without --reason only yes/no is printed", async () => {
    const r = await runCli(["can-i", "delete", "nodes", "--as", "alice@example.com", "-f", CLUSTER]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("yes\n");
  });

  test("resource.group with a multi-dot group (custom resource through aggregation)", async () => {
    const r = await runCli(["can-i", "list", "servicemonitors.monitoring.coreos.com", "-n", "shop", "--as", "bob@example.com",
      "--as-group", "oncall", "-f", CLUSTER, "--reason"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('yes\nreason: RBAC: allowed by ClusterRoleBinding "oncall-view" of ClusterRole "view" to Group "oncall"\n');
  });

  test("--subresource: deployments/scale is not deployments", async () => {
    const base = ["patch", "deployments", "--as", "system:serviceaccount:ci:deployer", "-f", CLUSTER, "--reason"];
    const whole = await runCli(["can-i", ...base, "-n", "kube-system"]);
    expect(whole.code).toBe(0);
    expect(whole.stdout).toContain('reason: RBAC: allowed by ClusterRoleBinding "ci-deployer" of ClusterRole "ci-deployer" to ServiceAccount "deployer/ci"');
    const scale = await runCli(["can-i", ...base, "-n", "shop", "--subresource", "scale"]);
    expect(scale.code).toBe(1);
    expect(scale.stdout).toBe("no\nreason: (none)\n");
  });

  test("TYPE NAME names one object; collection requests do not match resourceNames", async () => {
    const as = ["--as", "system:serviceaccount:inventory:inventory-api", "-n", "inventory", "-f", CLUSTER, "--reason"];
    const reason = 'reason: RBAC: allowed by RoleBinding "inventory-api-config/inventory" of Role "inventory-api-config" to ServiceAccount "inventory-api/inventory"\n';
    const positional = await runCli(["can-i", "get", "configmaps", "inventory-api-config", ...as]);
    expect([positional.code, positional.stdout]).toEqual([0, "yes\n" + reason]);
    const list = await runCli(["can-i", "list", "configmaps", ...as]);
    expect(list.code).toBe(1);
  });

  test("groups: --as-group is repeatable and decides", async () => {
    const q = ["can-i", "get", "secrets", "-n", "payments", "--as", "bob@example.com", "-f", CLUSTER, "--reason"];
    const without = await runCli(q);
    expect(without.code).toBe(1);
    const withGroup = await runCli([...q, "--as-group", "devs", "--as-group", "oncall"]);
    expect(withGroup.code).toBe(0);
    expect(withGroup.stdout).toContain('RoleBinding "oncall-exec/payments" of Role "oncall-exec" to Group "oncall"');
  });
});

describe("can-i TYPE parsing on fixtures", () => {
  test("a TYPE without a group resolves like kubectl's discovery (deployments -> apps); resource. forces the core group", async () => {
    const q = ["create", "-n", "team-a", "--as", "system:serviceaccount:team-a:builder", "-f", RBAC];
    expect((await runCli(["can-i", "create", "deployments", ...q.slice(1)])).code).toBe(0);
    expect((await runCli(["can-i", "create", "deployments.apps", ...q.slice(1)])).code).toBe(0);
    expect((await runCli(["can-i", "create", "deploy", ...q.slice(1)])).code).toBe(0);
    expect((await runCli(["can-i", "create", "deployments.v1.apps", ...q.slice(1)])).code).toBe(0);
    const core = await runCli(["can-i", "create", "deployments.", ...q.slice(1)]);
    expect(core.code).toBe(1);
  });

  test("short names of CustomResourceDefinitions among the inputs", async () => {
    const r = await runCli(["can-i", "delete", "wd", "-n", "team-a", "--as", "system:serviceaccount:team-a:builder", "-f", RBAC]);
    expect(r.code).toBe(0);
  });

  test("an unknown TYPE without a group is asked in the core group, with a warning", async () => {
    const r = await runCli(["can-i", "get", "gizmos", "--as", "dev", "-n", "team-a", "-f", RBAC]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^warning: resource type 'gizmos' is not a built-in Kubernetes resource/m);
  });

  test("subresource as TYPE/SUBRESOURCE or --subresource; not both", async () => {
    const q = ["--as", "dev", "-n", "team-a", "-f", RBAC];
    const log = await runCli(["can-i", "get", "pods", "--subresource", "log", ...q, "--reason"]);
    expect(log.code).toBe(0);
    expect(log.stdout).toBe('yes\nreason: RBAC: allowed by RoleBinding "dev-pods/team-a" of ClusterRole "pod-reader" to User "dev"\n');
    const exec = await runCli(["can-i", "create", "pods", "--subresource", "exec", ...q]);
    expect(exec.code).toBe(1);
    const slash = await runCli(["can-i", "get", "pods/log", ...q, "--reason"]);
    expect([slash.code, slash.stdout]).toEqual([log.code, log.stdout]);
    expect((await runCli(["can-i", "create", "pods/exec", ...q])).code).toBe(1);
    expect((await runCli(["can-i", "get", "pods/log", "--subresource", "log", ...q])).code).toBe(2);
  });

  test("non-resource URLs", async () => {
    const yes = await runCli(["can-i", "get", "/metrics", "--as", "prometheus", "-f", RBAC, "--reason"]);
    expect(yes.code).toBe(0);
    expect(yes.stdout).toBe('yes\nreason: RBAC: allowed by ClusterRoleBinding "prometheus-metrics" of ClusterRole "metrics-reader" to User "prometheus"\n');
    expect((await runCli(["can-i", "get", "/logs/kubelet.log", "--as", "prometheus", "-f", RBAC])).code).toBe(0);
    expect((await runCli(["can-i", "post", "/metrics", "--as", "prometheus", "-f", RBAC])).code).toBe(1);
    expect((await runCli(["can-i", "get", "/metrics", "--as", "dev", "-f", RBAC])).code).toBe(1);
  });

  test("non-resource URLs take no NAME, -n or --subresource", async () => {
    for (const extra of [["x"], ["-n", "team-a"], ["--subresource", "log"]]) {
      const r = await runCli(["can-i", "get", "/metrics", ...extra, "--as", "prometheus", "-f", RBAC]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(/^error: .*non-resource URL/m);
    }
  });

  test("-n defaults to default; -A asks about all namespaces", async () => {
    const dev = ["list", "pods", "--as", "dev", "-f", RBAC];
    expect((await runCli(["can-i", ...dev, "-n", "team-a"])).code).toBe(0);
    expect((await runCli(["can-i", ...dev])).code).toBe(1);
    expect((await runCli(["can-i", ...dev, "-A"])).code).toBe(1);
    const auditor = await runCli(["can-i", "list", "pods", "--all-namespaces", "--as", "auditor", "-f", RBAC, "--reason"]);
    expect(auditor.code).toBe(0);
    expect(auditor.stdout).toContain('ClusterRoleBinding "auditor-pods"');
    const both = await runCli(["can-i", ...dev, "-A", "-n", "team-a"]);
    expect(both.code).toBe(2);
  });

  test("stdin with -f -", async () => {
    const yaml = readFileSync(path.join(ROOT, RBAC), "utf8");
    const r = await runCli(["can-i", "get", "pods", "-n", "team-a", "--as", "dev", "-f", "-", "--reason"], { stdin: yaml });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('yes\nreason: RBAC: allowed by RoleBinding "dev-pods/team-a" of ClusterRole "pod-reader" to User "dev"\n');
  });

  test("-f is repeatable and takes directories", async () => {
    const r = await runCli(["can-i", "get", "pods", "--as", "dev", "-f", `${FIXTURES}/warnings.yaml`, "-f", RBAC, "--reason"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('RoleBinding "no-namespace/default"');
    const dir = await runCli(["can-i", "get", "secrets", "-n", "payments", "--as", "bob", "--as-group", "oncall", "-f", "examples/"]);
    expect(dir.code).toBe(0);
  });
});

describe("implicit groups", () => {
  const q = ["can-i", "create", "deployments.apps", "-n", "team-a", "-f", RBAC, "--reason"];

  test("a service account user gets system:serviceaccounts and system:serviceaccounts:NS", async () => {
    const r = await runCli([...q, "--as", "system:serviceaccount:team-a:builder"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('yes\nreason: RBAC: allowed by RoleBinding "team-a-sas-deploy/team-a" of Role "deployer" to Group "system:serviceaccounts:team-a"\n');
  });

  test("--no-implicit-groups uses exactly the given groups", async () => {
    const r = await runCli([...q, "--as", "system:serviceaccount:team-a:builder", "--no-implicit-groups"]);
    expect(r.code).toBe(1);
    const given = await runCli([...q, "--as", "system:serviceaccount:team-a:builder", "--no-implicit-groups",
      "--as-group", "system:serviceaccounts:team-a"]);
    expect(given.code).toBe(0);
  });

  test("a service account of another namespace does not get team-a's group", async () => {
    expect((await runCli([...q, "--as", "system:serviceaccount:team-b:builder"])).code).toBe(1);
  });

  test("system:authenticated for users, system:unauthenticated for system:anonymous", async () => {
    const authn = await runCli(["can-i", "get", "/api", "--as", "jane", "-f", CLUSTER, "--reason"]);
    expect(authn.code).toBe(0);
    expect(authn.stdout).toBe('yes\nreason: RBAC: allowed by ClusterRoleBinding "system:discovery" of ClusterRole "system:discovery" to Group "system:authenticated"\n');
    const anon = await runCli(["can-i", "get", "/healthz", "--as", "system:anonymous", "-f", CLUSTER, "--reason"]);
    expect(anon.code).toBe(0);
    expect(anon.stdout).toContain('to Group "system:unauthenticated"');
    expect((await runCli(["can-i", "get", "/api", "--as", "system:anonymous", "-f", CLUSTER])).code).toBe(1);
    expect((await runCli(["can-i", "get", "/api", "--as", "jane", "--no-implicit-groups", "-f", CLUSTER])).code).toBe(1);
    // as kube-apiserver's impersonation: a user given system:unauthenticated does not also get system:authenticated
    expect((await runCli(["can-i", "get", "/api", "--as", "jane", "--as-group", "system:unauthenticated", "-f", CLUSTER])).code).toBe(1);
  });
});

describe("can-i errors", () => {
  test("a YAML syntax error exits 2 with file:line:col: error:", async () => {
    const r = await runCli(["can-i", "get", "pods", "--as", "dev", "-f", `${FIXTURES}/broken.yaml`]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^test\/fixtures\/cli\/broken\.yaml:\d+:\d+: error: .+ \[YAML_SYNTAX\]$/m);
  });

  test("a missing file exits 2", async () => {
    const r = await runCli(["can-i", "get", "pods", "--as", "dev", "-f", "no/such/file.yaml"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^no\/such\/file\.yaml: error: .*\[NOT_FOUND\]$/m);
  });

  test("loader warnings go to stderr prefixed warning:, --quiet hides them", async () => {
    const args = ["can-i", "get", "pods", "--as", "dev", "-f", `${FIXTURES}/warnings.yaml`, "-f", RBAC];
    const r = await runCli(args);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^warning: test\/fixtures\/cli\/warnings\.yaml:\d+:\d+: .* \[MISSING_NAMESPACE\]$/m);
    const quiet = await runCli([...args, "--quiet"]);
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe("");
  });

  test("usage errors exit 2", async () => {
    const cases = [
      ["can-i", "get", "pods", "-f", RBAC], // no --as
      ["can-i", "get", "pods", "--as", "dev"], // no -f
      ["can-i", "get", "--as", "dev", "-f", RBAC], // no TYPE
      ["can-i", "get", "pods", "a", "b", "--as", "dev", "-f", RBAC], // too many
      ["can-i", "get", "pods/", "--as", "dev", "-f", RBAC], // empty subresource
      ["can-i", "get", "pods", "--as", "dev", "-f", RBAC, "--bogus"],
      ["no-such-command"],
    ];
    for (const args of cases) {
      const r = await runCli(args);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr).toMatch(/error:/);
    }
  });
});
