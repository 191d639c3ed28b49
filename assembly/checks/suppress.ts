// Suppressions: the per-object annotation `rbac-guard.io/ignore: "<check>[,<check>]: <reason>"` and the config's
// {concept, object glob, reason, expires?} entries. A suppressed finding stays in the output, marked; an expired
// suppression no longer applies and is itself reported (expired-suppression).
import { LintContext } from "./context";
import { Finding, finding, Suppression } from "./finding";
import { SuppressionRule, globMatches } from "./config";
import { checkInfo, isBuiltinCheck } from "./catalog";
import { EXPIRED_SUPPRESSION } from "./catalog-workloads";
import { Diagnostics } from "../util/diagnostics";

export const IGNORE_ANNOTATION = "rbac-guard.io/ignore";
const ANNOTATION_PATH = "metadata.annotations[\"" + IGNORE_ANNOTATION + "\"]";
const SOURCE_ANNOTATION = "annotation";
const SOURCE_CONFIG = "config";

class IgnoreEntry {
  constructor(public checks: string[], public reason: string) {}
}

function isKnown(ctx: LintContext, id: string): bool {
  if (id == "*" || isBuiltinCheck(id)) return true;
  for (let i = 0; i < ctx.cfg.customChecks.length; i++) if (ctx.cfg.customChecks[i].id == id) return true;
  return false;
}

// null (with a warning) when the value is malformed; unknown check ids are warned about and left out.
function parseIgnore(ctx: LintContext, value: string, index: i32, diags: Diagnostics): IgnoreEntry | null {
  const colon = value.indexOf(":");
  const reason = colon < 0 ? "" : value.substring(colon + 1).trim();
  if (colon < 0 || reason.length == 0) {
    diags.warn("BAD_IGNORE_ANNOTATION", "`" + IGNORE_ANNOTATION + "` must read `<check>[,<check>]: <reason>`; it is not applied",
      index, ANNOTATION_PATH);
    return null;
  }
  const parts = value.substring(0, colon).split(",");
  const checks = new Array<string>();
  for (let i = 0; i < parts.length; i++) {
    const id = parts[i].trim();
    if (id.length == 0) continue;
    if (!isKnown(ctx, id)) {
      diags.warn("UNKNOWN_CHECK", "`" + IGNORE_ANNOTATION + "` names `" + id + "`, which is not a check", index, ANNOTATION_PATH);
      continue;
    }
    checks.push(id);
  }
  return new IgnoreEntry(checks, reason);
}

function annotationEntries(ctx: LintContext, diags: Diagnostics): Map<i32, IgnoreEntry> {
  const out = new Map<i32, IgnoreEntry>();
  for (let i = 0; i < ctx.inv.objects.length; i++) {
    const v = ctx.inv.objects[i].annotation(IGNORE_ANNOTATION);
    if (v == null) continue;
    const e = parseIgnore(ctx, v, i, diags);
    if (e != null) out.set(i, e);
  }
  return out;
}

function ruleMatches(s: SuppressionRule, f: Finding): bool {
  return (s.concept == "*" || s.concept == f.concept) && globMatches(s.object, f.object);
}

function configSuppression(ctx: LintContext, f: Finding): Suppression | null {
  const list = ctx.cfg.suppressions;
  for (let i = 0; i < list.length; i++) {
    const s = list[i];
    if (!s.expired && ruleMatches(s, f)) return new Suppression(s.reason, s.expires, SOURCE_CONFIG);
  }
  return null;
}

function expiredFinding(ctx: LintContext, s: SuppressionRule): void {
  if (!ctx.cfg.enabled(EXPIRED_SUPPRESSION)) return;
  let covered = 0;
  for (let i = 0; i < ctx.findings.length; i++) if (ruleMatches(s, ctx.findings[i])) covered++;
  const msg = "the suppression of `" + s.concept + "` on `" + s.object + "` expired on " + s.expires + " (reason: " +
    s.reason + "); the " + covered.toString() + " finding(s) it matches are reported again";
  ctx.add(finding(EXPIRED_SUPPRESSION, checkInfo(EXPIRED_SUPPRESSION)!.severity, s.object, -1,
    "suppressions[" + s.index.toString() + "]", msg));
}

// Marks suppressed findings, reports expired suppressions, and warns about malformed annotations.
export function applySuppressions(ctx: LintContext, diags: Diagnostics): void {
  const byObject = annotationEntries(ctx, diags);
  for (let i = 0; i < ctx.findings.length; i++) {
    const f = ctx.findings[i];
    if (byObject.has(f.objectIndex)) {
      const e = byObject.get(f.objectIndex);
      if (e.checks.includes(f.id) || e.checks.includes(f.concept) || e.checks.includes("*")) {
        f.suppressed = new Suppression(e.reason, "", SOURCE_ANNOTATION);
        continue;
      }
    }
    f.suppressed = configSuppression(ctx, f);
  }
  const list = ctx.cfg.suppressions;
  for (let i = 0; i < list.length; i++) if (list[i].expired) expiredFinding(ctx, list[i]);
}
