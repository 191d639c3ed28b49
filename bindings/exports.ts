// The raw exports of the core module, typed, and the ABI version check. See bindings/ABI.md.
import { EngineError } from "./errors.js";

export const ABI_MAJOR = 2;
export const ABI_MINOR = 2;

export interface RawExports {
  memory: WebAssembly.Memory;
  rbac_abi_version: WebAssembly.Global;
  rbac_abi_minor_version: WebAssembly.Global;
  rbac_alloc(len: number): number;
  rbac_free(ptr: number): void;
  rbac_load(ptr: number, len: number, flags: number): number;
  rbac_drop(id: number, flags: number): number;
  rbac_vocab(id: number, flags: number): number;
  rbac_authorize(id: number, ptr: number, len: number, flags: number): number;
  rbac_groups_buffer(n: number): number;
  rbac_decide(id: number, user: number, nGroups: number, verb: number, apiGroup: number, resource: number,
    subresource: number, name: number, namespace: number): number;
  rbac_decide_path(id: number, user: number, nGroups: number, verb: number, ptr: number, len: number): number;
  rbac_reason(id: number, handle: number): number;
  rbac_path_buffer(n: number): number;
  // 1.1: queries
  rbac_who_can(id: number, ptr: number, len: number, flags: number): number;
  rbac_rules_for(id: number, ptr: number, len: number, flags: number): number;
  rbac_covers(ptr: number, len: number, flags: number): number;
  rbac_check_escalation(id: number, ptr: number, len: number, flags: number): number;
  rbac_explain(id: number, ptr: number, len: number, flags: number): number;
  // 1.2: lint
  rbac_lint(id: number, ptr: number, len: number, flags: number): number;
  rbac_checks(flags: number): number;
  // 2.1: batch fast path
  rbac_decide_batch(id: number, ptr: number, len: number, count: number, out: number): number;
  // 2.2: reusable batch buffer
  rbac_batch_buffer(n: number): number;
  // 2.1: compact query answers
  rbac_query_tables(id: number, flags: number): number;
  rbac_who_can_ids(id: number, verb: number, apiGroup: number, resource: number, subresource: number, name: number,
    namespace: number): number;
  rbac_who_can_path(id: number, verb: number, ptr: number, len: number): number;
  rbac_rules_for_ids(id: number, user: number, nGroups: number, namespace: number): number;
  _initialize?: () => void;
}

export const FLAG_NO_AGGREGATION = 1;

/** Instantiates the module; `onAbort` receives the abort message the module sends before it traps. */
export function instantiate(module: WebAssembly.Module, onAbort: (message: string) => void): RawExports {
  let ex: RawExports | undefined;
  const imports = {
    env: {
      rbac_host_abort(ptr: number, len: number) {
        const bytes = new Uint8Array(ex!.memory.buffer, ptr, len);
        onAbort(new TextDecoder().decode(bytes));
      },
    },
  };
  const instance = new WebAssembly.Instance(module, imports);
  ex = instance.exports as unknown as RawExports;
  const major = ex.rbac_abi_version?.value;
  if (major !== ABI_MAJOR) {
    throw new EngineError("ABI_MISMATCH", `module speaks ABI ${major ?? "none"}, bindings speak ${ABI_MAJOR}`);
  }
  ex._initialize?.();
  return ex;
}
