import { describe, expect, it } from "vitest";
import { Readable } from "node:stream";
import { promises as fs, readFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import {
  formatDiagnostic,
  loadObjects,
  parseText,
  rbacKindOf,
  type LoadDiagnostic,
  type LoadResult,
} from "../../host/k8s/load.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const FIX = path.join(ROOT, "test/fixtures/load");
const fx = (name: string): string => path.join(FIX, name);

/** [code, line, column] of each diagnostic, in order. */
const where = (r: LoadResult): [string, number | undefined, number | undefined][] =>
  r.diagnostics.map((d) => [d.code, d.line, d.column]);

/** 1-based position of the first `needle` on 1-based `line` of a file's text (for long JSON lines). */
function at(file: string, line: number, needle: string): { file: string; line: number; column: number } {
  const text = readFileSync(file, "utf8");
  const col = text.split("\n")[line - 1].indexOf(needle);
  if (col < 0) throw new Error(`${needle} not on line ${line} of ${file}`);
  return { file, line, column: col + 1 };
}

function tmpDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), "rbac-guard-load-"));
}

describe("input forms", () => {
  it("loads a single YAML document and locates nested paths", async () => {
    const file = fx("single.yaml");
    const r = await loadObjects([file]);
    expect(r.diagnostics).toEqual([]);
    expect(r.objects).toHaveLength(1);
    const o = r.objects[0];
    expect(o.object.kind).toBe("ClusterRole");
    expect(o.object.metadata).toEqual({ name: "pod-reader", labels: { app: "demo" } });
    expect(o.object.rules[1]).toEqual({
      apiGroups: [""],
      resources: ["pods/log"],
      verbs: ["get", "watch"],
      resourceNames: [],
      nonResourceURLs: [],
    });
    // line 1 is a comment
    expect(o.source).toEqual({ file, line: 2, column: 1 });
    expect(o.positionOf([])).toEqual(o.source);
    expect(o.positionOf(["rules", 1, "verbs", 0])).toEqual({ file, line: 16, column: 9 });
    expect(o.positionOf(["rules", 1, "verbs", 1])).toEqual({ file, line: 17, column: 9 });
    expect(o.positionOf(["rules", 0, "verbs", 1])).toEqual({ file, line: 11, column: 20 });
    expect(o.positionOf(["rules", 1])).toEqual({ file, line: 12, column: 5 });
    expect(o.positionOf(["metadata", "name"])).toEqual({ file, line: 5, column: 9 });
    expect(o.positionOf(["metadata", "labels", "app"])).toEqual({ file, line: 7, column: 10 });
    // not in the source: unknown keys, out-of-range indices, defaults added by normalisation
    expect(o.positionOf(["spec"])).toBeUndefined();
    expect(o.positionOf(["rules", 2])).toBeUndefined();
    expect(o.positionOf(["rules", 0, "resourceNames"])).toBeUndefined();
  });

  it("loads every document of a multi-document stream and skips empty and null documents silently", async () => {
    const file = fx("multi.yaml");
    const r = await loadObjects([file]);
    expect(r.diagnostics).toEqual([]);
    expect(r.objects.map((o) => o.object.kind)).toEqual(["Namespace", "Role", "RoleBinding"]);
    expect(r.objects.map((o) => o.source.line)).toEqual([1, 11, 21]);
    expect(r.objects[2].object.subjects).toEqual([{ kind: "ServiceAccount", name: "app", namespace: "shop" }]);
    expect(r.objects[2].positionOf(["subjects", 0, "name"])).toEqual({ file, line: 32, column: 11 });
  });

  it("loads a JSON object with positions", async () => {
    const file = fx("object.json");
    const r = await loadObjects([file]);
    expect(r.diagnostics).toEqual([]);
    expect(r.objects).toHaveLength(1);
    const o = r.objects[0];
    expect(o.object.metadata).toEqual({ name: "json-role", namespace: "shop" });
    expect(o.source).toEqual({ file, line: 1, column: 1 });
    expect(o.positionOf(["rules", 1, "verbs", 1])).toEqual(at(file, 7, '"patch"'));
    expect(o.positionOf(["rules", 1])).toEqual(at(file, 7, "{"));
    expect(o.positionOf(["metadata", "namespace"])).toEqual(at(file, 4, '"shop"'));
    expect(o.positionOf(["rules", 2])).toBeUndefined();
  });

  it("flattens a JSON kind: List, each item with its own position", async () => {
    const file = fx("list.json");
    const r = await loadObjects([file]);
    expect(r.diagnostics).toEqual([]);
    expect(r.objects.map((o) => `${o.object.kind}/${o.object.metadata.name}`)).toEqual([
      "ClusterRole/secret-reader",
      "ClusterRoleBinding/read-secrets",
      "ServiceAccount/app",
    ]);
    expect(r.objects.map((o) => o.source)).toEqual([at(file, 6, "{"), at(file, 12, "{"), at(file, 19, "{")]);
    expect(r.objects[1].positionOf(["subjects", 0, "name"])).toEqual(at(file, 17, '"auditors"'));
    expect(r.objects[0].positionOf(["rules", 0, "verbs", 1])).toEqual(at(file, 10, '"list"'));
  });

  it("flattens a YAML kind: List", async () => {
    const file = fx("list.yaml");
    const r = await loadObjects([file]);
    expect(r.diagnostics).toEqual([]);
    expect(r.objects.map((o) => o.object.kind)).toEqual(["Secret", "ClusterRole"]);
    expect(r.objects.map((o) => o.source)).toEqual([
      { file, line: 4, column: 3 },
      { file, line: 10, column: 3 },
    ]);
    expect(r.objects[1].positionOf(["rules", 0, "verbs", 0])).toEqual({ file, line: 17, column: 13 });
  });

  it("flattens a typed RoleList as kubectl get -o yaml prints it: items get kind and apiVersion from the list", async () => {
    const file = fx("rolelist.yaml");
    const r = await loadObjects([file]);
    expect(r.diagnostics).toEqual([]);
    expect(r.objects).toHaveLength(2);
    for (const o of r.objects) {
      expect(o.object.kind).toBe("Role");
      expect(o.object.apiVersion).toBe("rbac.authorization.k8s.io/v1");
      expect(rbacKindOf(o.object)).toBe("Role");
    }
    expect(r.objects.map((o) => o.object.metadata.namespace)).toEqual(["shop", "billing"]);
    expect(r.objects[1].source).toEqual({ file, line: 13, column: 3 });
    expect(r.objects[1].positionOf(["rules", 0, "verbs", 0])).toEqual({ file, line: 22, column: 7 });
    expect(r.objects[1].positionOf(["kind"])).toBeUndefined(); // filled in, not in the source
  });

  it("flattens typed JSON lists and nested lists; items keep their own kind", () => {
    const text = JSON.stringify({
      apiVersion: "v1",
      kind: "List",
      items: [
        {
          apiVersion: "rbac.authorization.k8s.io/v1",
          kind: "ClusterRoleBindingList",
          items: [
            { metadata: { name: "a" }, roleRef: { kind: "ClusterRole", name: "view" }, subjects: [{ kind: "User", name: "u" }] },
            { kind: "ConfigMap", apiVersion: "v1", metadata: { name: "odd-one" } },
          ],
        },
        null,
        "not an object",
      ],
    }, null, 1);
    const r = parseText(text, "nested.json");
    expect(r.objects.map((o) => `${o.object.apiVersion} ${o.object.kind}`)).toEqual([
      "rbac.authorization.k8s.io/v1 ClusterRoleBinding",
      "v1 ConfigMap",
    ]);
    const lines = text.split("\n");
    const line = lines.findIndex((l) => l.includes('"not an object"'));
    expect(where(r)).toEqual([["NOT_AN_OBJECT", line + 1, lines[line].indexOf('"') + 1]]);
  });

  it("recurses into directories: sorted, .yaml/.yml/.json only, hidden entries and node_modules skipped", async () => {
    const dir = await tmpDir();
    try {
      await fs.cp(fx("dir"), dir, { recursive: true });
      await fs.mkdir(path.join(dir, "node_modules", "pkg"), { recursive: true });
      await fs.writeFile(path.join(dir, "node_modules", "pkg", "x.yaml"), "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: nm}\n");
      await fs.mkdir(path.join(dir, "empty"));
      const r = await loadObjects([dir]);
      expect(r.diagnostics).toEqual([]);
      expect(r.objects.map((o) => o.object.metadata.name)).toEqual(["B-upper", "a", "c", "d"]);
      expect(r.objects.map((o) => path.relative(dir, o.source.file))).toEqual(["B.json", "a.yaml", "b/c.yml", "b/d.json"]);
      // a directory and a file in it: the file is read once
      const again = await loadObjects([dir, path.join(dir, "a.yaml"), dir]);
      expect(again.objects.map((o) => o.object.metadata.name)).toEqual(["B-upper", "a", "c", "d"]);
      // a directory without manifests
      const empty = await loadObjects([path.join(dir, "empty")]);
      expect(empty.objects).toEqual([]);
      expect(where(empty)).toEqual([["EMPTY_DIRECTORY", undefined, undefined]]);
      expect(empty.diagnostics[0].severity).toBe("warning");
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it("loads a file named explicitly whatever its extension", async () => {
    const r = await loadObjects([fx("dir/notes.txt")]);
    expect(r.objects.map((o) => o.object.metadata.name)).toEqual(["text"]);
  });

  it("reads - from a string", async () => {
    const r = await loadObjects(["-"], { stdin: "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: piped\n" });
    expect(r.diagnostics).toEqual([]);
    expect(r.objects).toHaveLength(1);
    expect(r.objects[0].object.metadata.name).toBe("piped");
    expect(r.objects[0].source).toEqual({ file: "<stdin>", line: 1, column: 1 });
    expect(r.objects[0].positionOf(["metadata", "name"])).toEqual({ file: "<stdin>", line: 4, column: 9 });
  });

  it("reads - from a stream (chunks split inside a UTF-8 character), once, in path order", async () => {
    const bytes = Buffer.from('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"caf\u00e9"}}', "utf8");
    const cut = bytes.indexOf(0xc3) + 1; // between the two bytes of é
    const stdin = Readable.from([bytes.subarray(0, cut), bytes.subarray(cut)]);
    const r = await loadObjects([fx("dir/a.yaml"), "-", "-"], { stdin });
    expect(r.diagnostics).toEqual([]);
    expect(r.objects.map((o) => o.object.metadata.name)).toEqual(["a", "caf\u00e9"]);
    expect(r.objects[1].source.file).toBe("<stdin>");
  });

  it("accepts concatenated JSON values (jq output) and YAML in flow style", async () => {
    const r = await loadObjects([fx("stream.json"), fx("flow.yaml")]);
    expect(r.diagnostics).toEqual([]);
    expect(r.objects.map((o) => `${o.object.metadata.name}@${o.source.line}:${o.source.column}`)).toEqual([
      "one@1:1",
      "two@2:1",
      "a@1:1",
      "b@3:1",
    ]);
  });
});

describe("API versions", () => {
  it("accepts v1beta1 RBAC objects with a DEPRECATED_API_VERSION warning", async () => {
    const file = fx("v1beta1.yaml");
    const r = await loadObjects([file]);
    expect(r.objects).toHaveLength(1);
    expect(r.objects[0].object.apiVersion).toBe("rbac.authorization.k8s.io/v1beta1");
    expect(rbacKindOf(r.objects[0].object)).toBe("ClusterRoleBinding");
    expect(r.diagnostics).toHaveLength(1);
    const d = r.diagnostics[0];
    expect(d).toMatchObject({ severity: "warning", code: "DEPRECATED_API_VERSION", file, line: 1, column: 13 });
    expect(d.message).toContain("v1beta1");
    expect(d.message).toContain("rbac.authorization.k8s.io/v1");
  });

  it("warns about v1alpha1, unknown RBAC versions and a missing apiVersion", () => {
    const text = [
      "apiVersion: rbac.authorization.k8s.io/v1alpha1\nkind: ClusterRole\nmetadata: {name: a}\n",
      "apiVersion: rbac.authorization.k8s.io/v2\nkind: ClusterRole\nmetadata: {name: b}\n",
      "kind: ClusterRole\nmetadata: {name: c}\n",
      "kind: ConfigMap\nmetadata: {name: d}\n",
    ].join("---\n");
    const r = parseText(text, "versions.yaml");
    expect(where(r)).toEqual([
      ["DEPRECATED_API_VERSION", 1, 13],
      ["UNKNOWN_API_VERSION", 5, 13],
      ["MISSING_API_VERSION", 9, 1],
      ["MISSING_API_VERSION", 12, 1],
    ]);
    expect(r.objects.map((o) => o.object.apiVersion)).toEqual([
      "rbac.authorization.k8s.io/v1alpha1",
      "rbac.authorization.k8s.io/v2",
      "rbac.authorization.k8s.io/v1",
      "",
    ]);
  });
});

describe("errors", () => {
  it("reports a YAML syntax error at its line and column; documents before and after still load", async () => {
    const file = fx("syntax-error.yaml");
    const r = await loadObjects([file]);
    expect(r.objects.map((o) => o.object.metadata.name)).toEqual(["before", "after"]);
    expect(r.diagnostics.length).toBeGreaterThan(0);
    for (const d of r.diagnostics) expect(d).toMatchObject({ severity: "error", code: "YAML_SYNTAX", file });
    expect(r.diagnostics[0]).toMatchObject({ line: 9, column: 9 });
  });

  it("reports each bad document of a stream", () => {
    const text = "kind: A\n---\nkind: B\nfoo: bar: baz\n---\nkind: C\n---\nkind: D\nlist: [a, b\n";
    const r = parseText(text, "s.yaml");
    expect(r.objects.map((o) => o.object.kind)).toEqual(["A", "C"]);
    const errors = r.diagnostics.filter((d) => d.severity === "error");
    expect(errors.map((d) => d.code)).toEqual(errors.map(() => "YAML_SYNTAX"));
    expect(errors[0]).toMatchObject({ line: 4, column: 6 }); // `bar`
    expect(errors.some((d) => d.line !== undefined && d.line >= 9)).toBe(true);
  });

  it("reports a JSON syntax error at its line and column", async () => {
    const file = fx("bad.json");
    const r = await loadObjects([file]);
    expect(r.objects).toEqual([]);
    expect(r.diagnostics).toEqual([
      expect.objectContaining({ severity: "error", code: "JSON_SYNTAX", ...at(file, 4, "}") }),
    ]);
  });

  it("keeps the JSON values before an error in concatenated JSON", () => {
    const r = parseText('{"kind":"A"}\n{"kind": "B",\n  "x": [1, 2}\n', "-");
    expect(r.objects.map((o) => o.object.kind)).toEqual(["A"]);
    expect(where(r)).toEqual([
      ["MISSING_API_VERSION", 1, 1],
      ["JSON_SYNTAX", 3, 13],
    ]);
  });

  it("reports text that looks like JSON but is neither JSON nor YAML as JSON_SYNTAX", () => {
    const r = parseText('{"kind": "A", "metadata": {"name": "x"}', "<stdin>");
    expect(where(r)).toEqual([["JSON_SYNTAX", 1, 40]]);
  });

  it("reports a missing path as NOT_FOUND and loads the other paths", async () => {
    const missing = fx("does-not-exist.yaml");
    const r = await loadObjects([missing, fx("dir/a.yaml")]);
    expect(r.objects.map((o) => o.object.metadata.name)).toEqual(["a"]);
    expect(r.diagnostics).toEqual([expect.objectContaining({ severity: "error", code: "NOT_FOUND", file: missing })]);
    expect(r.diagnostics[0].line).toBeUndefined();
  });

  it("refuses inputs over the size limit with TOO_LARGE", async () => {
    const file = fx("single.yaml");
    const r = await loadObjects([file, "-"], { maxFileBytes: 100, stdin: Readable.from([Buffer.alloc(80, 0x20), Buffer.alloc(80, 0x20)]) });
    expect(r.objects).toEqual([]);
    expect(r.diagnostics.map((d) => [d.severity, d.code, d.file])).toEqual([
      ["error", "TOO_LARGE", file],
      ["error", "TOO_LARGE", "<stdin>"],
    ]);
    expect(where(parseText("kind: A\n", "x.yaml", { maxBytes: 4 }))).toEqual([["TOO_LARGE", undefined, undefined]]);
  });

  it("refuses alias bombs with ALIAS_LIMIT but accepts ordinary anchors and merge keys", () => {
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]",
      "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]",
      "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]",
      "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]",
      "kind: ConfigMap",
    ].join("\n");
    const good = [
      "apiVersion: rbac.authorization.k8s.io/v1",
      "kind: ClusterRole",
      "metadata:",
      "  name: anchors",
      "x-base: &base",
      "  apiGroups: [\"\"]",
      "  verbs: &verbs [get, list]",
      "rules:",
      "  - <<: *base",
      "    resources: [pods]",
      "  - resources: [services]",
      "    apiGroups: [\"\"]",
      "    verbs: *verbs",
    ].join("\n");
    const r = parseText(bomb + "\n---\n" + good, "aliases.yaml");
    expect(where(r)).toEqual([["ALIAS_LIMIT", 1, 1]]);
    expect(r.objects).toHaveLength(1);
    const o = r.objects[0];
    expect(o.object.rules).toEqual([
      { apiGroups: [""], verbs: ["get", "list"], resources: ["pods"], resourceNames: [], nonResourceURLs: [] },
      { apiGroups: [""], verbs: ["get", "list"], resources: ["services"], resourceNames: [], nonResourceURLs: [] },
    ]);
    // a merged key points into the anchored map, an alias into its anchor
    expect(o.positionOf(["rules", 0, "verbs", 1])).toMatchObject({ line: 14, column: 23 });
    expect(o.positionOf(["rules", 0, "resources", 0])).toMatchObject({ line: 17, column: 17 });
    expect(o.positionOf(["rules", 1, "verbs", 0])).toMatchObject({ line: 14, column: 18 });
  });

  it("refuses circular aliases with CIRCULAR_ALIAS", () => {
    const r = parseText("kind: A\na: &x\n  b: *x\n---\nkind: B\nmetadata: {name: ok}\nx: &y [1]\ny: [*y, *y]\n", "cycle.yaml");
    expect(where(r)).toEqual([["CIRCULAR_ALIAS", 1, 1], ["MISSING_API_VERSION", 5, 1]]);
    expect(r.objects.map((o) => o.object.kind)).toEqual(["B"]);
    expect(r.objects[0].object.y).toEqual([[1], [1]]);
  });
});

describe("normalisation", () => {
  const file = fx("invalid.yaml");

  it("reports shape problems as warnings with positions and keeps the objects", async () => {
    const r = await loadObjects([file]);
    expect(r.diagnostics.every((d) => d.severity === "warning" && d.file === file)).toBe(true);
    expect(where(r)).toEqual([
      ["MISSING_NAMESPACE", 4, 3],
      ["INVALID_FIELD", 6, 11], // labels.tier: 3
      ["INVALID_FIELD", 11, 18], // verbs: [get, 42, list]
      ["INVALID_FIELD", 10, 16], // resources: pods
      ["INVALID_FIELD", 12, 5], // - just-a-string
      ["INVALID_FIELD", 15, 13], // verbs: [{nested: map}, update]
      ["IGNORED_NAMESPACE", 21, 14],
      ["MISSING_ROLE_REF", 17, 1],
      ["UNKNOWN_SUBJECT_KIND", 23, 11],
      ["MISSING_NAMESPACE", 25, 5], // ServiceAccount subject of a ClusterRoleBinding
      ["MISSING_NAMESPACE", 31, 3],
      ["NO_SUBJECTS", 28, 1],
      ["NOT_AN_OBJECT", 36, 1],
      ["MISSING_KIND", 39, 1],
      ["INVALID_FIELD", 51, 20], // matchLabels: "oops"
      ["INVALID_FIELD", 55, 23], // values: [a, 7]
    ]);
    expect(r.diagnostics[2].path).toEqual(["rules", 0, "verbs", 1]);
    expect(r.objects.map((o) => o.object.metadata.name)).toEqual(["messy", "broken-binding", "lonely", "aggregated"]);
  });

  it("normalises types so that downstream code can trust them", async () => {
    const r = await loadObjects([file]);
    const [role, crb, rb, cr] = r.objects.map((o) => o.object);
    expect(role.metadata).toEqual({ name: "messy", namespace: "default", labels: { tier: "3", team: "core" } });
    expect(role.rules).toEqual([
      // why: a malformed element becomes its text instead of vanishing, so no list ever gets wider
      { apiGroups: [""], resources: [], verbs: ["get", "42", "list"], resourceNames: [], nonResourceURLs: [] },
      { apiGroups: ["apps"], resources: ["deployments"], verbs: ['{"nested":"map"}', "update"], resourceNames: [], nonResourceURLs: [] },
    ]);
    expect(crb.metadata).toEqual({ name: "broken-binding" });
    expect(crb.roleRef).toEqual({ apiGroup: "", kind: "", name: "" });
    expect(crb.subjects).toEqual([{ kind: "user", name: "bob" }, { kind: "ServiceAccount", name: "robot" }]);
    expect(rb.metadata.namespace).toBe("default");
    expect(rb.roleRef).toEqual({ kind: "ClusterRole", name: "view", apiGroup: "" });
    expect(rb.subjects).toEqual([]);
    // the selector with invalid matchLabels is dropped rather than made to match every ClusterRole
    expect(cr.aggregationRule.clusterRoleSelectors).toEqual([
      { matchLabels: { "rbac.example.com/aggregate-to-monitoring": "true" } },
      { matchExpressions: [{ key: "tier", operator: "In", values: ["a", "7"] }] },
    ]);
  });

  it("maps positions of normalised arrays back to the source when entries were dropped", async () => {
    const r = await loadObjects([file]);
    const role = r.objects[0];
    // rules[1] is the source's rules[2] (the rule `- just-a-string` was dropped); scalars are kept in place
    expect(role.positionOf(["rules", 1])).toEqual({ file, line: 13, column: 5 });
    expect(role.positionOf(["rules", 1, "verbs", 1])).toEqual({ file, line: 15, column: 28 });
    expect(role.positionOf(["rules", 0, "verbs", 2])).toEqual({ file, line: 11, column: 22 });
    const cr = r.objects[3];
    expect(cr.positionOf(["aggregationRule", "clusterRoleSelectors", 1, "matchExpressions", 0, "key"])).toEqual({
      file,
      line: 53,
      column: 16,
    });
  });

  it("checks metadata, roleRef and subjects field types", () => {
    const text = `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: 42
  namespace: team
  annotations:
    note: [a]
    empty: null
roleRef:
  apiGroup: example.com
  kind: Role
  name: reader
subjects:
  - kind: Group
    name: true
  - 7
  - name: no-kind
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: [not, a, map]
roleRef: {kind: Role, name: r}
subjects: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  namespace: ns
rules: {verbs: [get]}
---
apiVersion: v1
kind: Pod
metadata:
  generateName: web-
  labels: null
`;
    const r = parseText(text, "types.yaml");
    expect(where(r)).toEqual([
      ["INVALID_FIELD", 4, 9], // name: 42
      ["INVALID_FIELD", 7, 11], // note: [a]
      ["INVALID_FIELD", 8, 12], // empty: null
      ["INVALID_ROLE_REF", 10, 13], // apiGroup example.com
      ["INVALID_FIELD", 15, 11], // name: true
      ["INVALID_FIELD", 16, 5], // - 7
      ["UNKNOWN_SUBJECT_KIND", 17, 5], // no kind
      ["INVALID_FIELD", 21, 11], // metadata: [...]
      ["MISSING_NAME", 21, 11],
      ["INVALID_ROLE_REF", 22, 17], // ClusterRoleBinding -> Role
      ["NO_SUBJECTS", 23, 11],
      ["MISSING_NAME", 28, 3],
      ["INVALID_FIELD", 29, 8], // rules: {…}
    ]);
    const [rb, crb, role, pod] = r.objects.map((o) => o.object);
    expect(rb.metadata).toEqual({ name: "42", namespace: "team", annotations: { note: '["a"]', empty: "" } });
    expect(rb.subjects).toEqual([{ kind: "Group", name: "true" }, { name: "no-kind", kind: "" }]);
    expect(crb.metadata).toEqual({ name: "" });
    expect(role.metadata).toEqual({ name: "", namespace: "ns" });
    expect(role.rules).toEqual([]);
    expect(pod.metadata).toEqual({ generateName: "web-", name: "" });
    expect(rbacKindOf(pod)).toBeUndefined();
  });

  it("a binding without subjects is warned about, except Kubernetes' own bootstrap binding (system:node)", () => {
    const doc = (name: string, labels: string) => `apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\n` +
      `metadata: {name: ${name}${labels}}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: system:node}\nsubjects: []\n`;
    const r = parseText(doc("system:node", ", labels: {kubernetes.io/bootstrapping: rbac-defaults}") + "---\n" + doc("mine", ""), "nodes.yaml");
    expect(r.objects.map((o) => o.object.subjects)).toEqual([[], []]);
    expect(where(r)).toEqual([["NO_SUBJECTS", 11, 11]]);
  });

  it("skips documents that are not objects or lack a kind, with warnings", () => {
    const r = parseText('"just a string"\n---\n[1, 2]\n---\nkind: 3\n---\nmetadata: {name: x}\n', "odd.yaml");
    expect(r.objects).toEqual([]);
    expect(where(r)).toEqual([
      ["NOT_AN_OBJECT", 1, 1],
      ["NOT_AN_OBJECT", 3, 1],
      ["MISSING_KIND", 5, 7],
      ["MISSING_KIND", 7, 1],
    ]);
  });
});

describe("positions", () => {
  it("counts lines and columns the same with CRLF line ends and a byte order mark", () => {
    const r = parseText("\ufeffapiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: crlf\r\n", "crlf.yaml");
    expect(r.objects[0].source).toEqual({ file: "crlf.yaml", line: 1, column: 1 });
    expect(r.objects[0].positionOf(["metadata", "name"])).toEqual({ file: "crlf.yaml", line: 4, column: 9 });
  });

  it("locates JSON keys with escapes and duplicated keys as JSON.parse reads them", () => {
    const text = '{"kind": "ConfigMap", "apiVersion": "v1",\n "metadata": {"name": "a"},\n "data": {"k\\u0065y": "v", "dup": 1,\n  "dup": 2}}';
    const r = parseText(text, "esc.json");
    expect(r.objects[0].object.data).toEqual({ key: "v", dup: 2 });
    expect(r.objects[0].positionOf(["data", "key"])).toMatchObject({ line: 3, column: 23 });
    expect(r.objects[0].positionOf(["data", "dup"])).toMatchObject({ line: 4, column: 10 });
  });
});

describe("formatDiagnostic", () => {
  it("prints file:line:col: severity: message [CODE]", () => {
    const d: LoadDiagnostic = { severity: "error", code: "YAML_SYNTAX", message: "bad indentation", file: "a.yaml", line: 3, column: 7 };
    expect(formatDiagnostic(d)).toBe("a.yaml:3:7: error: bad indentation [YAML_SYNTAX]");
    expect(formatDiagnostic({ severity: "error", code: "NOT_FOUND", message: "no such file or directory", file: "x.yaml" })).toBe(
      "x.yaml: error: no such file or directory [NOT_FOUND]",
    );
    expect(formatDiagnostic({ severity: "warning", code: "X", message: "m", file: "f", line: 2 })).toBe("f:2: warning: m [X]");
  });
});

describe("scale and portability", () => {
  it("loads a 10 MB JSON list well under a second", async () => {
    const items: unknown[] = [];
    let size = 0;
    for (let i = 0; size < 10 * 1024 * 1024; i++) {
      const item = {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: { name: `rb-${i}`, namespace: `ns-${i % 50}`, labels: { app: "shop", team: "payments" } },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
        subjects: [
          { kind: "ServiceAccount", name: `sa-${i}`, namespace: `ns-${i % 50}` },
          { kind: "User", name: `user-${i}@example.com` },
        ],
      };
      items.push(item);
      size += JSON.stringify(item, null, 2).length + 8;
    }
    const dir = await tmpDir();
    try {
      const file = path.join(dir, "big.json");
      await fs.writeFile(file, JSON.stringify({ apiVersion: "v1", kind: "List", items }, null, 2));
      const t0 = performance.now();
      const r = await loadObjects([file]);
      const elapsed = performance.now() - t0;
      expect(r.diagnostics).toEqual([]);
      expect(r.objects).toHaveLength(items.length);
      expect(elapsed).toBeLessThan(1000);
      // positions still work (found on demand)
      const last = r.objects[items.length - 1];
      expect(last.positionOf(["metadata", "name"])?.line).toBeGreaterThan(last.source.line);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  }, 20_000);

  it("keeps the parser importable in a browser: no Node built-ins below parse.ts", () => {
    const seen = new Set<string>();
    const visit = (rel: string): void => {
      if (seen.has(rel)) return;
      seen.add(rel);
      const src = readFileSync(path.join(ROOT, "host/k8s", rel.replace(/\.js$/, ".ts")), "utf8");
      for (const m of src.matchAll(/from\s+"([^"]+)"/g)) {
        const spec = m[1];
        expect(spec.startsWith("node:") || ["fs", "path", "os", "stream"].includes(spec), `${rel} imports ${spec}`).toBe(false);
        if (spec.startsWith("./")) visit(spec.slice(2));
      }
    };
    visit("parse.js");
    expect([...seen].sort()).toEqual(["json-scan.js", "normalize.js", "parse.js", "positions.js", "types.js"]);
  });
});
