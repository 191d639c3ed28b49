// `rbac-guard demo`: a readable tour of a snapshot (npm start runs it on examples/cluster).
import type { Command } from "commander";
import type { LoadedObject } from "../k8s/load.js";
import { buildSpec, type CanIQuestion } from "./can-i.js";
import { addInputOptions, EXIT, paragraphs, loadEngine, style, type InputOptions, type Style } from "./common.js";
import { ResourceTable } from "./resources.js";

interface DemoQuestion extends Omit<CanIQuestion, "implicitGroups"> {
  expect: "yes" | "no";
  why: string;
}

const SHOP_DEFAULT = "system:serviceaccount:shop:default";
const CI_DEPLOYER = "system:serviceaccount:ci:deployer";
const INVENTORY_API = "system:serviceaccount:inventory:inventory-api";

/** The example questions of examples/cluster/README.md, with their expected answers. */
export const QUESTIONS: DemoQuestion[] = [
  { verb: "create", type: "deployments", namespace: "shop", user: SHOP_DEFAULT, expect: "yes",
    why: "shop's default SA holds the aggregated edit ClusterRole" },
  { verb: "get", type: "secrets", namespace: "shop", user: SHOP_DEFAULT, expect: "yes",
    why: "every pod in shop can read every Secret of the namespace" },
  { verb: "list", type: "servicemonitors.monitoring.coreos.com", namespace: "shop", user: SHOP_DEFAULT, expect: "yes",
    why: "aggregation is transitive: monitoring-view -> view -> edit" },
  { verb: "create", type: "rolebindings.rbac.authorization.k8s.io", namespace: "shop", user: SHOP_DEFAULT, expect: "no",
    why: "RBAC writes come with admin, not edit" },
  { verb: "patch", type: "deployments", namespace: "kube-system", user: CI_DEPLOYER, expect: "yes",
    why: "ci-deployer has verbs [*] on deployments, bound cluster-wide" },
  { verb: "patch", type: "deployments", subresource: "scale", namespace: "shop", user: CI_DEPLOYER, expect: "no",
    why: "deployments/scale is another resource string" },
  { verb: "delete", type: "nodes", user: "alice@example.com", expect: "yes",
    why: "debug binding left behind: cluster-admin" },
  { verb: "get", type: "secrets", namespace: "kube-system", user: "system:serviceaccount:payments:api", expect: "yes",
    why: "the payments API pods hold a cluster-admin token" },
  { verb: "get", type: "configmaps", name: "inventory-api-config", namespace: "inventory", user: INVENTORY_API, expect: "yes",
    why: "least privilege: one named ConfigMap" },
  { verb: "list", type: "configmaps", namespace: "inventory", user: INVENTORY_API, expect: "no",
    why: "resourceNames never match a collection request" },
  { verb: "get", type: "secrets", namespace: "payments", user: "bob@example.com", groups: ["oncall"], expect: "yes",
    why: "oncall reads Secrets in payments (on purpose, high-risk)" },
  { verb: "get", type: "secrets", namespace: "shop", user: "bob@example.com", groups: ["oncall"], expect: "no",
    why: "elsewhere oncall only has view, which has no Secrets" },
  { verb: "list", type: "servicemonitors.monitoring.coreos.com", namespace: "shop", user: "bob@example.com",
    groups: ["oncall"], expect: "yes", why: "view includes monitoring-view through aggregation" },
];

/** The command line a question stands for. */
export function commandLine(q: DemoQuestion): string {
  const parts = ["can-i", q.verb, q.subresource !== undefined ? `${q.type}/${q.subresource}` : q.type];
  if (q.name !== undefined) parts.push(q.name);
  if (q.namespace !== undefined) parts.push("-n", q.namespace);
  parts.push("--as", q.user);
  for (const g of q.groups ?? []) parts.push("--as-group", g);
  return parts.join(" ");
}

export interface SubjectRow {
  kind: string;
  name: string;
  namespace: string;
  bindings: number;
}

/** Every subject named by a RoleBinding or ClusterRoleBinding, with the number of bindings naming it. */
export function subjectTable(objects: LoadedObject[]): SubjectRow[] {
  const rows = new Map<string, SubjectRow>();
  for (const { object: o } of objects) {
    if (o?.kind !== "RoleBinding" && o?.kind !== "ClusterRoleBinding") continue;
    const seen = new Set<string>();
    for (const s of Array.isArray(o.subjects) ? o.subjects : []) {
      if (!s || typeof s !== "object") continue;
      const kind = String(s.kind ?? "");
      const name = String(s.name ?? "");
      const namespace = kind === "ServiceAccount" ? String(s.namespace ?? "") : "";
      const key = JSON.stringify([kind, namespace, name]);
      if (seen.has(key)) continue; // a binding naming the same subject twice counts once
      seen.add(key);
      const row = rows.get(key) ?? { kind, name, namespace, bindings: 0 };
      row.bindings++;
      rows.set(key, row);
    }
  }
  const order = ["User", "Group", "ServiceAccount"];
  const rank = (k: string) => (order.indexOf(k) < 0 ? order.length : order.indexOf(k));
  return [...rows.values()].sort((a, b) =>
    b.bindings - a.bindings || rank(a.kind) - rank(b.kind) || a.kind.localeCompare(b.kind) ||
    a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
}

/** Left-aligned columns separated by two spaces; `paint` colours a cell after padding. */
function table(header: string[], rows: string[][], s: Style, paint?: (col: number, cell: string) => string): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[], p: (col: number, cell: string) => string) =>
    r.map((c, i) => p(i, i === r.length - 1 ? c : c.padEnd(widths[i]))).join("  ").trimEnd();
  return [fmt(header, (_, c) => s.bold(c)), ...rows.map((r) => fmt(r, paint ?? ((_, c) => c)))];
}

export function register(program: Command): Command {
  const cmd = program
    .command("demo")
    .summary("summarise a snapshot and answer the example cluster's questions")
    .description(paragraphs(`Summarise the manifests given with -f: objects by kind, the roles and bindings the engine indexed, warnings,
the example questions of examples/cluster/README.md answered with their reasons, and every subject named by a
binding with the number of bindings naming it. Meant for examples/cluster (npm start runs it there); on other
manifests the questions still run but their expected answers may not hold. Colours only on a terminal (NO_COLOR
turns them off).`));
  addInputOptions(cmd);
  cmd.addHelpText("after", `
Examples:
  rbac-guard demo -f examples/cluster
  NO_COLOR=1 rbac-guard demo -f examples/cluster --quiet | less

Exit codes: 0 success, 2 unreadable input or usage error, 3 policy engine failure.`);
  cmd.action(async (opts: InputOptions) => {
    process.exitCode = await run(opts);
  });
  return cmd;
}

async function run(opts: InputOptions): Promise<number> {
  const { objects, engine, warnings, files } = await loadEngine(opts);
  const s = style(process.stdout);
  const out: string[] = [];
  const heading = (t: string) => out.push("", s.bold(s.cyan(t)));

  out.push(s.bold(`rbac-guard demo: ${objects.length} objects from ${files.length} file${files.length === 1 ? "" : "s"}`));

  heading("Objects by kind");
  const kinds = new Map<string, number>();
  for (const o of objects) kinds.set(String(o.object?.kind), (kinds.get(String(o.object?.kind)) ?? 0) + 1);
  const kindRows = [...kinds].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  for (const line of table(["KIND", "COUNT"], kindRows.map(([k, n]) => [k, String(n)]), s)) out.push("  " + line);

  heading("Policy snapshot");
  const st = engine.stats;
  out.push(`  roles and cluster roles  ${st.roles}`);
  out.push(`  cluster role bindings    ${st.clusterRoleBindings}`);
  out.push(`  role bindings            ${st.roleBindings}`);
  out.push(`  warnings                 ${warnings === 0 ? "0" : s.yellow(String(warnings))}` +
    (warnings > 0 && opts.quiet ? s.dim("  (not shown: --quiet)") : ""));

  heading("Questions (examples/cluster/README.md)");
  const table0 = ResourceTable.withObjects(objects.map((o) => o.object));
  let unexpected = 0;
  for (const q of QUESTIONS) {
    const r = engine.authorize(buildSpec(q, table0, () => {}));
    const answer = r.evaluationError !== undefined ? "error" : r.allowed ? "yes" : "no";
    const mark = answer === "yes" ? s.green(s.bold("yes")) : answer === "no" ? s.red(s.bold("no ")) : s.red("err");
    const off = answer !== q.expect;
    if (off) unexpected++;
    out.push(`  ${mark}  ${commandLine(q)}${off ? s.yellow(`  (README expects ${q.expect})`) : ""}`);
    const reason = r.evaluationError ?? (r.reason === "" ? "(no reason: nothing allows it)" : r.reason);
    out.push(`       ${s.dim("reason:")} ${reason}`);
    out.push(`       ${s.dim("why:   ")} ${s.dim(q.why)}`);
  }
  if (unexpected > 0) out.push(s.yellow(`  ${unexpected} answer${unexpected === 1 ? "" : "s"} differ from the README (are these the example cluster's manifests?)`));

  heading("Subjects named by bindings");
  const subjects = subjectTable(objects);
  const rows = subjects.map((r) => [r.kind, r.name, r.namespace === "" ? "-" : r.namespace, String(r.bindings)]);
  for (const line of table(["KIND", "NAME", "NAMESPACE", "BINDINGS"], rows, s)) out.push("  " + line);
  out.push(s.dim(`  ${subjects.length} subjects`));

  process.stdout.write(out.join("\n") + "\n");
  return EXIT.OK;
}
