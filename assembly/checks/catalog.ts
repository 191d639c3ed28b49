// The guardrail catalog: one entry per check (id = concept id of guardrails.md §0.2), with its severity at the
// widest scope, anchor, rationale, remediation and the ids other tools use. Static data, exported by rbac_checks.
import { ROLE_CHECKS } from "./catalog-roles";
import { BINDING_CHECKS } from "./catalog-bindings";
import { WORKLOAD_CHECKS } from "./catalog-workloads";

export class CheckInfo {
  constructor(
    public id: string,
    public severity: i32,
    // what a finding is anchored on: "role", "ClusterRole", "binding", "role or binding", "workload",
    // "ServiceAccount", "Secret" or "config"
    public anchor: string,
    public title: string,
    public rationale: string,
    public remediation: string,
    public tools: string[],
  ) {}
}

let all: CheckInfo[] | null = null;
let byId: Map<string, CheckInfo> | null = null;

export function catalog(): CheckInfo[] {
  if (all == null) {
    const list = new Array<CheckInfo>();
    const groups = [ROLE_CHECKS(), BINDING_CHECKS(), WORKLOAD_CHECKS()];
    for (let g = 0; g < groups.length; g++) for (let i = 0; i < groups[g].length; i++) list.push(groups[g][i]);
    all = list;
  }
  return all!;
}

export function checkInfo(id: string): CheckInfo | null {
  if (byId == null) {
    const m = new Map<string, CheckInfo>();
    const list = catalog();
    for (let i = 0; i < list.length; i++) m.set(list[i].id, list[i]);
    byId = m;
  }
  return byId!.has(id) ? byId!.get(id) : null;
}

export function isBuiltinCheck(id: string): bool {
  return checkInfo(id) != null;
}
