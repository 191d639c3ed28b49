// Workload-anchored checks: which ServiceAccount a pod runs as, whether it holds a token (automounted or projected),
// how long a projected token lives, and what the token can do.
import { LintContext } from "./context";
import { checkInfo } from "./catalog";
import { finding, Finding, SubjectRef, PathStep, STEP_WORKLOAD, STEP_SERVICE_ACCOUNT } from "./finding";
import { privilegedGrants, strongest, conceptList, grantPath, isCritical } from "./grants";
import { privilegedRoleNames } from "./roles";
import { HIGH, CRITICAL } from "./severity";
import { Workload, TRI_TRUE } from "../model/inventory";
import { SUBJECT_SERVICE_ACCOUNT } from "../model/policy";

function make(ctx: LintContext, w: Workload, id: string, field: string, msg: string): Finding | null {
  if (!ctx.cfg.enabled(id)) return null;
  const info = checkInfo(id);
  if (info == null) return null;
  const f = finding(id, info.severity, w.key(), w.source, field, msg);
  f.path.push(new PathStep(STEP_WORKLOAD, w.key()));
  f.path.push(new PathStep(STEP_SERVICE_ACCOUNT, "ServiceAccount/" + w.namespace + "/" + w.serviceAccount()));
  f.addSubject(new SubjectRef(SUBJECT_SERVICE_ACCOUNT, w.serviceAccount(), w.namespace));
  return f;
}

// Where the pod spec names its ServiceAccount (the pod spec itself when it names none).
function saField(w: Workload): string {
  if (w.serviceAccountName.length > 0) return w.specPath + ".serviceAccountName";
  if (w.deprecatedServiceAccount.length > 0) return w.specPath + ".serviceAccount";
  return w.specPath;
}

function tokenHow(ctx: LintContext, w: Workload): string {
  if (ctx.automountsToken(w)) return "an automounted token";
  return "a projected token (volumes[" + w.projectedTokens[0].volume.toString() + "])";
}

function checkIdentity(ctx: LintContext, w: Workload): void {
  const sa = w.serviceAccount();
  if (sa == "default" && ctx.hasToken(w)) {
    const f = make(ctx, w, "default-sa-used", saField(w), w.key() + " runs as the default ServiceAccount of " + w.namespace +
      " and holds " + tokenHow(ctx, w));
    if (f != null) ctx.add(f);
  }
  if (ctx.automountsToken(w)) {
    const field = w.automount == TRI_TRUE ? w.specPath + ".automountServiceAccountToken" : w.specPath;
    const why = w.automount == TRI_TRUE ? "the pod sets automountServiceAccountToken: true"
      : "neither the pod nor ServiceAccount " + sa + " sets automountServiceAccountToken: false";
    const f = make(ctx, w, "automount-token-enabled", field, w.key() + " automounts the token of ServiceAccount " +
      w.namespace + "/" + sa + ": " + why);
    if (f != null) ctx.add(f);
  }
  if (w.deprecatedServiceAccount.length > 0) {
    const f = make(ctx, w, "deprecated-service-account-field", w.specPath + ".serviceAccount", w.key() +
      " sets the deprecated spec.serviceAccount (`" + w.deprecatedServiceAccount + "`); use serviceAccountName");
    if (f != null) ctx.add(f);
  }
  if (ctx.namespaceKnown(w.namespace) && !ctx.serviceAccountExists(w.namespace, sa)) {
    const f = make(ctx, w, "nonexistent-service-account", saField(w), w.key() + " runs as ServiceAccount " + w.namespace +
      "/" + sa + ", which does not exist in the snapshot");
    if (f != null) ctx.add(f);
  }
}

function checkExpiry(ctx: LintContext, w: Workload): void {
  const max = ctx.cfg.maxTokenExpirationSeconds;
  for (let i = 0; i < w.projectedTokens.length; i++) {
    const t = w.projectedTokens[i];
    if (t.expirationSeconds <= max) continue;
    const field = w.specPath + ".volumes[" + t.volume.toString() + "].projected.sources[" + t.source.toString() +
      "].serviceAccountToken.expirationSeconds";
    const f = make(ctx, w, "projected-token-long-expiry", field, w.key() + " mounts a projected token valid for " +
      t.expirationSeconds.toString() + " s, above the " + max.toString() + " s threshold");
    if (f != null) ctx.add(f);
    return;
  }
}

function checkPrivileges(ctx: LintContext, w: Workload): void {
  if (!ctx.hasToken(w) || !ctx.cfg.enabled("workload-privileged-sa")) return;
  const sa = w.serviceAccount();
  const grants = privilegedGrants(ctx, w.namespace, sa, privilegedRoleNames(ctx));
  const g = strongest(grants);
  if (g == null) return;
  const msg = w.key() + " holds " + tokenHow(ctx, w) + " of ServiceAccount " + w.namespace + "/" + sa + ", whose grants include " +
    conceptList(grants) + " (strongest: " + g.concept + " via " + ctx.bindingKey(g.binding) + " → " + g.roleKey + ")";
  const f = make(ctx, w, "workload-privileged-sa", saField(w), msg);
  if (f == null) return;
  f.severity = isCritical(g) ? CRITICAL : HIGH;
  grantPath(ctx, f, g);
  ctx.add(f);
}

export function checkWorkloads(ctx: LintContext): void {
  for (let i = 0; i < ctx.inv.workloads.length; i++) {
    const w = ctx.inv.workloads[i];
    if (ctx.isOwned(w)) continue;
    checkIdentity(ctx, w);
    checkExpiry(ctx, w);
    checkPrivileges(ctx, w);
  }
}
