// `rbac-guard can-i`: kubectl auth can-i against manifests instead of a cluster.
import type { Command } from "commander";
import type { ExplainResult, SubjectAccessReviewSpec } from "../../bindings/index.js";
import { listTable } from "./can-i-list.js";
import {
  addInputOptions, collect, EXIT, loadEngine, paragraphs, printError, printWarning, usageError, type InputOptions,
} from "./common.js";
import { addOutputOption, GRANT_HELP, grantText, printJson, type OutputFormat } from "./format.js";
import { ResourceTable } from "./resources.js";
import { withImplicitGroups } from "../k8s/identity.js";

/** Verbs kubectl knows (it warns about others, and so do we). */
const RESOURCE_VERBS = new Set([
  "get", "list", "watch", "create", "update", "patch", "delete", "deletecollection", "use", "bind", "impersonate", "*",
  "approve", "sign", "escalate", "attest",
]);
const NON_RESOURCE_VERBS = new Set(["get", "put", "post", "head", "options", "delete", "patch", "*"]);

export interface CanIQuestion {
  verb: string;
  /** TYPE, TYPE/SUBRESOURCE or a non-resource URL (starts with `/`). */
  type: string;
  name?: string;
  /** undefined: not given (the default namespace applies). */
  namespace?: string;
  allNamespaces?: boolean;
  subresource?: string;
  user: string;
  groups?: string[];
  implicitGroups?: boolean;
}

/** Builds the SubjectAccessReview spec kubectl would send. Throws a usage error (exit 2) for invalid combinations. */
export function buildSpec(q: CanIQuestion, table: ResourceTable, warn: (message: string) => void): SubjectAccessReviewSpec {
  const groups = q.implicitGroups === false ? [...(q.groups ?? [])] : withImplicitGroups(q.user, q.groups ?? []);
  if (q.verb === "") throw usageError("VERB must not be empty");
  if (q.type.startsWith("/")) {
    if (q.name !== undefined) throw usageError(`a non-resource URL (${q.type}) does not take a NAME`);
    if (q.subresource !== undefined) throw usageError("--subresource can not be used with a non-resource URL");
    if (q.namespace !== undefined || q.allNamespaces) {
      throw usageError("--namespace and --all-namespaces can not be used with a non-resource URL (it is not namespaced)");
    }
    if (!NON_RESOURCE_VERBS.has(q.verb)) warn(`verb '${q.verb}' is not a known verb for non-resource URLs`);
    return { user: q.user, groups, nonResourceAttributes: { verb: q.verb, path: q.type } };
  }
  if (q.namespace !== undefined && q.allNamespaces) {
    throw usageError("--namespace and --all-namespaces can not be used together");
  }
  // TYPE[/SUBRESOURCE]: the part after the first "/" is the subresource (pods/log, deployments.apps/scale)
  const slash = q.type.indexOf("/");
  let typeArg = q.type;
  const name = q.name;
  let subresource = q.subresource;
  if (slash >= 0) {
    typeArg = q.type.slice(0, slash);
    const inline = q.type.slice(slash + 1);
    if (subresource !== undefined) throw usageError(`give the subresource either as TYPE/SUBRESOURCE or with --subresource, not both`);
    if (inline === "") throw usageError(`"${q.type}": the SUBRESOURCE after "/" is empty`);
    subresource = inline;
  }
  if (typeArg === "") throw usageError(`"${q.type}": TYPE is empty`);
  const r = table.resolve(typeArg);
  if (!r.known) {
    warn(r.group === ""
      ? `resource type '${r.resource}' is not a built-in Kubernetes resource (nor defined by a loaded CustomResourceDefinition); ` +
        `asking about it in the core group ""`
      : `resource type '${r.resource}' in group '${r.group}' is not a built-in Kubernetes resource (nor defined by a loaded CustomResourceDefinition)`);
  }
  if (!RESOURCE_VERBS.has(q.verb)) warn(`verb '${q.verb}' is not a known verb`);
  let namespace: string;
  if (q.allNamespaces) namespace = "";
  else if (q.namespace !== undefined) {
    namespace = q.namespace;
    if (r.clusterScoped) warn(`resource '${r.resource}' is not namespace scoped`);
  } else namespace = r.clusterScoped ? "" : "default";
  const ra: NonNullable<SubjectAccessReviewSpec["resourceAttributes"]> = {
    namespace,
    verb: q.verb,
    group: r.group,
    resource: r.resource,
  };
  if (r.version !== undefined) ra.version = r.version;
  if (subresource !== undefined) ra.subresource = subresource;
  if (name !== undefined) ra.name = name;
  return { user: q.user, groups, resourceAttributes: ra };
}

interface CanIOptions extends InputOptions {
  as: string;
  asGroup?: string[];
  namespace?: string;
  allNamespaces?: boolean;
  subresource?: string;
  reason?: boolean;
  implicitGroups: boolean;
  list?: boolean;
  explain?: boolean;
  output?: OutputFormat;
  headers: boolean;
}

export function register(program: Command): Command {
  const cmd = program
    .command("can-i")
    .summary("check whether a user may perform an action (like kubectl auth can-i)")
    .description(paragraphs(`Check whether a user may perform an action, deciding it with Kubernetes' RBAC authorizer over the
manifests given with -f. Prints "yes" (exit 0) or "no" (exit 1), like kubectl auth can-i.

TYPE is kubectl's: a resource name (plural, singular or short name: pods, pod, po), "resource.group"
(deployments.apps, servicemonitors.monitoring.coreos.com) or "resource.version.group" (deployments.v1.apps).
Without a group the built-in Kubernetes resources (and CustomResourceDefinitions among the inputs) are looked up,
as kubectl's discovery would (deployments -> group apps); an unknown name is taken as a core-group ("") resource
and "resource." forces the core group. A "resource.group" is asked about as written even when no input defines it
(kubectl, when its discovery does not know the type, warns and asks about the whole string as a core-group resource,
"widgets.example.com" in group "", which only a "*" rule matches). TYPE/SUBRESOURCE asks about a subresource (pods/log, pods/exec,
deployments.apps/scale; --subresource does the same); NAME names one object. Note that kubectl reads TYPE/NAME
instead: here the object name is always the separate NAME argument. A TYPE starting with "/" is a non-resource URL
(/healthz, /logs/*): it takes no NAME, --namespace or --subresource.

The namespace is "default" unless -n or -A is given (-A asks about all namespaces: namespace ""). Known
cluster-scoped resources (nodes, namespaces, clusterroles, ...) are asked about without a namespace unless -n is
given.

Groups: the user gets exactly the --as-group groups plus the ones the API server adds itself, as real credentials
get them: system:authenticated (unless system:unauthenticated is given; system:unauthenticated for
system:anonymous), and for a service account user system:serviceaccount:NS:NAME also system:serviceaccounts and
system:serviceaccounts:NS. kubectl auth can-i --as gets the same through impersonation, except in two corners where
its impersonation adds nothing: system:anonymous, and a service account user given --as-group. --no-implicit-groups
sends exactly the --as-group groups.

--list takes no VERB or TYPE: it prints every rule the user holds in the namespace (-n, default "default"), as a
SelfSubjectRulesReview returns them, in the table kubectl auth can-i --list prints (the same rows, order and
layout: rules broken down and merged per resource, verbs in brackets, "resource.group" names). -o json prints the
rules with the binding, role and rule each comes from instead; --explain adds that as a Source column.

${GRANT_HELP}`))
    .argument("[VERB]", "the verb: get, list, watch, create, update, patch, delete, deletecollection, impersonate, bind, escalate, use, ... (required unless --list)")
    .argument("[TYPE]", "TYPE, TYPE/SUBRESOURCE or a non-resource URL starting with / (required unless --list)")
    .argument("[NAME]", "the name of one object")
    .requiredOption("--as <user>", "the user to ask for (a user name or system:serviceaccount:NS:NAME)")
    .option("--as-group <group>", "a group of the user; repeatable", collect)
    .option("-n, --namespace <namespace>", 'the namespace of the request (default: "default")')
    .option("-A, --all-namespaces", 'ask about all namespaces (namespace "")')
    .option("--subresource <subresource>", "a subresource, e.g. log, exec, status, scale");
  addInputOptions(cmd)
    .option("--reason", 'print the authorizer\'s reason on a second line ("reason: ...", "reason: (none)" when empty)')
    .option("--explain", 'print the grant that allows it ("grant: BINDING → ROLE rule #N", "grant: (none)"); with --list, add a Source column')
    .option("--no-implicit-groups", "do not add system:authenticated, system:serviceaccounts, ... to the groups")
    .option("--list", "list every rule the user holds in the namespace (kubectl auth can-i --list); takes no VERB or TYPE");
  addOutputOption(cmd, "with --list: table (the default: kubectl's) or json (the rules with their sources)")
    .option("--no-headers", "with --list: do not print the header line");
  cmd.addHelpText("after", `
Examples:
  # Can the shop namespace's default service account create deployments there?
  rbac-guard can-i create deployments -n shop --as system:serviceaccount:shop:default -f examples/cluster

  # The same, explaining which binding allows it
  rbac-guard can-i create deployments.apps -n shop --as system:serviceaccount:shop:default -f examples/cluster --reason

  # A named object, a subresource, a custom resource
  rbac-guard can-i get configmaps app-config -n inventory --as jane -f rbac/
  rbac-guard can-i create pods/exec -n payments --as bob --as-group oncall -f rbac/
  rbac-guard can-i list servicemonitors.monitoring.coreos.com -A --as bob -f rbac/

  # A non-resource URL, with manifests read from stdin
  kubectl get clusterroles,clusterrolebindings -o yaml | rbac-guard can-i get /metrics --as prometheus -f -

  # In scripts: the exit code is the answer
  if rbac-guard can-i delete nodes --as alice -f rbac/ --quiet >/dev/null; then echo "alice can delete nodes"; fi

  # Which binding, role and rule allow it
  rbac-guard can-i get secrets -n payments --as bob --as-group oncall -f examples/cluster --reason --explain

  # Everything a user may do in a namespace, as kubectl auth can-i --list prints it; with the sources; as JSON
  rbac-guard can-i --list -n payments --as bob --as-group oncall -f examples/cluster
  rbac-guard can-i --list -n payments --as bob --as-group oncall -f examples/cluster --explain
  rbac-guard can-i --list -n shop --as system:serviceaccount:shop:default -f examples/cluster -o json

Exit codes: 0 yes (--list: listed), 1 no, 2 unreadable input or usage error, 3 policy engine failure.`);
  cmd.action(async (verb: string | undefined, type: string | undefined, name: string | undefined, opts: CanIOptions) => {
    if (opts.list) {
      if (verb !== undefined) throw usageError("--list takes no VERB, TYPE or NAME arguments");
      process.exitCode = await runList(opts);
      return;
    }
    // why: VERB and TYPE are optional for commander only because --list takes none
    if (verb === undefined) cmd.error("error: missing required argument 'VERB'", { code: "commander.missingArgument" });
    if (type === undefined) cmd.error("error: missing required argument 'TYPE'", { code: "commander.missingArgument" });
    if (opts.output !== undefined) throw usageError("-o/--output is only for --list");
    if (!opts.headers) throw usageError("--no-headers is only for --list");
    process.exitCode = await run(verb!, type!, name, opts);
  });
  return cmd;
}

async function runList(opts: CanIOptions): Promise<number> {
  if (opts.allNamespaces) throw usageError("--list can not be used with --all-namespaces (it lists the rules of one namespace: -n)");
  if (opts.subresource !== undefined) throw usageError("--list can not be used with --subresource");
  if (opts.reason) throw usageError("--list can not be used with --reason (use --explain for the sources)");
  const user = opts.as;
  const groups = opts.implicitGroups === false ? [...(opts.asGroup ?? [])] : withImplicitGroups(user, opts.asGroup ?? []);
  const { engine } = await loadEngine(opts);
  const status = engine.rulesFor({ user, groups, namespace: opts.namespace ?? "default" });
  if (opts.output === "json") printJson(status);
  else process.stdout.write(listTable(status, { noHeaders: !opts.headers, explain: opts.explain }));
  if ((status.incomplete || status.evaluationError !== undefined) && !opts.quiet) {
    printWarning(`the list may be incomplete: ${status.evaluationError ?? "(no reason given)"}`);
  }
  return EXIT.OK;
}

async function run(verb: string, type: string, name: string | undefined, opts: CanIOptions): Promise<number> {
  const warn = (m: string) => {
    if (!opts.quiet) printWarning(m);
  };
  const question: CanIQuestion = {
    verb,
    type,
    name,
    namespace: opts.namespace,
    allNamespaces: opts.allNamespaces,
    subresource: opts.subresource,
    user: opts.as,
    groups: opts.asGroup,
    implicitGroups: opts.implicitGroups,
  };
  // why: check the arguments before reading (possibly large) inputs; CRDs from the inputs refine the table below
  buildSpec(question, new ResourceTable(), () => {});
  const { objects, engine } = await loadEngine(opts);
  const spec = buildSpec(question, ResourceTable.withObjects(objects.map((o) => o.object)), warn);
  const result = opts.explain ? engine.explain(spec) : engine.authorize(spec);
  process.stdout.write(result.allowed ? "yes\n" : "no\n");
  if (opts.reason) process.stdout.write(`reason: ${result.reason === "" ? "(none)" : result.reason}\n`);
  if (opts.explain) {
    const grant = (result as ExplainResult).grant;
    process.stdout.write(`grant: ${grant ? grantText(grant) : "(none)"}\n`);
  }
  if (result.evaluationError !== undefined) {
    printError(`the request could not be evaluated: ${result.evaluationError}`);
    return EXIT.ENGINE;
  }
  return result.allowed ? EXIT.OK : EXIT.NO;
}
