// Resolving kubectl's TYPE argument without an API server: a static table of the built-in Kubernetes resources
// (what discovery returns for a vanilla cluster) plus the CustomResourceDefinitions among the loaded objects.

export interface ResourceInfo {
  group: string;
  plural: string;
  singular: string;
  shortNames: string[];
  namespaced: boolean;
}

// group | plural[:singular] [short,...] | C for cluster-scoped. The singular defaults to the plural without its "s".
const BUILTIN = `
|pods po|bindings|configmaps cm|endpoints:endpoints ep|events ev|limitranges limits|persistentvolumeclaims pvc|
 podtemplates|replicationcontrollers rc|resourcequotas quota|secrets|serviceaccounts sa|services svc|
 componentstatuses:componentstatus cs C|namespaces ns C|nodes no C|persistentvolumes pv C
apps|controllerrevisions|daemonsets ds|deployments deploy|replicasets rs|statefulsets sts
batch|cronjobs cj|jobs
autoscaling|horizontalpodautoscalers hpa
policy|poddisruptionbudgets pdb
networking.k8s.io|ingresses:ingress ing|networkpolicies:networkpolicy netpol|ingressclasses:ingressclass C
rbac.authorization.k8s.io|roles|rolebindings|clusterroles C|clusterrolebindings C
storage.k8s.io|csistoragecapacities|csidrivers C|csinodes C|storageclasses:storageclass sc C|volumeattachments C
apiextensions.k8s.io|customresourcedefinitions crd,crds C
apiregistration.k8s.io|apiservices C
admissionregistration.k8s.io|mutatingwebhookconfigurations C|validatingwebhookconfigurations C|
 validatingadmissionpolicies:validatingadmissionpolicy C|validatingadmissionpolicybindings C
certificates.k8s.io|certificatesigningrequests csr C
coordination.k8s.io|leases
discovery.k8s.io|endpointslices
scheduling.k8s.io|priorityclasses:priorityclass pc C
node.k8s.io|runtimeclasses:runtimeclass C
flowcontrol.apiserver.k8s.io|flowschemas C|prioritylevelconfigurations C
authentication.k8s.io|tokenreviews C|selfsubjectreviews C
authorization.k8s.io|localsubjectaccessreviews|selfsubjectaccessreviews C|selfsubjectrulesreviews C|subjectaccessreviews C
`;

function parseBuiltin(): ResourceInfo[] {
  const out: ResourceInfo[] = [];
  // continuation lines start with a space
  for (const line of BUILTIN.replace(/\|\n /g, "|").split("\n")) {
    if (!line.trim()) continue;
    const [group, ...entries] = line.split("|");
    for (const e of entries) {
      if (!e.trim()) continue;
      const words = e.trim().split(/\s+/);
      const [plural, singular] = words[0].split(":");
      const rest = words.slice(1);
      const namespaced = !rest.includes("C");
      const shortNames = rest.filter((w) => w !== "C").flatMap((w) => w.split(","));
      out.push({ group, plural, singular: singular ?? plural.replace(/s$/, ""), shortNames, namespaced });
    }
  }
  return out;
}

/** Names kubectl does not warn about although discovery does not list them (impersonation targets). */
const NON_STANDARD = new Set(["users", "groups", "userextras", "uids"]);

const VERSION = /^v\d+(?:(?:alpha|beta)\d+)?$/;

export interface ResolvedType {
  group: string;
  resource: string;
  /** Set only when TYPE was fully qualified as resource.version.group. */
  version?: string;
  /** The resource is known (built-in or from a loaded CRD). */
  known: boolean;
  /** Known to be cluster-scoped. */
  clusterScoped: boolean;
}

export class ResourceTable {
  private readonly all: ResourceInfo[];

  constructor(extra: ResourceInfo[] = []) {
    this.all = [...parseBuiltin(), ...extra];
  }

  /** A table extended with the CustomResourceDefinitions among `objects`. */
  static withObjects(objects: unknown[]): ResourceTable {
    const extra: ResourceInfo[] = [];
    for (const o of objects as any[]) {
      if (!o || o.kind !== "CustomResourceDefinition" || typeof o.spec !== "object" || o.spec === null) continue;
      const names = o.spec.names ?? {};
      if (typeof o.spec.group !== "string" || typeof names.plural !== "string") continue;
      extra.push({
        group: o.spec.group,
        plural: names.plural.toLowerCase(),
        singular: typeof names.singular === "string" ? names.singular.toLowerCase() : names.plural.toLowerCase(),
        shortNames: Array.isArray(names.shortNames) ? names.shortNames.filter((s: unknown) => typeof s === "string") : [],
        namespaced: o.spec.scope !== "Cluster",
      });
    }
    return new ResourceTable(extra);
  }

  /** Every known resource: the built-in ones, then those of the loaded CustomResourceDefinitions. */
  list(): readonly ResourceInfo[] {
    return this.all;
  }

  /** Whether (group, plural) is known to be cluster-scoped; undefined when it is not known. */
  clusterScoped(group: string, plural: string): boolean | undefined {
    const r = this.all.find((x) => x.group === group && x.plural === plural);
    return r === undefined ? undefined : !r.namespaced;
  }

  private find(name: string, group: string | undefined): ResourceInfo | undefined {
    const inGroup = (r: ResourceInfo) => group === undefined || r.group === group;
    // like kubectl's mapper: plural, then singular, then short names; the core group wins ties (listed first)
    return (
      this.all.find((r) => inGroup(r) && r.plural === name) ??
      this.all.find((r) => inGroup(r) && r.singular === name) ??
      this.all.find((r) => inGroup(r) && r.shortNames.includes(name))
    );
  }

  /**
   * kubectl's TYPE (already without `/NAME`): `resource`, `resource.group` or `resource.version.group`, lowercased.
   * Plural, singular and short names of known resources are accepted; a name without a group is looked up in every
   * group (`deployments` → apps) and is taken as a core-group resource when unknown. `resource.` forces the core
   * group.
   */
  resolve(type: string): ResolvedType {
    const arg = type.toLowerCase();
    if (arg === "*") return { group: "", resource: "*", known: true, clusterScoped: false };
    const dot = arg.indexOf(".");
    if (dot < 0) {
      const r = this.find(arg, undefined);
      if (r) return { group: r.group, resource: r.plural, known: true, clusterScoped: !r.namespaced };
      return { group: "", resource: arg, known: NON_STANDARD.has(arg), clusterScoped: false };
    }
    const parts = arg.split(".");
    if (parts.length >= 3 && VERSION.test(parts[1])) {
      const group = parts.slice(2).join(".");
      const r = this.find(parts[0], group);
      return {
        group,
        resource: r?.plural ?? parts[0],
        version: parts[1],
        known: r !== undefined,
        clusterScoped: r !== undefined && !r.namespaced,
      };
    }
    const name = arg.slice(0, dot);
    const group = arg.slice(dot + 1);
    const r = this.find(name, group);
    return { group, resource: r?.plural ?? name, known: r !== undefined, clusterScoped: r !== undefined && !r.namespaced };
  }
}
