// Differential against Kubernetes itself: random RBAC policies (seeded, reproducible) are created in a real
// kube-apiserver v1.20 (--authorization-mode=RBAC), read back as the apiserver stores them (its bootstrap roles and
// bindings included), and loaded into rbac-guard's engine in process; then random SubjectAccessReviews go to both.
// `allowed` must be equal on every question, and so must `reason`, byte for byte, with the two freedoms Kubernetes
// itself takes (it lists bindings from an informer cache, in Go map order):
// - allowed by several bindings: Kubernetes names one of them. Its reason must be exactly what rbac-guard says when
//   that binding is the only one that allows (an engine built with the other allowing bindings left out);
// - several distinct role-lookup errors: Kubernetes lists them in its order, so `RBAC: [e1, e2]` is compared as a set.
// No kube-controller-manager runs, so aggregated ClusterRoles keep their stored (empty) rules: the engine is built
// with `aggregate: false` to decide on the very objects the apiserver's authorizer sees.
// E2E_DIFF_SEEDS="1,2,3" and E2E_DIFF_QUESTIONS pick the seeds and the questions per seed.
import { expect, test } from "vitest";
import { createEngine, type Engine } from "../../bindings/index.js";
import { pool } from "./harness.js";
import { createAndSync, policyRounds, rbacClusterForFile, rng, sar, stored, unorderedErrors, V, type Rng } from "./random-policy.js";

const SEEDS = (process.env.E2E_DIFF_SEEDS ?? "1,2,3").split(",").map(Number);
const QUESTIONS = Number(process.env.E2E_DIFF_QUESTIONS ?? 700);

/** A random question; half of them aimed at one of the bindings (a subject of it, a rule of its role), so that allows are common. */
function questionOf(r: Rng, bindings: any[], rolesByRef: Map<string, any>): Record<string, unknown> {
  let user = r.pick(V.users);
  const groups = r.some(V.groups, 0, 3);
  let namespace = r.pick(V.requestNamespaces);
  let aim: { verbs?: string[]; apiGroups?: string[]; resources?: string[]; resourceNames?: string[]; nonResourceURLs?: string[] } | undefined;
  const b = r.chance(0.5) ? r.pick(bindings) : undefined;
  if (b) {
    const s = r.pick<any>(b.subjects ?? [{ kind: "User", name: "nobody" }]);
    if (s.kind === "User") user = s.name;
    // system:masters is allowed by the apiserver's authorizer chain before RBAC is asked (its reason is "")
    else if (s.kind === "Group" && s.name !== "system:masters") groups.push(s.name);
    else user = `system:serviceaccount:${s.namespace ?? b.metadata.namespace ?? ""}:${s.name}`;
    if (b.kind === "RoleBinding" && r.chance(0.8)) namespace = b.metadata.namespace;
    const role = rolesByRef.get(`${b.roleRef.kind}/${b.roleRef.kind === "Role" ? b.metadata.namespace : ""}/${b.roleRef.name}`);
    if (role?.rules?.length) aim = r.pick<any>(role.rules);
  }
  if (user.startsWith("system:serviceaccount:") && r.chance(0.7)) {
    groups.push("system:serviceaccounts", `system:serviceaccounts:${user.split(":")[2]}`);
  }
  if (!b && r.chance(0.1)) user = `system:serviceaccount:${r.pick(V.namespaces)}:${r.pick(V.saNames)}`;
  // the apiserver refuses a review with neither user nor groups
  if (user === "" && groups.length === 0) groups.push(r.pick(V.groups));
  const spec: Record<string, unknown> = { user, groups: [...new Set(groups)] };
  const from = (xs: string[] | undefined, fallback: string[], p = 0.8) => (xs?.length && r.chance(p) ? r.pick(xs) : r.pick(fallback));
  if (aim ? !!aim.nonResourceURLs?.length : r.chance(0.2)) {
    let path = from(aim?.nonResourceURLs, V.requestPaths);
    if (path.endsWith("*")) path = path.replace(/\*+$/, "") + r.pick(["", "x", "/y"]);
    spec.nonResourceAttributes = { verb: from(aim?.verbs, V.requestVerbs), path };
  } else {
    let resource = from(aim?.resources, V.requestResources);
    let subresource = r.pick(V.requestSubresources);
    if (resource.includes("/")) [resource, subresource] = [resource.slice(0, resource.indexOf("/")), resource.slice(resource.indexOf("/") + 1)];
    if (resource === "*" && r.chance(0.7)) resource = r.pick(V.requestResources);
    spec.resourceAttributes = {
      namespace, verb: from(aim?.verbs, V.requestVerbs), group: from(aim?.apiGroups, V.requestGroups), version: r.pick(["v1", ""]),
      resource, subresource, name: from(aim?.resourceNames, V.names, 0.6),
    };
  }
  return spec;
}

const cluster = rbacClusterForFile("differential");
const earlier = { roles: [] as string[][], clusterRoles: [] as string[] };

const bindingKey = (o: any) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;
/** The binding a Kubernetes allow reason names, as a bindingKey. */
function reasonBinding(reason: string): string | undefined {
  const m = /^RBAC: allowed by (ClusterRoleBinding|RoleBinding) "([^"]*)" of /.exec(reason);
  if (!m) return undefined;
  if (m[1] === "ClusterRoleBinding") return `ClusterRoleBinding//${m[2]}`;
  const [name, namespace] = m[2]!.split("/");
  return `RoleBinding/${namespace}/${name}`;
}

test.each(SEEDS)(`seed %i: ${QUESTIONS} random SubjectAccessReviews, kube-apiserver --authorization-mode=RBAC vs the engine`, async (seed) => {
  await createAndSync(cluster(), `p${seed}`, policyRounds([seed], earlier));
  const objects = await stored(cluster());
  const engine = await createEngine(objects, { aggregate: false });
  const r = rng(seed * 7919 + 1);
  const isBinding = (o: any) => o.kind === "RoleBinding" || o.kind === "ClusterRoleBinding";
  const rolesByRef = new Map(objects.filter((o) => !isBinding(o)).map((o) => [`${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`, o]));
  const specs = Array.from({ length: QUESTIONS }, () => questionOf(r, objects.filter(isBinding), rolesByRef));
  const answers = await pool(specs, 16, async (spec) => ({ spec, k8s: await sar(cluster(), spec), ours: engine.authorize(spec as any) }));

  // an engine per binding named in a Kubernetes reason, with every other binding that allows the question left out
  const single = new Map<string, Engine>();
  const alone = async (spec: object, named: string): Promise<string> => {
    const others: string[] = [];
    for (const b of objects.filter(isBinding)) {
      if (bindingKey(b) === named) continue;
      let one = single.get(bindingKey(b));
      if (!one) single.set(bindingKey(b), one = await createEngine([...objects.filter((o) => !isBinding(o)), b], { aggregate: false }));
      if (one.authorize(spec as any).allowed) others.push(bindingKey(b));
    }
    const rest = objects.filter((o) => !isBinding(o) || !others.includes(bindingKey(o)));
    return (await createEngine(rest, { aggregate: false })).authorize(spec as any).reason;
  };

  const differ: string[] = [];
  let yes = 0, errors = 0, otherBinding = 0;
  for (const { spec, k8s, ours } of answers) {
    const q = JSON.stringify(spec);
    expect(k8s.evaluationError, q).toBe("");
    if (ours.evaluationError) differ.push(`${q}: engine error ${ours.evaluationError}`);
    if (k8s.allowed !== ours.allowed) {
      differ.push(`${q}: kube-apiserver ${k8s.allowed} "${k8s.reason}" / rbac-guard ${ours.allowed} "${ours.reason}"`);
      continue;
    }
    if (k8s.allowed) {
      yes++;
      if (k8s.reason === ours.reason) continue;
      const named = reasonBinding(k8s.reason);
      if (!named || !reasonBinding(ours.reason)) { differ.push(`${q}: reason "${k8s.reason}" / "${ours.reason}"`); continue; }
      otherBinding++;
      const want = await alone(spec, named);
      if (want !== k8s.reason) differ.push(`${q}: kube-apiserver "${k8s.reason}" / rbac-guard with that binding alone "${want}"`);
      continue;
    }
    if (k8s.reason) errors++;
    if (unorderedErrors(k8s.reason) !== unorderedErrors(ours.reason)) differ.push(`${q}: reason "${k8s.reason}" / "${ours.reason}"`);
  }
  console.log(`seed ${seed}: ${objects.length} RBAC objects, ${answers.length} questions: ${yes} allowed ` +
    `(${otherBinding} by several bindings, Kubernetes naming another), ${errors} denials with role errors; ${differ.length} differ`);
  expect(differ).toEqual([]);
  // the questions are not trivial: both answers and denial reasons occur
  expect(yes).toBeGreaterThan(QUESTIONS / 20);
  expect(answers.length - yes).toBeGreaterThan(QUESTIONS / 10);
  expect(errors).toBeGreaterThan(0);
}, 240_000);
