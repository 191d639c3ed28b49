// `rbac-guard can-i` against `kubectl auth can-i` on a real kube-apiserver v1.20 (--authorization-mode=RBAC): on a
// random policy (random-policy.ts), random command lines (verbs, resource types as kubectl takes them: plural,
// singular and short names, resource.group, `*`, --subresource, an object name, -n / -A / the default namespace,
// non-resource URLs, --as users with --as-group groups) are run by kubectl as the admin impersonating the user, and
// by rbac-guard over the objects the apiserver stores. Both must answer the same: yes (exit 0) or no (exit 1).
// kubectl names an object as TYPE/NAME, rbac-guard as a separate NAME argument (its TYPE/X means a subresource).
// Left out, as documented differences (can-i --help): system:anonymous and --as-group for a ServiceAccount user, where
// rbac-guard gives the groups real credentials get rather than kubectl's impersonation, and a "resource.group" that
// kubectl's discovery does not know.
// E2E_CANI_SEED and E2E_CANI_QUESTIONS pick the seed and the number of command lines.
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { expect, test } from "vitest";
import { runCli } from "../cli/helpers.js";
import { kubectl, pool, RBAC, tools } from "./harness.js";
import { createAndSync, policyRounds, rbacClusterForFile, rng, stored, V } from "./random-policy.js";

const SEED = Number(process.env.E2E_CANI_SEED ?? 1);
const QUESTIONS = Number(process.env.E2E_CANI_QUESTIONS ?? 150);

const cluster = rbacClusterForFile("can-i-cli");

// resource types as users type them; the policy's vocabulary (pods, deployments, secrets, roles, example.com) and more
const TYPES = ["pods", "pod", "po", "deployments", "deployment", "deploy", "deployments.apps", "deploy.apps", "deployments.v1.apps",
  "secrets", "secret", "roles", "roles.rbac.authorization.k8s.io", "clusterroles", "*", "*.*", "nodes", "no", "namespaces", "ns",
  "configmaps", "cm", "services", "svc", "serviceaccounts", "sa", "jobs.batch", "widgets", "replicasets", "pods.", "events"];
// left out: a "resource.group" unknown to kubectl's discovery (no CRD here), e.g. widgets.example.com: kubectl asks about
// resource "widgets.example.com" in group "", rbac-guard about widgets in example.com (see can-i --help)
const VERBS = ["get", "list", "watch", "create", "delete", "update", "patch", "escalate", "*", "impersonate", "deletecollection"];
const URLS = ["/healthz", "/healthz/etcd", "/api", "/api/v1", "/logs", "/logs/x", "/version", "/apis", "/livez"];

interface Line { kubectl: string[]; ours: string[]; text: string }

// the (group, resource) pairs of the policy's vocabulary that kubectl's discovery knows, as a TYPE
const KNOWN: Record<string, Record<string, string>> = {
  "": { pods: "pods", secrets: "secrets" }, apps: { deployments: "deployments.apps" }, [RBAC]: { roles: "roles.rbac.authorization.k8s.io" },
};

/** A random command line; half of them aimed at a binding (one of its subjects, a rule of its role), so that yes is common. */
function lineOf(r: ReturnType<typeof rng>, objects: any[]): Line {
  const sa = r.chance(0.3);
  let user = sa ? `system:serviceaccount:${r.pick(V.namespaces)}:${r.pick(V.saNames)}` : r.pick(["alice", "bob", "carol", "dave"]);
  // kubectl impersonation adds no ServiceAccount groups once --as-group is given (see the file comment)
  let groups = sa ? [] : r.some(V.groups.filter((g) => g !== "system:authenticated" && g !== "system:unauthenticated"), 0, 2);
  let verb = r.pick(VERBS);
  let type = r.pick(TYPES);
  let sub = r.chance(0.2) ? r.pick(["log", "scale", "status", "exec"]) : "";
  let nsArg: string[] = [];
  const k = r.int(4);
  if (k === 1) nsArg = ["--all-namespaces"];
  else if (k > 1) nsArg = ["-n", r.pick([...V.namespaces, "kube-system", "other"])];
  let url = r.chance(0.15) ? r.pick(URLS) : "";
  if (r.chance(0.5)) {
    const b = r.pick(objects.filter((o) => o.kind.endsWith("Binding") && o.subjects?.length));
    const s = r.pick<any>(b.subjects);
    const role = objects.find((o) => o.kind === b.roleRef.kind && o.metadata.name === b.roleRef.name &&
      (o.kind === "ClusterRole" || o.metadata.namespace === b.metadata.namespace));
    const rule = role?.rules?.length ? r.pick<any>(role.rules) : undefined;
    if (s.kind === "User" && s.name !== "system:anonymous") { user = s.name; }
    else if (s.kind === "Group" && s.name !== "system:masters" && !s.name.endsWith("authenticated")) { user = "erin"; groups = [s.name]; }
    else if (s.kind === "ServiceAccount") { user = `system:serviceaccount:${s.namespace ?? b.metadata.namespace}:${s.name}`; groups = []; }
    if (b.kind === "RoleBinding") nsArg = ["-n", b.metadata.namespace];
    if (rule) {
      verb = r.pick(rule.verbs);
      if (rule.nonResourceURLs?.length) url = String(r.pick(rule.nonResourceURLs)).replace(/\*+$/, "x");
      else {
        url = "";
        const [res, s2] = String(r.pick(rule.resources)).split("/");
        const known = KNOWN[r.pick(rule.apiGroups) as string]?.[res!];
        if (known) { type = known; sub = s2 && s2 !== "*" ? s2 : ""; }
      }
    }
  }
  const who = [`--as=${user}`, ...groups.map((g) => `--as-group=${g}`)];
  if (url) return { kubectl: [verb, url, ...who], ours: [verb, url, ...who], text: `${verb} ${url} ${who.join(" ")}` };
  const name = r.chance(0.25) ? r.pick(["a", "b", "app-config"]) : "";
  const rest = [...(sub ? [`--subresource=${sub}`] : []), ...nsArg, ...who];
  return {
    kubectl: [verb, name ? `${type}/${name}` : type, ...rest],
    ours: [verb, type, ...(name ? [name] : []), ...rest],
    text: `${verb} ${name ? `${type}/${name}` : type} ${rest.join(" ")}`,
  };
}

test(`${QUESTIONS} random command lines (seed ${SEED}): rbac-guard can-i answers as kubectl auth can-i --as`, async () => {
  if (!tools().kubectl) throw new Error("kubectl is needed for this comparison (Debian: kubernetes-client)");
  const api = cluster();
  await createAndSync(api, `cani${SEED}`, policyRounds([SEED, SEED + 1000]));
  const objects = await stored(api);
  const file = path.join(path.dirname(api.kubeconfig("admin")), "stored.json");
  writeFileSync(file, JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }));
  const r = rng(SEED * 7 + 11);
  const lines = Array.from({ length: QUESTIONS }, () => lineOf(r, objects));
  const answers = await pool(lines, 4, async (l) => ({ l, k: await kubectl(api, "admin", ["auth", "can-i", ...l.kubectl]),
    // --no-aggregate: no controller-manager fills aggregated roles here, so they keep their stored (empty) rules
    o: await runCli(["can-i", ...l.ours, "-f", file, "--quiet", "--no-aggregate"]) }));
  const differ: string[] = [];
  let yes = 0;
  for (const { l, k, o } of answers) {
    if (k.code > 1 || !/^(yes|no)\b/.test(k.stdout.trim())) throw new Error(`kubectl auth can-i ${l.text}: exit ${k.code}: ${k.out}`);
    if (k.code === 0) yes++;
    if (o.code !== k.code || !o.stdout.startsWith(k.code === 0 ? "yes" : "no")) {
      differ.push(`can-i ${l.text}: kubectl ${k.code} ${k.stdout.trim()} / rbac-guard ${o.code} ${o.stdout.trim()} ${o.stderr.trim()}`);
    }
  }
  console.log(`seed ${SEED}: ${QUESTIONS} command lines, ${yes} yes; ${differ.length} differ`);
  expect(differ).toEqual([]);
  expect(yes).toBeGreaterThan(QUESTIONS / 10);
  expect(QUESTIONS - yes).toBeGreaterThan(QUESTIONS / 10);
}, 240_000);
