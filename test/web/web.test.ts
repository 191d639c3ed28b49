// The manifest-lint page end to end in headless Chromium (playwright-core): the built dist/web served by the CLI's
// static server (host/cli/web.ts) on 127.0.0.1. Pastes, drops and opens the examples/cluster manifests, compares the
// findings, can-i, who-can and rules answers with the Node engine over the same text, checks the source highlight,
// the JSON and SARIF downloads, accessibility basics and that no request leaves 127.0.0.1. The shared authorize and
// lint vectors run through the page's engine (its worker) and must give Node's answers. Timings are printed, never
// asserted. Needs `npm run build` and /usr/bin/chromium (skipped without it, except in CI).
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { stringify } from "yaml";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { createEngine, type Engine, type LintResult } from "../../bindings/index.js";
import { parseText } from "../../host/k8s/parse.js";
import { SourceIndex } from "../../host/lint/locate.js";
import { findingPosition } from "../../host/lint/report.js";
import { startWebServer, type WebServer } from "../../host/cli/web.js";
import { generatePolicy } from "../../bench/corpora/gen.js";
import { loadLintVectors, loadVectors, REPO_ROOT } from "../vectors/load.js";

const CHROMIUM = "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
  "--no-first-run", "--disable-sync"];
const SKIP = !existsSync(CHROMIUM) && !process.env.CI;
if (SKIP) {
  console.warn(`test/web: SKIPPED: ${CHROMIUM} is missing (install it with \`apt-get install -y chromium\`); CI always runs these tests`);
}

vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

const CLUSTER = join(REPO_ROOT, "examples/cluster");
const YAML_FILES = ["ci.yaml", "shop.yaml", "payments.yaml", "inventory.yaml"];
const read = (f: string) => readFileSync(join(CLUSTER, f), "utf8");
const PASTED = YAML_FILES.map(read).join("\n---\n");
const BOOTSTRAP = read("bootstrap-rbac.json");
const sha256 = (b: Buffer | string) => createHash("sha256").update(b).digest("hex");

interface NodeRun { engine: Engine; lint: LintResult; index: SourceIndex; objects: ReturnType<typeof parseText>["objects"] }

/** The Node engine over the same files the page gets (same names, same order). */
async function nodeRun(files: { name: string; text: string }[]): Promise<NodeRun> {
  const objects = files.flatMap((f) => parseText(f.text, f.name).objects);
  const engine = await createEngine(objects.map((o) => o.object));
  return { engine, lint: engine.lint(), objects, index: new SourceIndex(objects, new Map(files.map((f) => [f.name, f.text]))) };
}

const key = (f: { severity: string; id: string; object: string }) => `${f.severity} ${f.id} ${f.object}`;

/** The official SARIF 2.1.0 JSON schema (JSON Schema 2020-12) through ajv, as test/cli/lint.test.ts validates the CLI's. */
function sarifValidator() {
  const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
  const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: true });
  addFormats(ajv);
  return ajv.compile(JSON.parse(readFileSync(join(REPO_ROOT, "test/fixtures/sarif/sarif-schema-2.1.0.json"), "utf8")));
}

describe.skipIf(SKIP)("manifest-lint page in Chromium", () => {
  let web: WebServer;
  let browser: Browser;
  const requests: { url: string; page: string; afterReady: boolean }[] = [];
  const contexts: BrowserContext[] = [];

  async function openPage(name: string, viewport = { width: 1280, height: 1000 }): Promise<Page> {
    const ctx = await browser.newContext({ viewport, acceptDownloads: true });
    contexts.push(ctx);
    const page = await ctx.newPage();
    let ready = false;
    page.on("request", (r) => requests.push({ url: r.url(), page: name, afterReady: ready }));
    page.on("pageerror", (e) => console.error(`[${name}] page error:`, e));
    await page.goto(web.url);
    await page.waitForFunction(() => document.body.dataset.state === "ready", null, { timeout: 60_000 });
    ready = true;
    return page;
  }

  /** Runs `act` and waits for the analysis it starts to be on screen; returns the wall time in ms. */
  async function analysis(page: Page, act: () => Promise<unknown>): Promise<number> {
    const before = await page.evaluate(() => window.rbacGuard.timings.length);
    const t0 = Date.now();
    await act();
    await page.waitForFunction((n) => window.rbacGuard.timings.length > n || document.body.dataset.state === "failed", before,
      { timeout: 150_000, polling: 50 });
    return Date.now() - t0;
  }

  const domFindings = (page: Page) => page.$$eval(".finding", (els) => els.map((e) => {
    const d = (e as HTMLElement).dataset;
    return `${d.severity} ${d.id} ${d.object}`;
  }));

  beforeAll(async () => {
    if (!existsSync(join(REPO_ROOT, "dist/web/index.html"))) throw new Error("dist/web is missing: run `npm run build` first");
    web = await startWebServer({ port: 0 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await web?.close();
    const outside = requests.filter((r) => !r.url.startsWith(web.url) && !/^(blob|data):/.test(r.url));
    if (outside.length > 0) console.error("requests outside 127.0.0.1:", outside);
  });

  describe("the examples/cluster snapshot", () => {
    let page: Page;
    let node: NodeRun;
    const files = [{ name: "pasted.yaml", text: PASTED }, { name: "bootstrap-rbac.json", text: BOOTSTRAP }];

    beforeAll(async () => {
      node = await nodeRun(files);
      page = await openPage("main");
      await page.fill("#paste", PASTED);
      await analysis(page, () => page.setInputFiles("#file-input", join(CLUSTER, "bootstrap-rbac.json")));
    });

    test("runs the very module Node runs (sha256 of build/rbac-guard.wasm)", async () => {
      const built = sha256(readFileSync(join(REPO_ROOT, "build/rbac-guard.wasm")));
      expect(await page.textContent("#module-sha256")).toBe(built);
      const wasm = requests.find((r) => r.page === "main" && r.url.endsWith(".wasm"))!;
      const res = await fetch(wasm.url);
      expect(res.headers.get("content-type")).toBe("application/wasm");
      expect(sha256(Buffer.from(await res.arrayBuffer()))).toBe(built);
    });

    test("pasted and opened files form one snapshot: the findings and counts are Node's", async () => {
      const s = node.lint.summary;
      expect(await page.textContent("#summary-line")).toContain(`${s.objects} objects read from 2 files`);
      for (const sev of ["critical", "high", "medium", "low"] as const) {
        expect(await page.textContent(`.count[data-severity=${sev}] .count-n`)).toBe(String(s.bySeverity[sev]));
      }
      const expected = node.lint.findings.filter((f) => !f.suppressed).map(key).sort();
      expect(expected.length).toBeGreaterThan(10);
      expect((await domFindings(page)).sort()).toEqual(expected);
      // grouped by severity, most severe first
      const groups = await page.$$eval(".sev-group h3", (hs) => hs.map((h) => h.textContent));
      expect(groups[0]).toMatch(/^Critical/);
      expect(await page.$$eval("#file-list .file-name", (els) => els.map((e) => e.textContent))).toEqual(["bootstrap-rbac.json"]);
    });

    test("each finding shows its message, path and the check's remediation", async () => {
      const checks = new Map(node.engine.checks().map((c) => [c.id, c]));
      const f = node.lint.findings.find((x) => x.id === "workload-privileged-sa" && x.object === "CronJob/ci/nightly-deploy")!;
      const item = page.locator(`.finding[data-id="${f.id}"][data-object="${f.object}"]`);
      expect(await item.locator(".finding-message").textContent()).toBe(f.message);
      expect(await item.locator(".finding-fix").textContent()).toBe(`Fix: ${checks.get(f.id)!.remediation}`);
      const steps = await item.locator(".finding-path li").allTextContents();
      expect(steps.map((s) => s.split(" ")[0])).toEqual(f.path.map((p) => p.kind));
      expect(steps[0]).toContain("CronJob/ci/nightly-deploy");
    });

    test("clicking a finding shows its file with the offending lines highlighted", async () => {
      const f = node.lint.findings.find((x) => x.id === "wildcard-verbs" && x.object === "ClusterRole//ci-deployer")!;
      expect(f.fieldPath).toBe("rules[0].verbs[0]");
      const o = node.objects[f.objectIndex];
      const exact = o.positionOf(["rules", 0, "verbs", 0])!;
      const rule = o.positionOf(["rules", 0])!;
      await page.click(`.finding[data-id="wildcard-verbs"][data-object="ClusterRole//ci-deployer"] .finding-select`);
      await page.waitForSelector(`#source-code .line.primary[data-line="${exact.line}"]`);
      expect(await page.textContent("#source-caption")).toContain("pasted.yaml");
      const primary = await page.textContent("#source-code .line.primary .text");
      expect(primary).toBe(PASTED.split("\n")[exact.line - 1]);
      expect(primary).toContain('verbs: ["*"]');
      const hl = await page.$$eval("#source-code .line.hl", (els) => els.map((e) => Number((e as HTMLElement).dataset.line)));
      expect(hl[0]).toBe(rule.line);
      expect(hl).toContain(exact.line);
      expect(PASTED.split("\n")[rule.line - 1]).toContain('- apiGroups: ["apps"]');
      expect(await page.getAttribute(`.finding[data-id="wildcard-verbs"] .finding-select`, "aria-pressed")).toBe("true");
    });

    test("findings are buttons that work from the keyboard; path steps show their objects", async () => {
      const sel = `.finding[data-id="cluster-admin-binding"][data-object="ClusterRoleBinding//debug-payments-tmp"] .finding-select`;
      expect(await page.$eval(sel, (e) => e.tagName)).toBe("BUTTON");
      await page.focus(sel);
      await page.keyboard.press("Enter");
      await page.waitForFunction(() => document.querySelector("#source-code .line.primary .text")?.textContent === "  name: cluster-admin");
      const step = page.locator(`.finding[data-id="workload-privileged-sa"][data-object="CronJob/ci/nightly-deploy"] .finding-path button`,
        { hasText: "ServiceAccount/ci/deployer" });
      await step.click();
      await page.waitForFunction(() => document.querySelector("#source-caption")?.textContent?.includes("ServiceAccount/ci/deployer"));
      const lines = await page.$$eval("#source-code .line.hl .text", (els) => els.map((e) => e.textContent));
      expect(lines).toContain("kind: ServiceAccount");
      expect(lines).toContain("  name: deployer");
    });

    test("can-i answers yes or no with Kubernetes' reason", async () => {
      const ask = async (user: string, verb: string, resource: string, namespace: string) => {
        await page.fill("#ci-user", user);
        await page.fill("#ci-verb", verb);
        await page.fill("#ci-resource", resource);
        await page.fill("#ci-namespace", namespace);
        await page.evaluate(() => document.getElementById("can-i-answer")!.replaceChildren());
        await page.click("#can-i-form button[type=submit]");
        await page.waitForSelector("#can-i-answer .verdict");
        return {
          answer: await page.getAttribute("#can-i-answer .verdict", "data-answer"),
          reason: (await page.$("#can-i-answer .reason")) ? await page.textContent("#can-i-answer .reason") : "",
        };
      };
      const alice = await ask("alice@example.com", "delete", "nodes", "");
      const aliceNode = node.engine.authorize({ user: "alice@example.com", groups: ["system:authenticated"],
        resourceAttributes: { verb: "delete", group: "", resource: "nodes", subresource: "", name: "", namespace: "" } });
      expect(aliceNode.reason).toBe('RBAC: allowed by ClusterRoleBinding "debug-payments-tmp" of ClusterRole "cluster-admin" to User "alice@example.com"');
      expect(alice).toEqual({ answer: "yes", reason: aliceNode.reason });

      const sa = await ask("system:serviceaccount:shop:default", "create", "deployments", "shop");
      const saNode = node.engine.authorize({ user: "system:serviceaccount:shop:default",
        groups: ["system:serviceaccounts", "system:serviceaccounts:shop", "system:authenticated"],
        resourceAttributes: { verb: "create", group: "apps", resource: "deployments", namespace: "shop" } });
      expect(saNode.allowed).toBe(true);
      expect(sa).toEqual({ answer: "yes", reason: saNode.reason });
      expect(sa.reason).toContain('RoleBinding "default-edit/shop" of ClusterRole "edit" to ServiceAccount "default/shop"');

      const no = await ask("system:serviceaccount:inventory:inventory-api", "list", "secrets", "inventory");
      expect(no.answer).toBe("no");
      expect(await page.textContent("#can-i-answer")).toContain("No rule of the snapshot allows this request");
    });

    test("who-can lists the subjects Node's engine finds", async () => {
      await page.fill("#wc-verb", "get");
      await page.fill("#wc-resource", "secrets");
      await page.fill("#wc-namespace", "payments");
      await page.click("#who-can-form button[type=submit]");
      await page.waitForSelector("#who-can-answer table");
      const rows = await page.$$eval("#who-can-answer tbody tr", (trs) => trs.map((tr) =>
        Array.from(tr.querySelectorAll("td")).slice(0, 3).map((td) => td.textContent).join("/")));
      const expected = node.engine.whoCan({ resourceAttributes: { verb: "get", group: "", resource: "secrets", namespace: "payments" } })
        .subjects.map((s) => `${s.kind}/${s.name}/${s.namespace}`);
      expect(rows.sort()).toEqual(expected.sort());
      expect(rows).toContain("Group/oncall/");
      expect(rows).toContain("ServiceAccount/api/payments");
      expect(rows).toContain("User/alice@example.com/");
    });

    test("a subject's rules are the engine's rulesFor", async () => {
      await page.fill("#rf-user", "system:serviceaccount:shop:default");
      await page.fill("#rf-namespace", "shop");
      await page.click("#rules-form button[type=submit]");
      await page.waitForSelector("#rules-answer table");
      const r = node.engine.rulesFor({ user: "system:serviceaccount:shop:default",
        groups: ["system:serviceaccounts", "system:serviceaccounts:shop", "system:authenticated"], namespace: "shop" });
      const tables = await page.$$eval("#rules-answer table", (ts) => ts.map((t) => t.querySelectorAll("tbody tr").length));
      expect(tables).toEqual([r.resourceRules.length, r.nonResourceRules.length].filter((n) => n > 0));
      expect(await page.textContent("#rules-answer")).toContain("impersonate");
    });

    test("findings download as JSON and SARIF 2.1.0 (Blob URLs) and parse", async () => {
      const [json] = await Promise.all([page.waitForEvent("download"), page.click("#export-json")]);
      expect(json.suggestedFilename()).toBe("rbac-guard-findings.json");
      expect(json.url()).toMatch(/^blob:/);
      const data = JSON.parse(readFileSync(await json.path(), "utf8"));
      expect(data.summary).toEqual(node.lint.summary);
      expect(data.findings.map(key).sort()).toEqual(node.lint.findings.map(key).sort());
      // the report of `rbac-guard lint -o json`: each finding at its offending node, as the CLI locates it
      node.lint.findings.forEach((f, i) => {
        const p = findingPosition(node.objects, f);
        expect({ file: data.findings[i].file, line: data.findings[i].line, column: data.findings[i].column })
          .toEqual({ file: p?.file ?? null, line: p?.line ?? null, column: p?.column ?? null });
      });
      const wcIndex = node.lint.findings.findIndex((f) => f.id === "wildcard-verbs");
      const wildcard = node.lint.findings[wcIndex];
      const loc = node.index.locate(wildcard.objectIndex, wildcard.fieldPath)!;
      expect(data.findings[wcIndex]).toMatchObject({ file: "pasted.yaml", line: loc.line, column: loc.column });

      const [sarif] = await Promise.all([page.waitForEvent("download"), page.click("#export-sarif")]);
      expect(sarif.suggestedFilename()).toBe("rbac-guard.sarif");
      const log = JSON.parse(readFileSync(await sarif.path(), "utf8"));
      const validate = sarifValidator();
      expect(validate(log), JSON.stringify(validate.errors?.slice(0, 5))).toBe(true);
      expect(log.version).toBe("2.1.0");
      expect(log.$schema).toMatch(/sarif-2\.1\.0/);
      const run = log.runs[0];
      expect(run.tool.driver.name).toBe("rbac-guard");
      const version = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")).version;
      expect(run.tool.driver.version).toBe(version);
      expect(await page.textContent("#module-info")).toContain(`rbac-guard ${version}`);
      const ruleIds = run.tool.driver.rules.map((r: any) => r.id);
      for (const c of node.engine.checks()) expect(ruleIds).toContain(c.id);
      expect(run.results).toHaveLength(node.lint.findings.length);
      expect(run.artifacts.map((a: any) => a.location.uri)).toEqual(["pasted.yaml", "bootstrap-rbac.json"]);
      for (const r of run.results) {
        expect(run.tool.driver.rules[r.ruleIndex].id).toBe(r.ruleId);
        expect(["error", "warning", "note"]).toContain(r.level);
        expect(r.message.text.length).toBeGreaterThan(0);
      }
      const res = run.results.find((r: any) => r.ruleId === "wildcard-verbs");
      expect(res.locations[0].physicalLocation).toEqual({
        artifactLocation: { uri: "pasted.yaml", index: 0 },
        region: { startLine: loc.line, startColumn: loc.column, endLine: loc.to },
      });
      expect(res.codeFlows[0].threadFlows[0].locations.length).toBe(wildcard.path.length);
    });

    test("timing: time to first findings for examples/cluster (printed, not asserted)", async () => {
      const wall = await analysis(page, () => page.click("#analyze"));
      const t = await page.evaluate(() => window.rbacGuard.timings.at(-1)!);
      console.log(`[web timing] examples/cluster: ${t.objects} objects, ${t.findings} findings: first findings after ${wall} ms ` +
        `(page: ${t.total.toFixed(0)} ms = worker parse ${t.parse.toFixed(0)} + policy load ${t.engine.toFixed(0)} + ` +
        `lint ${t.lint.toFixed(0)} + render ${t.render.toFixed(0)} ms)`);
      expect(t.findings).toBe(node.lint.findings.length);
    });

    test("screenshot: test-results/web.png", async () => {
      await page.click(`.finding[data-id="wildcard-verbs"] .finding-select`);
      await page.evaluate(() => document.getElementById("results")!.scrollIntoView());
      mkdirSync(join(REPO_ROOT, "test-results"), { recursive: true });
      await page.screenshot({ path: join(REPO_ROOT, "test-results/web.png") });
      await page.screenshot({ path: join(REPO_ROOT, "test-results/web-full.png"), fullPage: true });
      expect(existsSync(join(REPO_ROOT, "test-results/web.png"))).toBe(true);
    });
  });

  describe("inputs", () => {
    test("parse errors are listed at their line and shown in the source", async () => {
      const page = await openPage("errors");
      const text = "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: r\n  namespace: a\nrules:\n  - verbs: [get\n" +
        "---\n" + read("inventory.yaml");
      const parsed = parseText(text, "pasted.yaml");
      const errors = parsed.diagnostics.filter((x) => x.severity === "error");
      const d = errors[0];
      expect(d.line).toBeGreaterThan(1);
      await page.fill("#paste", text);
      await analysis(page, () => page.click("#analyze"));
      const item = page.locator("#error-list li").first();
      expect(await item.textContent()).toContain(`pasted.yaml:${d.line}:${d.column}`);
      await item.locator("button").click();
      await page.waitForSelector(`#source-code .line.primary[data-line="${d.line}"]`);
      // the other documents still load
      expect(await page.textContent("#summary-line")).toContain(`${parsed.objects.length} objects read from 1 file ` +
        `(${errors.length} input error${errors.length === 1 ? "" : "s"})`);
      expect(parsed.objects.length).toBeGreaterThan(0);
    });

    test("dropped files (DataTransfer) and a dropped folder (webkitGetAsEntry, recursively) form one snapshot", async () => {
      const page = await openPage("drop");
      const node = await nodeRun(["bootstrap-rbac.json", ...YAML_FILES].map((name) => ({ name, text: read(name) })));
      const contents = Object.fromEntries(["bootstrap-rbac.json", ...YAML_FILES].map((f) => [f, read(f)]));
      // plain files, as a drop from a file manager delivers them
      await analysis(page, () => page.evaluate((c) => {
        const dt = new DataTransfer();
        for (const [name, text] of Object.entries(c)) dt.items.add(new File([text], name, { type: "text/plain" }));
        document.getElementById("dropzone")!.dispatchEvent(new DragEvent("drop", { bubbles: true, cancelable: true, dataTransfer: dt }));
      }, contents));
      expect((await domFindings(page)).sort()).toEqual(node.lint.findings.filter((f) => !f.suppressed).map(key).sort());
      expect(await page.$$eval("#file-list .file-name", (els) => els.length)).toBe(5);

      // a folder tree: entries read in batches, non-manifest files skipped, sub-folders recursed
      await page.click("#clear");
      await analysis(page, () => page.evaluate((c) => {
        const fileEntry = (path: string, text: string) => ({ isFile: true, isDirectory: false, name: path.split("/").pop(),
          fullPath: `/${path}`, file: (ok: (f: File) => void) => ok(new File([text], path.split("/").pop()!)) });
        const dirEntry = (path: string, children: unknown[]) => ({ isFile: false, isDirectory: true, name: path.split("/").pop(),
          fullPath: `/${path}`, createReader: () => {
            const batches = [children.slice(0, 2), children.slice(2)];
            return { readEntries: (ok: (e: unknown[]) => void) => setTimeout(() => ok(batches.shift() ?? []), 0) };
          } });
        const root = dirEntry("cluster", [
          fileEntry("cluster/ci.yaml", c["ci.yaml"]), fileEntry("cluster/README.md", "# not a manifest\n"),
          dirEntry("cluster/apps", [fileEntry("cluster/apps/shop.yaml", c["shop.yaml"]), fileEntry("cluster/apps/payments.yaml", c["payments.yaml"]),
            dirEntry("cluster/apps/more", [fileEntry("cluster/apps/more/inventory.yaml", c["inventory.yaml"])])]),
          fileEntry("cluster/bootstrap-rbac.json", c["bootstrap-rbac.json"]),
        ]);
        const dt = new DataTransfer();
        dt.items.add(new File(["x"], "placeholder"));
        Object.defineProperty(dt, "items", { value: [{ kind: "file", webkitGetAsEntry: () => root, getAsFile: () => null }] });
        document.getElementById("dropzone")!.dispatchEvent(new DragEvent("drop", { bubbles: true, cancelable: true, dataTransfer: dt }));
      }, contents));
      expect(await page.$$eval("#file-list .file-name", (els) => els.map((e) => e.textContent))).toEqual([
        "cluster/apps/more/inventory.yaml", "cluster/apps/payments.yaml", "cluster/apps/shop.yaml", "cluster/bootstrap-rbac.json",
        "cluster/ci.yaml"]);
      expect((await domFindings(page)).sort()).toEqual(node.lint.findings.filter((f) => !f.suppressed).map(key).sort());
    });

    test("an opened folder (<input webkitdirectory>) is read recursively", async () => {
      const page = await openPage("folder");
      await analysis(page, () => page.setInputFiles("#folder-input", CLUSTER));
      const names = await page.$$eval("#file-list .file-name", (els) => els.map((e) => e.textContent));
      expect(names.sort()).toEqual(["bootstrap-rbac.json", ...YAML_FILES].map((f) => `cluster/${f}`).sort());
      expect(await page.textContent("#summary-line")).toContain("146 objects read from 5 files");
      // removing a file analyses the rest; removing them all forgets the snapshot
      await analysis(page, () => page.click(`#file-list button[aria-label="Remove cluster/bootstrap-rbac.json"]`));
      expect(await page.textContent("#summary-line")).toMatch(/objects read from 4 files/);
      for (const f of YAML_FILES) await page.click(`#file-list button[aria-label="Remove cluster/${f}"]`);
      await page.waitForFunction(() => document.querySelectorAll(".finding").length === 0 && !document.getElementById("summary-line"));
      await page.fill("#ci-verb", "get");
      await page.fill("#ci-resource", "pods");
      await page.click("#can-i-form button[type=submit]");
      await page.waitForSelector("#can-i-answer .error");
      expect(await page.textContent("#can-i-answer")).toContain("no manifests are loaded yet");
    });
  });

  describe("accessibility, layout and privacy", () => {
    let page: Page;
    beforeAll(async () => {
      page = await openPage("a11y");
      await page.fill("#paste", PASTED);
      await analysis(page, () => page.click("#analyze"));
      await page.fill("#wc-verb", "get");
      await page.fill("#wc-resource", "secrets");
      await page.click("#who-can-form button[type=submit]");
      await page.waitForSelector("#who-can-answer table");
      await page.click(".finding-select >> nth=0");
      await page.waitForSelector("#source-code .line.primary");
    });

    test("every field has a label; controls are buttons, in document order", async () => {
      const unlabeled = await page.$$eval("input, textarea, select", (els) => els
        .filter((e) => (e as HTMLInputElement).labels?.length === 0 && !e.getAttribute("aria-label")).map((e) => e.id));
      expect(unlabeled).toEqual([]);
      expect(await page.$$eval("[onclick], [tabindex]:not([tabindex='-1'])", (els) =>
        els.filter((e) => !["BUTTON", "DIV", "A"].includes(e.tagName) || (e.tagName === "DIV" && !e.getAttribute("role"))).length)).toBe(0);
      const fresh = await openPage("tab-order");
      const order: string[] = [];
      for (let i = 0; i < 6; i++) {
        await fresh.keyboard.press("Tab");
        order.push(await fresh.evaluate(() => document.activeElement?.id || document.activeElement?.className || ""));
      }
      expect(order).toEqual(["skip-link", "paste", "open-files", "open-folder", "analyze", "clear"]);
    });

    const contrastOffenders = () => page.evaluate(() => {
      const parse = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
      const lum = ([r, g, b]: number[]) => {
        const f = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
        return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
      };
      const bg = (el: Element | null): number[] => {
        for (; el; el = el.parentElement) {
          const c = parse(getComputedStyle(el).backgroundColor);
          if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
        }
        return [255, 255, 255];
      };
      const out: string[] = [];
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      const seen = new Set<Element>();
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const el = n.parentElement;
        if (!el || seen.has(el) || !n.textContent?.trim() || el.closest("[hidden], .visually-hidden, option, datalist, textarea")) continue;
        seen.add(el);
        if (el.closest("button:disabled") || el.getClientRects().length === 0) continue;
        const st = getComputedStyle(el);
        const a = lum(parse(st.color)), b = lum(bg(el));
        const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        const size = parseFloat(st.fontSize);
        const large = size >= 24 || (size >= 18.66 && Number(st.fontWeight) >= 700);
        if (ratio < (large ? 3 : 4.5)) out.push(`${el.tagName}.${el.className} "${n.textContent.trim().slice(0, 30)}" ${ratio.toFixed(2)}`);
      }
      return out;
    });

    test("text passes WCAG AA contrast in light and dark mode (prefers-color-scheme)", async () => {
      await page.emulateMedia({ colorScheme: "light" });
      // the check itself: a grey-on-white line is flagged
      await page.evaluate(() => {
        const p = document.createElement("p");
        p.id = "low-contrast-probe";
        p.textContent = "probe";
        p.style.color = "#aaaaaa";
        p.style.background = "#ffffff";
        document.body.append(p);
      });
      expect(await contrastOffenders()).toEqual([expect.stringContaining('"probe"')]);
      await page.evaluate(() => document.getElementById("low-contrast-probe")!.remove());
      expect(await contrastOffenders()).toEqual([]);
      await page.emulateMedia({ colorScheme: "dark" });
      const bodyBg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      expect(bodyBg).toBe("rgb(13, 17, 23)");
      expect(await contrastOffenders()).toEqual([]);
      await page.emulateMedia({ colorScheme: "light" });
    });

    test("readable at 360 px: no horizontal page scroll", async () => {
      await page.setViewportSize({ width: 360, height: 740 });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      await page.emulateMedia({ colorScheme: "dark" });
      mkdirSync(join(REPO_ROOT, "test-results"), { recursive: true });
      await page.evaluate(() => document.getElementById("results")!.scrollIntoView());
      await page.screenshot({ path: join(REPO_ROOT, "test-results/web-narrow-dark.png") });
      await page.emulateMedia({ colorScheme: "light" });
      await page.setViewportSize({ width: 1280, height: 1000 });
      expect(overflow).toBeLessThanOrEqual(0);
    });

    test("offline: every request stays on 127.0.0.1, and none is made after the page has loaded", () => {
      expect(requests.length).toBeGreaterThan(0);
      expect(requests.filter((r) => !r.url.startsWith(web.url) && !/^(blob|data):/.test(r.url))).toEqual([]);
      expect(requests.filter((r) => r.afterReady && !/^(blob|data):/.test(r.url))).toEqual([]);
    });
  });

  describe("shared vectors through the page's engine", () => {
    const authorize = loadVectors("authorize");
    const lint = existsSync(join(REPO_ROOT, "test/vectors/lint")) ? loadLintVectors() : [];
    let page: Page;
    let authorizeAnswers: Awaited<ReturnType<Window["rbacGuard"]["authorizeVectors"]>>;
    let lintAnswers: Awaited<ReturnType<Window["rbacGuard"]["lintVectors"]>>;

    beforeAll(async () => {
      page = await openPage("vectors");
      authorizeAnswers = await page.evaluate((v) => window.rbacGuard.authorizeVectors(v),
        authorize.map((v) => ({ objects: v.objects, options: v.options, specs: v.requests.map((r) => r.spec) })));
      lintAnswers = await page.evaluate((v) => window.rbacGuard.lintVectors(v),
        lint.map((v) => ({ objects: v.objects, options: v.options, config: v.config })));
    });

    test.each(authorize.map((v, i) => [v.file, i] as const))("authorize %s", async (_file, i) => {
      const v = authorize[i];
      const engine = await createEngine(v.objects, { aggregate: v.options.aggregate });
      v.requests.forEach((r, j) => {
        const got = authorizeAnswers[i][j];
        if (r.expect.evaluationError) {
          expect(got.allowed, r.description).toBe(false);
          expect(got.evaluationError, r.description).toBeTruthy();
        } else {
          expect({ allowed: got.allowed, reason: got.reason, evaluationError: got.evaluationError }, r.description)
            .toEqual({ allowed: r.expect.allowed, reason: r.expect.reason, evaluationError: undefined });
        }
        expect(got, r.description).toEqual(engine.authorize(r.spec));
      });
    });

    test.skipIf(lint.length === 0).each(lint.map((v, i) => [v.file, i] as const))("lint %s", async (_file, i) => {
      const v = lint[i];
      const got = lintAnswers[i];
      if ("error" in got) throw new Error(`the browser engine failed: ${got.error}`);
      const reported = new Set(got.findings.filter((f) => !f.suppressed).map((f) => `${f.concept} ${f.object}`));
      for (const p of v.expect.present) expect([...reported]).toContain(`${p.concept} ${p.object}`);
      for (const p of v.expect.absent) expect([...reported]).not.toContain(`${p.concept} ${p.object}`);
      const engine = await createEngine(v.objects, { aggregate: v.options.aggregate });
      const nodeOut = engine.lint({ config: v.config as never });
      expect(got.findings).toEqual(nodeOut.findings);
      expect(got.summary).toEqual(nodeOut.summary);
    });
  });

  describe("a generated 10,000-object snapshot", () => {
    test("a 10,000-object paste keeps the page responsive; time to first findings (printed, not asserted)", async () => {
      // the smallest generated policy with at least 10,000 objects, as `kubectl get -o json` lists them
      const corpus = generatePolicy(8260);
      const items = [...(corpus.objects[0] as { items: object[] }).items, ...corpus.objects.slice(1)];
      expect(items.length).toBeGreaterThanOrEqual(10_000);
      const text = JSON.stringify({ apiVersion: "v1", kind: "List", items }, null, 2);
      const node = await nodeRun([{ name: "pasted-1.yaml", text }]);
      const page = await openPage("10k");
      await page.evaluate((t) => { (window as unknown as { clip: string }).clip = t; }, text);
      // main-thread long tasks (> 50 ms) from the paste to the findings on screen
      await page.evaluate(`(() => {
        window.longTasks = [];
        new PerformanceObserver((l) => { for (const e of l.getEntries()) window.longTasks.push(e.duration); })
          .observe({ type: "longtask" });
      })()`);
      // a paste as the browser delivers it (a ClipboardEvent carrying the text)
      const wall = await analysis(page, () => page.evaluate(`(() => {
        const dt = new DataTransfer();
        dt.setData("text/plain", window.clip);
        document.getElementById("paste").dispatchEvent(new ClipboardEvent("paste", { clipboardData: dt, bubbles: true, cancelable: true }));
      })()`));
      await page.waitForTimeout(300); // let the last frame's layout show up as a long task, if it is one
      const long = await page.evaluate("window.longTasks") as number[];
      const t = await page.evaluate(() => window.rbacGuard.timings.at(-1)!);
      // the large paste is listed as an input of its own, out of the text box
      expect(await page.inputValue("#paste")).toBe("");
      expect(await page.$$eval("#file-list .file-name", (els) => els.map((e) => e.textContent))).toEqual(["pasted-1.yaml"]);
      expect(t.objects).toBe(items.length);
      expect(t.findings).toBe(node.lint.findings.length);
      const s = node.lint.summary;
      for (const sev of ["critical", "high", "medium", "low"] as const) {
        expect(await page.textContent(`.count[data-severity=${sev}] .count-n`)).toBe(s.bySeverity[sev].toLocaleString("en-US"));
        expect(await page.$$eval(`.finding[data-severity=${sev}]`, (els) => els.length)).toBe(Math.min(50, s.bySeverity[sev]));
      }
      // more findings come from the worker a page at a time
      const more = page.locator("#group-medium .show-more");
      if (s.bySeverity.medium > 50) {
        await more.click();
        await page.waitForFunction(() => document.querySelectorAll(".finding[data-severity=medium]").length > 50);
      }
      // the page keeps answering: a field accepts typing
      await page.fill("#ci-user", "user-1@example.com");
      expect(await page.inputValue("#ci-user")).toBe("user-1@example.com");

      // the same objects as `kubectl get -o yaml` prints them: YAML parsing dominates
      const yamlText = stringify({ apiVersion: "v1", kind: "List", items }, { aliasDuplicateObjects: false, lineWidth: 0 });
      await page.click("#clear");
      await page.evaluate((t) => { (window as unknown as { clip: string }).clip = t; }, yamlText);
      const yamlWall = await analysis(page, () => page.evaluate(`(() => {
        const dt = new DataTransfer();
        dt.setData("text/plain", window.clip);
        document.getElementById("paste").dispatchEvent(new ClipboardEvent("paste", { clipboardData: dt, bubbles: true, cancelable: true }));
      })()`));
      const y = await page.evaluate(() => window.rbacGuard.timings.at(-1)!);
      expect(y.objects).toBe(items.length);
      expect(y.findings).toBe(t.findings);
      console.log(`[web timing] the same snapshot as YAML (${(yamlText.length / 1024 / 1024).toFixed(1)} MiB): first findings after ` +
        `${yamlWall} ms (page: ${y.total.toFixed(0)} ms = worker parse ${y.parse.toFixed(0)} + policy load ${y.engine.toFixed(0)} + ` +
        `lint ${y.lint.toFixed(0)} + render ${y.render.toFixed(0)} ms)`);
      console.log(`[web timing] generated snapshot: ${t.objects} objects (${(text.length / 1024 / 1024).toFixed(1)} MiB JSON pasted), ` +
        `${t.findings} findings: first findings after ${wall} ms (page: ${t.total.toFixed(0)} ms = worker parse ${t.parse.toFixed(0)} + ` +
        `policy load ${t.engine.toFixed(0)} + lint ${t.lint.toFixed(0)} + render ${t.render.toFixed(0)} ms); main-thread long tasks ` +
        `meanwhile: ${long.length} (longest ${Math.max(0, ...long).toFixed(0)} ms, total ${long.reduce((a, b) => a + b, 0).toFixed(0)} ms)`);
    });
  });
});
