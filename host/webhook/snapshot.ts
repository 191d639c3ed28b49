// Policy snapshots: the context objects, an engine over all of them, and an engine over those that still grant
// (bindings annotated rbac-guard.io/expires-at in the past removed: just-in-time access).
import { flattenLists, type Engine } from "../../bindings/index.js";

export const EXPIRES_AT = "rbac-guard.io/expires-at";
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const CLUSTER_SCOPED_RBAC = new Set(["ClusterRole", "ClusterRoleBinding"]);
// why: guardrails.md §0.1: bootstrap ClusterRoles are assumed to exist even when they are not in the snapshot
const BOOTSTRAP_CLUSTER_ROLES = new Set(["cluster-admin", "admin", "edit", "view"]);

export type EngineFactory = (objects: unknown[]) => Promise<Engine>;

export interface Clock {
  now(): number;
}

export const SYSTEM_CLOCK: Clock = { now: () => Date.now() };

/** `Kind/namespace/name`; cluster-scoped objects have an empty namespace (guardrails.md §0.1). */
export function objectKey(o: any): string {
  const kind = typeof o?.kind === "string" ? o.kind : "";
  const md = o?.metadata ?? {};
  const ns = CLUSTER_SCOPED_RBAC.has(kind) ? "" : (typeof md.namespace === "string" ? md.namespace : "");
  const name = typeof md.name === "string" && md.name !== "" ? md.name : (typeof md.generateName === "string" ? md.generateName + "*" : "");
  return `${kind}/${ns}/${name}`;
}

export function isBootstrapRole(kind: string, name: string): boolean {
  return kind === "ClusterRole" && (BOOTSTRAP_CLUSTER_ROLES.has(name) || name.startsWith("system:"));
}

export interface ExpiryInfo {
  key: string;
  /** ms since the epoch; NaN when the annotation is not RFC 3339 (treated as expired: fail closed). */
  at: number;
  raw: string;
}

/** The expiry of a binding, or undefined when it has none. */
export function expiryOf(o: any): ExpiryInfo | undefined {
  if (o?.kind !== "RoleBinding" && o?.kind !== "ClusterRoleBinding") return undefined;
  const raw = o?.metadata?.annotations?.[EXPIRES_AT];
  if (raw === undefined) return undefined;
  const s = typeof raw === "string" ? raw.trim() : String(raw);
  const at = RFC3339.test(s) ? Date.parse(s) : NaN;
  return { key: objectKey(o), at, raw: s };
}

export interface ContextState {
  /** False while a live cluster cache has not synced: checks that need context fail closed. */
  synced: boolean;
  /** Why the context is not complete (shown in refusals). */
  reason?: string;
}

export class Snapshot {
  readonly keys = new Map<string, number>();
  /** Bindings no longer granting at `builtAt`, by key. */
  readonly expired = new Map<string, ExpiryInfo>();
  /** The next instant a binding of this snapshot expires, or undefined. */
  readonly nextExpiry: number | undefined;
  private readonly memos = new Map<string, unknown>();

  private constructor(
    readonly version: number,
    readonly objects: unknown[],
    readonly full: Engine,
    readonly active: Engine,
    readonly state: ContextState,
    readonly builtAt: number,
    expired: ExpiryInfo[],
    nextExpiry: number | undefined,
  ) {
    objects.forEach((o, i) => this.keys.set(objectKey(o), i));
    for (const e of expired) this.expired.set(e.key, e);
    this.nextExpiry = nextExpiry;
  }

  static async build(version: number, input: unknown[], state: ContextState, factory: EngineFactory, now: number): Promise<Snapshot> {
    const objects = flattenLists(input);
    const expired: ExpiryInfo[] = [];
    let next: number | undefined;
    const kept: unknown[] = [];
    for (const o of objects) {
      const e = expiryOf(o);
      if (e && !(e.at > now)) {
        expired.push(e);
        continue;
      }
      if (e && (next === undefined || e.at < next)) next = e.at;
      kept.push(o);
    }
    const full = await factory(objects);
    const active = expired.length === 0 ? full : await factory(kept);
    return new Snapshot(version, objects, full, active, state, now, expired, next);
  }

  has(key: string): boolean {
    return this.keys.has(key);
  }

  /** Whether a roleRef resolves here (or to a bootstrap ClusterRole, assumed to exist). */
  roleKnown(kind: string, namespace: string, name: string): boolean {
    if (isBootstrapRole(kind, name)) return true;
    return this.keys.has(kind === "ClusterRole" ? `ClusterRole//${name}` : `Role/${namespace}/${name}`);
  }

  /** A value computed once per snapshot (the lint of the context alone, indexes), by name. */
  cached<T>(name: string, make: () => T): T {
    let v = this.memos.get(name);
    if (v === undefined) {
      v = make();
      this.memos.set(name, v);
    }
    return v as T;
  }
}
