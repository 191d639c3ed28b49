// A small SVG plot generator for the bench report (no plotting dependency): log-log line charts and horizontal bar
// charts with a log value axis. Output is standalone, well-formed SVG 1.1 (xmlns set, text escaped).

export interface Series { name: string; color: string; points: [number, number][]; dashed?: boolean }
export interface HLine { y: number; label: string; color?: string }
export interface LineChart {
  title: string; xLabel: string; yLabel: string; series: Series[]; hlines?: HLine[];
  xFormat?: (v: number) => string; yFormat?: (v: number) => string; width?: number; height?: number;
}
export interface Bar { label: string; value: number; color: string; text?: string }
export interface BarChart {
  title: string; valueLabel: string; bars: Bar[]; format?: (v: number) => string; markers?: HLine[]; width?: number;
}

export const PALETTE = ["#d62728", "#ff7f0e", "#9467bd", "#1f77b4", "#2ca02c", "#8c564b", "#17becf", "#7f7f7f"];

export function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

const r1 = (n: number) => Math.round(n * 10) / 10;

/** Powers of ten covering [min, max] (at least two). */
export function decades(min: number, max: number): number[] {
  let lo = Math.floor(Math.log10(min)), hi = Math.ceil(Math.log10(max));
  if (hi === lo) hi++;
  const out: number[] = [];
  for (let k = lo; k <= hi; k++) out.push(10 ** k);
  return out;
}

/** "100", "1k", "10k", "1M" */
export function siCount(v: number): string {
  if (v >= 1e6) return `${trim(v / 1e6)}M`;
  if (v >= 1e3) return `${trim(v / 1e3)}k`;
  return trim(v);
}

/** ns → "10 ns", "1 µs", "10 ms", "1 s" */
export function siNs(v: number): string {
  if (v >= 1e9) return `${trim(v / 1e9)} s`;
  if (v >= 1e6) return `${trim(v / 1e6)} ms`;
  if (v >= 1e3) return `${trim(v / 1e3)} µs`;
  return `${trim(v)} ns`;
}

const trim = (v: number) => (Math.abs(v - Math.round(v)) < 1e-9 ? String(Math.round(v)) : v.toPrecision(2).replace(/(\.\d*?)0+$/, "$1").replace(/\.$/, ""));

function header(w: number, h: number, title: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" ` +
    `font-family="Helvetica, Arial, sans-serif" font-size="12">\n<title>${esc(title)}</title>\n` +
    `<rect x="0" y="0" width="${w}" height="${h}" fill="#ffffff"/>\n` +
    `<text x="${w / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(title)}</text>\n`;
}

/** A log-log line chart, one polyline with markers per series, a legend to the right. */
export function lineChartSVG(c: LineChart): string {
  const w = c.width ?? 760, h = c.height ?? 460;
  const m = { left: 78, right: 210, top: 40, bottom: 56 };
  const pw = w - m.left - m.right, ph = h - m.top - m.bottom;
  const xs = c.series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = [...c.series.flatMap((s) => s.points.map((p) => p[1])), ...(c.hlines ?? []).map((l) => l.y)];
  if (xs.length === 0) throw new Error(`chart "${c.title}" has no points`);
  const xt = decades(Math.min(...xs), Math.max(...xs)), yt = decades(Math.min(...ys), Math.max(...ys));
  const [x0, x1] = [Math.log10(xt[0]), Math.log10(xt[xt.length - 1])], [y0, y1] = [Math.log10(yt[0]), Math.log10(yt[yt.length - 1])];
  const X = (v: number) => r1(m.left + ((Math.log10(v) - x0) / (x1 - x0)) * pw);
  const Y = (v: number) => r1(m.top + ph - ((Math.log10(v) - y0) / (y1 - y0)) * ph);
  const xf = c.xFormat ?? siCount, yf = c.yFormat ?? siNs;
  let s = header(w, h, c.title);
  s += `<g class="grid" stroke="#e5e5e5" stroke-width="1">\n`;
  for (const t of xt) s += `<line x1="${X(t)}" y1="${m.top}" x2="${X(t)}" y2="${m.top + ph}"/>\n`;
  for (const t of yt) s += `<line x1="${m.left}" y1="${Y(t)}" x2="${m.left + pw}" y2="${Y(t)}"/>\n`;
  s += `</g>\n<g class="axes" stroke="#333333" stroke-width="1">\n` +
    `<line x1="${m.left}" y1="${m.top + ph}" x2="${m.left + pw}" y2="${m.top + ph}"/>\n` +
    `<line x1="${m.left}" y1="${m.top}" x2="${m.left}" y2="${m.top + ph}"/>\n`;
  for (const t of xt) s += `<line x1="${X(t)}" y1="${m.top + ph}" x2="${X(t)}" y2="${m.top + ph + 5}"/>\n`;
  for (const t of yt) s += `<line x1="${m.left - 5}" y1="${Y(t)}" x2="${m.left}" y2="${Y(t)}"/>\n`;
  s += `</g>\n<g class="ticks" fill="#333333">\n`;
  for (const t of xt) s += `<text x="${X(t)}" y="${m.top + ph + 19}" text-anchor="middle">${esc(xf(t))}</text>\n`;
  for (const t of yt) s += `<text x="${m.left - 8}" y="${Y(t) + 4}" text-anchor="end">${esc(yf(t))}</text>\n`;
  s += `</g>\n<text class="x-label" x="${m.left + pw / 2}" y="${h - 12}" text-anchor="middle">${esc(c.xLabel)}</text>\n` +
    `<text class="y-label" x="16" y="${m.top + ph / 2}" text-anchor="middle" transform="rotate(-90 16 ${m.top + ph / 2})">${esc(c.yLabel)}</text>\n`;
  for (const l of c.hlines ?? []) {
    const color = l.color ?? "#555555";
    s += `<g class="goal"><line x1="${m.left}" y1="${Y(l.y)}" x2="${m.left + pw}" y2="${Y(l.y)}" stroke="${color}" stroke-dasharray="6 4"/>` +
      `<text x="${m.left + pw - 4}" y="${Y(l.y) - 4}" text-anchor="end" fill="${color}" font-size="11">${esc(l.label)}</text></g>\n`;
  }
  for (const ser of c.series) {
    const pts = [...ser.points].sort((a, b) => a[0] - b[0]);
    s += `<g class="series" data-name="${esc(ser.name)}" stroke="${ser.color}" fill="${ser.color}">\n` +
      `<polyline fill="none" stroke-width="2"${ser.dashed ? ' stroke-dasharray="4 3"' : ""} points="${pts.map(([x, y]) => `${X(x)},${Y(y)}`).join(" ")}"/>\n`;
    for (const [x, y] of pts) s += `<circle cx="${X(x)}" cy="${Y(y)}" r="3.5"><title>${esc(`${ser.name}: ${yf(y)} at ${xf(x)}`)}</title></circle>\n`;
    s += `</g>\n`;
  }
  s += `<g class="legend" transform="translate(${m.left + pw + 16} ${m.top + 4})">\n`;
  c.series.forEach((ser, i) => {
    s += `<line x1="0" y1="${i * 20}" x2="22" y2="${i * 20}" stroke="${ser.color}" stroke-width="2"${ser.dashed ? ' stroke-dasharray="4 3"' : ""}/>` +
      `<circle cx="11" cy="${i * 20}" r="3.5" fill="${ser.color}"/>` +
      `<text x="30" y="${i * 20 + 4}">${esc(ser.name)}</text>\n`;
  });
  return s + `</g>\n</svg>\n`;
}

/** Horizontal bars on a log value axis (values spanning several decades stay readable), value printed at each bar. */
export function barChartSVG(c: BarChart): string {
  const rowH = 26, w = c.width ?? 760;
  const m = { left: 250, right: 110, top: 60, bottom: 50 };
  const ph = c.bars.length * rowH, h = m.top + ph + m.bottom, pw = w - m.left - m.right;
  const vals = [...c.bars.map((b) => b.value), ...(c.markers ?? []).map((mk) => mk.y)].filter((v) => v > 0);
  if (vals.length === 0) throw new Error(`chart "${c.title}" has no values`);
  const ticks = decades(Math.min(...vals), Math.max(...vals));
  const [v0, v1] = [Math.log10(ticks[0]), Math.log10(ticks[ticks.length - 1])];
  const X = (v: number) => r1(m.left + ((Math.log10(v) - v0) / (v1 - v0)) * pw);
  const f = c.format ?? siCount;
  let s = header(w, h, c.title);
  s += `<g class="grid" stroke="#e5e5e5">\n`;
  for (const t of ticks) s += `<line x1="${X(t)}" y1="${m.top}" x2="${X(t)}" y2="${m.top + ph}"/>\n`;
  s += `</g>\n<g class="bars">\n`;
  c.bars.forEach((b, i) => {
    const y = m.top + i * rowH + 4;
    const x = X(Math.max(b.value, ticks[0]));
    s += `<text x="${m.left - 8}" y="${y + 13}" text-anchor="end">${esc(b.label)}</text>` +
      `<rect x="${m.left}" y="${y}" width="${r1(Math.max(1, x - m.left))}" height="${rowH - 8}" fill="${b.color}"><title>${esc(`${b.label}: ${f(b.value)}`)}</title></rect>` +
      `<text x="${x + 5}" y="${y + 13}" font-size="11">${esc(b.text ?? f(b.value))}</text>\n`;
  });
  s += `</g>\n<g class="axes" stroke="#333333">\n<line x1="${m.left}" y1="${m.top + ph}" x2="${m.left + pw}" y2="${m.top + ph}"/>\n` +
    `<line x1="${m.left}" y1="${m.top}" x2="${m.left}" y2="${m.top + ph}"/>\n`;
  for (const t of ticks) s += `<line x1="${X(t)}" y1="${m.top + ph}" x2="${X(t)}" y2="${m.top + ph + 5}"/>\n`;
  s += `</g>\n<g class="ticks" fill="#333333">\n`;
  for (const t of ticks) s += `<text x="${X(t)}" y="${m.top + ph + 19}" text-anchor="middle">${esc(f(t))}</text>\n`;
  s += `</g>\n<text class="x-label" x="${m.left + pw / 2}" y="${h - 10}" text-anchor="middle">${esc(c.valueLabel)}</text>\n`;
  (c.markers ?? []).forEach((mk, i) => {
    const color = mk.color ?? "#555555";
    // why: labels of close markers would overlap; alternate two rows above the plot
    const ly = m.top - 7 - (i % 2) * 13;
    s += `<g class="goal"><line x1="${X(mk.y)}" y1="${ly + 3}" x2="${X(mk.y)}" y2="${m.top + ph}" stroke="${color}" stroke-dasharray="6 4"/>` +
      `<text x="${X(mk.y)}" y="${ly}" text-anchor="middle" fill="${color}" font-size="11">${esc(mk.label)}</text></g>\n`;
  });
  return s + `</svg>\n`;
}
