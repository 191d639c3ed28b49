// Output helpers shared by who-can, can-i --list, check-escalation and access-matrix: kubectl's tab writer, the -o
// option, grant and subject text.
import { Option, type Command } from "commander";
import type { Grant } from "../../bindings/index.js";

/** Width of a cell as Go's text/tabwriter counts it (runes, i.e. code points). */
function cellWidth(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

export interface TabOptions {
  /** minimal cell width including padding (kubectl: 6) */
  minWidth?: number;
  /** added to the widest cell of a column (kubectl: 3) */
  padding?: number;
  /** colours a cell after it was padded (widths are computed without colours) */
  paint?: (row: number, col: number, padded: string) => string;
}

/**
 * Aligns rows the way kubectl's printers do (cli-runtime's GetNewTabWriter: Go text/tabwriter with minwidth 6,
 * padding 3, pad char ' '): every cell but the last of a line is padded to max(minWidth, widest + padding); the last
 * cell is written as is. Rows are expected to have the same number of cells (all of kubectl's tables here do).
 */
export function tabwrite(rows: string[][], opts: TabOptions = {}): string {
  const minWidth = opts.minWidth ?? 6;
  const padding = opts.padding ?? 3;
  const widths: number[] = [];
  for (const r of rows) {
    for (let i = 0; i < r.length - 1; i++) widths[i] = Math.max(widths[i] ?? minWidth, cellWidth(r[i]) + padding);
  }
  const paint = opts.paint ?? ((_r: number, _c: number, s: string) => s);
  return rows.map((r, ri) => r.map((c, i) => {
    const padded = i === r.length - 1 ? c : c + " ".repeat(widths[i] - cellWidth(c));
    return paint(ri, i, padded);
  }).join("") + "\n").join("");
}

// ---------- -o/--output ----------

export type OutputFormat = "table" | "json";

/** -o/--output table|json; undefined when not given (table). */
export function addOutputOption(cmd: Command, description = "output format: table (the default) or json"): Command {
  return cmd.addOption(new Option("-o, --output <format>", description).choices(["table", "json"]));
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + "\n");
}

// ---------- grants ----------

/**
 * A grant as `BINDING → ROLE rule #N`, objects as the engine names them (`Kind/namespace/name`, an empty namespace
 * for cluster-scoped objects). N indexes the role's rules from 0; for an aggregated ClusterRole, the aggregated rules.
 */
export function grantText(g: Grant): string {
  return `${g.binding} → ${g.role} rule #${g.ruleIndex}`;
}

export const GRANT_HELP = `Grants are written BINDING → ROLE rule #N, objects as Kind/namespace/name (cluster-scoped objects have an
empty namespace: ClusterRole//view); N is the index of the rule in the role's rules, counting from 0 (for an
aggregated ClusterRole, in its aggregated rules).`;
