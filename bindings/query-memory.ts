// Reads the compact query answers of ABI 2.1 (rbac_query_tables, rbac_who_can_ids / _path, rbac_rules_for_ids)
// from the module's memory. Like memory.ts, it makes its views fresh on every call (memory may grow).
import type { RawExports } from "./exports.js";

/** A role's rule as the tables hold it (shared: callers copy the arrays into answers). */
export interface TableRule {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
  resourceNames: string[];
  nonResourceURLs: string[];
}

/**
 * Per snapshot and instance, fetched once: what the numbers in compact answers stand for. Strings are
 * (address, UTF-16 length) pairs into the module's memory, valid while the snapshot lives; they are decoded on
 * first use, and keys, subjects and rules are kept once made.
 */
export class QueryTables {
  private view = new Uint16Array(0);
  private readonly keys: (string | undefined)[];
  private readonly refKeys: (string | undefined)[];
  private readonly subjects: (string[] | undefined)[];
  private readonly rules: (TableRule[] | undefined)[];
  private readonly roleAt: Int32Array;
  private readonly subjectsAt: number;
  private readonly errorsAt: number;
  private static readonly BINDING = 15; // words per binding: 6 strings, role, error string

  constructor(private readonly ex: RawExports, private readonly w: Int32Array) {
    const nBindings = w[0];
    this.keys = new Array(nBindings);
    this.refKeys = new Array(nBindings);
    let p = 1 + nBindings * QueryTables.BINDING;
    const nSubjects = w[p];
    this.subjects = new Array(nSubjects);
    this.subjectsAt = p + 1;
    p += 1 + nSubjects * 8;
    const nRoles = w[p++];
    this.roleAt = new Int32Array(nRoles);
    this.rules = new Array(nRoles);
    for (let r = 0; r < nRoles; r++) {
      this.roleAt[r] = p;
      const n = w[p++];
      for (let j = 0; j < n * 5; j++) p += 1 + 2 * w[p];
    }
    this.errorsAt = p + 1;
  }

  /** The string whose (address, length) pair is at word p. */
  private str(p: number): string {
    const len = this.w[p + 1];
    if (len === 0) return "";
    // why: a view made before the memory grew is detached (length 0)
    if (this.view.buffer !== this.ex.memory.buffer) this.view = new Uint16Array(this.ex.memory.buffer);
    const at = this.w[p] >>> 1;
    if (len <= 4096) return String.fromCharCode.apply(null, this.view.subarray(at, at + len) as unknown as number[]);
    let out = "";
    for (let i = 0; i < len; i += 4096) {
      out += String.fromCharCode.apply(null, this.view.subarray(at + i, at + Math.min(len, i + 4096)) as unknown as number[]);
    }
    return out;
  }

  /** "Kind/namespace/name" of binding b (global position). */
  bindingKey(b: number): string {
    let k = this.keys[b];
    if (k === undefined) {
      const p = 1 + b * QueryTables.BINDING;
      k = this.keys[b] = this.str(p) + "/" + this.str(p + 2) + "/" + this.str(p + 4);
    }
    return k;
  }

  /** The key of the role binding b's roleRef names, whether or not it resolves. */
  roleKey(b: number): string {
    let k = this.refKeys[b];
    if (k === undefined) {
      const p = 1 + b * QueryTables.BINDING;
      k = this.refKeys[b] = this.str(p + 6) + "/" + this.str(p + 8) + "/" + this.str(p + 10);
    }
    return k;
  }

  /** The role index of binding b, -1 when its roleRef does not resolve. */
  bindingRole(b: number): number {
    return this.w[1 + b * QueryTables.BINDING + 12];
  }

  /** The resolution error of binding b ("" when its roleRef resolves). */
  bindingError(b: number): string {
    return this.str(1 + b * QueryTables.BINDING + 13);
  }

  /** kind, apiGroup, name, namespace of subject i. */
  subject(i: number): string[] {
    let s = this.subjects[i];
    if (s === undefined) {
      const p = this.subjectsAt + i * 8;
      s = this.subjects[i] = [this.str(p), this.str(p + 2), this.str(p + 4), this.str(p + 6)];
    }
    return s;
  }

  /** The rules of a role (after aggregation). Shared: answers copy the arrays. */
  roleRules(role: number): TableRule[] {
    let rules = this.rules[role];
    if (rules === undefined) {
      const w = this.w;
      let p = this.roleAt[role];
      const n = w[p++];
      rules = new Array<TableRule>(n);
      const list = (): string[] => {
        const m = w[p++];
        const out = new Array<string>(m);
        for (let i = 0; i < m; i++, p += 2) out[i] = this.str(p);
        return out;
      };
      for (let j = 0; j < n; j++) {
        const verbs = list();
        const apiGroups = list();
        const resources = list();
        const resourceNames = list();
        const nonResourceURLs = list();
        rules[j] = { verbs, apiGroups, resources, resourceNames, nonResourceURLs };
      }
      this.rules[role] = rules;
    }
    return rules;
  }

  /** Resolution error `id` of the snapshot. */
  error(id: number): string {
    return this.str(this.errorsAt + 2 * id);
  }
}

/** Reads and frees the output of rbac_query_tables (see ABI.md "Compact query answers (2.1)"). */
export function takeQueryTables(ex: RawExports, ptr: number): QueryTables {
  try {
    const nWords = new DataView(ex.memory.buffer).getUint32(ptr + 4, true);
    // why: copied, so that the tables outlive the guest buffer
    return new QueryTables(ex, new Int32Array(ex.memory.buffer.slice(ptr + 8, ptr + 8 + nWords * 4)));
  } finally {
    ex.rbac_free(ptr);
  }
}

/** A view of a compact answer (guest-owned words; valid until the next query call or memory growth). */
export function answerWords(ex: RawExports, ptr: number): Int32Array {
  return new Int32Array(ex.memory.buffer, ptr);
}
