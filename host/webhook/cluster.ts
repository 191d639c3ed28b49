// Live cluster context: @kubernetes/client-node informers (list + watch) over RBAC objects, ServiceAccounts and
// Secrets' metadata (a PartialObjectMetadata informer: Secret payloads never reach this process). Updates are
// debounced into one snapshot rebuild; the context is `synced` once every informer has listed once.
import {
  CoreV1Api, KubeConfig, ListWatch, RbacAuthorizationV1Api, Watch, setHeaderOptions,
  type KubernetesListObject, type KubernetesObject,
} from "@kubernetes/client-node";
import { normalizeObject } from "../k8s/normalize.js";
import type { ContextSource, ContextUpdate } from "./context.js";
import type { Logger } from "./log.js";

const PARTIAL_LIST = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1";
const PARTIAL_WATCH = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1";

export interface ClusterOptions {
  kubeconfig?: string;
  inCluster?: boolean;
  debounceMs?: number;
  log?: Logger;
}

interface Resource {
  kind: string;
  apiVersion: string;
  path: string;
  list: () => Promise<KubernetesListObject<KubernetesObject>>;
  metadataOnly?: boolean;
}

/** A KubeConfig stand-in for Watch that asks for PartialObjectMetadata (Watch reads only these two members). */
function metadataConfig(kc: KubeConfig): KubeConfig {
  return {
    getCurrentCluster: () => kc.getCurrentCluster(),
    applyToFetchOptions: (o: { headers?: Record<string, string> }) =>
      kc.applyToFetchOptions({ ...o, headers: { ...(o.headers ?? {}), Accept: PARTIAL_WATCH } } as never),
  } as unknown as KubeConfig;
}

export function loadKubeConfig(opts: { kubeconfig?: string; inCluster?: boolean }): KubeConfig {
  const kc = new KubeConfig();
  if (opts.kubeconfig) kc.loadFromFile(opts.kubeconfig);
  else if (opts.inCluster) kc.loadFromCluster();
  else kc.loadFromDefault();
  return kc;
}

/** A plain, normalised object of `kind`: lists and typed clients drop kind/apiVersion and carry Dates. */
export function toContextObject(o: KubernetesObject, kind: string, apiVersion: string): any {
  const plain = JSON.parse(JSON.stringify(o));
  plain.kind = kind;
  plain.apiVersion = apiVersion;
  if (plain.metadata) delete plain.metadata.managedFields;
  normalizeObject(plain, { warn() {}, remap() {} });
  return plain;
}

export class ClusterContext implements ContextSource {
  readonly description: string;
  private readonly kc: KubeConfig;
  private informers: ListWatch<KubernetesObject>[] = [];
  private listed = new Set<string>();
  private timer?: NodeJS.Timeout;
  private restartTimers = new Set<NodeJS.Timeout>();
  private stopped = false;
  private onUpdate?: (u: ContextUpdate) => void;

  constructor(private readonly opts: ClusterOptions) {
    this.kc = loadKubeConfig(opts);
    this.description = `cluster ${this.kc.getCurrentCluster()?.server ?? "(no current cluster)"}`;
  }

  private resources(): Resource[] {
    const rbac = this.kc.makeApiClient(RbacAuthorizationV1Api);
    const core = this.kc.makeApiClient(CoreV1Api);
    const R = "rbac.authorization.k8s.io/v1";
    return [
      { kind: "ClusterRole", apiVersion: R, path: "/apis/rbac.authorization.k8s.io/v1/clusterroles", list: () => rbac.listClusterRole() },
      { kind: "ClusterRoleBinding", apiVersion: R, path: "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", list: () => rbac.listClusterRoleBinding() },
      { kind: "Role", apiVersion: R, path: "/apis/rbac.authorization.k8s.io/v1/roles", list: () => rbac.listRoleForAllNamespaces() },
      { kind: "RoleBinding", apiVersion: R, path: "/apis/rbac.authorization.k8s.io/v1/rolebindings", list: () => rbac.listRoleBindingForAllNamespaces() },
      { kind: "ServiceAccount", apiVersion: "v1", path: "/api/v1/serviceaccounts", list: () => core.listServiceAccountForAllNamespaces() },
      {
        kind: "Secret", apiVersion: "v1", path: "/api/v1/secrets", metadataOnly: true,
        list: () => core.listSecretForAllNamespaces({}, setHeaderOptions("Accept", PARTIAL_LIST)) as never,
      },
    ] as Resource[];
  }

  async start(onUpdate: (u: ContextUpdate) => void): Promise<void> {
    this.onUpdate = onUpdate;
    const watch = new Watch(this.kc);
    const metaWatch = new Watch(metadataConfig(this.kc));
    for (const r of this.resources()) {
      const list = async () => {
        const l = await r.list();
        this.listed.add(r.kind);
        return l;
      };
      const inf = new ListWatch<KubernetesObject>(r.path, r.metadataOnly ? metaWatch : watch, list, false);
      (inf as unknown as { kind: string }).kind = r.kind;
      (inf as unknown as { apiVersion: string }).apiVersion = r.apiVersion;
      const changed = () => this.schedule();
      inf.on("add", changed);
      inf.on("update", changed);
      inf.on("delete", changed);
      inf.on("error", (err: unknown) => {
        if (this.stopped) return;
        this.opts.log?.warn({ source: "context", kind: r.kind, err: String((err as Error)?.message ?? err) },
          "watch failed; restarting in 5s");
        const t = setTimeout(() => {
          this.restartTimers.delete(t);
          if (!this.stopped) void inf.start().then(() => this.schedule());
        }, 5000);
        this.restartTimers.add(t);
      });
      this.informers.push(inf);
    }
    await Promise.all(this.informers.map((i) => i.start()));
    this.emit();
  }

  private schedule(): void {
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.emit();
    }, this.opts.debounceMs ?? 250);
  }

  private emit(): void {
    if (this.stopped || !this.onUpdate) return;
    const objects: unknown[] = [];
    for (const inf of this.informers) {
      const meta = inf as unknown as { kind: string; apiVersion: string };
      for (const o of inf.list()) objects.push(toContextObject(o, meta.kind, meta.apiVersion));
    }
    const missing = this.informers.map((i) => (i as unknown as { kind: string }).kind).filter((k) => !this.listed.has(k));
    this.onUpdate({
      objects,
      state: missing.length === 0 ? { synced: true } : { synced: false, reason: `informer cache not synced for ${missing.join(", ")}` },
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const t of this.restartTimers) clearTimeout(t);
    await Promise.all(this.informers.map((i) => i.stop()));
  }
}
