// POST /authorize: SubjectAccessReview (authorization.k8s.io/v1 or v1beta1) in, the same apiVersion/kind with a
// status out. Guardrail mode denies what the policy forbids or what only expired (just-in-time) bindings grant,
// and has no opinion otherwise; rbac mode also allows what the snapshot's RBAC allows.
import type { AuthorizeResult, SubjectAccessReviewSpec } from "../../bindings/index.js";
import { httpError } from "./http.js";
import type { GuardrailPolicy } from "./policy.js";
import type { Clock, Snapshot } from "./snapshot.js";

export const SAR_VERSIONS = ["authorization.k8s.io/v1", "authorization.k8s.io/v1beta1"];
export type AuthorizationMode = "guardrail" | "rbac";
export type OnError = "deny" | "no-opinion";
export type SarResult = "allowed" | "denied" | "no_opinion" | "error";

export interface SarOutcome {
  body: object;
  result: SarResult;
  /** The policy entry, `jit:<binding>`, `rbac` or `engine-error` that decided; `none` for no opinion. */
  check: string;
  log: Record<string, unknown>;
}

export interface SarDeps {
  snapshot(): Promise<Snapshot | undefined>;
  policy(): GuardrailPolicy;
  mode: AuthorizationMode;
  onError: OnError;
  clock: Clock;
}

const ATTR_FIELDS = {
  resourceAttributes: ["namespace", "verb", "group", "version", "resource", "subresource", "name"],
  nonResourceAttributes: ["path", "verb"],
} as const;

/** The v1 spec of a review; v1beta1 names the groups field `group`. Throws 400 for shapes the apiserver never sends. */
export function parseSAR(review: Record<string, unknown>): { apiVersion: string; spec: SubjectAccessReviewSpec } {
  const apiVersion = review.apiVersion as string;
  if (!SAR_VERSIONS.includes(apiVersion) || review.kind !== "SubjectAccessReview") {
    throw httpError(400, `expected a SubjectAccessReview of ${SAR_VERSIONS.join(" or ")}, ` +
      `got ${JSON.stringify(review.kind ?? null)} of ${JSON.stringify(review.apiVersion ?? null)}`);
  }
  const raw = review.spec as Record<string, unknown> | undefined;
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw httpError(400, "SubjectAccessReview has no spec");
  const groupsField = apiVersion.endsWith("/v1beta1") ? "group" : "groups";
  const groups = raw[groupsField] ?? [];
  if (!Array.isArray(groups) || groups.some((g) => typeof g !== "string")) throw httpError(400, `spec.${groupsField} must be a list of strings`);
  if (raw.user !== undefined && typeof raw.user !== "string") throw httpError(400, "spec.user must be a string");
  const spec: SubjectAccessReviewSpec = { user: (raw.user as string | undefined) ?? "", groups: groups as string[] };
  let blocks = 0;
  for (const field of ["resourceAttributes", "nonResourceAttributes"] as const) {
    const a = raw[field];
    if (a === undefined || a === null) continue;
    if (typeof a !== "object" || Array.isArray(a)) throw httpError(400, `spec.${field} must be an object`);
    const out: Record<string, string> = {};
    for (const k of ATTR_FIELDS[field]) {
      const v = (a as Record<string, unknown>)[k];
      if (v === undefined || v === null) continue;
      if (typeof v !== "string") throw httpError(400, `spec.${field}.${k} must be a string`);
      out[k] = v;
    }
    spec[field] = out;
    blocks++;
  }
  if (blocks !== 1) throw httpError(400, "spec must have exactly one of resourceAttributes and nonResourceAttributes");
  return { apiVersion, spec };
}

function describe(spec: SubjectAccessReviewSpec): Record<string, unknown> {
  // why: never log spec.extra (credential ids) or uid
  const out: Record<string, unknown> = { user: spec.user, groups: spec.groups };
  if (spec.resourceAttributes) out.resource = spec.resourceAttributes;
  else out.nonResource = spec.nonResourceAttributes;
  return out;
}

/** `RoleBinding "name/ns"` / `ClusterRoleBinding "name"`, as Kubernetes names bindings in reasons. */
export function bindingName(key: string): string {
  const [kind, ns, ...rest] = key.split("/");
  const name = rest.join("/");
  return ns ? `${kind} "${name}/${ns}"` : `${kind} "${name}"`;
}

export class AuthorizationHandler {
  constructor(private readonly deps: SarDeps) {}

  async handle(review: Record<string, unknown>): Promise<SarOutcome> {
    const { apiVersion, spec } = parseSAR(review);
    const base = describe(spec);
    const reply = (status: Record<string, unknown>, result: SarResult, check: string, extra: Record<string, unknown> = {}): SarOutcome => ({
      body: { apiVersion, kind: "SubjectAccessReview", status },
      result, check, log: { ...base, decision: result, check, ...(status.reason ? { reason: status.reason } : {}), ...extra },
    });
    const fail = (message: string): SarOutcome => {
      const text = `rbac-guard: ${message}`;
      return this.deps.onError === "deny"
        ? reply({ allowed: false, denied: true, reason: text, evaluationError: text }, "error", "engine-error")
        : reply({ allowed: false, evaluationError: text }, "error", "engine-error");
    };

    const hit = this.deps.policy().match(spec);
    if (hit) {
      const reason = `rbac-guard: denied by guardrail policy "${hit.name}"${hit.reason ? `: ${hit.reason}` : ""}`;
      return reply({ allowed: false, denied: true, reason }, "denied", hit.name);
    }

    const snap = await this.deps.snapshot();
    if (!snap) return fail("no policy snapshot is loaded yet");
    if (snap.nextExpiry !== undefined && this.deps.clock.now() >= snap.nextExpiry) {
      return fail("a just-in-time binding expired and the policy snapshot could not be rebuilt");
    }
    if (!snap.state.synced && (snap.expired.size > 0 || this.deps.mode === "rbac")) {
      return fail(`the cluster context is incomplete (${snap.state.reason ?? "cache not synced"})`);
    }

    let active: AuthorizeResult | undefined;
    if (snap.expired.size > 0) {
      active = snap.active.authorize(spec);
      if (active.evaluationError) return fail(`policy engine error: ${active.evaluationError}`);
      if (!active.allowed) {
        const full = snap.full.authorize(spec);
        if (full.evaluationError) return fail(`policy engine error: ${full.evaluationError}`);
        if (full.allowed) {
          const ex = snap.full.explain(spec);
          const key = ex.grant?.binding;
          const exp = key !== undefined ? snap.expired.get(key) : undefined;
          const which = exp ? `${bindingName(exp.key)} expired at ${exp.raw}` : "an expired binding (rbac-guard.io/expires-at)";
          const reason = `rbac-guard: denied: only ${which} would allow this (just-in-time access ended)`;
          return reply({ allowed: false, denied: true, reason }, "denied", exp ? `jit:${exp.key}` : "jit", { expiredBinding: exp?.key });
        }
      }
    }

    if (this.deps.mode === "rbac") {
      active ??= snap.active.authorize(spec);
      if (active.evaluationError) return fail(`policy engine error: ${active.evaluationError}`);
      if (active.allowed) return reply({ allowed: true, reason: active.reason }, "allowed", "rbac");
      return reply(active.reason ? { allowed: false, reason: active.reason } : { allowed: false }, "no_opinion", "none");
    }
    return reply({ allowed: false }, "no_opinion", "none");
  }
}
