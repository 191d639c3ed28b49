#!/usr/bin/env node
// rbac-guard command line: dispatches to one module per command.
import { Command } from "commander";
import { register as registerAccessMatrix } from "./access-matrix.js";
import { register as registerAuthorize } from "./authorize.js";
import { register as registerCanI } from "./can-i.js";
import { register as registerCheckEscalation } from "./check-escalation.js";
import { EXIT, EXIT_CODES_HELP, exitCodeFor, version } from "./common.js";
import { register as registerDemo } from "./demo.js";
import { register as registerLint } from "./lint.js";
import { register as registerScan } from "./scan.js";
import { register as registerServe } from "./serve.js";
import { register as registerWeb } from "./web.js";
import { register as registerWhoCan } from "./who-can.js";

export function buildProgram(): Command {
  const program = new Command();
  program
    .name("rbac-guard")
    .description("Kubernetes RBAC guardrails: answer access questions over RBAC manifests with Kubernetes' own RBAC " +
      "authorizer, without a cluster.")
    .version(version(), "-v, --version", "print the version")
    .helpOption("-h, --help", "show help for a command")
    .helpCommand("help [command]", "show help for a command")
    // settings below are copied to the subcommands created after them
    .exitOverride()
    .showHelpAfterError("(run with --help for usage)")
    .configureHelp({ sortSubcommands: false });
  registerCanI(program);
  registerWhoCan(program);
  registerAccessMatrix(program);
  registerCheckEscalation(program);
  registerAuthorize(program);
  registerLint(program);
  registerScan(program);
  registerDemo(program);
  registerServe(program);
  registerWeb(program);
  program.addHelpText("after", `
Inputs (-f/--filename, repeatable): RBAC manifests as YAML (multi-document) or JSON files, kind List included;
a directory is read recursively (*.yaml, *.yml, *.json); - reads stdin. Any kinds may be mixed in; only Role,
ClusterRole, RoleBinding and ClusterRoleBinding decide access. Input errors are printed as
file:line:col: error: message; warnings as "warning: ..." (--quiet hides them).

Examples:
  rbac-guard can-i create deployments -n shop --as system:serviceaccount:shop:default -f examples/cluster
  kubectl get roles,rolebindings,clusterroles,clusterrolebindings -A -o yaml | rbac-guard can-i list secrets -A --as jane -f -
  rbac-guard authorize -f rbac/ --input reviews.jsonl
  rbac-guard demo -f examples/cluster

${EXIT_CODES_HELP}`);
  return program;
}

async function main(argv: string[]): Promise<void> {
  // why: `rbac-guard ... | head` closes stdout early; that is not an error
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? EXIT.OK);
    throw e;
  });
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    process.exitCode = exitCodeFor(e);
  }
}

await main(process.argv);
