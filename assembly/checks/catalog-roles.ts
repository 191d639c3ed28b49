// Catalog entries of the role-anchored checks (wildcards and dangerous permissions). Severities are those of a
// grant held cluster-wide or in a sensitive namespace; see severity.ts for the grading by scope.
import { CheckInfo } from "./catalog";
import { CRITICAL, HIGH, MEDIUM, LOW } from "./severity";

function c(id: string, severity: i32, title: string, rationale: string, remediation: string, tools: string[]): CheckInfo {
  return new CheckInfo(id, severity, "role", title, rationale, remediation, tools);
}

const SCOPE_NOTE = " Severity is that of a grant held cluster-wide or in kube-system; one level lower when every holder " +
  "is limited to ordinary namespaces, two lower when nobody holds the role.";

export function ROLE_CHECKS(): CheckInfo[] {
  return [
    c("wildcard-verbs", MEDIUM, "Wildcard verbs",
      "A `*` in verbs grants every verb, including ones added later (escalate, bind, impersonate, approve, deletecollection) " +
      "and verbs nobody reviewed for this resource." + SCOPE_NOTE,
      "List the verbs the holder needs (for example get, list, watch, create, update, patch).",
      ["kube-linter wildcard-in-rules", "Checkov CKV_K8S_49", "Kubescape C-0187", "Kyverno restrict-wildcard-verbs", "Trivy KSV045"]),
    c("wildcard-resources", MEDIUM, "Wildcard resources",
      "A resources entry `*` (or `*/sub`) covers every resource of the listed API groups, including every subresource " +
      "(pods/exec, nodes/proxy, serviceaccounts/token) and resources installed later by CRDs." + SCOPE_NOTE,
      "List the resources (and subresources) the holder needs.",
      ["kube-linter wildcard-in-rules", "Checkov CKV_K8S_49", "Trivy KSV046", "Trivy KSV112", "KubiScan risky-any-resource-*"]),
    c("wildcard-api-groups", MEDIUM, "Wildcard API groups",
      "A `*` in apiGroups makes a rule match the same resource name in every API group, present and future, so a rule " +
      "written for one group silently grants others." + SCOPE_NOTE,
      "Name the API groups explicitly (\"\" for the core group).",
      ["Checkov CKV_K8S_49"]),
    c("wildcard-nonresource-urls", LOW, "Wildcard non-resource URLs",
      "A nonResourceURLs entry `*` or ending in `*` grants every API server path under the prefix (for example " +
      "/debug/pprof, /logs, /metrics), not only the ones reviewed." + SCOPE_NOTE,
      "List the exact paths (/healthz, /version, ...).",
      []),
    c("full-wildcard-rule", CRITICAL, "Rule with every verb on every resource",
      "A rule with `*` apiGroups, resources and verbs is the cluster-admin shape: bound cluster-wide it is full control of " +
      "the cluster; in a Role or through a RoleBinding it is namespace admin, including every Secret and token there." + SCOPE_NOTE,
      "Replace it with the specific permissions needed, or bind the built-in admin/edit/view roles deliberately.",
      ["Trivy KSV044", "Kubescape C-0035", "rbac-police cluster_admin", "Krane subjects-with-open-cluster-wide-access",
        "KubiScan risky-any-verb"]),
    c("secrets-read", CRITICAL, "Read access to Secrets",
      "get, list or watch on core secrets without resourceNames reads every Secret in scope: credentials, TLS keys and " +
      "legacy ServiceAccount tokens, which give the reader the token owners' permissions." + SCOPE_NOTE,
      "Restrict the rule with resourceNames, or mount the needed Secret into the workload instead of reading it via the API.",
      ["kube-linter access-to-secrets", "Trivy KSV041", "Trivy KSV113", "Kubescape C-0015", "Kubescape C-0186",
        "Kyverno restrict-secret-role-verbs", "KubiScan risky-get-secrets", "Krane risky-get-secrets", "rbac-police list_secrets",
        "rbac-police retrieve_token_secrets", "rbac-tool Secret Readers", "Checkov CKV2_K8S_5"]),
    c("secrets-write", CRITICAL, "Write access to Secrets",
      "create, update or patch on core secrets lets the holder mint a kubernetes.io/service-account-token Secret for any " +
      "ServiceAccount in scope and read back its token, and rewrite credentials other workloads trust." + SCOPE_NOTE,
      "Remove the write verbs or restrict update/patch with resourceNames; manage Secrets from a controller with its own SA.",
      ["rbac-police issue_token_secrets", "Kubescape issue-token-secrets-v1", "Trivy KSV041", "Trivy KSV113"]),
    c("pods-create", HIGH, "Create Pods",
      "create on core pods lets the holder run a pod as any ServiceAccount of the namespace and so use its token, and mount " +
      "any Secret or ConfigMap there." + SCOPE_NOTE,
      "Let a controller (Deployment, Job) create pods, and give people and CI only the controller resources they need.",
      ["kube-linter access-to-create-pods", "Kubescape C-0188", "KubiScan risky-create-pod"]),
    c("workload-create", HIGH, "Create or modify workload controllers",
      "create, update or patch on Deployments, DaemonSets, StatefulSets, ReplicaSets, Jobs, CronJobs or " +
      "ReplicationControllers is pod creation by proxy: the pod template can name any ServiceAccount of the namespace." + SCOPE_NOTE,
      "Limit the verbs and namespaces; scope update/patch with resourceNames where the set of workloads is known.",
      ["Trivy KSV048", "KubiScan risky-create-deployments", "Krane risky-create-deployments", "rbac-police assign_sa",
        "rbac-tool Workload Creators & Editors"]),
    c("pods-exec", HIGH, "Exec into Pods",
      "create or get on pods/exec runs commands in any pod in scope and reads its mounted token. get is enough: the " +
      "WebSocket upgrade is authorized as get unless the KEP-4006 feature gate is on." + SCOPE_NOTE,
      "Remove pods/exec, or grant it only in a namespace whose pods hold no sensitive tokens, through a time-limited binding.",
      ["Trivy KSV053", "Kubescape C-0002", "Polaris rolePodExecAttach", "Polaris clusterrolePodExecAttach",
        "rbac-police pods_exec", "Checkov CKV2_K8S_2", "KubiScan risky-exec-pods", "rbac-tool Exec into Pod"]),
    c("pods-attach", HIGH, "Attach to Pods",
      "create or get on pods/attach attaches to the running process of any pod in scope, with its stdin and stdout." + SCOPE_NOTE,
      "Remove pods/attach.",
      ["Trivy KSV054", "Polaris rolePodExecAttach", "KubiScan risky-attach-pods"]),
    c("pods-portforward", MEDIUM, "Port-forward to Pods",
      "create or get on pods/portforward opens a tunnel to any port of any pod in scope, past NetworkPolicies." + SCOPE_NOTE,
      "Remove pods/portforward, or limit it to a namespace without sensitive services.",
      ["Kubescape C-0063"]),
    c("pods-ephemeral-containers", HIGH, "Add ephemeral containers",
      "update or patch on pods/ephemeralcontainers adds a container to a running pod, with the pod's ServiceAccount token " +
      "and volumes: exec by another name." + SCOPE_NOTE,
      "Remove pods/ephemeralcontainers except for a break-glass role.",
      ["rbac-police pods_ephemeral_ctrs", "rbac-tool Ephemeral Containers", "Kubescape C-0298"]),
    c("nodes-proxy", CRITICAL, "Proxy to the kubelet (nodes/proxy)",
      "get or create on nodes/proxy reaches the kubelet API of every node: get alone allows exec into any pod over " +
      "WebSocket, so it is not read-only. Only a ClusterRole can grant it (nodes are cluster-scoped)." + SCOPE_NOTE,
      "Remove nodes/proxy; for metrics use nodes/metrics or nodes/stats.",
      ["Trivy KSV047", "Kubescape C-0279", "KubiScan risky-execute-command-node-proxy", "rbac-police nodes_proxy",
        "rbac-tool Create Node Proxy", "Checkov CKV2_K8S_2", "Kyverno restrict-clusterrole-nodesproxy"]),
    c("rbac-escalate", CRITICAL, "Escalate roles",
      "escalate on roles or clusterroles lets the holder write roles with permissions they do not have, bypassing the " +
      "API server's privilege-escalation check." + SCOPE_NOTE,
      "Remove the escalate verb.",
      ["Kubescape C-0191", "Checkov CKV_K8S_158", "rbac-police escalate_roles", "Kyverno restrict-escalation-verbs-roles",
        "Trivy KSV050"]),
    c("rbac-bind", CRITICAL, "Bind roles",
      "bind on roles or clusterroles lets the holder bind a role they do not hold. Unscoped, or scoped to cluster-admin, " +
      "admin, edit or a role with critical permissions, it is an escalation to that role." + SCOPE_NOTE,
      "Scope bind with resourceNames to the roles the holder may hand out (for example view).",
      ["Kubescape C-0191", "Trivy KSV050", "Trivy KSV051", "Trivy KSV052", "Checkov CKV_K8S_157", "Checkov CKV2_K8S_1",
        "rbac-police bind_roles", "KubiScan risky-create-rolebinding-role", "Krane risky-create-rolebinding-role"]),
    c("rbac-binding-write", MEDIUM, "Create or modify role bindings",
      "create, update or patch on rolebindings or clusterrolebindings lets the holder grant any role they hold (or may " +
      "bind) to any subject, including ServiceAccounts they control." + SCOPE_NOTE,
      "Manage bindings through GitOps with review; keep this verb for the deployment controller only.",
      ["Krane subjects-with-rbac-management", "KubiScan risky-create-rolebindings", "Trivy KSV055"]),
    c("rbac-role-write", MEDIUM, "Create or modify roles",
      "create, update or patch on roles or clusterroles lets the holder change what existing bindings grant (within the " +
      "escalation check), and inject rules into aggregated roles through labels." + SCOPE_NOTE,
      "Manage roles through reviewed manifests; remove the write verbs from day-to-day roles.",
      ["rbac-tool Modify Roles"]),
    c("impersonate", CRITICAL, "Impersonate users, groups or ServiceAccounts",
      "impersonate on users, groups or serviceaccounts lets the holder act as that identity (system:masters included, " +
      "for groups), scoped by resourceNames or not." + SCOPE_NOTE,
      "Remove impersonate, or scope it with resourceNames to identities with less privilege than the holder.",
      ["Kubescape C-0065", "Kubescape C-0191", "rbac-police impersonate", "rbac-tool Impersonate", "Checkov CKV2_K8S_3",
        "Trivy KSV043", "KubiScan risky-impersonate"]),
    c("sa-token-create", HIGH, "Mint ServiceAccount tokens",
      "create on serviceaccounts/token (TokenRequest) mints a token for any ServiceAccount in scope, with that " +
      "ServiceAccount's permissions." + SCOPE_NOTE,
      "Remove serviceaccounts/token create, or scope it with resourceNames to ServiceAccounts with modest permissions.",
      ["Kubescape C-0282", "rbac-police token_request"]),
    c("csr-approve", CRITICAL, "Approve client certificates",
      "update on certificatesigningrequests/approval together with approve on a signer covering " +
      "kubernetes.io/kube-apiserver-client issues client certificates for any user or group, system:masters included." + SCOPE_NOTE,
      "Scope approve on signers with resourceNames to the signers the holder must approve, never the API-server client signers.",
      ["Checkov CKV_K8S_156", "Kubescape C-0280", "Kyverno restrict-clusterrole-csr", "rbac-police approve_csrs"]),
    c("webhook-config-write", CRITICAL, "Write admission webhook configurations",
      "create, update, patch or delete on mutating or validating webhook configurations lets the holder intercept and " +
      "rewrite every API request (Secrets included) or switch off the policy webhooks." + SCOPE_NOTE,
      "Reserve webhook configuration writes to the installer of each webhook.",
      ["Trivy KSV114", "Checkov CKV_K8S_155", "Kubescape C-0281", "rbac-police control_webhooks", "rbac-tool Admission Webhooks",
        "Kyverno restrict-clusterrole-mutating-validating-admission-webhooks"]),
    c("admission-policy-write", HIGH, "Write admission policies",
      "create, update, patch or delete on (validating|mutating)admissionpolicies and their bindings changes what the " +
      "API server admits, cluster-wide." + SCOPE_NOTE,
      "Reserve admission policy writes to the platform team.",
      ["rbac-tool Installing or Modifying Kubernetes Admission Policies"]),
    c("persistentvolumes-create", MEDIUM, "Create PersistentVolumes",
      "create on persistentvolumes can define a hostPath volume onto the node's filesystem, which a pod in any namespace " +
      "can then claim." + SCOPE_NOTE,
      "Let a provisioner create volumes through StorageClasses.",
      ["Kubescape C-0278", "rbac-tool Storage"]),
    c("kube-system-configmap-write", HIGH, "Write sensitive ConfigMaps in kube-system",
      "Writing kube-system ConfigMaps (aws-auth, coredns, kube-proxy, kubeadm-config, ...) changes cluster authentication, " +
      "DNS or node configuration. Applies to a Role in kube-system and to a ClusterRole bound cluster-wide or by a " +
      "RoleBinding in kube-system." + SCOPE_NOTE,
      "Scope configmap writes with resourceNames to non-sensitive ConfigMaps, and bind them only in the namespaces that need them.",
      ["Kubescape C-0037", "Trivy KSV049", "Trivy KSV115", "rbac-police eks_modify_aws_auth"]),
    c("network-resources-write", HIGH, "Write Services, endpoints, NetworkPolicies or Ingresses",
      "create, update, patch or delete on services, endpoints, endpointslices, networkpolicies or ingresses can redirect " +
      "traffic (CVE-2020-8554) or open the namespace's network policy." + SCOPE_NOTE,
      "Limit network writes to the namespaces and controllers that own them.",
      ["Trivy KSV056", "rbac-tool Networking", "rbac-police modify_service_status_cve_2020_8554", "Checkov CKV2_K8S_4"]),
    c("crd-write", MEDIUM, "Write CustomResourceDefinitions",
      "create, update, patch or delete on customresourcedefinitions can replace or remove the APIs other controllers and " +
      "policies depend on." + SCOPE_NOTE,
      "Reserve CRD writes to installers.",
      ["rbac-tool CRDs"]),
    new CheckInfo("aggregation-label-injection", HIGH, "ClusterRole", "Rules injected into admin, edit or view by label",
      "A ClusterRole labelled rbac.authorization.k8s.io/aggregate-to-{view,edit,admin}: \"true\" has its rules copied into " +
      "that built-in role, and so handed to everyone bound to it. Reported when the rules go beyond the target's intent " +
      "(view: writes, Secrets, exec, nodes/proxy; edit/admin: escalate, bind, impersonate, nodes/proxy, full wildcard).",
      "Remove the aggregation label, or drop the rules that go beyond the target role's intent.",
      []),
  ];
}
