// aggregation-label-injection: a ClusterRole labelled aggregate-to-{view,edit,admin} whose rules go beyond what the
// target built-in role is meant to grant. why: the aggregation controller copies its rules into view/edit/admin,
// so whoever can label a ClusterRole hands permissions to everyone bound to those roles.
import { LintContext } from "./context";
import { Hit, conceptHit, permissionHit } from "./role-hits";
import { Permission, targets, CORE } from "./permissions";
import { checkInfo } from "./catalog";
import { finding, SubjectRef, PathStep, STEP_ROLE, STEP_RULE } from "./finding";
import { PolicyRule, VERB_ALL } from "../model/policy";

const ID = "aggregation-label-injection";
const LABEL_PREFIX = "rbac.authorization.k8s.io/aggregate-to-";
const TARGETS: string[] = ["view", "edit", "admin"];
const WRITE_VERBS: string[] = ["create", "update", "patch", "delete", "deletecollection", "escalate", "bind", "impersonate",
  "approve", "sign", VERB_ALL];
const BEYOND_EDIT: string[] = ["rbac-escalate", "rbac-bind", "impersonate", "nodes-proxy", "full-wildcard-rule"];

function anyWrite(rules: PolicyRule[]): Hit | null {
  for (let r = 0; r < rules.length; r++) {
    if (rules[r].resources.length == 0) continue;
    const verbs = rules[r].verbs;
    for (let v = 0; v < verbs.length; v++) {
      if (!WRITE_VERBS.includes(verbs[v])) continue;
      return new Hit(r, "rules[" + r.toString() + "].verbs[" + v.toString() + "]", "allow `" + verbs[v] + "`, a write");
    }
  }
  return null;
}

// why: view must not read Secrets at all, even named ones
function secretsAccess(rules: PolicyRule[]): Hit | null {
  const p = new Permission(["get", "list", "watch", "create", "update", "patch", "delete"], targets(CORE, ["secrets"]));
  p.scopedCounts = true;
  return permissionHit(rules, p, false);
}

function beyondView(ctx: LintContext, rules: PolicyRule[]): Hit | null {
  let h = anyWrite(rules);
  if (h == null) h = secretsAccess(rules);
  if (h == null) h = conceptHit("pods-exec", rules, false, [], []);
  if (h == null) h = conceptHit("nodes-proxy", rules, false, [], []);
  return h;
}

function beyondEdit(ctx: LintContext, rules: PolicyRule[]): Hit | null {
  const bindNames = ["cluster-admin", "admin", "edit"];
  for (let i = 0; i < BEYOND_EDIT.length; i++) {
    const h = conceptHit(BEYOND_EDIT[i], rules, false, bindNames, []);
    if (h != null) return h;
  }
  return null;
}

function checkRole(ctx: LintContext, ri: i32, base: i32): void {
  const role = ctx.role(ri);
  if (!role.isCluster()) return;
  for (let t = 0; t < TARGETS.length; t++) {
    const label = LABEL_PREFIX + TARGETS[t];
    const v = role.label(label);
    if (v == null || v != "true") continue;
    const hit = TARGETS[t] == "view" ? beyondView(ctx, role.rules) : beyondEdit(ctx, role.rules);
    if (hit == null || ctx.isDefaultRole(ri)) continue;
    const key = ctx.roleKey(ri);
    const holders = ctx.holders.of(ri);
    const msg = key + " is labelled `" + label + ": \"true\"`, so its rules are copied into ClusterRole " + TARGETS[t] +
      ", and they " + hit.what + " (rules[" + hit.rule.toString() + "]), beyond what " + TARGETS[t] + " is meant to grant; " +
      (holders.length > 0 ? holders.length.toString() + " binding(s) hand it out" : "nobody holds it yet");
    const f = finding(ID, base, key, role.source, "metadata.labels[\"" + label + "\"]", msg);
    for (let i = 0; i < holders.length; i++) {
      const b = ctx.binding(holders[i].binding).binding;
      for (let j = 0; j < b.subjects.length; j++) f.addSubject(SubjectRef.of(b.subjects[j], b.namespace));
    }
    f.path.push(new PathStep(STEP_ROLE, "ClusterRole//" + TARGETS[t]));
    f.path.push(new PathStep(STEP_ROLE, key));
    const src = ctx.holders.source(ri, hit.rule);
    f.path.push(new PathStep(STEP_RULE, ctx.roleKey(src.role), src.rule));
    ctx.add(f);
    return;
  }
}

export function checkAggregationLabels(ctx: LintContext): void {
  if (!ctx.cfg.enabled(ID)) return;
  const info = checkInfo(ID);
  if (info == null) return;
  for (let ri = 0; ri < ctx.s.roles.length; ri++) checkRole(ctx, ri, info.severity);
}
