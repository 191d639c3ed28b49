// The critical and high permissions a ServiceAccount's token carries: through bindings naming it (in any namespace),
// and through the groups every ServiceAccount token has (system:serviceaccounts, system:serviceaccounts:<ns>,
// system:authenticated); aggregation is already resolved in the roles' effective rules.
import { LintContext } from "./context";
import { Hit, conceptHit } from "./role-hits";
import { PRIVILEGED_CONCEPTS } from "./concepts";
import { checkInfo } from "./catalog";
import { graded, CRITICAL } from "./severity";
import { PathStep, STEP_BINDING, STEP_ROLE, STEP_RULE, Finding } from "./finding";
import { KIND_CLUSTER_ROLE } from "../model/policy";

export class Grant {
  constructor(public concept: string, public level: i32, public binding: i32, public role: i32, public roleKey: string,
    public hit: Hit | null) {}
}

let concepts: string[] | null = null;

// full-wildcard-rule first: it makes every other entry redundant in messages
function privileged(): string[] {
  if (concepts == null) {
    const list = ["full-wildcard-rule"];
    for (let i = 0; i < PRIVILEGED_CONCEPTS.length; i++) list.push(PRIVILEGED_CONCEPTS[i]);
    list.push("rbac-bind");
    list.push("csr-approve");
    concepts = list;
  }
  return concepts!;
}

// why: bootstrap ClusterRoles are assumed to exist; what cluster-admin, admin and edit grant is well known
function assumed(name: string): string[] {
  if (name == "cluster-admin") return ["full-wildcard-rule"];
  if (name == "admin" || name == "edit") {
    return ["secrets-read", "secrets-write", "pods-create", "workload-create", "pods-exec", "pods-attach", "impersonate"];
  }
  return [];
}

function add(ctx: LintContext, out: Grant[], concept: string, b: i32, role: i32, key: string, hit: Hit | null): void {
  const info = checkInfo(concept);
  if (info == null) return;
  out.push(new Grant(concept, graded(info.severity, ctx.bindingScope(b)), b, role, key, hit));
}

function grantsOfBinding(ctx: LintContext, b: i32, bindNames: string[], out: Grant[]): void {
  const ib = ctx.binding(b);
  const namespaced = !ib.binding.isCluster();
  if (ib.role < 0) {
    const ref = ib.binding.roleRef;
    if (ref.kind != KIND_CLUSTER_ROLE) return;
    const list = assumed(ref.name);
    for (let i = 0; i < list.length; i++) add(ctx, out, list[i], b, -1, "ClusterRole//" + ref.name, null);
    return;
  }
  const rules = ctx.role(ib.role).rules;
  const list = privileged();
  for (let i = 0; i < list.length; i++) {
    const hit = conceptHit(list[i], rules, namespaced, bindNames, ctx.cfg.configMaps);
    if (hit != null) add(ctx, out, list[i], b, ib.role, ctx.roleKey(ib.role), hit);
  }
}

const cache = new Map<string, Grant[]>();

export function resetGrants(): void {
  cache.clear();
}

export function privilegedGrants(ctx: LintContext, namespace: string, name: string, bindNames: string[]): Grant[] {
  const key = namespace + "/" + name;
  if (cache.has(key)) return cache.get(key);
  const out = new Array<Grant>();
  const bindings = ctx.bindingsOfServiceAccount(namespace, name);
  for (let i = 0; i < bindings.length; i++) grantsOfBinding(ctx, bindings[i], bindNames, out);
  cache.set(key, out);
  return out;
}

// The strongest grant (highest graded level, then catalog order).
export function strongest(grants: Grant[]): Grant | null {
  let best: Grant | null = null;
  for (let i = 0; i < grants.length; i++) if (best == null || grants[i].level > best.level) best = grants[i];
  return best;
}

export function isCritical(g: Grant): bool {
  return g.level >= CRITICAL;
}

// "full-wildcard-rule, secrets-read, ..." (unique, at most five)
export function conceptList(grants: Grant[]): string {
  const seen = new Array<string>();
  for (let i = 0; i < grants.length && seen.length < 5; i++) if (!seen.includes(grants[i].concept)) seen.push(grants[i].concept);
  let text = seen.join(", ");
  let distinct = 0;
  const all = new Set<string>();
  for (let i = 0; i < grants.length; i++) all.add(grants[i].concept);
  distinct = all.size;
  if (distinct > seen.length) text += " and " + (distinct - seen.length).toString() + " more";
  return text;
}

// Binding → role (→ component role) → rule steps of a grant.
export function grantPath(ctx: LintContext, f: Finding, g: Grant): void {
  f.path.push(new PathStep(STEP_BINDING, ctx.bindingKey(g.binding)));
  f.path.push(new PathStep(STEP_ROLE, g.roleKey));
  const hit = g.hit;
  if (hit == null || g.role < 0) return;
  const src = ctx.holders.source(g.role, hit.rule);
  if (src.role != g.role) f.path.push(new PathStep(STEP_ROLE, ctx.roleKey(src.role)));
  f.path.push(new PathStep(STEP_RULE, ctx.roleKey(src.role), src.rule));
}
