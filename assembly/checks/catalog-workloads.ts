// Catalog entries of the workload, ServiceAccount, Secret and configuration checks.
import { CheckInfo } from "./catalog";
import { HIGH, MEDIUM, LOW } from "./severity";

function w(id: string, severity: i32, title: string, rationale: string, remediation: string, tools: string[]): CheckInfo {
  return new CheckInfo(id, severity, "workload", title, rationale, remediation, tools);
}

export const EXPIRED_SUPPRESSION = "expired-suppression";

export function WORKLOAD_CHECKS(): CheckInfo[] {
  return [
    w("default-sa-used", MEDIUM, "Workload runs as the default ServiceAccount with a token",
      "The pod uses the namespace's default ServiceAccount and receives a token (automounted, or a projected " +
      "serviceAccountToken volume), so it holds whatever anyone ever bound to default.",
      "Create a ServiceAccount for the workload and set serviceAccountName, or stop the token (automount false, no projection).",
      ["kube-linter default-service-account", "Kubescape C-0189", "Popeye POP-300", "Popeye POP-308"]),
    new CheckInfo("default-sa-automount", MEDIUM, "ServiceAccount", "default ServiceAccount automounts its token",
      "The default ServiceAccount does not set automountServiceAccountToken: false, so every pod that names no " +
      "ServiceAccount and does not opt out gets an API token.",
      "Set automountServiceAccountToken: false on the default ServiceAccount of every namespace.",
      ["Checkov CKV_K8S_41", "Kubescape C-0189", "Kyverno disable-automountserviceaccounttoken"]),
    w("automount-token-enabled", LOW, "Workload automounts a ServiceAccount token",
      "The pod's automountServiceAccountToken is true, or unset while its ServiceAccount's is not false (the default is " +
      "true): a token sits in every container whether the application talks to the API or not.",
      "Set automountServiceAccountToken: false, and mount a projected token explicitly where the API is needed.",
      ["Checkov CKV_K8S_38", "Kubescape C-0034", "Kubescape C-0190", "Kubescape C-0261", "Polaris automountServiceAccountToken",
        "Trivy KSV036", "Gatekeeper automount-serviceaccount-token", "Kyverno restrict-automount-sa-token",
        "Kyverno restrict-sa-automount-sa-token", "Popeye POP-301", "Popeye POP-303"]),
    w("deprecated-service-account-field", LOW, "Deprecated serviceAccount field",
      "spec.serviceAccount is the deprecated alias of serviceAccountName; tools that read only one of them disagree on " +
      "which identity the pod runs as.",
      "Use serviceAccountName.",
      ["kube-linter deprecated-service-account-field", "Kubescape C-0294"]),
    w("nonexistent-service-account", MEDIUM, "Workload references a ServiceAccount that does not exist",
      "The pod names a ServiceAccount absent from the snapshot (default always exists): pods fail to start, and whoever " +
      "creates that ServiceAccount decides their permissions.",
      "Create the ServiceAccount with the workload, or fix the name.",
      ["kube-linter non-existent-service-account", "Kubescape C-0307", "Popeye POP-307", "Popeye POP-507"]),
    new CheckInfo("legacy-sa-token-secret", MEDIUM, "Secret", "Legacy long-lived ServiceAccount token",
      "A Secret of type kubernetes.io/service-account-token holds a token that never expires and survives pod deletion. " +
      "High when the ServiceAccount it belongs to holds high or critical permissions.",
      "Delete the Secret and use TokenRequest (projected tokens, kubectl create token) instead.",
      ["Kyverno deny-secret-service-account-token-type"]),
    new CheckInfo("sa-secrets-reference", MEDIUM, "ServiceAccount", "ServiceAccount lists legacy token Secrets",
      "A non-empty secrets: list is the reference to auto-generated legacy token Secrets (before Kubernetes 1.24); " +
      "the tokens it points to never expire.",
      "Remove the secrets: entries and the token Secrets they name.",
      ["Kyverno check-serviceaccount-secrets"]),
    w("projected-token-long-expiry", MEDIUM, "Projected token with a long lifetime",
      "A projected serviceAccountToken volume asks for an expirationSeconds above the threshold (default 86400; omitted " +
      "means 3600). A stolen token stays valid that long.",
      "Use the default one hour, or at most the threshold, and let the kubelet refresh the token.",
      []),
    w("workload-privileged-sa", HIGH, "Workload holds a token with dangerous permissions",
      "The workload holds a token of a ServiceAccount whose effective grants (direct, through system:serviceaccounts " +
      "groups, across namespaces, through aggregation) include a critical or high permission: full wildcard, Secrets, " +
      "pod or workload creation, exec/attach/ephemeral containers, nodes/proxy, escalate, bind, impersonate, token " +
      "minting, CSR approval or webhook configuration. Anyone who compromises the pod inherits them. Critical when one " +
      "of them is critical and reaches cluster-wide or kube-system.",
      "Give the workload its own ServiceAccount with only the permissions it uses, or stop the token.",
      ["Kubescape C-0267", "Kubescape C-0272", "Kubescape C-0053", "KubiScan risky-pods", "rbac-police"]),
    new CheckInfo(EXPIRED_SUPPRESSION, LOW, "config", "Expired suppression",
      "A suppression's expiry date has passed: it no longer applies, and the findings it covered are reported again.",
      "Fix the findings, or renew the suppression with a new reason and expiry.",
      []),
  ];
}
