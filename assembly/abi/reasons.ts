// Reason handles for the fast path: the host caches the text of each handle once, so a decision
// returns one integer instead of copying a string. Handle 0 is the empty reason.
import { Snapshot } from "../index/snapshot";
import { Decision, reasonText } from "../eval/authorize";
import { I64Table } from "../util/i64-table";
import { probeAddress, P_HANDLE, V_DENY } from "../index/views";

const MAX_REASONS = 1 << 20;
export const HANDLE_LAST: i32 = (1 << 30) - 1; // "the reason of the last decision" (table full)

export class ReasonTable {
  snapshot: Snapshot;
  texts: string[] = [""];
  byGrant: I64Table = new I64Table(); // (binding << 32 | subject) -> handle
  byText: Map<string, i32> = new Map();
  last: string = "";

  constructor(s: Snapshot) {
    this.snapshot = s;
  }

  handle(d: Decision): i32 {
    if (d.allowed) {
      const v = d.views;
      const c = d.candidate;
      let slot: usize = 0;
      if (v != null && c >= 0) {
        slot = probeAddress(v.base(d.at), c, P_HANDLE);
        const cached = load<i32>(slot);
        if (cached >= 0) return cached;
      }
      const key = (<i64>d.binding << 32) | <i64>d.subject;
      let h = this.byGrant.get(key);
      if (h < 0) h = this.add(reasonText(this.snapshot, d), key, true);
      // why: a view's candidate always grants with the same binding and subject, so the same text
      // INVARIANT: building the text allocates but builds no view, so the record has not moved
      if (slot != 0 && h != HANDLE_LAST) store<i32>(slot, h);
      return h;
    }
    if (d.errorCount == 0) return 0;
    // why: a view denies everything it denies with the same errors, so its denial text is built once
    const v = d.views;
    const deny: usize = v != null ? v.base(d.at) + (<usize>V_DENY << 2) : 0;
    if (deny != 0 && load<i32>(deny) >= 0) return load<i32>(deny);
    const text = reasonText(this.snapshot, d);
    const h = this.byText.has(text) ? this.byText.get(text) : this.add(text, 0, false);
    if (deny != 0 && h != HANDLE_LAST) store<i32>(deny, h);
    return h;
  }

  private add(text: string, key: i64, grant: bool): i32 {
    if (this.texts.length >= MAX_REASONS) {
      this.last = text;
      return HANDLE_LAST;
    }
    const h = this.texts.length;
    this.texts.push(text);
    if (grant) this.byGrant.set(key, h);
    else this.byText.set(text, h);
    return h;
  }

  text(h: i32): string {
    if (h == HANDLE_LAST) return this.last;
    return h >= 0 && h < this.texts.length ? this.texts[h] : "";
  }
}
