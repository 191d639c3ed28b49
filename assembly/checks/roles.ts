// Role-anchored checks: wildcards and dangerous permissions on the effective rules of every Role and ClusterRole,
// graded by who holds the role (cluster-wide or kube-system, an ordinary namespace, nobody).
import { LintContext } from "./context";
import { Hit, conceptHit, permissionHit, customPermission, WILDCARD_CONCEPTS } from "./role-hits";
import { PERMISSION_CONCEPTS } from "./concepts";
import { checkInfo } from "./catalog";
import { Holding } from "./holders";
import { Finding, finding, SubjectRef, PathStep, STEP_WORKLOAD, STEP_SERVICE_ACCOUNT, STEP_BINDING, STEP_ROLE,
  STEP_RULE } from "./finding";
import { SCOPE_NONE, SCOPE_CLUSTER, graded } from "./severity";
import { KIND_CLUSTER_ROLE } from "../model/policy";
import { CustomCheck } from "./config";

const KUBE_SYSTEM_CONFIGMAPS = "kube-system-configmap-write";
const EXTRA_CONCEPTS: string[] = ["rbac-bind", "csr-approve", KUBE_SYSTEM_CONFIGMAPS];

// The holdings through which a concept is in effect, and the widest scope they reach.
class Reach {
  holdings: Holding[] = [];
  scope: i32 = SCOPE_NONE;
}

function reach(ctx: LintContext, ri: i32, wide: Hit | null, narrow: Hit | null, id: string): Reach {
  const out = new Reach();
  const role = ctx.role(ri);
  const all = ctx.holders.of(ri);
  for (let i = 0; i < all.length; i++) {
    const h = all[i];
    const b = ctx.binding(h.binding).binding;
    if ((b.isCluster() ? wide : narrow) == null) continue;
    // why: kube-system ConfigMaps are reached only cluster-wide or by a binding in a sensitive namespace
    if (id == KUBE_SYSTEM_CONFIGMAPS && !b.isCluster() && !ctx.cfg.isSensitiveNamespace(b.namespace)) continue;
    out.holdings.push(h);
    const scope = ctx.bindingScope(h.binding);
    if (scope > out.scope) out.scope = scope;
  }
  if (!role.isCluster() && ctx.cfg.isSensitiveNamespace(role.namespace) && out.holdings.length > 0) out.scope = SCOPE_CLUSTER;
  return out;
}

// Held only through unmodified default bindings, or through cluster-admin/admin/edit (whose bindings are reported
// by cluster-admin-binding and admin-edit-binding instead).
function covered(ctx: LintContext, h: Holding): bool {
  if (ctx.isDefaultBinding(h.binding)) return true;
  const ref = ctx.binding(h.binding).binding.roleRef;
  if (ref.kind != KIND_CLUSTER_ROLE) return false;
  return (ref.name == "cluster-admin" || ref.name == "admin" || ref.name == "edit") && ctx.isDefaultRole(h.top);
}

// why: an unmodified default role is the platform's; its danger is reported where someone chose to grant it
function exempt(ctx: LintContext, ri: i32): bool {
  if (!ctx.isDefaultRole(ri)) return false;
  if (ctx.exemptRoles.has(ri)) return ctx.exemptRoles.get(ri);
  const all = ctx.holders.of(ri);
  let out = true;
  for (let i = 0; i < all.length && out; i++) if (!covered(ctx, all[i])) out = false;
  ctx.exemptRoles.set(ri, out);
  return out;
}

function describeHolders(ctx: LintContext, r: Reach, ri: i32, h: Holding | null): string {
  if (h == null) {
    if (!ctx.holders.isHeld(ri)) return "nobody holds it: no binding references the role";
    return "nobody holds it in effect: the role is bound only through RoleBindings, which cannot grant this";
  }
  const b = ctx.binding(h.binding).binding;
  const where = ctx.bindingScope(h.binding) == SCOPE_CLUSTER
    ? (b.isCluster() ? "cluster-wide" : "in sensitive namespace " + b.namespace) : "in namespace " + b.namespace;
  let who = b.subjects.length > 0 ? describeSubject(ctx.subjectRefs(h.binding)[0]) : "no subject";
  if (b.subjects.length > 1) who += " and " + (b.subjects.length - 1).toString() + " more";
  let text = "held " + where + " by " + who + " via " + ctx.bindingKey(h.binding);
  if (h.top != ri) text += " (through aggregated " + ctx.roleKey(h.top) + ")";
  if (r.holdings.length > 1) text += ", and " + (r.holdings.length - 1).toString() + " other binding(s)";
  return text;
}

export function describeSubject(s: SubjectRef): string {
  return s.namespace.length > 0 ? s.kind + " " + s.namespace + "/" + s.name : s.kind + " " + s.name;
}

// The holding the path shows: the widest scope, preferring one whose subject is a workload's token.
function best(ctx: LintContext, r: Reach): Holding | null {
  if (r.holdings.length == 0) return null;
  let pick = r.holdings[0];
  let pickScore = -1;
  for (let i = 0; i < r.holdings.length && pickScore < 5; i++) {
    const h = r.holdings[i];
    let score = ctx.bindingScope(h.binding) * 2;
    if (ctx.workloadOfBinding(h.binding) >= 0) score += 1;
    if (score > pickScore) {
      pick = h;
      pickScore = score;
    }
  }
  return pick;
}

function pathOf(ctx: LintContext, f: Finding, ri: i32, hit: Hit, best: Holding | null): void {
  if (best != null) {
    const h = best;
    const w = ctx.workloadOfBinding(h.binding);
    if (w >= 0) {
      const wl = ctx.inv.workloads[w];
      f.path.push(new PathStep(STEP_WORKLOAD, wl.key()));
      f.path.push(new PathStep(STEP_SERVICE_ACCOUNT, "ServiceAccount/" + wl.namespace + "/" + wl.serviceAccount()));
    }
    f.path.push(new PathStep(STEP_BINDING, ctx.bindingKey(h.binding)));
    if (h.top != ri) f.path.push(new PathStep(STEP_ROLE, ctx.roleKey(h.top)));
  }
  f.path.push(new PathStep(STEP_ROLE, ctx.roleKey(ri)));
  const src = ctx.holders.source(ri, hit.rule);
  if (src.role != ri) {
    f.path.push(new PathStep(STEP_ROLE, ctx.roleKey(src.role)));
    f.fieldPath = "aggregationRule.clusterRoleSelectors[" + src.selector.toString() + "]";
  }
  f.path.push(new PathStep(STEP_RULE, ctx.roleKey(src.role), src.rule));
  if (hit.extraRule >= 0) {
    const extra = ctx.holders.source(ri, hit.extraRule);
    f.path.push(new PathStep(STEP_RULE, ctx.roleKey(extra.role), extra.rule));
  }
}

function subjectsOf(ctx: LintContext, f: Finding, r: Reach): void {
  for (let i = 0; i < r.holdings.length; i++) {
    const refs = ctx.subjectRefs(r.holdings[i].binding);
    for (let j = 0; j < refs.length; j++) f.addSubject(refs[j]);
  }
}

function report(ctx: LintContext, ri: i32, id: string, base: i32, wide: Hit, narrow: Hit | null, what: string): void {
  const role = ctx.role(ri);
  const r = reach(ctx, ri, wide, narrow, id);
  if (id == KUBE_SYSTEM_CONFIGMAPS && r.holdings.length == 0 &&
    (role.isCluster() || !ctx.cfg.isSensitiveNamespace(role.namespace))) return;
  if (exempt(ctx, ri)) return;
  const key = ctx.roleKey(ri);
  const h = best(ctx, r);
  const msg = key + " " + what + " (rules[" + wide.rule.toString() + "]); " + describeHolders(ctx, r, ri, h);
  const f = finding(id, graded(base, r.scope), key, role.source, wide.field, msg);
  subjectsOf(ctx, f, r);
  pathOf(ctx, f, ri, wide, h);
  ctx.add(f);
}

// why: bind scoped to these names is an escalation to them (critical concepts other than bind itself)
const BIND_TARGET_CONCEPTS: string[] = ["full-wildcard-rule", "secrets-read", "secrets-write", "nodes-proxy", "rbac-escalate",
  "impersonate", "csr-approve", "webhook-config-write"];

export function privilegedRoleNames(ctx: LintContext): string[] {
  if (ctx.bindNames != null) return ctx.bindNames!;
  const names = ["cluster-admin", "admin", "edit"];
  for (let ri = 0; ri < ctx.s.roles.length; ri++) {
    const role = ctx.role(ri);
    if (names.includes(role.name)) continue;
    for (let i = 0; i < BIND_TARGET_CONCEPTS.length; i++) {
      if (conceptHit(BIND_TARGET_CONCEPTS[i], role.rules, !role.isCluster(), [], []) == null) continue;
      names.push(role.name);
      break;
    }
  }
  ctx.bindNames = names;
  return names;
}

function checkConcept(ctx: LintContext, ri: i32, id: string): void {
  if (!ctx.cfg.enabled(id)) return;
  const info = checkInfo(id);
  if (info == null) return;
  const role = ctx.role(ri);
  const rules = role.rules;
  const bindNames = id == "rbac-bind" ? privilegedRoleNames(ctx) : [];
  const wide = conceptHit(id, rules, !role.isCluster(), bindNames, ctx.cfg.configMaps);
  if (wide == null) return;
  const narrow = role.isCluster() ? conceptHit(id, rules, true, bindNames, ctx.cfg.configMaps) : wide;
  const what = id == KUBE_SYSTEM_CONFIGMAPS ? wide.what + " in " + (role.isCluster() ? "kube-system" : role.namespace) : wide.what;
  report(ctx, ri, id, info.severity, wide, narrow, what);
}

function checkCustom(ctx: LintContext, ri: i32, c: CustomCheck): void {
  if (!ctx.cfg.enabled(c.id)) return;
  const role = ctx.role(ri);
  const p = customPermission(c);
  const wide = permissionHit(role.rules, p, !role.isCluster());
  if (wide == null) return;
  const narrow = role.isCluster() ? permissionHit(role.rules, p, true) : wide;
  const what = c.message.length > 0 ? wide.what + ": " + c.message : wide.what;
  report(ctx, ri, c.id, c.level, wide, narrow, what);
}

export function checkRoles(ctx: LintContext): void {
  for (let ri = 0; ri < ctx.s.roles.length; ri++) {
    for (let i = 0; i < WILDCARD_CONCEPTS.length; i++) checkConcept(ctx, ri, WILDCARD_CONCEPTS[i]);
    for (let i = 0; i < PERMISSION_CONCEPTS.length; i++) checkConcept(ctx, ri, PERMISSION_CONCEPTS[i]);
    for (let i = 0; i < EXTRA_CONCEPTS.length; i++) checkConcept(ctx, ri, EXTRA_CONCEPTS[i]);
    for (let i = 0; i < ctx.cfg.customChecks.length; i++) checkCustom(ctx, ri, ctx.cfg.customChecks[i]);
  }
}
