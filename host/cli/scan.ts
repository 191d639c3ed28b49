// `rbac-guard scan`: the guardrail report (lint, text) followed by the most dangerous subjects and what each can
// reach. `npm start` runs it on examples/cluster. Never fails on findings (lint --fail-on none).
import type { Command } from "commander";
import type { LintSubject } from "../../bindings/index.js";
import { countsText, subjectText } from "../lint/report.js";
import { reachText, subjectReach } from "../lint/reach.js";
import { addInputOptions, EXIT, paragraphs, style, usageError, type Style } from "./common.js";
import { renderReport, runLint, type LintOptions } from "./lint.js";

interface ScanOptions extends LintOptions {
  top?: string;
}

export function register(program: Command): Command {
  const cmd = program
    .command("scan")
    .summary("guardrail report plus the most dangerous subjects and what they can reach (npm start)")
    .description(paragraphs(`Run every guardrail check (as rbac-guard lint does, text output) and then list the most dangerous subjects:
the users, groups and ServiceAccounts holding the most severe findings, each with what it can reach, as Kubernetes
would allow it: cluster-admin (or admin of a namespace), reading or writing Secrets, creating pods or workloads,
exec, impersonation, escalate and bind, token minting, ... with the binding and role that grant it, and the
workloads that hold a ServiceAccount's token.

scan exits 0 whatever it finds (use lint --fail-on in CI). The configuration is read as lint reads it.`))
    .option("--config <file>", "lint configuration (default: .rbac-guard.yaml next to the input, or in the current directory)")
    .option("--no-config", "do not read a .rbac-guard.yaml")
    .option("--explain", "add each finding's remediation")
    .option("--top <n>", "how many subjects to list (at most 10)", "5");
  addInputOptions(cmd);
  cmd.addHelpText("after", `
Examples:
  rbac-guard scan -f examples/cluster
  kubectl get roles,rolebindings,clusterroles,clusterrolebindings,serviceaccounts,deployments -A -o yaml | rbac-guard scan -f -

Exit codes: 0 the report was written (findings or not), 2 unreadable input or configuration, or usage error, 3 policy
engine failure.`);
  cmd.action(async (opts: ScanOptions) => {
    process.exitCode = await run(opts);
  });
  return cmd;
}

/** The namespaces of the input's RoleBindings: where namespaced actions are asked when not allowed cluster-wide. */
function bindingNamespaces(objects: { object: any }[]): string[] {
  const set = new Set<string>();
  for (const { object: o } of objects) {
    if (o?.kind === "RoleBinding" && typeof o.metadata?.namespace === "string" && o.metadata.namespace !== "") set.add(o.metadata.namespace);
  }
  return [...set].sort();
}

export function dangerousSubjectsText(lines: { subject: LintSubject; counts: string; reach: string[]; workloads: string[] }[], st: Style): string {
  const out = [st.bold("MOST DANGEROUS SUBJECTS")];
  if (lines.length === 0) out.push("  none: no subject holds an unsuppressed finding");
  for (const l of lines) {
    const [first, ...rest] = l.reach;
    out.push(`  ${st.bold(subjectText(l.subject))}: ${first ?? "no cluster-admin, Secret, pod, exec, impersonation or RBAC-write access"}`);
    for (const r of rest) out.push(`      also ${r}`);
    const tail = [l.counts];
    if (l.workloads.length > 0) tail.push(`token in ${l.workloads.join(", ")}`);
    out.push(st.dim(`      ${tail.join("; ")}`));
  }
  return out.join("\n") + "\n";
}

async function run(opts: ScanOptions): Promise<number> {
  const top = Number(opts.top ?? "5");
  if (!Number.isInteger(top) || top < 1 || top > 10) throw usageError("--top must be a whole number from 1 to 10");
  const lint = await runLint({ ...opts, failOn: "none" });
  const st = style(process.stdout);
  process.stdout.write(renderReport(lint, "text", { explain: opts.explain, color: true }));
  const subjects = lint.result.summary.topSubjects.slice(0, top);
  const reach = subjectReach(lint.loaded.engine, subjects, lint.result.findings, bindingNamespaces(lint.loaded.objects));
  process.stdout.write("\n" + dangerousSubjectsText(reach.map((r, i) => ({
    subject: r.subject,
    counts: `${subjects[i].findings} finding${subjects[i].findings === 1 ? "" : "s"}: ${countsText(subjects[i].bySeverity, { skipZero: true })}`,
    reach: r.reach.map(reachText),
    workloads: r.workloads,
  })), st));
  return EXIT.OK;
}
