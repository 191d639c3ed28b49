// A small cluster policy and filter configurations shared by the Envoy tests and the bench.
import { ProxyWasmHost, type HostOptions, type RequestSpec } from "./host.js";
import { envoyModule } from "./module.js";
import { jwt, saClaims, encodeStruct, NOW_NS, type SAOptions } from "./tokens.js";

const RBAC = "rbac.authorization.k8s.io/v1";

export const policy = {
  items: [
    { apiVersion: RBAC, kind: "ClusterRole", metadata: { name: "pod-reader" },
      rules: [{ verbs: ["get", "list", "watch"], apiGroups: [""], resources: ["pods", "pods/log"] }] },
    { apiVersion: RBAC, kind: "ClusterRole", metadata: { name: "deployer" },
      rules: [{ verbs: ["*"], apiGroups: ["apps"], resources: ["deployments", "deployments/scale"] },
        { verbs: ["create"], apiGroups: [""], resources: ["pods/exec"] }] },
    { apiVersion: RBAC, kind: "ClusterRole", metadata: { name: "health" },
      rules: [{ verbs: ["get"], nonResourceURLs: ["/healthz", "/version"] }] },
    { apiVersion: RBAC, kind: "RoleBinding", metadata: { name: "app-reads", namespace: "team-a" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "pod-reader" },
      subjects: [{ kind: "ServiceAccount", name: "app", namespace: "team-a" }] },
    { apiVersion: RBAC, kind: "RoleBinding", metadata: { name: "ci-deploys", namespace: "team-a" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "deployer" },
      subjects: [{ kind: "ServiceAccount", name: "deployer", namespace: "ci" }] },
    { apiVersion: RBAC, kind: "ClusterRoleBinding", metadata: { name: "everyone-health" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "health" },
      subjects: [{ kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: "system:serviceaccounts" }] },
  ],
};

export const baseConfig = {
  mode: "enforce",
  policy,
  rbac: { enabled: true },
  deny: [
    { name: "no-exec", resources: ["pods/exec", "pods/attach"] },
    { name: "no-kube-system-secrets", subjects: { serviceAccounts: ["ci/*"] }, resources: ["secrets"], namespaces: ["kube-system"] },
  ],
  sourceCIDRs: [{ name: "ci-runners", serviceAccount: "ci/deployer", cidrs: ["10.20.0.0/16", "fd00:20::/32"] }],
  jwt: { payloadInMetadata: "k8s_sa" },
};

export const PAYLOAD_PROPERTY = "metadata/filter_metadata/envoy.filters.http.jwt_authn/k8s_sa";

/** A started and configured host at the tests' fixed clock. */
export function newHost(config: object | string | null = baseConfig, options: HostOptions = {}): ProxyWasmHost {
  const host = new ProxyWasmHost(envoyModule(), { now: () => NOW_NS, ...options });
  if (!host.start()) throw new Error("proxy_on_vm_start failed");
  if (config !== null && !host.configure(config)) throw new Error("configuration refused: " + host.logs.map((l) => l.message).join("\n"));
  return host;
}

/** A request from ServiceAccount namespace/name with a token jwt_authn verified (payload in the metadata). */
export function saRequest(namespace: string, name: string, spec: RequestSpec, o: SAOptions & { protobuf?: boolean; address?: string } = {}): RequestSpec {
  const claims = saClaims(namespace, name, o);
  const payload = o.protobuf === false ? JSON.stringify(claims) : encodeStruct(claims);
  return {
    ...spec,
    headers: { authorization: `Bearer ${jwt(claims)}`, ...(spec.headers ?? {}) },
    properties: { [PAYLOAD_PROPERTY]: payload, "source/address": o.address ?? "10.20.3.4:41000", ...(spec.properties ?? {}) },
  };
}
