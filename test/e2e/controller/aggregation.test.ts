// ClusterRole aggregation against Kubernetes' own controller: kube-controller-manager v1.20 running only the
// clusterrole-aggregation controller fills the rules of every ClusterRole with an aggregationRule (the bootstrap
// admin/edit/view and random ones: matchLabels, matchExpressions In/NotIn/Exists/DoesNotExist, several selectors,
// chains of aggregated roles selecting aggregated roles, duplicate rules, one role selecting everything). The
// engine, built from the same objects, must resolve every aggregated ClusterRole to the rules the controller
// converges to, in the same order (read through rulesFor of a user bound to that role alone).
// Not part of `npm run test:e2e`: it needs kube-controller-manager (KUBE_CONTROLLER_MANAGER, or
// scripts/kube-controller-manager.sh's cache). `npm run test:e2e:controller`; E2E_AGG_SEEDS picks the seeds.
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { expect, test } from "vitest";
import { createEngine } from "../../../bindings/index.js";
import { cachedBinary, kubeconfigText, Proc, RBAC, until } from "../harness.js";
import { AV, createAndSync, rbacClusterForFile, rng, ruleOf, stored, type Rng } from "../random-policy.js";

const SEEDS = (process.env.E2E_AGG_SEEDS ?? "1,2,3").split(",").map(Number);

// kube-controller-manager on the file's apiserver, running only the aggregation controller
const cluster = rbacClusterForFile("aggregation", async (api, stack, pki) => {
  const kcm = cachedBinary(process.env.KUBE_CONTROLLER_MANAGER, "kube-controller-manager");
  if (!kcm) throw new Error("kube-controller-manager not found (KUBE_CONTROLLER_MANAGER, or the e2e cache): build it with scripts/kube-controller-manager.sh");
  const kc = path.join(stack.dir, "kcm.kubeconfig");
  writeFileSync(kc, kubeconfigText(api.url, pki.caFile, { token: api.ids.admin!.token }, "admin"));
  stack.track(new Proc("kube-controller-manager", kcm, [
    `--kubeconfig=${kc}`, "--controllers=clusterrole-aggregation", "--leader-elect=false", "--port=0", "--secure-port=0",
    "--use-service-account-credentials=false", "--logtostderr", "-v=1",
  ], path.join(stack.dir, "logs")));
  // the bootstrap view role gets its rules from system:aggregate-to-view: the controller is working
  await until(async () => ((await api.request("GET", `/apis/${RBAC}/v1/clusterroles/view`)).json?.rules ?? []).length > 0,
    60_000, () => "kube-controller-manager to aggregate the bootstrap view ClusterRole");
});

const LABELS = ["a", "b", "c"];
const VALUES = ["x", "y"];

function selectorOf(r: Rng, level: number): object {
  // level-k roles select only labels of level < k (tier label), so chains exist but cycles do not
  const tier = { key: "tier", operator: "In", values: Array.from({ length: level }, (_, i) => `t${i}`) };
  const k = r.int(6);
  const key = r.pick(LABELS);
  if (k === 0) return { matchLabels: { [key]: r.pick(VALUES) }, matchExpressions: [tier] };
  if (k === 1) return { matchExpressions: [tier, { key, operator: "In", values: r.some(VALUES, 1, 2) }] };
  if (k === 2) return { matchExpressions: [tier, { key, operator: "NotIn", values: [r.pick(VALUES)] }] };
  if (k === 3) return { matchExpressions: [tier, { key, operator: "Exists" }] };
  if (k === 4) return { matchExpressions: [tier, { key, operator: "DoesNotExist" }] };
  return { matchLabels: { [key]: r.pick(VALUES), [r.pick(LABELS)]: r.pick(VALUES) }, matchExpressions: [tier] };
}

/** Labelled ClusterRoles in tiers; from tier 1 up some aggregate lower tiers; shared rules make duplicates. */
function clusterRolesOf(seed: number): object[] {
  const r = rng(seed * 31337 + 5);
  const shared = Array.from({ length: 4 }, () => ruleOf(r, false));
  const out: object[] = [];
  for (let i = 0; i < 24; i++) {
    const level = Math.min(3, Math.floor(i / 6));
    const labels: Record<string, string> = { tier: `t${level}` };
    for (const l of LABELS) if (r.chance(0.5)) labels[l] = r.pick(VALUES);
    const rules = Array.from({ length: r.int(3) }, () => (r.chance(0.4) ? r.pick(shared) : ruleOf(r, false)));
    const o: any = { apiVersion: AV, kind: "ClusterRole", metadata: { name: `g${seed}-${String(i).padStart(2, "0")}-${r.pick(["m", "b", "z"])}`, labels }, rules };
    if (level > 0 && r.chance(0.5)) o.aggregationRule = { clusterRoleSelectors: Array.from({ length: 1 + r.int(2) }, () => selectorOf(r, level)) };
    out.push(o);
  }
  // one role selecting everything ({}): bootstrap roles and aggregated ones included; unlabelled, so none selects it
  // (only in the first seed: two such roles would select each other)
  if (seed === SEEDS[0]) out.push({ apiVersion: AV, kind: "ClusterRole", metadata: { name: `g${seed}-everything` }, aggregationRule: { clusterRoleSelectors: [{}] } });
  return out;
}

const norm = (rules: any[]) => rules.map((x) => JSON.stringify([x.verbs ?? [], x.apiGroups ?? [], x.resources ?? [], x.resourceNames ?? [], x.nonResourceURLs ?? []]));

test.each(SEEDS)("seed %i: every aggregated ClusterRole resolves to the controller's rules, in its order", async (seed) => {
  const api = cluster();
  await createAndSync(api, `agg${seed}`, clusterRolesOf(seed));
  // rbac-guard's answer depends only on the roles that do not aggregate, which the controller never writes
  const objects = await stored(api);
  const roles = objects.filter((o) => o.kind === "ClusterRole" && o.aggregationRule?.clusterRoleSelectors?.length);
  // one binding per aggregated role, so that rulesFor lists exactly that role's resolved rules
  const probes = roles.map((o, i) => ({ apiVersion: AV, kind: "ClusterRoleBinding", metadata: { name: `probe-${i}` },
    roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: o.metadata.name }, subjects: [{ kind: "User", apiGroup: RBAC, name: `probe-${i}` }] }));
  const engine = await createEngine([...objects, ...probes]);
  const ours = new Map(roles.map((o, i) => {
    const got = engine.rulesFor({ user: `probe-${i}` });
    // why: the role's rules back in role order (each generated or bootstrap rule has resources or URLs, not both)
    return [o.metadata.name as string, norm([...got.resourceRules, ...got.nonResourceRules].sort((a, b) => a.source.ruleIndex - b.source.ruleIndex))];
  }));
  // the controller converges in its own time (a conflicting write is retried with a growing backoff): compare
  // until every aggregated role agrees, or report what still differs after 90 s
  const compare = async () => {
    const differ: string[] = [];
    let rules = 0;
    for (const o of (await stored(api)).filter((x) => ours.has(x.metadata.name) && x.kind === "ClusterRole")) {
      const mine = ours.get(o.metadata.name)!;
      const theirs = norm(o.rules ?? []);
      rules += theirs.length;
      if (JSON.stringify(mine) === JSON.stringify(theirs)) continue;
      let at = 0;
      while (at < mine.length && mine[at] === theirs[at]) at++;
      differ.push(`${o.metadata.name}: ${theirs.length} rules by the controller, ${mine.length} by rbac-guard; from rule ${at}:\n` +
        `  controller ${theirs.slice(at, at + 3).join(" ")}\n  rbac-guard ${mine.slice(at, at + 3).join(" ")}`);
    }
    return { differ, rules };
  };
  const started = Date.now();
  let result = await compare();
  while (result.differ.length > 0 && Date.now() - started < 90_000) {
    await new Promise((r) => setTimeout(r, 1000));
    result = await compare();
  }
  const { differ, rules } = result;
  console.log(`seed ${seed}: ${roles.length} aggregated ClusterRoles (bootstrap ones included), ${rules} aggregated rules, ` +
    `agreed after ${((Date.now() - started) / 1000).toFixed(1)} s; ${differ.length} differ`);
  expect(differ).toEqual([]);
  expect(roles.length).toBeGreaterThan(5);
  // not vacuous: the aggregated roles do get rules (the bootstrap admin/edit/view alone have dozens)
  expect(rules).toBeGreaterThan(roles.length);
}, 240_000);
