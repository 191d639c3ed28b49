// One lint run: every enabled check over a snapshot and its inventory, then suppressions and the summary.
import { Snapshot } from "../index/snapshot";
import { Inventory } from "../model/inventory";
import { Diagnostics } from "../util/diagnostics";
import { LintConfig } from "./config";
import { LintContext } from "./context";
import { Finding } from "./finding";
import { checkRoles } from "./roles";
import { checkAggregationLabels } from "./aggregation";
import { checkBindings } from "./bindings";
import { checkWorkloads } from "./workloads";
import { checkTokens } from "./tokens";
import { checkHygiene } from "./hygiene";
import { resetGrants } from "./grants";
import { applySuppressions } from "./suppress";
import { Summary, summarize } from "./summary";

export class LintResult {
  constructor(public findings: Finding[], public warnings: Diagnostics, public summary: Summary) {}
}

// cfg must have passed validate().
export function runLint(s: Snapshot, inv: Inventory, cfg: LintConfig, aggregationOn: bool): LintResult {
  resetGrants();
  const ctx = new LintContext(s, inv, cfg, aggregationOn);
  checkRoles(ctx);
  checkAggregationLabels(ctx);
  checkBindings(ctx);
  checkWorkloads(ctx);
  checkTokens(ctx);
  checkHygiene(ctx);
  const warnings = new Diagnostics();
  applySuppressions(ctx, warnings);
  resetGrants();
  return new LintResult(ctx.findings, warnings, summarize(ctx.findings, inv.objects.length));
}
