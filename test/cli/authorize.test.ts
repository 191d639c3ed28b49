import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, test, vi } from "vitest";
import { CLUSTER, FIXTURES, lines, RBAC, ROOT, runCli } from "./helpers.js";

// each test starts the CLI (a Node process compiling the wasm core) one or more times
vi.setConfig({ testTimeout: 60_000 });

const parse = (stdout: string) => lines(stdout).map((l) => JSON.parse(l));

describe("authorize", () => {
  test("a single (pretty-printed) document from stdin", async () => {
    const doc = readFileSync(path.join(ROOT, FIXTURES, "review.json"), "utf8");
    const r = await runCli(["authorize", "-f", RBAC], { stdin: doc });
    expect(r.code).toBe(0);
    expect(lines(r.stdout)).toHaveLength(1);
    expect(JSON.parse(r.stdout)).toEqual({
      ...JSON.parse(doc),
      status: { allowed: true, reason: 'RBAC: allowed by ClusterRoleBinding "auditor-pods" of ClusterRole "pod-reader" to User "auditor"' },
    });
  });

  test("JSON Lines from --input, v1 and v1beta1 (spec.group), in order, compact", async () => {
    const r = await runCli(["authorize", "-f", RBAC, "--input", `${FIXTURES}/reviews.jsonl`]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const input = lines(readFileSync(path.join(ROOT, FIXTURES, "reviews.jsonl"), "utf8")).map((l) => JSON.parse(l));
    const out = parse(r.stdout);
    expect(out.map((o) => o.metadata.name)).toEqual(["r1", "r2", "r3", "r4"]);
    for (const [i, o] of out.entries()) {
      const { status, ...rest } = o;
      expect(rest).toEqual(input[i]);
      expect(status.denied).toBeUndefined();
    }
    expect(out.map((o) => o.status)).toEqual([
      { allowed: true, reason: 'RBAC: allowed by RoleBinding "dev-pods/team-a" of ClusterRole "pod-reader" to User "dev"' },
      // as kube-apiserver writes it: an empty reason is left out (omitempty)
      { allowed: false },
      { allowed: true, reason: 'RBAC: allowed by RoleBinding "team-a-sas-deploy/team-a" of Role "deployer" to Group "system:serviceaccounts:team-a"' },
      { allowed: true, reason: 'RBAC: allowed by ClusterRoleBinding "prometheus-metrics" of ClusterRole "metrics-reader" to User "prometheus"' },
    ]);
    expect(out[2].apiVersion).toBe("authorization.k8s.io/v1beta1");
    for (const l of lines(r.stdout)) expect(l).toBe(JSON.stringify(JSON.parse(l)));
  });

  test("groups are used as given (nothing implicit), v1beta1 group decides", async () => {
    const review = (apiVersion: string, groups: Record<string, string[]>) => JSON.stringify({
      apiVersion, kind: "SubjectAccessReview",
      spec: { user: "system:serviceaccount:team-a:builder", ...groups,
        resourceAttributes: { namespace: "team-a", verb: "create", group: "apps", resource: "deployments" } },
    });
    const input = [
      review("authorization.k8s.io/v1", {}),
      review("authorization.k8s.io/v1beta1", { group: ["system:serviceaccounts:team-a"] }),
      review("authorization.k8s.io/v1", { groups: ["system:serviceaccounts:team-a"] }),
    ].join("\n");
    const r = await runCli(["authorize", "-f", RBAC], { stdin: input });
    expect(r.code).toBe(0);
    expect(parse(r.stdout).map((o) => o.status.allowed)).toEqual([false, true, true]);
  });

  test("a malformed line answers with status.evaluationError, the others are answered, exit 2", async () => {
    const good = '{"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview","spec":{"user":"alice@example.com","resourceAttributes":{"verb":"delete","resource":"nodes"}}}';
    const input = [good, '{"apiVersion": "authorization.k8s.io/v1", oops}', good, ""].join("\n");
    const r = await runCli(["authorize", "-f", CLUSTER, "--quiet"], { stdin: input });
    expect(r.code).toBe(2);
    const out = parse(r.stdout);
    expect(out).toHaveLength(3);
    expect(out[0].status.allowed).toBe(true);
    expect(out[2].status.allowed).toBe(true);
    expect(out[1]).toMatchObject({ apiVersion: "authorization.k8s.io/v1", kind: "SubjectAccessReview", status: { allowed: false } });
    expect(out[1].status.evaluationError).toMatch(/invalid JSON/);
    expect(r.stderr).toMatch(/^<stdin>:2:\d+: error: invalid JSON/m);
  });

  test("invalid reviews: wrong kind, v1 with spec.group, both attribute blocks, no user or groups", async () => {
    const spec = { user: "dev", resourceAttributes: { verb: "get", resource: "pods", namespace: "team-a" } };
    const input = [
      { apiVersion: "authorization.k8s.io/v1", kind: "SelfSubjectAccessReview", spec },
      { apiVersion: "authorization.k8s.io/v1", kind: "SubjectAccessReview", spec: { ...spec, group: ["x"] } },
      { apiVersion: "authorization.k8s.io/v1", kind: "SubjectAccessReview", spec: { ...spec, nonResourceAttributes: { verb: "get", path: "/" } } },
      { apiVersion: "authorization.k8s.io/v1", kind: "SubjectAccessReview", spec: { resourceAttributes: spec.resourceAttributes } },
      { apiVersion: "authorization.k8s.io/v1", kind: "SubjectAccessReview", spec },
    ].map((o) => JSON.stringify(o)).join("\n");
    const r = await runCli(["authorize", "-f", RBAC], { stdin: input });
    expect(r.code).toBe(2);
    const out = parse(r.stdout);
    expect(out.map((o) => o.status.allowed)).toEqual([false, false, false, false, true]);
    expect(out.slice(0, 4).every((o) => typeof o.status.evaluationError === "string")).toBe(true);
    expect(out[4].status.evaluationError).toBeUndefined();
    expect(lines(r.stderr)).toHaveLength(4);
    expect(r.stderr).toMatch(/^<stdin>:1:1: error: kind "SelfSubjectAccessReview" is not SubjectAccessReview$/m);
  });

  test("an input error in -f exits 2 before reading reviews; -f - and --input - together is a usage error", async () => {
    const broken = await runCli(["authorize", "-f", `${FIXTURES}/broken.yaml`], { stdin: "{}" });
    expect(broken.code).toBe(2);
    expect(broken.stdout).toBe("");
    expect(broken.stderr).toMatch(/broken\.yaml:\d+:\d+: error: /);
    const twice = await runCli(["authorize", "-f", "-"], { stdin: "{}" });
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/^error: stdin can be read only once/m);
    const missing = await runCli(["authorize", "-f", RBAC, "--input", "no/such.jsonl"]);
    expect(missing.code).toBe(2);
  });
});
