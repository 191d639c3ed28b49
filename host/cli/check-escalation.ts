// `rbac-guard check-escalation`: would kube-apiserver let a user create (or update) these Roles/ClusterRoles, or
// refuse them as privilege escalation?
import type { Command } from "commander";
import type { EscalationResult, PolicyRule } from "../../bindings/index.js";
import { loadObjects, type LoadedObject } from "../k8s/load.js";
import { withImplicitGroups } from "../k8s/identity.js";
import {
  addInputOptions, CliError, collect, EXIT, loadEngine, paragraphs, printDiagnostic, usageError, type InputOptions,
} from "./common.js";
import { addOutputOption, printJson, type OutputFormat } from "./format.js";

interface CheckEscalationOptions extends InputOptions {
  as: string;
  asGroup?: string[];
  implicitGroups: boolean;
  update?: boolean;
  output?: OutputFormat;
}

export interface RoleCheck extends EscalationResult {
  kind: "Role" | "ClusterRole";
  namespace: string;
  name: string;
  /** where the role starts: file:line:column */
  source: string;
}

/** kube-apiserver's fullAuthority: what setting an aggregationRule requires. */
const FULL_AUTHORITY: PolicyRule[] = [
  { verbs: ["*"], apiGroups: ["*"], resources: ["*"] },
  { verbs: ["*"], nonResourceURLs: ["*"] },
];
export const AGGREGATION_MESSAGE = "must have cluster-admin privileges to use the aggregationRule";

function hasAggregationRule(o: any): boolean {
  const selectors = o?.aggregationRule?.clusterRoleSelectors;
  return Array.isArray(selectors) && selectors.length > 0;
}

const RESOURCE = { Role: "roles.rbac.authorization.k8s.io", ClusterRole: "clusterroles.rbac.authorization.k8s.io" } as const;

/** kube-apiserver's refusal as kubectl prints it. */
export function refusal(c: Pick<RoleCheck, "kind" | "name" | "message">): string {
  return `Error from server (Forbidden): ${RESOURCE[c.kind]} ${JSON.stringify(c.name)} is forbidden: ${c.message}`;
}

export function register(program: Command): Command {
  const cmd = program
    .command("check-escalation")
    .summary("check whether a user may create the Roles/ClusterRoles in a file, or would be refused as an escalation")
    .description(paragraphs(`Check whether kube-apiserver would let a user create or update the Roles and ClusterRoles in ROLE_FILE, or refuse
them because they grant permissions the user does not hold (RBAC's privilege-escalation prevention). The user's
permissions come from the manifests given with -f.

Kubernetes allows the write when the user is in the group system:masters, when the user holds the "escalate" verb
on roles (clusterroles for a ClusterRole) in the role's namespace, or when every rule of the role is covered by the
rules the user already holds there (for a ClusterRole: cluster-wide). The "escalate" verb is asked about the name
in the request's URL: none for a create (POST, the default here), so an "escalate" rule limited by resourceNames
does not apply; the role's name for an update (--update: PUT, PATCH, kubectl apply of an existing role, and
server-side apply, which creates with PATCH too). Otherwise the API server refuses it listing
the rules the user is missing. A ClusterRole with an aggregationRule (clusterRoleSelectors) needs more: unless
allowed through system:masters or "escalate", the user must hold * on *.* (cluster-admin), or the API server
refuses it with "${AGGREGATION_MESSAGE}".

Only this escalation check is made: to create the role at all the user also needs the create (or update) verb on
roles or clusterroles, which can-i answers.

ROLE_FILE is read like -f (YAML, multi-document, JSON, List; - for stdin); every Role and ClusterRole in it is
checked, other kinds are ignored. A Role's namespace is its metadata.namespace ("default" when it has none).

Output, per role in file order: "Role/NAMESPACE/NAME: allowed (via system:masters|escalate|covered)"
(ClusterRole//NAME for a ClusterRole), or kube-apiserver's refusal as kubectl prints it, "Error from server
(Forbidden): ..." followed by the missing rules, one a line (see the example below).

Groups: as in can-i, the user gets the --as-group groups plus system:authenticated (unless system:unauthenticated is
given; system:unauthenticated for system:anonymous) and, for a service account, system:serviceaccounts and
system:serviceaccounts:NS; --no-implicit-groups sends exactly the --as-group groups.`))
    .argument("<ROLE_FILE...>", "files (or -) holding the Roles/ClusterRoles to check")
    .requiredOption("--as <user>", "the user who would create them (a user name or system:serviceaccount:NS:NAME)")
    .option("--as-group <group>", "a group of the user; repeatable", collect);
  addInputOptions(cmd)
    .option("--no-implicit-groups", "do not add system:authenticated, system:serviceaccounts, ... to the groups")
    .option("--update", "check updates of the named roles (PUT/PATCH, server-side apply) instead of creates (POST)");
  addOutputOption(cmd, "output format: table (the default: one line per role) or json");
  cmd.addHelpText("after", `
Examples:
  # May on-call create a Secrets-reading Role in payments and in shop?
  rbac-guard check-escalation --as bob@example.com --as-group oncall -f examples/cluster examples/roles/secret-reader.yaml
  Role/payments/secret-reader: allowed (via covered)
  Error from server (Forbidden): roles.rbac.authorization.k8s.io "secret-reader" is forbidden: user "bob@example.com" (groups=["oncall" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:
  {APIGroups:[""], Resources:["secrets"], Verbs:["get"]}

  # Everything in a chart's rendered RBAC, as the CI deployer
  helm template charts/app | rbac-guard check-escalation --as system:serviceaccount:ci:deployer -f rbac/ -

  # As JSON: allowed, via, message, the uncovered rules and kube-apiserver's missing-rule lines per role
  rbac-guard check-escalation --as jane -f rbac/ role.yaml -o json

Exit codes: 0 every role is allowed, 1 at least one is refused, 2 unreadable input or usage error (also: no Role or
ClusterRole in ROLE_FILE), 3 policy engine failure.`);
  cmd.action(async (files: string[], opts: CheckEscalationOptions) => {
    process.exitCode = await run(files, opts);
  });
  return cmd;
}

/** The Roles and ClusterRoles among the objects of the role files. */
async function readRoles(files: string[], quiet: boolean | undefined): Promise<LoadedObject[]> {
  const result = await loadObjects(files);
  let errors = 0;
  for (const d of result.diagnostics) {
    if (d.severity === "error") errors++;
    if (d.severity === "error" || !quiet) printDiagnostic(d);
  }
  if (errors > 0) throw new CliError(`${errors} error${errors === 1 ? "" : "s"} reading ${files.join(", ")}; nothing was checked`, EXIT.INPUT);
  const roles = result.objects.filter((o) => o.object?.kind === "Role" || o.object?.kind === "ClusterRole");
  if (roles.length === 0) throw usageError(`no Role or ClusterRole in ${files.join(", ")}`);
  return roles;
}

async function run(files: string[], opts: CheckEscalationOptions): Promise<number> {
  if (files.includes("-") && (opts.filename ?? []).includes("-")) {
    throw usageError("stdin (-) can be read once: give it either as ROLE_FILE or with -f");
  }
  if (opts.filename === undefined || opts.filename.length === 0) {
    throw usageError("no input: give RBAC manifests with -f/--filename (a file, a directory or -)");
  }
  const roles = await readRoles(files, opts.quiet);
  const { engine } = await loadEngine(opts);
  const user = opts.as;
  const groups = opts.implicitGroups === false ? [...(opts.asGroup ?? [])] : withImplicitGroups(user, opts.asGroup ?? []);
  const operation = opts.update ? "update" : "create";
  const checks: RoleCheck[] = roles.map(({ object: o, source }) => {
    const kind = o.kind as "Role" | "ClusterRole";
    const name = String(o.metadata?.name ?? "");
    const namespace = kind === "Role" ? String(o.metadata?.namespace || "default") : "";
    const rules: PolicyRule[] = Array.isArray(o.rules) ? o.rules : [];
    let r = engine.checkEscalation({ user, groups, namespace, kind, name, operation, rules });
    // why: kube-apiserver checks the rules first, then (for an aggregating ClusterRole) requires * on *.* (storage.go)
    if (r.allowed && r.via === "covered" && kind === "ClusterRole" && hasAggregationRule(o)) {
      const full = engine.checkEscalation({ user, groups, namespace, kind, name, operation, rules: FULL_AUTHORITY });
      if (!full.allowed) r = { ...full, message: AGGREGATION_MESSAGE };
    }
    return { kind, namespace, name, source: `${source.file}:${source.line}:${source.column}`, ...r };
  });
  if (opts.output === "json") {
    printJson({ user, groups, results: checks });
  } else {
    const out: string[] = [];
    for (const c of checks) {
      out.push(c.allowed ? `${c.kind}/${c.namespace}/${c.name}: allowed (via ${c.via})` : refusal(c));
    }
    process.stdout.write(out.join("\n") + "\n");
  }
  return checks.every((c) => c.allowed) ? EXIT.OK : EXIT.NO;
}
