// The non-RBAC objects the guardrail checks read: ServiceAccounts, Secrets, Namespaces, ConfigMaps and
// workloads (anything with a pod template), plus the metadata of every input object, by input index.
// Plain classes, host- and wire-independent, like model/policy.ts (and, like it, with read-only lists whose defaults
// are shared empty arrays: never push onto a model list).
import { NO_STRINGS } from "./policy";

const NO_TOKENS: ProjectedToken[] = [];

// Tri-state booleans (automountServiceAccountToken): unset is not the same as false.
export const TRI_UNSET: i8 = -1;
export const TRI_FALSE: i8 = 0;
export const TRI_TRUE: i8 = 1;

export const KIND_SERVICE_ACCOUNT = "ServiceAccount";
export const KIND_SECRET = "Secret";
export const KIND_NAMESPACE = "Namespace";
export const KIND_CONFIG_MAP = "ConfigMap";

// Labels and annotations of one input object (any kind; empty for objects the core does not read).
export class ObjectMeta {
  kind: string = "";
  namespace: string = "";
  name: string = "";
  labelKeys: string[] = NO_STRINGS;
  labelValues: string[] = NO_STRINGS;
  annotationKeys: string[] = NO_STRINGS;
  annotationValues: string[] = NO_STRINGS;

  label(key: string): string | null {
    for (let i = 0; i < this.labelKeys.length; i++) if (this.labelKeys[i] == key) return this.labelValues[i];
    return null;
  }

  annotation(key: string): string | null {
    for (let i = 0; i < this.annotationKeys.length; i++) if (this.annotationKeys[i] == key) return this.annotationValues[i];
    return null;
  }

  key(): string {
    return this.kind + "/" + this.namespace + "/" + this.name;
  }
}

export class ServiceAccount {
  namespace: string = "";
  name: string = "";
  automount: i8 = TRI_UNSET;
  secrets: string[] = NO_STRINGS; // names in the legacy `secrets:` list
  source: i32 = -1;
}

export class Secret {
  namespace: string = "";
  name: string = "";
  type: string = "";
  serviceAccountName: string = ""; // annotation kubernetes.io/service-account.name
  source: i32 = -1;
}

export class NamedObject {
  namespace: string = "";
  name: string = "";
  source: i32 = -1;
}

// One projected serviceAccountToken source: volumes[volume].projected.sources[source].
export class ProjectedToken {
  volume: i32 = 0;
  source: i32 = 0;
  expirationSeconds: i64 = 3600;
}

// A Pod, or a controller with a pod template; specPath says where its pod spec sits.
export class Workload {
  kind: string = "";
  namespace: string = "";
  name: string = "";
  specPath: string = "spec"; // "spec", "spec.template.spec" or "spec.jobTemplate.spec.template.spec"
  serviceAccountName: string = "";
  deprecatedServiceAccount: string = ""; // spec.serviceAccount
  automount: i8 = TRI_UNSET;
  projectedTokens: ProjectedToken[] = NO_TOKENS;
  source: i32 = -1;
  owner: string = ""; // "Kind/namespace/name" of the controller that owns it (ownerReferences), or ""

  // why: the API server copies the deprecated serviceAccount into serviceAccountName when only it is set,
  // and an empty name means the namespace's `default` ServiceAccount
  serviceAccount(): string {
    if (this.serviceAccountName.length > 0) return this.serviceAccountName;
    if (this.deprecatedServiceAccount.length > 0) return this.deprecatedServiceAccount;
    return "default";
  }

  key(): string {
    return this.kind + "/" + this.namespace + "/" + this.name;
  }
}

export class Inventory {
  objects: ObjectMeta[] = []; // one per input object, by input index
  serviceAccounts: ServiceAccount[] = [];
  secrets: Secret[] = [];
  namespaces: NamedObject[] = [];
  configMaps: NamedObject[] = [];
  workloads: Workload[] = [];

  meta(index: i32): ObjectMeta | null {
    return index >= 0 && index < this.objects.length ? this.objects[index] : null;
  }
}
