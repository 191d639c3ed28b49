// The source panel: one input file with line numbers, the lines of a finding's element highlighted and the offending
// line marked. Large files show a window around the highlight that can be widened.
import { byId, h } from "./dom.js";
import type { FindingLocation } from "./protocol.js";

const CONTEXT = 30;
const STEP = 200;

interface Shown {
  file: string;
  lines: string[];
  loc: FindingLocation;
  first: number;
  last: number;
}

export class SourceView {
  private readonly panel = byId("source");
  private readonly caption = byId("source-caption");
  private readonly code = byId("source-code");
  private shown: Shown | undefined;
  private readonly split = new Map<string, string[]>();

  constructor(private readonly textOf: (file: string) => string | undefined) {}

  reset(): void {
    this.shown = undefined;
    this.split.clear();
    this.panel.hidden = true;
    this.code.replaceChildren();
    this.caption.textContent = "";
  }

  /** Shows `loc.file` with lines loc.from..loc.to highlighted and loc.line marked; `what` names the finding. */
  show(loc: FindingLocation, what: string): void {
    const text = this.textOf(loc.file);
    if (text === undefined) return;
    let lines = this.split.get(loc.file);
    if (!lines) {
      lines = text.split("\n");
      if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
      this.split.set(loc.file, lines);
    }
    const first = Math.max(1, loc.from - CONTEXT);
    const last = Math.min(lines.length, loc.to + CONTEXT);
    this.shown = { file: loc.file, lines, loc, first, last };
    const range = loc.from === loc.to ? `line ${loc.line}` : `lines ${loc.from}–${loc.to}`;
    this.caption.replaceChildren(h("strong", {}, loc.file), `, ${range}`, loc.from !== loc.to ? ` (line ${loc.line} marked)` : "",
      what ? h("span", { class: "hint" }, ` · ${what}`) : "");
    this.panel.hidden = false;
    this.render();
    this.centre();
  }

  private render(): void {
    const s = this.shown!;
    const rows: HTMLElement[] = [];
    if (s.first > 1) {
      rows.push(h("button", { type: "button", class: "small more-lines", onclick: () => this.widen(-STEP) },
        `Show ${Math.min(STEP, s.first - 1)} earlier lines (${s.first - 1} hidden)`));
    }
    const width = String(s.last).length;
    for (let n = s.first; n <= s.last; n++) {
      const inRange = n >= s.loc.from && n <= s.loc.to;
      const primary = n === s.loc.line;
      const cls = `line${inRange ? " hl" : ""}${primary ? " primary" : ""}`;
      rows.push(h("div", { class: cls, "data-line": n },
        h("span", { class: "ln", "aria-hidden": "true" }, String(n).padStart(width, " ")),
        primary ? h("span", { class: "visually-hidden" }, "Offending line: ") : null,
        h("span", { class: "text" }, s.lines[n - 1] === "" ? " " : s.lines[n - 1])));
    }
    if (s.last < s.lines.length) {
      rows.push(h("button", { type: "button", class: "small more-lines", onclick: () => this.widen(STEP) },
        `Show ${Math.min(STEP, s.lines.length - s.last)} later lines (${s.lines.length - s.last} hidden)`));
    }
    this.code.replaceChildren(...rows);
  }

  private widen(by: number): void {
    const s = this.shown!;
    if (by < 0) s.first = Math.max(1, s.first + by);
    else s.last = Math.min(s.lines.length, s.last + by);
    this.render();
  }

  private centre(): void {
    const mark = this.code.querySelector<HTMLElement>(".line.primary");
    if (mark) this.code.scrollTop = Math.max(0, mark.offsetTop - this.code.clientHeight / 3);
    // on narrow screens the panel sits below the findings: bring it into view
    const r = this.panel.getBoundingClientRect();
    if (r.top > window.innerHeight || r.bottom < 0) this.panel.scrollIntoView({ block: "start" });
  }
}
