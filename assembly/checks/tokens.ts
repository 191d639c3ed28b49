// ServiceAccount and Secret checks: the default ServiceAccount's automount, legacy token references and legacy
// long-lived token Secrets (graded by what the ServiceAccount they belong to can do).
import { LintContext } from "./context";
import { checkInfo } from "./catalog";
import { finding, Finding, SubjectRef, PathStep, STEP_SERVICE_ACCOUNT } from "./finding";
import { privilegedGrants, strongest, conceptList } from "./grants";
import { privilegedRoleNames } from "./roles";
import { HIGH } from "./severity";
import { ServiceAccount, Secret, TRI_FALSE, TRI_TRUE } from "../model/inventory";
import { SUBJECT_SERVICE_ACCOUNT } from "../model/policy";

const LEGACY_TOKEN_TYPE = "kubernetes.io/service-account-token";

function make(ctx: LintContext, id: string, object: string, index: i32, field: string, msg: string): Finding | null {
  if (!ctx.cfg.enabled(id)) return null;
  const info = checkInfo(id);
  if (info == null) return null;
  return finding(id, info.severity, object, index, field, msg);
}

function saKey(sa: ServiceAccount): string {
  return "ServiceAccount/" + sa.namespace + "/" + sa.name;
}

function checkServiceAccount(ctx: LintContext, sa: ServiceAccount): void {
  const key = saKey(sa);
  if (sa.name == "default" && sa.automount != TRI_FALSE) {
    // why: an absent field has no YAML node; "" points at the object itself
    const field = sa.automount == TRI_TRUE ? "automountServiceAccountToken" : "";
    const f = make(ctx, "default-sa-automount", key, sa.source, field, key +
      " does not set automountServiceAccountToken: false, so every pod of " + sa.namespace + " without its own " +
      "ServiceAccount gets a token");
    if (f != null) {
      f.addSubject(new SubjectRef(SUBJECT_SERVICE_ACCOUNT, sa.name, sa.namespace));
      ctx.add(f);
    }
  }
  if (sa.secrets.length > 0) {
    const f = make(ctx, "sa-secrets-reference", key, sa.source, "secrets", key + " lists legacy token Secret(s) " +
      sa.secrets.join(", ") + " in secrets:");
    if (f != null) {
      f.addSubject(new SubjectRef(SUBJECT_SERVICE_ACCOUNT, sa.name, sa.namespace));
      ctx.add(f);
    }
  }
}

function checkSecret(ctx: LintContext, s: Secret): void {
  if (s.type != LEGACY_TOKEN_TYPE) return;
  const key = "Secret/" + s.namespace + "/" + s.name;
  let msg = key + " is a legacy ServiceAccount token Secret: a token that never expires";
  const f = make(ctx, "legacy-sa-token-secret", key, s.source, "type", msg);
  if (f == null) return;
  if (s.serviceAccountName.length > 0) {
    const grants = privilegedGrants(ctx, s.namespace, s.serviceAccountName, privilegedRoleNames(ctx));
    f.message += ", for ServiceAccount " + s.namespace + "/" + s.serviceAccountName;
    if (strongest(grants) != null) {
      f.message += ", whose grants include " + conceptList(grants);
      if (ctx.cfg.severityOverride(f.id) < 0 && f.severity < HIGH) f.severity = HIGH;
    }
    f.addSubject(new SubjectRef(SUBJECT_SERVICE_ACCOUNT, s.serviceAccountName, s.namespace));
    f.path.push(new PathStep(STEP_SERVICE_ACCOUNT, "ServiceAccount/" + s.namespace + "/" + s.serviceAccountName));
  }
  ctx.add(f);
}

export function checkTokens(ctx: LintContext): void {
  for (let i = 0; i < ctx.inv.serviceAccounts.length; i++) checkServiceAccount(ctx, ctx.inv.serviceAccounts[i]);
  for (let i = 0; i < ctx.inv.secrets.length; i++) checkSecret(ctx, ctx.inv.secrets[i]);
}
