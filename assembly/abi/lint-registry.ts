// The inventory of each snapshot (the objects lint reads besides RBAC), by snapshot id. Kept beside the registry so
// that the snapshot and its exports stay as they are; entries of dropped snapshots go at the next load.
import { Inventory } from "../model/inventory";
import { snapshot } from "./registry";

export class LintInputs {
  constructor(public inventory: Inventory, public aggregated: bool) {}
}

const inputs = new Map<i32, LintInputs>();

export function attachInventory(id: i32, inventory: Inventory, aggregated: bool): void {
  const ids = inputs.keys();
  for (let i = 0; i < ids.length; i++) if (snapshot(ids[i]) == null) inputs.delete(ids[i]);
  inputs.set(id, new LintInputs(inventory, aggregated));
}

export function lintInputs(id: i32): LintInputs | null {
  return inputs.has(id) && snapshot(id) != null ? inputs.get(id) : null;
}
