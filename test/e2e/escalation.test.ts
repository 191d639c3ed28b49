// The escalation check against Kubernetes itself: kube-apiserver v1.20 refuses to create a Role or ClusterRole
// whose rules its creator does not hold (pkg/registry/rbac/validation ConfirmNoEscalation, unless the creator may
// `escalate`), with a message listing the missing rules. On random policies (random-policy.ts), random users with
// random groups (impersonated by the admin, so the apiserver adds `system:authenticated` as it does for any
// impersonated user) create (POST) or update (PUT) random Roles and ClusterRoles with `?dryRun=All`, which asks
// the `escalate` verb about name "" or the role's name; engine.checkEscalation() on the
// same stored objects must give the same verdict and the same message, byte for byte (the resolution errors the
// message ends with, which Kubernetes lists in informer order, compared as a set).
// E2E_ESC_SEED and E2E_ESC_TRIALS pick the seed and the number of creations.
import { expect, test } from "vitest";
import { createEngine } from "../../bindings/index.js";
import { pool, RBAC } from "./harness.js";
import { AV, createAndSync, impersonatedGroups, policyRounds, rbacClusterForFile, rng, ruleOf, stored, unorderedErrors, V, type Rng } from "./random-policy.js";

const SEED = Number(process.env.E2E_ESC_SEED ?? 1);
const TRIALS = Number(process.env.E2E_ESC_TRIALS ?? 600);

const cluster = rbacClusterForFile("escalation");

interface Trial { user: string; groups: string[]; kind: "Role" | "ClusterRole"; namespace: string; name: string; operation: "create" | "update"; rules: any[] }

/**
 * A creation. Most are aimed: a subject of some binding creates a role with parts of that binding's role's rules,
 * which it holds when the binding applies where the new role lives (so both verdicts are common).
 */
function trialOf(r: Rng, i: number, objects: any[]): Trial {
  const kind = r.chance(0.5) ? "Role" : "ClusterRole";
  let namespace = kind === "Role" ? r.pick(V.namespaces) : "";
  let user = r.pick(V.users.filter((u) => u !== "" && u !== "system:anonymous"));
  const groups = r.some(V.groups.filter((g) => g !== "system:authenticated" && g !== "system:unauthenticated"), 0, 2);
  let held: any[] = [];
  const bindings = objects.filter((o) => o.kind === "ClusterRoleBinding" || (kind === "Role" && o.kind === "RoleBinding"));
  if (r.chance(0.7)) {
    const b = r.pick<any>(bindings);
    const s = r.pick<any>(b.subjects ?? [{ kind: "User", name: "nobody" }]);
    if (s.kind === "User" && s.name !== "system:anonymous") user = s.name;
    else if (s.kind === "Group" && s.name !== "system:masters" && !s.name.endsWith("authenticated")) groups.push(s.name);
    else if (s.kind === "ServiceAccount") user = `system:serviceaccount:${s.namespace ?? b.metadata.namespace}:${s.name}`;
    if (b.kind === "RoleBinding" && r.chance(0.9)) namespace = b.metadata.namespace;
    const role = objects.find((o) => o.kind === b.roleRef.kind && o.metadata.name === b.roleRef.name &&
      (o.kind === "ClusterRole" || o.metadata.namespace === b.metadata.namespace));
    held = (role?.rules ?? []).filter((x: any) => kind === "ClusterRole" || !x.nonResourceURLs?.length);
  }
  groups.push("creators");
  if (r.chance(0.1)) groups.push("escalators");
  const part = (xs: string[] | undefined) => (xs?.length ? r.some(xs, 1, xs.length) : xs);
  const rules = Array.from({ length: 1 + r.int(3) }, () => {
    if (held.length === 0 || r.chance(0.15)) return ruleOf(r, kind === "Role");
    const h = r.pick<any>(held);
    const out: any = { verbs: part(h.verbs) };
    if (h.nonResourceURLs?.length) out.nonResourceURLs = part(h.nonResourceURLs);
    else Object.assign(out, { apiGroups: part(h.apiGroups), resources: part(h.resources) }, h.resourceNames?.length ? { resourceNames: part(h.resourceNames) } : {});
    return out;
  });
  // the groups kube-apiserver gives the impersonated user (never none here: creators is always there)
  return { user, groups: impersonatedGroups(user, [...new Set(groups)]), kind, namespace, name: `t${SEED}-${i}`, operation: r.chance(0.3) ? "update" : "create", rules };
}

/** POST (create) or PUT (update of a role the admin created empty first) as the trial's user, with ?dryRun=All. */
async function write(t: Trial): Promise<{ status: number; message: string }> {
  const obj = { apiVersion: AV, kind: t.kind, metadata: { name: t.name, ...(t.namespace ? { namespace: t.namespace } : {}) }, rules: t.rules };
  const collection = t.kind === "Role" ? `/apis/${RBAC}/v1/namespaces/${t.namespace}/roles` : `/apis/${RBAC}/v1/clusterroles`;
  const impersonate = { "impersonate-user": t.user, "impersonate-group": t.groups.filter((g) => g !== "system:authenticated") };
  let res;
  if (t.operation === "create") res = await cluster().request("POST", `${collection}?dryRun=All`, obj, "admin", impersonate);
  else {
    const made = await cluster().request("POST", collection, { ...obj, rules: [] });
    if (made.status !== 201) throw new Error(`creating ${t.kind} ${t.name} for the update: HTTP ${made.status} ${made.text}`);
    res = await cluster().request("PUT", `${collection}/${t.name}?dryRun=All`, obj, "admin", impersonate);
  }
  return { status: res.status, message: res.json?.message ?? res.text };
}

test(`${TRIALS} random Role/ClusterRole creates and updates (seed ${SEED}): kube-apiserver's escalation check vs engine.checkEscalation`, async () => {
  const r = rng(SEED * 104729 + 7);
  const base = policyRounds([SEED, SEED + 1000]);
  const creators = [
    { apiVersion: AV, kind: "ClusterRole", metadata: { name: "e2e-role-creator" }, rules: [{ apiGroups: [RBAC], resources: ["roles", "clusterroles"], verbs: ["create", "update"] }] },
    { apiVersion: AV, kind: "ClusterRoleBinding", metadata: { name: "e2e-role-creators" }, roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: "e2e-role-creator" },
      subjects: [{ kind: "Group", apiGroup: RBAC, name: "creators" }] },
    { apiVersion: AV, kind: "ClusterRole", metadata: { name: "e2e-escalator" }, rules: [{ apiGroups: [RBAC], resources: ["roles", "clusterroles"], verbs: ["escalate"] }] },
    { apiVersion: AV, kind: "RoleBinding", metadata: { name: "e2e-escalators", namespace: "ns2" }, roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: "e2e-escalator" },
      subjects: [{ kind: "Group", apiGroup: RBAC, name: "escalators" }] },
  ];
  await createAndSync(cluster(), `esc${SEED}`, [...base, ...creators]);
  const objects = await stored(cluster());
  const engine = await createEngine(objects, { aggregate: false });

  const trials = Array.from({ length: TRIALS }, (_, i) => trialOf(r, i, objects));
  const results = await pool(trials, 16, async (t) => ({ t, k8s: await write(t) }));
  const differ: string[] = [];
  let allowed = 0, refused = 0, escalate = 0, updates = 0;
  for (const { t, k8s } of results) {
    const ours = engine.checkEscalation({ user: t.user, groups: t.groups, namespace: t.namespace, kind: t.kind, name: t.name, operation: t.operation, rules: t.rules });
    const where = `${t.user} ${JSON.stringify(t.groups)} ${t.operation}s ${t.kind} ${t.namespace}/${t.name} ${JSON.stringify(t.rules)}`;
    if (k8s.status === (t.operation === "create" ? 201 : 200)) {
      if (t.operation === "update") updates++;
      allowed++;
      if (ours.via === "escalate") escalate++;
      if (!ours.allowed) differ.push(`${where}: kube-apiserver created it / rbac-guard refuses: ${ours.message}`);
      continue;
    }
    const prefix = `${t.kind === "Role" ? "roles" : "clusterroles"}.${RBAC} "${t.name}" is forbidden: `;
    if (k8s.status !== 403 || !k8s.message.startsWith(prefix)) {
      differ.push(`${where}: kube-apiserver HTTP ${k8s.status} ${k8s.message}`);
      continue;
    }
    refused++;
    const theirs = k8s.message.slice(prefix.length);
    if (ours.allowed) differ.push(`${where}: kube-apiserver refused (${theirs}) / rbac-guard allows (${ours.via})`);
    else if (unorderedErrors(theirs) !== unorderedErrors(ours.message)) differ.push(`${where}:\n  kube-apiserver: ${theirs}\n  rbac-guard:     ${ours.message}`);
  }
  console.log(`seed ${SEED}: ${objects.length} RBAC objects, ${TRIALS} writes: ${allowed} allowed (${updates} updates; ${escalate} by escalate), ${refused} refused as escalation; ${differ.length} differ`);
  expect(differ).toEqual([]);
  expect(allowed).toBeGreaterThan(TRIALS / 10);
  expect(refused).toBeGreaterThan(TRIALS / 10);
  expect(escalate).toBeGreaterThan(0);
  expect(updates).toBeGreaterThan(0);
}, 240_000);
