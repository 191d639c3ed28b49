// Hygiene checks: debug or temporary RBAC left behind, and roles nobody uses.
import { LintContext } from "./context";
import { checkInfo } from "./catalog";
import { finding, PathStep, STEP_ROLE, STEP_BINDING } from "./finding";
import { isBootstrapRoleName } from "./bootstrap";

const DEBUG_TOKENS: string[] = ["debug", "tmp", "temp", "temporary", "troubleshoot", "troubleshooting"];

// ASCII case-insensitive comparison of name[start, end) with a lowercase token, without allocating.
function tokenIs(name: string, start: i32, end: i32, token: string): bool {
  if (end - start != token.length) return false;
  for (let i = 0; i < token.length; i++) {
    let c = name.charCodeAt(start + i);
    if (c >= 0x41 && c <= 0x5a) c += 0x20;
    if (c != token.charCodeAt(i)) return false;
  }
  return true;
}

// The first debug token of a name split on - _ . : (whole tokens only: "debugger" and "template" do not count).
export function debugToken(name: string): string {
  let start = 0;
  for (let i = 0; i <= name.length; i++) {
    const c = i < name.length ? name.charCodeAt(i) : 0x2d;
    if (c != 0x2d && c != 0x5f && c != 0x2e && c != 0x3a) continue;
    for (let t = 0; t < DEBUG_TOKENS.length; t++) if (tokenIs(name, start, i, DEBUG_TOKENS[t])) return DEBUG_TOKENS[t];
    start = i + 1;
  }
  return "";
}

function checkDebug(ctx: LintContext): void {
  const id = "debug-rbac-leftover";
  if (!ctx.cfg.enabled(id)) return;
  const info = checkInfo(id)!;
  for (let ri = 0; ri < ctx.s.roles.length; ri++) {
    const r = ctx.role(ri);
    const t = debugToken(r.name);
    if (t.length == 0) continue;
    const key = ctx.roleKey(ri);
    const f = finding(id, info.severity, key, r.source, "metadata.name", key + " has the token `" + t +
      "` in its name: debug or temporary access that was not removed");
    f.path.push(new PathStep(STEP_ROLE, key));
    ctx.add(f);
  }
  for (let bi = 0; bi < ctx.s.bindings.length; bi++) {
    const b = ctx.binding(bi).binding;
    const t = debugToken(b.name);
    if (t.length == 0) continue;
    const key = ctx.bindingKey(bi);
    const f = finding(id, info.severity, key, b.source, "metadata.name", key + " has the token `" + t +
      "` in its name: debug or temporary access that was not removed");
    f.path.push(new PathStep(STEP_BINDING, key));
    ctx.add(f);
  }
}

function checkUnused(ctx: LintContext): void {
  const id = "unused-role";
  if (!ctx.cfg.enabled(id)) return;
  const info = checkInfo(id)!;
  for (let ri = 0; ri < ctx.s.roles.length; ri++) {
    const r = ctx.role(ri);
    if (ctx.holders.isHeld(ri) || isBootstrapRoleName(r)) continue;
    const key = ctx.roleKey(ri);
    const f = finding(id, info.severity, key, r.source, "", key +
      " is not referenced by any binding that can resolve it, nor aggregated into a referenced ClusterRole");
    f.path.push(new PathStep(STEP_ROLE, key));
    ctx.add(f);
  }
}

export function checkHygiene(ctx: LintContext): void {
  checkDebug(ctx);
  checkUnused(ctx);
}
