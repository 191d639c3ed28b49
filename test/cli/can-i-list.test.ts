// can-i --list (kubectl auth can-i --list's table) and can-i --explain.
import { describe, expect, test, vi } from "vitest";
import type { Grant, RulesForResult } from "../../bindings/index.js";
import { listTable } from "../../host/cli/can-i-list.js";
import { tabwrite } from "../../host/cli/format.js";
import { expectGolden } from "./golden.js";
import { CLUSTER, FIXTURES, RBAC, runCli } from "./helpers.js";

// each test starts the CLI (a Node process compiling the wasm core) one or more times
vi.setConfig({ testTimeout: 60_000 });

const BOB_ONCALL = ["--as", "bob@example.com", "--as-group", "oncall"];
const src = (n: number): Grant => ({ binding: `RoleBinding/ns/b${n}`, role: `Role/ns/r${n}`, ruleIndex: n });

describe("kubectl's --list printer (unit)", () => {
  test("Go tabwriter as kubectl configures it: min width 6, padding 3, last cell unpadded", () => {
    expect(tabwrite([["a", "b", "c"], ["cc", "dddddd", "e"]])).toBe("a     b        c\ncc    dddddd   e\n");
    // widths count code points, as Go counts runes
    expect(tabwrite([["→→→→", "x"], ["a", "y"]])).toBe("→→→→   x\na      y\n");
  });

  test("breakdown, compaction (duplicate verbs kept), sort by PolicyRule.String(), CombineResourceGroup", () => {
    const status: RulesForResult = {
      resourceRules: [
        { verbs: ["get", "list"], apiGroups: [""], resources: ["pods"], resourceNames: [], source: src(1) },
        { verbs: ["get"], apiGroups: ["apps"], resources: ["deployments", "deployments/scale"], resourceNames: [], source: src(2) },
        { verbs: ["get"], apiGroups: [""], resources: ["configmaps"], resourceNames: ["b", "a"], source: src(3) },
        { verbs: ["watch", "get"], apiGroups: [""], resources: ["pods"], resourceNames: [], source: src(4) },
        { verbs: ["*"], apiGroups: ["*"], resources: ["*"], resourceNames: [], source: src(5) },
      ],
      nonResourceRules: [
        { verbs: ["get"], nonResourceURLs: ["/healthz", "/api"], source: src(6) },
        { verbs: ["get"], nonResourceURLs: ["/healthz", "/api"], source: src(7) },
      ],
      incomplete: false,
    };
    // verbs sort first ("[*]" < "[get list watch get]" < "[get]"); then API groups ("[]" < "[apps]"), then resources
    // ("[]" of non-resource rules < "[configmaps]"; "deployments/scale" < "deployments"), names, URLs
    expect(listTable(status)).toBe([
      "Resources                Non-Resource URLs   Resource Names   Verbs",
      "*.*                      []                  []               [*]",
      "pods                     []                  []               [get list watch get]",
      "                         [/api]              []               [get]",
      "                         [/api]              []               [get]",
      "                         [/healthz]          []               [get]",
      "                         [/healthz]          []               [get]",
      "configmaps               []                  [a]              [get]",
      "configmaps               []                  [b]              [get]",
      "deployments.apps/scale   []                  []               [get]",
      "deployments.apps         []                  []               [get]",
      "",
    ].join("\n"));
    const explained = listTable(status, { explain: true }).split("\n");
    expect(explained[0]).toBe("Resources                Non-Resource URLs   Resource Names   Verbs                  Source");
    expect(explained[2]).toBe(
      "pods                     []                  []               [get list watch get]   RoleBinding/ns/b1 → Role/ns/r1 rule #1, RoleBinding/ns/b4 → Role/ns/r4 rule #4");
    // duplicate rows keep their own sources, in input order (sort.Stable)
    expect(explained[3]).toMatch(/^ {25}\[\/api\] {14}\[\] {15}\[get\] {18}RoleBinding\/ns\/b6 → Role\/ns\/r6 rule #6$/);
    expect(explained[4]).toMatch(/\[get\] {18}RoleBinding\/ns\/b7 → Role\/ns\/r7 rule #7$/);
    // without the header line the columns are as wide as their widest cell (kubectl's minimum: 6)
    expect(listTable(status, { noHeaders: true }).split("\n")[0]).toBe("*.*                      []           []    [*]");
  });

  test("no rules: only the header", () => {
    expect(listTable({ resourceRules: [], nonResourceRules: [], incomplete: false }))
      .toBe("Resources   Non-Resource URLs   Resource Names   Verbs\n");
  });
});

describe("can-i --list", () => {
  test("on-call in payments: kubectl's table", async () => {
    const r = await runCli(["can-i", "--list", "-n", "payments", ...BOB_ONCALL, "-f", CLUSTER, "--quiet"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const lines = r.stdout.split("\n");
    expect(lines[0]).toBe("Resources                                       Non-Resource URLs   Resource Names   Verbs");
    expect(lines).toContain("pods/exec                                       []                  []               [create]");
    expect(lines).toContain("secrets                                         []                  []               [get list]");
    expect(lines).toContain("                                                [/healthz]          []               [get]");
    expectGolden("can-i-list-oncall-payments.txt", r.stdout);
  });

  test("resourceNames and implicit service-account groups (inventory-api)", async () => {
    const r = await runCli(["can-i", "--list", "-n", "inventory", "--as", "system:serviceaccount:inventory:inventory-api",
      "-f", CLUSTER, "--quiet"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^configmaps +\[\] +\[inventory-api-config\] +\[get list watch\]$/m);
    expect(r.stdout).toMatch(/^ +\[\/\.well-known\/openid-configuration\] +\[\] +\[get\]$/m);
    expectGolden("can-i-list-inventory-api.txt", r.stdout);
  });

  test("small fixture, exactly; the namespace defaults to default; --no-headers", async () => {
    const r = await runCli(["can-i", "--list", "-n", "team-a", "--as", "dev", "-f", RBAC]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe([
      "Resources   Non-Resource URLs   Resource Names   Verbs",
      "pods/log    []                  []               [get list]",
      "pods        []                  []               [get list]",
      "",
    ].join("\n"));
    const defaultNs = await runCli(["can-i", "--list", "--as", "dev", "-f", RBAC]);
    expect(defaultNs.stdout).toBe("Resources   Non-Resource URLs   Resource Names   Verbs\n");
    const noHeaders = await runCli(["can-i", "--list", "-n", "team-a", "--as", "dev", "-f", RBAC, "--no-headers"]);
    expect(noHeaders.stdout).toBe("pods/log   []    []    [get list]\npods       []    []    [get list]\n");
  });

  test("--explain adds the Source column", async () => {
    const r = await runCli(["can-i", "--list", "-n", "payments", ...BOB_ONCALL, "-f", CLUSTER, "--quiet", "--explain"]);
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[0]).toMatch(/^Resources +Non-Resource URLs +Resource Names +Verbs +Source$/);
    expect(r.stdout).toMatch(/^pods\/exec +\[\] +\[\] +\[create\] +RoleBinding\/payments\/oncall-exec → Role\/payments\/oncall-exec rule #1$/m);
    expectGolden("can-i-list-oncall-payments-explain.txt", r.stdout);
  });

  test("-o json prints the rules-for result with sources", async () => {
    const r = await runCli(["can-i", "--list", "-n", "team-a", "--as", "dev", "-f", RBAC, "-o", "json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      resourceRules: [{
        verbs: ["get", "list"], apiGroups: [""], resources: ["pods", "pods/log"], resourceNames: [],
        source: { binding: "RoleBinding/team-a/dev-pods", role: "ClusterRole//pod-reader", ruleIndex: 0 },
      }],
      nonResourceRules: [],
      incomplete: false,
    });
    const cluster = await runCli(["can-i", "--list", "-n", "payments", ...BOB_ONCALL, "-f", CLUSTER, "--quiet", "-o", "json"]);
    expectGolden("can-i-list-oncall-payments.json", cluster.stdout);
  });

  test("a binding to a missing role: the list may be incomplete (warning)", async () => {
    const r = await runCli(["can-i", "--list", "-n", "team-a", "--as", "casper", "-f", RBAC, "-f", `${FIXTURES}/dangling.yaml`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("Resources   Non-Resource URLs   Resource Names   Verbs\n");
    expect(r.stderr).toBe('warning: the list may be incomplete: role.rbac.authorization.k8s.io "ghost" not found\n');
  });

  test("--list takes no VERB/TYPE, nor -A, --subresource, --reason; -o and --no-headers need --list", async () => {
    for (const args of [
      ["can-i", "--list", "get", "--as", "dev", "-f", RBAC],
      ["can-i", "--list", "get", "pods", "--as", "dev", "-f", RBAC],
      ["can-i", "--list", "-A", "--as", "dev", "-f", RBAC],
      ["can-i", "--list", "--subresource", "log", "--as", "dev", "-f", RBAC],
      ["can-i", "--list", "--reason", "--as", "dev", "-f", RBAC],
      ["can-i", "--list", "-f", RBAC], // no --as
      ["can-i", "--list", "--as", "dev"], // no -f
      ["can-i", "get", "pods", "--as", "dev", "-f", RBAC, "-o", "json"],
      ["can-i", "get", "pods", "--as", "dev", "-f", RBAC, "--no-headers"],
      ["can-i", "--as", "dev", "-f", RBAC], // neither --list nor VERB
    ]) {
      const r = await runCli(args);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(/error:/);
    }
  });
});

describe("can-i --explain", () => {
  test("prints the grant after yes and the reason", async () => {
    const r = await runCli(["can-i", "get", "secrets", "-n", "payments", ...BOB_ONCALL, "-f", CLUSTER, "--quiet", "--reason", "--explain"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe([
      "yes",
      'reason: RBAC: allowed by RoleBinding "oncall-exec/payments" of Role "oncall-exec" to Group "oncall"',
      "grant: RoleBinding/payments/oncall-exec → Role/payments/oncall-exec rule #2",
      "",
    ].join("\n"));
  });

  test("aggregated ClusterRole: the rule index is into the aggregated rules; without --reason only the grant", async () => {
    const r = await runCli(["can-i", "list", "servicemonitors.monitoring.coreos.com", "-n", "shop", ...BOB_ONCALL, "-f", CLUSTER,
      "--quiet", "--explain"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("yes\ngrant: ClusterRoleBinding//oncall-view → ClusterRole//view rule #1\n");
  });

  test("no: grant (none), exit 1", async () => {
    const r = await runCli(["can-i", "get", "secrets", "-n", "shop", ...BOB_ONCALL, "-f", CLUSTER, "--quiet", "--reason", "--explain"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("no\nreason: (none)\ngrant: (none)\n");
  });
});
