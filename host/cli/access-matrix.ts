// `rbac-guard access-matrix`: resources × verbs for one user (like rakkess), each cell decided by the engine.
import type { Command } from "commander";
import type { Engine, Grant } from "../../bindings/index.js";
import type { LoadedObject } from "../k8s/load.js";
import { combineResourceGroup } from "./can-i-list.js";
import { withImplicitGroups } from "../k8s/identity.js";
import {
  addInputOptions, collect, EXIT, loadEngine, paragraphs, printError, style, type InputOptions,
} from "./common.js";
import { addOutputOption, GRANT_HELP, grantText, printJson, tabwrite, type OutputFormat } from "./format.js";
import { ResourceTable } from "./resources.js";

export const MATRIX_VERBS = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"] as const;

interface AccessMatrixOptions extends InputOptions {
  as: string;
  asGroup?: string[];
  implicitGroups: boolean;
  namespace?: string;
  output?: OutputFormat;
  explain?: boolean;
  ascii?: boolean;
}

export interface MatrixResource {
  resource: string;
  group: string;
  subresource?: string;
}

export interface MatrixCell {
  allowed: boolean;
  grant?: Grant;
}

export interface MatrixRow extends MatrixResource {
  verbs: Record<string, MatrixCell>;
}

/** `resource.group[/subresource]`, the core group plain (kubectl's CombineResourceGroup). */
export function displayName(r: MatrixResource): string {
  return combineResourceGroup([r.subresource === undefined ? r.resource : `${r.resource}/${r.subresource}`], [r.group]);
}

/**
 * The rows of the matrix: every resource a Role/ClusterRole among the inputs names (`*` and `*`-patterns such as
 * `*∕status` left out, subresources such as pods/log kept; a rule with apiGroups ["*"] counts for the group the
 * resource is known in), plus the built-in core and apps resources; with a namespace only the namespaced ones
 * (unknown resources count as namespaced; a subresource has its resource's scope). Sorted by display name.
 */
export function matrixResources(objects: LoadedObject[], table: ResourceTable, namespaced: boolean): MatrixResource[] {
  const found = new Map<string, MatrixResource>();
  const add = (group: string, combined: string) => {
    if (combined === "" || combined.includes("*")) return;
    const slash = combined.indexOf("/");
    const r: MatrixResource = slash < 0
      ? { resource: combined, group }
      : { resource: combined.slice(0, slash), group, subresource: combined.slice(slash + 1) };
    if (r.resource === "" || r.subresource === "") return;
    if (namespaced && table.clusterScoped(group, r.resource) === true) return;
    found.set(JSON.stringify([r.group, r.resource, r.subresource ?? null]), r);
  };
  for (const info of table.list()) if (info.group === "" || info.group === "apps") add(info.group, info.plural);
  for (const { object: o } of objects) {
    if (o?.kind !== "Role" && o?.kind !== "ClusterRole") continue;
    for (const rule of Array.isArray(o.rules) ? o.rules : []) {
      const groups: unknown[] = Array.isArray(rule?.apiGroups) ? rule.apiGroups : [];
      const resources: unknown[] = Array.isArray(rule?.resources) ? rule.resources : [];
      for (const res of resources) {
        if (typeof res !== "string") continue;
        for (const g of groups) {
          if (typeof g !== "string") continue;
          if (g !== "*") {
            add(g, res);
            continue;
          }
          // why: RBAC matches resource names exactly, so only a plural names a known resource
          const plural = res.split("/")[0];
          const known = table.list().find((info) => info.plural === plural);
          if (known) add(known.group, res);
        }
      }
    }
  }
  const rows = [...found.values()].map((r) => ({ r, key: displayName(r) }));
  rows.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return rows.map((x) => x.r);
}

/** Decides every cell with engine.explain; the first evaluation error, if any, is returned too. */
export function decideMatrix(engine: Engine, resources: MatrixResource[], user: string, groups: string[], namespace: string):
  { rows: MatrixRow[]; error?: string } {
  let error: string | undefined;
  const rows = resources.map((r) => {
    const verbs: Record<string, MatrixCell> = {};
    for (const verb of MATRIX_VERBS) {
      const ra: Record<string, string> = { namespace, verb, group: r.group, resource: r.resource };
      if (r.subresource !== undefined) ra.subresource = r.subresource;
      const e = engine.explain({ user, groups, resourceAttributes: ra });
      if (e.evaluationError !== undefined) error ??= e.evaluationError;
      verbs[verb] = e.grant !== undefined && e.allowed ? { allowed: true, grant: e.grant } : { allowed: e.allowed };
    }
    return { ...r, verbs };
  });
  return { rows, error };
}

function describeSubject(user: string, groups: string[]): string {
  return `User ${JSON.stringify(user)} (groups: ${groups.length === 0 ? "none" : groups.join(", ")})`;
}

export function register(program: Command): Command {
  const cmd = program
    .command("access-matrix")
    .summary("show what a user may do: resources × verbs (get, list, watch, create, ...), like rakkess")
    .description(paragraphs(`Show a user's access as a matrix (like rakkess): one row per resource, one column per verb (get, list, watch,
create, update, patch, delete, deletecollection), ✔ where RBAC allows it and ✖ where not (--ascii: yes/no). Each
cell is a SubjectAccessReview decided over the manifests given with -f.

Rows: every resource that a Role or ClusterRole among the inputs names ("*" and patterns such as "*/status" left
out; subresources such as pods/log kept), plus the built-in core and apps resources, sorted by "resource.group"
(core resources plain). With -n NS the namespaced resources are asked about in NS. Without -n every resource is asked
about cluster-wide (namespace ""): cluster-scoped resources, and namespaced resources in all namespaces at once, so
only ClusterRoleBindings count; the first line says which.

Groups: as in can-i, the user gets the --as-group groups plus system:authenticated (unless system:unauthenticated is
given; system:unauthenticated for system:anonymous) and, for a service account, system:serviceaccounts and
system:serviceaccounts:NS; --no-implicit-groups sends exactly the --as-group groups.

--explain adds, after the matrix, one line per allowed cell with the binding, role and rule that allow it.
${GRANT_HELP}`))
    .requiredOption("--as <user>", "the user (a user name or system:serviceaccount:NS:NAME)")
    .option("--as-group <group>", "a group of the user; repeatable", collect)
    .option("-n, --namespace <namespace>", "show the namespaced resources in this namespace (default: every resource, cluster-wide)");
  addInputOptions(cmd)
    .option("--no-implicit-groups", "do not add system:authenticated, system:serviceaccounts, ... to the groups")
    .option("--explain", "list the grant (binding → role rule #N) behind every allowed cell")
    .option("--ascii", "write yes/no instead of ✔/✖");
  addOutputOption(cmd, 'output format: table (the default) or json ({"namespace", "verbs", "resources": [...]}, with grants)');
  cmd.addHelpText("after", `
Examples:
  # What may the shop namespace's default service account do in shop?
  rbac-guard access-matrix --as system:serviceaccount:shop:default -n shop -f examples/cluster

  # On-call in payments, with the bindings behind each allowed cell
  rbac-guard access-matrix --as bob --as-group oncall -n payments -f examples/cluster --explain

  # Cluster-wide, as JSON
  rbac-guard access-matrix --as alice@example.com -f examples/cluster -o json

Exit codes: 0 success, 2 unreadable input or usage error, 3 policy engine failure.`);
  cmd.action(async (opts: AccessMatrixOptions) => {
    process.exitCode = await run(opts);
  });
  return cmd;
}

async function run(opts: AccessMatrixOptions): Promise<number> {
  const { objects, engine } = await loadEngine(opts);
  const user = opts.as;
  const groups = opts.implicitGroups === false ? [...(opts.asGroup ?? [])] : withImplicitGroups(user, opts.asGroup ?? []);
  const namespace = opts.namespace ?? "";
  const table = ResourceTable.withObjects(objects.map((o) => o.object));
  const resources = matrixResources(objects, table, opts.namespace !== undefined);
  const { rows, error } = decideMatrix(engine, resources, user, groups, namespace);
  if (opts.output === "json") {
    printJson({ user, groups, namespace, verbs: MATRIX_VERBS, resources: rows });
  } else {
    const s = style(process.stdout);
    const [yes, no] = opts.ascii ? ["yes", "no"] : ["✔", "✖"];
    const where = opts.namespace !== undefined
      ? `in namespace ${JSON.stringify(namespace)} (namespaced resources)`
      : `cluster-wide (namespace "": cluster-scoped resources, and namespaced resources in all namespaces at once)`;
    const out = [`${describeSubject(user, groups)} ${where}:\n`];
    const cells = [["NAME", ...MATRIX_VERBS.map((v) => v.toUpperCase())],
      ...rows.map((r) => [displayName(r), ...MATRIX_VERBS.map((v) => (r.verbs[v].allowed ? yes : no))])];
    out.push(tabwrite(cells, {
      paint: (ri, ci, cell) => ri === 0 || ci === 0 ? cell : cell.startsWith(yes) ? s.green(cell) : s.red(cell),
    }));
    if (opts.explain) {
      const grants = [["NAME", "VERB", "BINDING → ROLE"]];
      for (const r of rows) {
        for (const v of MATRIX_VERBS) {
          const g = r.verbs[v].grant;
          if (g) grants.push([displayName(r), v, grantText(g)]);
        }
      }
      out.push("\n", grants.length > 1 ? tabwrite(grants) : "No cell is allowed.\n");
    }
    process.stdout.write(out.join(""));
  }
  if (error !== undefined) {
    printError(`some requests could not be evaluated: ${error}`);
    return EXIT.ENGINE;
  }
  return EXIT.OK;
}
