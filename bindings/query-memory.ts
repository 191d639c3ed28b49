// Reads the compact query answers of ABI 1.3 (rbac_query_tables, rbac_who_can_ids / _path, rbac_rules_for_ids)
// from the module's memory. Like memory.ts, it makes its views fresh on every call (memory may grow).
import type { RawExports } from "./exports.js";

const utf16 = new TextDecoder("utf-16le");

/** A role's rule as the tables hold it (shared: callers copy the arrays into answers). */
export interface TableRule {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
  resourceNames: string[];
  nonResourceURLs: string[];
}

/**
 * Per snapshot and instance, fetched once: what the numbers in compact answers stand for. Decoded lazily: the
 * fetch copies the words and decodes the strings in one pass; keys, strings and rules are made on first use.
 */
export class QueryTables {
  private readonly strs: (string | undefined)[];
  private readonly keys: (string | undefined)[];
  private readonly refKeys: (string | undefined)[];
  private readonly rules: (TableRule[] | undefined)[];
  private readonly roleAt: Int32Array;
  private readonly subjectsAt: number;
  private readonly errorsAt: number;
  private static readonly BINDING = 8; // words per binding

  constructor(private readonly w: Int32Array, private readonly blob: string, private readonly offs: Uint32Array) {
    this.strs = new Array(offs.length - 1);
    const nBindings = w[0];
    this.keys = new Array(nBindings);
    this.refKeys = new Array(nBindings);
    let p = 1 + nBindings * QueryTables.BINDING;
    this.subjectsAt = p + 1;
    p += 1 + w[p] * 4;
    const nRoles = w[p++];
    this.roleAt = new Int32Array(nRoles);
    this.rules = new Array(nRoles);
    for (let r = 0; r < nRoles; r++) {
      this.roleAt[r] = p;
      const n = w[p++];
      for (let j = 0; j < n * 5; j++) p += 1 + w[p];
    }
    this.errorsAt = p + 1;
  }

  str(i: number): string {
    let s = this.strs[i];
    if (s === undefined) s = this.strs[i] = this.blob.substring(this.offs[i], this.offs[i + 1]);
    return s;
  }

  /** "Kind/namespace/name" of binding b (global position). */
  bindingKey(b: number): string {
    let k = this.keys[b];
    if (k === undefined) {
      const p = 1 + b * QueryTables.BINDING;
      k = this.keys[b] = this.str(this.w[p]) + "/" + this.str(this.w[p + 1]) + "/" + this.str(this.w[p + 2]);
    }
    return k;
  }

  /** The key of the role binding b's roleRef names, whether or not it resolves. */
  roleKey(b: number): string {
    let k = this.refKeys[b];
    if (k === undefined) {
      const p = 1 + b * QueryTables.BINDING;
      k = this.refKeys[b] = this.str(this.w[p + 3]) + "/" + this.str(this.w[p + 4]) + "/" + this.str(this.w[p + 5]);
    }
    return k;
  }

  /** The role index of binding b, -1 when its roleRef does not resolve. */
  bindingRole(b: number): number {
    return this.w[1 + b * QueryTables.BINDING + 6];
  }

  /** The resolution error of binding b ("" when its roleRef resolves). */
  bindingError(b: number): string {
    const e = this.w[1 + b * QueryTables.BINDING + 7];
    return e < 0 ? "" : this.str(e);
  }

  subjectKind(i: number): string { return this.str(this.w[this.subjectsAt + i * 4]); }
  subjectApiGroup(i: number): string { return this.str(this.w[this.subjectsAt + i * 4 + 1]); }
  subjectName(i: number): string { return this.str(this.w[this.subjectsAt + i * 4 + 2]); }
  subjectNamespace(i: number): string { return this.str(this.w[this.subjectsAt + i * 4 + 3]); }

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
        for (let i = 0; i < m; i++) out[i] = this.str(w[p++]);
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
    return this.str(this.w[this.errorsAt + id]);
  }
}

/** Reads and frees the output of rbac_query_tables (see ABI.md "Compact query answers (1.3)"). */
export function takeQueryTables(ex: RawExports, ptr: number): QueryTables {
  try {
    const dv = new DataView(ex.memory.buffer);
    const nWords = dv.getUint32(ptr + 4, true);
    // why: copied, so that the tables outlive the guest buffer
    const w = new Int32Array(ex.memory.buffer.slice(ptr + 8, ptr + 8 + nWords * 4));
    let sp = ptr + 8 + nWords * 4;
    const nStrings = dv.getUint32(sp, true);
    sp += 4;
    const lengths = new Uint32Array(ex.memory.buffer, sp, nStrings);
    const offs = new Uint32Array(nStrings + 1);
    for (let i = 0; i < nStrings; i++) offs[i + 1] = offs[i] + lengths[i];
    sp += nStrings * 4;
    const blob = utf16.decode(new Uint8Array(ex.memory.buffer, sp, offs[nStrings] * 2));
    return new QueryTables(w, blob, offs);
  } finally {
    ex.rbac_free(ptr);
  }
}

/** A view of a compact answer (guest-owned words; valid until the next query call or memory growth). */
export function answerWords(ex: RawExports, ptr: number): Int32Array {
  return new Int32Array(ex.memory.buffer, ptr);
}
