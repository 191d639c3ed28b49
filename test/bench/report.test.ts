// bench/report.ts: from a small fixture of results, well-formed SVG plots (parsed as XML, with the expected axes,
// ticks, series and legend) and a README carrying the fixture's figures, goals with PASS/MISS and the miss factors.
import { describe, expect, it, beforeAll } from "vitest";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { generateReport } from "../../bench/report.js";
import { decades, lineChartSVG, siNs } from "../../bench/svg.js";

const FIXTURES = fileURLToPath(new URL("./fixtures/results", import.meta.url));
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@", isArray: (_name: string, _path: unknown, _leaf: boolean, isAttribute: boolean) => !isAttribute });

function parseSvg(text: string): any {
  const valid = XMLValidator.validate(text);
  expect(valid, JSON.stringify(valid)).toBe(true);
  const doc = parser.parse(text);
  expect(doc.svg).toHaveLength(1);
  const svg = doc.svg[0];
  expect(svg["@xmlns"]).toBe("http://www.w3.org/2000/svg");
  return svg;
}
/** every text node under an element, recursively */
function texts(node: any): string[] {
  if (typeof node === "string" || typeof node === "number") return [String(node)];
  if (Array.isArray(node)) return node.flatMap(texts);
  if (node && typeof node === "object") return Object.entries(node).filter(([k]) => !k.startsWith("@")).flatMap(([, v]) => texts(v));
  return [];
}
const groups = (svg: any, cls: string) => (svg.g ?? []).filter((g: any) => g["@class"] === cls);

describe("bench report", () => {
  let out: string;
  let files: string[];
  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), "bench-report-"));
    files = generateReport(FIXTURES, out, join(FIXTURES, "no-such-why.md"));
  });

  it("writes the README and three plots", () => {
    expect(files.map((f) => f.slice(out.length + 1)).sort()).toEqual(
      ["README.md", "plots/authorize-latency.svg", "plots/queries-10k.svg", "plots/throughput-10k.svg"]);
  });

  it("draws the latency plot as a log-log chart with one line per evaluator and a legend", () => {
    const svg = parseSvg(readFileSync(join(out, "plots/authorize-latency.svg"), "utf8"));
    const series = groups(svg, "series");
    expect(series.map((s: any) => s["@data-name"])).toEqual(
      ["naive k8s visitor (TS)", "indexed TS evaluator", "Cedar (cedar-wasm)", "authorize (public API)", "check (fast path)"]);
    // Cedar only at 100 bindings in the fixture: one point; the others two
    expect(series.map((s: any) => s.circle.length)).toEqual([2, 2, 1, 2, 2]);
    for (const s of series) expect(s.polyline[0]["@points"]).toMatch(/^[\d.]+,[\d.]+( [\d.]+,[\d.]+)*$/);
    // x ticks are decades of bindings, y ticks decades of time, including the goal lines' range
    const ticks = texts(groups(svg, "ticks"));
    expect(ticks).toEqual(expect.arrayContaining(["100", "1k", "10k", "10 ns", "100 ns", "1 µs", "10 µs", "100 µs", "1 ms", "10 ms"]));
    expect(texts(groups(svg, "legend"))).toHaveLength(5);
    expect(texts(groups(svg, "goal"))).toEqual(["goal: public ≤ 300 ns", "goal: fast path ≤ 100 ns"]);
    // a slower evaluator is drawn higher up (smaller y) at the same x: naive above check at 10k
    const lastY = (s: any) => Number(s.polyline[0]["@points"].split(" ").pop().split(",")[1]);
    expect(lastY(series[0])).toBeLessThan(lastY(series[4]));
  });

  it("draws throughput and query bars with values and goal markers", () => {
    const thr = parseSvg(readFileSync(join(out, "plots/throughput-10k.svg"), "utf8"));
    const bars = groups(thr, "bars")[0];
    expect(bars.rect).toHaveLength(4); // no Cedar at 10k in the fixture
    expect(texts(bars)).toEqual(expect.arrayContaining(["check (fast path)", "22,222,222/s", "5,556/s"]));
    const q = parseSvg(readFileSync(join(out, "plots/queries-10k.svg"), "utf8"));
    expect(groups(q, "bars")[0].rect).toHaveLength(7);
    expect(texts(groups(q, "goal"))).toEqual(["goal: whoCan 50 µs", "goal: rulesFor 20 µs"]);
  });

  it("renders the README with the machine, goals, tables and plots", () => {
    const md = readFileSync(join(out, "README.md"), "utf8");
    expect(md).toContain("2 cores (Fixture CPU)");
    expect(md).toContain("| authorize | 3 | 1.5 / 1 / 0.5 at start, 2 / 1 / 0.5 at end |");
    expect(md).toContain("| public authorize at 10k (mean) | 2,000 ns | ≤ 300 ns | **MISS** | 6.7× over (needs −85%) |");
    expect(md).toContain("| fast path check at 10k (mean) | 50 ns | ≤ 100 ns | **PASS** |  |");
    expect(md).toContain("| rulesFor at 10k (mean) | 30.0 µs | ≤ 20.0 µs | **MISS** | 1.5× over (needs −33%) |");
    expect(md).toContain("4 of 6 goals met in the latest run.");
    // the run-to-run spread from bench/results/history (3 authorize runs in the fixture, none for queries)
    expect(md).toContain("| public authorize at 10k (mean) | 2,000 ns | ≤ 300 ns | **MISS** | 6.7× over (needs −85%) | 2,600 · 400 · 2,000 | 2,000 ns (MISS) |");
    expect(md).toContain("| rulesFor at 10k (mean) | 30.0 µs | ≤ 20.0 µs | **MISS** | 1.5× over (needs −33%) | – | – |");
    expect(md).toContain("| 2026-01-01 01:00 | authorize | 3 | 1.5 / 1 / 0.5 |");
    // the authorize table: medians; naive absolute, the others with ratios to naive / indexed (from the results)
    expect(md).toContain("| naive k8s visitor (TS) | 3.60 µs | 180 µs |");
    expect(md).toContain("| check (fast path) | 225 ns (16× / 8.00×) | 45 ns (4,000× / 80×) |");
    expect(md).toContain("| Cedar (cedar-wasm) | 4.5 ms (1/1,250× / 1/2,500×) | skipped |");
    expect(md).toContain("| whoCan | 40.0 µs vs 400 µs (10×) |");
    expect(md).toContain("| lint | 300 ms (no baseline) |");
    // mean, p99 and loop CPU time stay visible next to the medians
    expect(md).toContain("| 10,000 | 2.00 µs | 6.00 µs | – | 50 ns | 150 ns | – | 60.0% | 10 MiB |");
    expect(md).toContain("| 10,000 | `rbac-guard lint -f DIR` | 900 ms | 50 ms | 18.0× |");
    for (const p of ["plots/authorize-latency.svg", "plots/throughput-10k.svg", "plots/queries-10k.svg"]) expect(md).toContain(`](${p})`);
    // the fast paths on the in-cache working set (no ratios: the baselines decide the whole stream), with the
    // cost at the largest size over the smallest, and the machine's latency of a dependent load
    expect(md).toContain("### In cache: the decision's own work");
    expect(md).toContain("deciding the first 256 requests of the stream");
    expect(md).toContain("| `check` (fast path) | 150 ns | 180 ns | 1.20× |");
    expect(md).toContain("| inside-wasm loop | 60 ns | 75 ns | 1.25× |");
    expect(md).toContain("| working set | 64 KiB | 2 MiB | 4 MiB |\n|---|---:|---:|---:|\n| ns per load | 5.0 | 20.3 | 180.0 |");
    expect(md).toContain("## Method");
    expect(md).toContain("(no bench/why.md)");
  });

  it("computes log ticks and units", () => {
    expect(decades(120, 95_000)).toEqual([100, 1000, 10_000, 100_000]);
    expect(decades(5, 5)).toEqual([1, 10]);
    expect([siNs(100), siNs(1e3), siNs(1e7), siNs(1e9)]).toEqual(["100 ns", "1 µs", "10 ms", "1 s"]);
    expect(() => lineChartSVG({ title: "t", xLabel: "x", yLabel: "y", series: [] })).toThrow(/no points/);
    expect(lineChartSVG({ title: "a < b & c", xLabel: "x", yLabel: "y", series: [{ name: "<s>", color: "#000", points: [[1, 1], [10, 10]] }] }))
      .toContain("<title>a &lt; b &amp; c</title>");
  });
});
