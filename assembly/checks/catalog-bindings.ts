// Catalog entries of the binding-anchored checks. Severities are those of a ClusterRoleBinding or a RoleBinding in a
// sensitive namespace; a RoleBinding in an ordinary namespace is one level lower where the check says so.
import { CheckInfo } from "./catalog";
import { CRITICAL, HIGH, MEDIUM, LOW } from "./severity";

function c(id: string, severity: i32, title: string, rationale: string, remediation: string, tools: string[]): CheckInfo {
  return new CheckInfo(id, severity, "binding", title, rationale, remediation, tools);
}

const SCOPE_NOTE = " One level lower for a RoleBinding in an ordinary namespace.";

export function BINDING_CHECKS(): CheckInfo[] {
  return [
    c("cluster-admin-binding", CRITICAL, "Binding to cluster-admin or a full-wildcard role",
      "The roleRef resolves to cluster-admin, or to a role whose effective rules contain the `*`/`*`/`*` rule. Through a " +
      "ClusterRoleBinding that is full control of the cluster; through a RoleBinding, of the namespace. The unmodified " +
      "bootstrap binding cluster-admin (Group system:masters) is exempt." + SCOPE_NOTE,
      "Bind a role with the permissions actually needed; keep cluster-admin for break-glass accounts.",
      ["kube-linter cluster-admin-role-binding", "Trivy KSV111", "Kubescape C-0185", "Polaris clusterrolebindingClusterAdmin",
        "Polaris rolebindingClusterAdminClusterRole", "Polaris rolebindingClusterAdminRole", "Kyverno restrict-binding-clusteradmin"]),
    c("admin-edit-binding", HIGH, "Binding to the built-in admin or edit role",
      "admin and edit are aggregated roles: they read and write Secrets, create pods and workloads, exec into pods and " +
      "impersonate ServiceAccounts, and grow with every role labelled aggregate-to-admin/edit." + SCOPE_NOTE,
      "Bind a purpose-built role; use view, or a RoleBinding in the one namespace needed.",
      ["Trivy KSV111"]),
    c("anonymous-binding", CRITICAL, "Binding to anonymous users",
      "A subject User system:anonymous or Group system:unauthenticated grants the role to every unauthenticated request. " +
      "The unmodified bootstrap binding system:public-info-viewer is exempt." + SCOPE_NOTE,
      "Remove the subject.",
      ["Trivy KSV122", "Kubescape C-0262", "Kyverno restrict-binding-system-groups", "Gatekeeper k8sdisallowanonymous",
        "Krane unauthenticated-subject-access"]),
    c("authenticated-group-binding", HIGH, "Binding to every authenticated user",
      "A subject Group system:authenticated grants the role to every identity that can authenticate, every ServiceAccount " +
      "of every namespace included. The unmodified bootstrap bindings system:basic-user, system:discovery and " +
      "system:public-info-viewer are exempt." + SCOPE_NOTE,
      "Bind a specific group.",
      ["Trivy KSV01011", "Kubescape C-0265", "Gatekeeper k8sdisallowanonymous"]),
    c("system-masters-binding", CRITICAL, "Binding to system:masters",
      "system:masters bypasses RBAC entirely; binding it signals intent to create an admin that RBAC cannot remove. The " +
      "unmodified bootstrap binding cluster-admin is exempt." + SCOPE_NOTE,
      "Remove the subject; never issue credentials in the system:masters group.",
      ["Trivy KSV0123", "Kyverno restrict-binding-system-groups", "Kubescape C-0246"]),
    c("all-serviceaccounts-group-binding", HIGH, "Binding to every ServiceAccount",
      "A subject Group system:serviceaccounts (all namespaces) or system:serviceaccounts:<ns> grants the role to the token " +
      "of every pod concerned, present and future. The unmodified bootstrap binding system:service-account-issuer-discovery " +
      "is exempt." + SCOPE_NOTE,
      "Bind the ServiceAccounts that need the role by name.",
      ["Kubescape serviceaccount-token-mount"]),
    c("default-sa-binding", MEDIUM, "Binding to a default ServiceAccount",
      "The default ServiceAccount runs every pod that names no ServiceAccount, so a role bound to it goes to all of them." +
      SCOPE_NOTE,
      "Create a ServiceAccount for the workload and bind the role to it.",
      ["Checkov CKV_K8S_42", "Kubescape C-0189", "Kubescape C-0225", "Kubescape C-0239"]),
    c("binding-missing-role", MEDIUM, "Binding to a role that does not exist",
      "The roleRef names a Role or ClusterRole absent from the snapshot (bootstrap ClusterRoles are assumed to exist). " +
      "The binding grants nothing today, and everything to whoever later creates a role with that name." + SCOPE_NOTE,
      "Delete the binding, or create the role it was meant for.",
      ["Polaris clusterrolePodExecAttach", "Krane subjects-with-non-existing-roles", "Popeye POP-1300",
        "kube-linter flagRolesNotFound"]),
    c("binding-missing-subject-sa", LOW, "Binding to a ServiceAccount that does not exist",
      "A ServiceAccount subject is absent from a namespace the snapshot has. Whoever creates a ServiceAccount with that " +
      "name inherits the role.",
      "Remove the subject, or create the ServiceAccount deliberately.",
      ["Popeye POP-307"]),
    c("cross-namespace-subject", LOW, "RoleBinding to a ServiceAccount of another namespace",
      "A RoleBinding grants its namespace's permissions to a ServiceAccount of another namespace, so the workloads there " +
      "reach across the namespace boundary.",
      "Run the workload in the namespace it manages, or document the exception with a suppression.",
      []),
    new CheckInfo("debug-rbac-leftover", MEDIUM, "role or binding", "Debug or temporary RBAC left behind",
      "The name has a token (split on - _ . :) debug, tmp, temp, temporary, troubleshoot or troubleshooting: access " +
      "granted for an incident and not removed.",
      "Delete the object, or rename it and record why it stays.",
      []),
    new CheckInfo("unused-role", LOW, "role", "Role nobody uses",
      "No binding that can resolve it references the role, and it is not aggregated into a referenced ClusterRole. " +
      "Bootstrap roles are excluded. Unused roles hide dangerous rules until someone binds them.",
      "Delete the role, or bind it.",
      ["Popeye POP-400"]),
  ];
}

