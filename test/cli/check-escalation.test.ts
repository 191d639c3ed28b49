import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, test, vi } from "vitest";
import { expectGolden } from "./golden.js";
import { CLUSTER, FIXTURES, RBAC, ROOT, runCli } from "./helpers.js";

// each test starts the CLI (a Node process compiling the wasm core) one or more times
vi.setConfig({ testTimeout: 60_000 });

const EXAMPLE = "examples/roles/secret-reader.yaml";
const ROLES = `${FIXTURES}/roles.yaml`;
const SECRET_WRITER = `${FIXTURES}/secret-writer-role.yaml`;
const AGGREGATING = `${FIXTURES}/aggregating-clusterrole.yaml`;
const BOB_ONCALL = ["--as", "bob@example.com", "--as-group", "oncall"];

describe("check-escalation on examples/cluster", () => {
  test("README example: allowed in payments (covered by oncall-exec), refused in shop (view only): exit 1", async () => {
    const r = await runCli(["check-escalation", ...BOB_ONCALL, "-f", CLUSTER, "--quiet", EXAMPLE]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe([
      "Role/payments/secret-reader: allowed (via covered)",
      'Error from server (Forbidden): roles.rbac.authorization.k8s.io "secret-reader" is forbidden: user "bob@example.com" ' +
        '(groups=["oncall" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:',
      '{APIGroups:[""], Resources:["secrets"], Verbs:["get"]}',
      "",
    ].join("\n"));
    expectGolden("check-escalation-secret-reader.txt", r.stdout);
  });

  test("every Role/ClusterRole of a multi-document file is checked, other kinds ignored; all allowed exits 0", async () => {
    const r = await runCli(["check-escalation", ...BOB_ONCALL, "-f", CLUSTER, "--quiet", ROLES]);
    expect(r.code).toBe(1);
    expect(r.stdout.split("\n").filter((l) => !l.startsWith("{"))).toEqual([
      "Role/payments/secret-reader: allowed (via covered)",
      expect.stringMatching(/^Error from server \(Forbidden\): roles\.rbac\.authorization\.k8s\.io "secret-reader" is forbidden: /),
      "ClusterRole//pod-viewer: allowed (via covered)",
      "",
    ]);
    // a ClusterRole is checked cluster-wide: the service account's edit in shop does not cover it
    const sa = await runCli(["check-escalation", "--as", "system:serviceaccount:shop:default", "-f", CLUSTER, "--quiet", ROLES]);
    expect(sa.stdout).toContain('Error from server (Forbidden): clusterroles.rbac.authorization.k8s.io "pod-viewer" is forbidden: ' +
      'user "system:serviceaccount:shop:default" (groups=["system:serviceaccounts" "system:serviceaccounts:shop" "system:authenticated"]) ' +
      "is attempting to grant RBAC permissions not currently held:\n" +
      '{APIGroups:[""], Resources:["pods"], Verbs:["get" "list" "watch"]}\n' +
      '{APIGroups:[""], Resources:["pods/log"], Verbs:["get" "list" "watch"]}\n');
    expect(sa.stdout).toContain("Role/shop/secret-reader: allowed (via covered)");
    const admin = await runCli(["check-escalation", "--as", "alice@example.com", "-f", CLUSTER, "--quiet", ROLES, SECRET_WRITER]);
    expect(admin.code).toBe(0);
    expect(admin.stdout).toBe([
      "Role/payments/secret-reader: allowed (via escalate)",
      "Role/shop/secret-reader: allowed (via escalate)",
      "ClusterRole//pod-viewer: allowed (via escalate)",
      "Role/shop/secret-writer: allowed (via escalate)",
      "",
    ].join("\n"));
  });

  test("--update: escalate limited to the role's name counts for an update (the URL names it), not for a create", async () => {
    const args = ["check-escalation", "--as", "eve", "-f", CLUSTER, "-f", `${FIXTURES}/named-escalate.yaml`, "--quiet", EXAMPLE];
    const create = await runCli(args);
    expect(create.code).toBe(1);
    expect(create.stdout).toContain('Error from server (Forbidden): roles.rbac.authorization.k8s.io "secret-reader" is forbidden: user "eve"');
    expect(create.stdout).not.toContain("allowed (via escalate)");
    const update = await runCli([...args, "--update"]);
    expect(update.stdout).toContain("Role/shop/secret-reader: allowed (via escalate)");
    // payments: no escalate there, and eve holds nothing
    expect(update.stdout).toContain('Error from server (Forbidden): roles.rbac.authorization.k8s.io "secret-reader" is forbidden');
    expect(update.code).toBe(1);
  });

  test("several missing rules: kube-apiserver's compacted, sorted lines", async () => {
    const r = await runCli(["check-escalation", ...BOB_ONCALL, "-f", CLUSTER, "--quiet", SECRET_WRITER]);
    expect(r.code).toBe(1);
    expectGolden("check-escalation-secret-writer.txt", r.stdout);
  });

  test("system:masters is always allowed; an aggregationRule needs * on *.*", async () => {
    const masters = await runCli(["check-escalation", "--as", "root", "--as-group", "system:masters", "-f", RBAC, SECRET_WRITER, AGGREGATING]);
    expect(masters.code).toBe(0);
    expect(masters.stdout).toBe("Role/shop/secret-writer: allowed (via system:masters)\nClusterRole//monitoring-all: allowed (via system:masters)\n");
    const bob = await runCli(["check-escalation", ...BOB_ONCALL, "-f", CLUSTER, "--quiet", AGGREGATING]);
    expect(bob.code).toBe(1);
    expect(bob.stdout).toBe('Error from server (Forbidden): clusterroles.rbac.authorization.k8s.io "monitoring-all" is forbidden: ' +
      "must have cluster-admin privileges to use the aggregationRule\n");
  });

  test("-o json", async () => {
    const r = await runCli(["check-escalation", ...BOB_ONCALL, "-f", CLUSTER, "--quiet", EXAMPLE, "-o", "json"]);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.user).toBe("bob@example.com");
    expect(out.groups).toEqual(["oncall", "system:authenticated"]);
    expect(out.results.map((x: any) => [x.kind, x.namespace, x.name, x.allowed, x.via])).toEqual([
      ["Role", "payments", "secret-reader", true, "covered"],
      ["Role", "shop", "secret-reader", false, ""],
    ]);
    expect(out.results[1].missing).toEqual(['{APIGroups:[""], Resources:["secrets"], Verbs:["get"]}']);
    expectGolden("check-escalation-secret-reader.json", r.stdout);
  });

  test("the role file from stdin", async () => {
    const yaml = readFileSync(path.join(ROOT, EXAMPLE), "utf8");
    const r = await runCli(["check-escalation", ...BOB_ONCALL, "-f", CLUSTER, "--quiet", "-"], { stdin: yaml });
    expect(r.code).toBe(1);
    expect(r.stdout.split("\n")[0]).toBe("Role/payments/secret-reader: allowed (via covered)");
  });

  test("input and usage errors exit 2", async () => {
    for (const args of [
      ["check-escalation", "--as", "dev", "-f", RBAC, RBAC.replace("rbac", "review").replace(".yaml", ".json")], // no role in it
      ["check-escalation", "--as", "dev", "-f", RBAC, "no/such/role.yaml"],
      ["check-escalation", "--as", "dev", "-f", RBAC], // no ROLE_FILE
      ["check-escalation", "-f", RBAC, EXAMPLE], // no --as
      ["check-escalation", "--as", "dev", EXAMPLE], // no -f
      ["check-escalation", "--as", "dev", "-f", "-", "-"],
    ]) {
      const r = await runCli(args);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(/error:/);
    }
  });
});
