// `rbac-guard who-can`: the subjects allowed an action (Kubernetes' RBAC subject locator), with the grants.
import type { Command } from "commander";
import type { WhoCanResult } from "../../bindings/index.js";
import { buildSpec, type CanIQuestion } from "./can-i.js";
import { addInputOptions, EXIT, loadEngine, paragraphs, printWarning, type InputOptions } from "./common.js";
import { addOutputOption, GRANT_HELP, grantText, printJson, tabwrite, type OutputFormat } from "./format.js";
import { ResourceTable } from "./resources.js";

/** The group kube-apiserver's authorizer chain allows everything before RBAC is asked. */
export const SYSTEM_MASTERS = "system:masters";
export const ALWAYS_ALLOWED = "(authorizer chain: always allowed)";

interface WhoCanOptions extends InputOptions {
  namespace?: string;
  allNamespaces?: boolean;
  subresource?: string;
  output?: OutputFormat;
}

/** One row per grant; the subject's cells only on its first row. */
export function whoCanTable(result: WhoCanResult): string {
  const rows: string[][] = [["KIND", "NAME", "NAMESPACE", "BINDING → ROLE"]];
  for (const s of result.subjects) {
    const lines = s.grants.map(grantText);
    if (s.kind === "Group" && s.name === SYSTEM_MASTERS) lines.unshift(ALWAYS_ALLOWED);
    if (lines.length === 0) lines.push("");
    lines.forEach((l, i) => rows.push(i === 0 ? [s.kind, s.name, s.namespace === "" ? "-" : s.namespace, l] : ["", "", "", l]));
  }
  return tabwrite(rows);
}

export function register(program: Command): Command {
  const cmd = program
    .command("who-can")
    .summary("list the users, groups and service accounts allowed an action, with the bindings that allow it")
    .description(paragraphs(`List the subjects (users, groups, service accounts) that RBAC allows an action, as Kubernetes' RBAC subject
locator finds them, each with the bindings and roles (and the rule) that allow it. The question is asked as in
can-i: VERB, then TYPE, TYPE/SUBRESOURCE (or --subresource) or a non-resource URL, then optionally a NAME.

The namespace is "default" unless -n or -A is given; -A asks about namespace "": only ClusterRoleBindings count
then, so it lists who may act in every namespace at once. Known cluster-scoped resources are asked about without
a namespace unless -n is given.

The Group system:masters is always listed, marked "${ALWAYS_ALLOWED}": kube-apiserver allows its members
everything before RBAC is asked, whatever the bindings say. Bindings whose role does not exist are skipped, as
Kubernetes skips them, and reported as warnings.

${GRANT_HELP}`))
    .argument("<VERB>", "the verb: get, list, watch, create, update, patch, delete, deletecollection, impersonate, bind, escalate, use, ...")
    .argument("<TYPE>", "TYPE, TYPE/SUBRESOURCE or a non-resource URL starting with /")
    .argument("[NAME]", "the name of one object")
    .option("-n, --namespace <namespace>", 'the namespace of the request (default: "default")')
    .option("-A, --all-namespaces", 'ask about all namespaces (namespace ""): cluster-wide bindings only')
    .option("--subresource <subresource>", "a subresource, e.g. log, exec, status, scale");
  addInputOptions(cmd);
  addOutputOption(cmd, 'output format: table (the default) or json ({"subjects": [...], "errors": [...]})');
  cmd.addHelpText("after", `
Examples:
  # Who can read Secrets in payments?
  rbac-guard who-can get secrets -n payments -f examples/cluster

  # Who can exec into pods in payments (a subresource)?
  rbac-guard who-can create pods/exec -n payments -f examples/cluster

  # Who can delete nodes; who can read /metrics; who can list Secrets in every namespace at once
  rbac-guard who-can delete nodes -f rbac/
  rbac-guard who-can get /metrics -f rbac/
  rbac-guard who-can list secrets -A -f rbac/ -o json

Exit codes: 0 success, 2 unreadable input or usage error, 3 policy engine failure.`);
  cmd.action(async (verb: string, type: string, name: string | undefined, opts: WhoCanOptions) => {
    process.exitCode = await run(verb, type, name, opts);
  });
  return cmd;
}

async function run(verb: string, type: string, name: string | undefined, opts: WhoCanOptions): Promise<number> {
  const warn = (m: string) => {
    if (!opts.quiet) printWarning(m);
  };
  // the user fields are irrelevant: who-can asks about every subject
  const question: CanIQuestion = {
    verb, type, name, namespace: opts.namespace, allNamespaces: opts.allNamespaces, subresource: opts.subresource,
    user: "", groups: [], implicitGroups: false,
  };
  buildSpec(question, new ResourceTable(), () => {});
  const { objects, engine } = await loadEngine(opts);
  const spec = buildSpec(question, ResourceTable.withObjects(objects.map((o) => o.object)), warn);
  const result = engine.whoCan(spec);
  if (opts.output === "json") printJson(result);
  else process.stdout.write(whoCanTable(result));
  for (const e of result.errors) warn(`a binding was skipped: ${e}`);
  return EXIT.OK;
}
