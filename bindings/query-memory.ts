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

/** Per snapshot, fetched once: what the numbers in compact answers stand for. */
export interface QueryTables {
  bindingKey: string[];
  roleKey: string[];
  bindingRole: Int32Array; // -1: the roleRef does not resolve
  bindingError: string[]; // "" when the roleRef resolves
  subjectKind: string[];
  subjectApiGroup: string[];
  subjectName: string[];
  subjectNamespace: string[];
  roleRules: TableRule[][];
  errors: string[];
}

/** Reads and frees the output of rbac_query_tables (see ABI.md "Compact query answers (1.3)"). */
export function takeQueryTables(ex: RawExports, ptr: number): QueryTables {
  try {
    const dv = new DataView(ex.memory.buffer);
    const nWords = dv.getUint32(ptr + 4, true);
    // why: copied, so that the tables do not pin the memory buffer
    const w = new Int32Array(ex.memory.buffer.slice(ptr + 8, ptr + 8 + nWords * 4));
    let sp = ptr + 8 + nWords * 4;
    const nStrings = dv.getUint32(sp, true);
    sp += 4;
    const lengths = new Uint32Array(ex.memory.buffer.slice(sp, sp + nStrings * 4));
    sp += nStrings * 4;
    let chars = 0;
    for (let i = 0; i < nStrings; i++) chars += lengths[i];
    const blob = utf16.decode(new Uint8Array(ex.memory.buffer, sp, chars * 2));
    const strings = new Array<string>(nStrings);
    for (let i = 0, at = 0; i < nStrings; i++) {
      strings[i] = blob.substring(at, at + lengths[i]);
      at += lengths[i];
    }

    let p = 0;
    const nBindings = w[p++];
    const t: QueryTables = {
      bindingKey: new Array(nBindings), roleKey: new Array(nBindings), bindingRole: new Int32Array(nBindings),
      bindingError: new Array(nBindings), subjectKind: [], subjectApiGroup: [], subjectName: [], subjectNamespace: [],
      roleRules: [], errors: [],
    };
    for (let b = 0; b < nBindings; b++) {
      t.bindingKey[b] = strings[w[p++]];
      t.roleKey[b] = strings[w[p++]];
      t.bindingRole[b] = w[p++];
      const e = w[p++];
      t.bindingError[b] = e < 0 ? "" : strings[e];
    }
    const nSubjects = w[p++];
    for (let i = 0; i < nSubjects; i++) {
      t.subjectKind.push(strings[w[p++]]);
      t.subjectApiGroup.push(strings[w[p++]]);
      t.subjectName.push(strings[w[p++]]);
      t.subjectNamespace.push(strings[w[p++]]);
    }
    const list = (): string[] => {
      const n = w[p++];
      const out = new Array<string>(n);
      for (let i = 0; i < n; i++) out[i] = strings[w[p++]];
      return out;
    };
    const nRoles = w[p++];
    for (let r = 0; r < nRoles; r++) {
      const n = w[p++];
      const rules = new Array<TableRule>(n);
      for (let j = 0; j < n; j++) {
        const verbs = list();
        const apiGroups = list();
        const resources = list();
        const resourceNames = list();
        const nonResourceURLs = list();
        rules[j] = { verbs, apiGroups, resources, resourceNames, nonResourceURLs };
      }
      t.roleRules.push(rules);
    }
    const nErrors = w[p++];
    for (let i = 0; i < nErrors; i++) t.errors.push(strings[w[p++]]);
    return t;
  } finally {
    ex.rbac_free(ptr);
  }
}

/** A view of a compact answer (guest-owned words; valid until the next query call or memory growth). */
export function answerWords(ex: RawExports, ptr: number): Int32Array {
  return new Int32Array(ex.memory.buffer, ptr);
}
