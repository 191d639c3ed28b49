// deploy/: the manifests say what the issue asks for, and the example policy and config parse.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { describe, expect, test } from "vitest";
import { parseConfig } from "../../host/webhook/config.js";
import { parsePolicy } from "../../host/webhook/policy.js";
import { ROOT } from "./helpers.js";

export const DEPLOY = path.join(ROOT, "deploy");
export function deployObjects(file: string): any[] {
  return parseAllDocuments(readFileSync(path.join(DEPLOY, file), "utf8")).map((d) => d.toJS()).filter(Boolean);
}

describe("deploy manifests", () => {
  test("Deployment: 2 replicas, requests, probes, non-root, read-only root filesystem, serve flags", () => {
    const [d] = deployObjects("deployment.yaml");
    expect(d.spec.replicas).toBe(2);
    const pod = d.spec.template.spec;
    const c = pod.containers[0];
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(c.securityContext.allowPrivilegeEscalation).toBe(false);
    expect(c.resources.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
    expect(c.readinessProbe.httpGet).toMatchObject({ path: "/readyz", scheme: "HTTPS" });
    expect(c.livenessProbe.httpGet).toMatchObject({ path: "/healthz", scheme: "HTTPS" });
    expect(c.args[0]).toBe("serve");
    for (const flag of ["--tls-cert=", "--tls-key=", "--in-cluster", "--policy=", "--config="]) {
      expect(c.args.some((a: string) => a.startsWith(flag)), flag).toBe(true);
    }
  });

  test("ValidatingWebhookConfiguration: Fail, None, timeout, Equivalent, never an objectSelector", () => {
    const [vwc] = deployObjects("validatingwebhookconfiguration.yaml");
    expect(vwc.kind).toBe("ValidatingWebhookConfiguration");
    for (const w of vwc.webhooks) {
      expect(w.failurePolicy).toBe("Fail");
      expect(w.sideEffects).toBe("None");
      expect(w.matchPolicy).toBe("Equivalent");
      expect(w.timeoutSeconds).toBeGreaterThan(0);
      expect(w.timeoutSeconds).toBeLessThanOrEqual(30);
      expect(w.objectSelector).toBeUndefined();
      expect(w.clientConfig.service.path).toBe("/validate");
      expect(w.admissionReviewVersions).toContain("v1");
    }
    const rbac = vwc.webhooks.find((w: any) => w.name === "rbac.rbac-guard.io");
    expect(rbac.namespaceSelector).toBeUndefined();
    expect(rbac.rules[0].resources).toEqual(expect.arrayContaining(["roles", "clusterroles", "rolebindings", "clusterrolebindings"]));
  });

  test("least RBAC: list/watch only, on RBAC objects, serviceaccounts and secrets", () => {
    const role = deployObjects("rbac.yaml").find((o) => o.kind === "ClusterRole");
    const resources = role.rules.flatMap((r: any) => r.resources).sort();
    expect(resources).toEqual(["clusterrolebindings", "clusterroles", "rolebindings", "roles", "secrets", "serviceaccounts"]);
    for (const r of role.rules) expect(r.verbs).toEqual(["list", "watch"]);
  });

  test("Service, PodDisruptionBudget, AuthorizationConfiguration with the webhook before RBAC", () => {
    expect(deployObjects("service.yaml")[0].spec.ports[0].port).toBe(443);
    expect(deployObjects("pdb.yaml")[0].spec.minAvailable).toBe(1);
    const ac = deployObjects("authorization-config.yaml")[0];
    const types = ac.authorizers.map((a: any) => a.type);
    expect(types.indexOf("Webhook")).toBeLessThan(types.indexOf("RBAC"));
    const w = ac.authorizers.find((a: any) => a.type === "Webhook").webhook;
    expect(w).toMatchObject({ failurePolicy: expect.stringMatching(/^(NoOpinion|Deny)$/), subjectAccessReviewVersion: "v1" });
    expect(w.connectionInfo.type).toBe("KubeConfigFile");
    const kc = deployObjects("authorization-webhook-kubeconfig.yaml")[0];
    expect(kc.clusters[0].cluster.server).toMatch(/^https:\/\/.*\/authorize$/);
    expect(kc["current-context"]).toBeTruthy();
  });

  test("the ConfigMap's policy and admission config are valid", () => {
    const cm = deployObjects("configmap.yaml")[0];
    expect(parsePolicy(cm.data["policy.yaml"]).entries.length).toBeGreaterThan(0);
    expect(parseConfig(cm.data["admission.yaml"]).mode).toBe("enforce");
  });

  test("gen-certs.sh is valid bash", () => {
    execFileSync("bash", ["-n", path.join(DEPLOY, "gen-certs.sh")]);
  });
});
