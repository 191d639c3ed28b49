// POST /validate: AdmissionReview in, AdmissionReview out. The incoming object is linted in the context of the
// cluster (context objects with the incoming one replacing its previous version); only findings the incoming object
// is responsible for count, and each gets the action of the admission config.
import { normalizeObject } from "../k8s/normalize.js";
import type { AdmissionConfig, Action } from "./config.js";
import { CONTEXT_INCOMPLETE, INVALID_EXPIRY, type AdmissionEvaluator } from "./evaluate.js";
import { actionFor, type Attributed, type Finding } from "./findings.js";
import { httpError } from "./http.js";
import { objectKey } from "./snapshot.js";

export const ADMISSION_VERSIONS = ["admission.k8s.io/v1", "admission.k8s.io/v1beta1"];
/** Kinds the guardrails look at; other objects are allowed without evaluation. */
export const GUARDED_KINDS = new Set([
  "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "ServiceAccount", "Secret",
  "Pod", "Deployment", "DaemonSet", "StatefulSet", "ReplicaSet", "Job", "CronJob", "ReplicationController",
]);
const CLUSTER_SCOPED = new Set(["ClusterRole", "ClusterRoleBinding"]);
const MAX_WARNING = 120;
const MAX_DENIALS_SHOWN = 5;

export type AdmissionResult = "allowed" | "denied" | "warned" | "shadow_denied" | "error";

export interface AdmissionOutcome {
  body: object;
  result: AdmissionResult;
  /** The checks that decided (denials, else warnings), for metrics and logs. */
  checks: string[];
  findings: Attributed[];
  log: Record<string, unknown>;
}

export interface AdmissionDeps {
  config(): AdmissionConfig;
  /** Lints the incoming object in context (in process, or in a worker thread); rejects when the engine fails. */
  evaluator: AdmissionEvaluator;
  /** Waits (bounded) until the context knows a role a binding refers to; resolves whether it does. */
  awaitRole?: (kind: "Role" | "ClusterRole", namespace: string, name: string) => Promise<boolean>;
}

interface Request {
  uid: string;
  operation: string;
  namespace: string;
  subResource: string;
  kind: string;
  username: string;
  groups: string[];
  object: any;
  dryRun: boolean;
}

function parseRequest(review: Record<string, unknown>): Request {
  if (!ADMISSION_VERSIONS.includes(review.apiVersion as string) || review.kind !== "AdmissionReview") {
    throw httpError(400, `expected an AdmissionReview of ${ADMISSION_VERSIONS.join(" or ")}, ` +
      `got ${JSON.stringify(review.kind ?? null)} of ${JSON.stringify(review.apiVersion ?? null)}`);
  }
  const r = review.request as Record<string, any> | undefined;
  if (!r || typeof r !== "object" || Array.isArray(r)) throw httpError(400, "AdmissionReview has no request");
  if (typeof r.uid !== "string" || r.uid === "") throw httpError(400, "request.uid must be a non-empty string");
  if (typeof r.operation !== "string") throw httpError(400, "request.operation must be a string");
  const needsObject = r.operation === "CREATE" || r.operation === "UPDATE";
  if (needsObject && (r.object === null || typeof r.object !== "object" || Array.isArray(r.object))) {
    throw httpError(400, `request.object must be an object for ${r.operation}`);
  }
  const ui = r.userInfo && typeof r.userInfo === "object" ? r.userInfo : {};
  return {
    uid: r.uid,
    operation: r.operation,
    namespace: typeof r.namespace === "string" ? r.namespace : "",
    subResource: typeof r.subResource === "string" ? r.subResource : "",
    kind: typeof r.object?.kind === "string" ? r.object.kind : (typeof r.kind?.kind === "string" ? r.kind.kind : ""),
    username: typeof ui.username === "string" ? ui.username : "",
    groups: Array.isArray(ui.groups) ? ui.groups.filter((g: unknown) => typeof g === "string") : [],
    object: r.object,
    dryRun: r.dryRun === true,
  };
}

/** Printable, one line, at most `max` characters (AdmissionResponse warnings should stay ≤ 120). */
export function clip(s: string, max = MAX_WARNING): string {
  const one = s.replace(/[\u0000-\u001f\u007f]+/g, " ");
  return one.length <= max ? one : one.slice(0, max - 1) + "…";
}

/** The incoming object as the loader would have normalised it, without Secret payloads. */
function prepareObject(req: Request): any {
  const o = JSON.parse(JSON.stringify(req.object));
  if (typeof o.kind !== "string") o.kind = req.kind;
  o.metadata = o.metadata && typeof o.metadata === "object" ? o.metadata : {};
  if (!CLUSTER_SCOPED.has(req.kind) && !o.metadata.namespace && req.namespace) o.metadata.namespace = req.namespace;
  // why: the guardrails look at a Secret's type and metadata only; token bytes never enter the engine
  if (req.kind === "Secret") {
    delete o.data;
    delete o.stringData;
  }
  normalizeObject(o, { warn() {}, remap() {} });
  return o;
}

/** `RoleBinding/team/app → ClusterRole//god rule 0`: the steps' objects (a rule step shows its index). */
function renderPath(p: unknown): string {
  if (typeof p === "string") return p;
  if (!Array.isArray(p)) return p && typeof p === "object" ? JSON.stringify(p) : "";
  const parts: string[] = [];
  for (const step of p) {
    if (typeof step === "string") parts.push(step);
    else if (step && typeof step === "object" && typeof (step as { object?: unknown }).object === "string") {
      const s = step as { kind?: string; object: string; ruleIndex?: number };
      const rule = typeof s.ruleIndex === "number" && s.ruleIndex >= 0 ? ` rule ${s.ruleIndex}` : "";
      if (parts.at(-1) === s.object && rule) parts[parts.length - 1] += rule;
      else parts.push(s.object + rule);
    } else parts.push(JSON.stringify(step));
  }
  return parts.join(" → ");
}

function describePath(a: Attributed): string {
  const parts: string[] = [];
  const path = renderPath(a.finding.path);
  if (path !== "") parts.push(`path ${path}`);
  if (a.finding.fieldPath) parts.push(`field ${a.finding.fieldPath}`);
  if (a.holders.length > 0) parts.push(`held by ${a.holders.slice(0, 5).join(", ")}${a.holders.length > 5 ? ", …" : ""}`);
  return parts.length ? ` (${parts.join("; ")})` : "";
}

/** `object: message`, or the message alone when it already starts with the object key (lint's messages do). */
function objectMessage(f: Finding): string {
  return f.message.startsWith(f.object) ? f.message : `${f.object}: ${f.message}`;
}

function denialLine(a: Attributed): string {
  return `[${a.finding.id}] ${objectMessage(a.finding)}${describePath(a)}`;
}

function warningLine(a: Attributed, wouldDeny: boolean): string {
  return clip(`rbac-guard${wouldDeny ? " (would deny)" : ""}: [${a.finding.id}] ${objectMessage(a.finding)}`);
}

export class AdmissionHandler {
  constructor(private readonly deps: AdmissionDeps) {}

  async handle(review: Record<string, unknown>): Promise<AdmissionOutcome> {
    const req = parseRequest(review);
    const cfg = this.deps.config();
    const base = { uid: req.uid, operation: req.operation, kind: req.kind, namespace: req.namespace, user: req.username, mode: cfg.mode };
    const answer = (allowed: boolean, result: AdmissionResult, extra: Record<string, unknown>, checks: string[] = [],
      findings: Attributed[] = []): AdmissionOutcome => ({
      body: { apiVersion: review.apiVersion, kind: "AdmissionReview", response: { uid: req.uid, allowed, ...extra } },
      result, checks, findings, log: { ...base, ...(findings.length ? { object: objectKeyOf(req) } : {}) },
    });

    // why: deleting an object never creates a risky grant; CONNECT carries no object
    if (req.operation !== "CREATE" && req.operation !== "UPDATE") return answer(true, "allowed", {});
    if (req.subResource !== "" || !GUARDED_KINDS.has(req.kind)) return answer(true, "allowed", {});
    if (cfg.exempt.users(req.username) || req.groups.some((g) => cfg.exempt.groups(g)) || (req.namespace !== "" && cfg.exempt.namespaces(req.namespace))) {
      return answer(true, "allowed", { auditAnnotations: { decision: "exempt" } });
    }

    let attributed: Attributed[] = [];
    let key: string;
    try {
      const obj = prepareObject(req);
      key = objectKey(obj);
      // why: a role and its binding applied together reach us binding-first more often than not; give the watch
      // a moment to deliver the role instead of refusing a correct apply (still fail closed when it never comes)
      if ((req.kind === "RoleBinding" || req.kind === "ClusterRoleBinding") && this.deps.awaitRole && typeof obj.roleRef?.name === "string") {
        const refKind = obj.roleRef.kind === "Role" ? "Role" : "ClusterRole";
        await this.deps.awaitRole(refKind, req.kind === "RoleBinding" ? (obj.metadata?.namespace ?? "") : "", obj.roleRef.name);
      }
      for (const { finding, holders } of await this.deps.evaluator.evaluate(obj, key, cfg.lint)) {
        const { action, note } = finding.id === CONTEXT_INCOMPLETE ? { action: cfg.incompleteContext as Action, note: undefined }
          : finding.id === INVALID_EXPIRY ? { action: "deny" as Action, note: undefined }
          : actionFor(finding, holders, cfg);
        if (action !== "off") attributed.push({ finding, holders, action, note });
      }
    } catch (e) {
      const message = `rbac-guard: the policy engine failed, refusing (fail closed): ${e instanceof Error ? e.message : String(e)}`;
      if (cfg.mode === "shadow") {
        return { ...answer(true, "error", { auditAnnotations: { decision: "error", error: clip(message, 1000) } }), log: { ...base, error: message } };
      }
      return {
        ...answer(false, "error", { status: { code: 500, reason: "InternalError", message } }),
        log: { ...base, error: message },
      };
    }
    return this.decide(req, key, cfg, attributed, answer);
  }

  private decide(req: Request, key: string, cfg: AdmissionConfig, attributed: Attributed[],
    answer: (allowed: boolean, result: AdmissionResult, extra: Record<string, unknown>, checks?: string[], findings?: Attributed[]) => AdmissionOutcome): AdmissionOutcome {
    const denies = attributed.filter((a) => a.action === "deny");
    const warns = attributed.filter((a) => a.action === "warn");
    const audit: Record<string, string> = {};
    if (attributed.length > 0) {
      audit.findings = clip(attributed.map((a) => `${a.finding.id}@${a.finding.object}:${a.action}${a.note ? `(${a.note})` : ""}`).join(","), 2000);
    }
    const extra: Record<string, unknown> = {};
    const warnings: string[] = [];
    let allowed = true;
    let result: AdmissionResult = "allowed";
    let checks: string[] = [];
    if (denies.length > 0 && cfg.mode === "enforce") {
      allowed = false;
      result = "denied";
      checks = denies.map((a) => a.finding.id);
      const shown = denies.slice(0, MAX_DENIALS_SHOWN).map(denialLine);
      if (denies.length > MAX_DENIALS_SHOWN) shown.push(`and ${denies.length - MAX_DENIALS_SHOWN} more`);
      extra.status = { code: 403, reason: "Forbidden", message: `rbac-guard refused ${key}: ${shown.join("; ")}` };
    } else if (denies.length > 0 && cfg.mode === "warn") {
      result = "warned";
      checks = denies.map((a) => a.finding.id);
      warnings.push(...denies.map((a) => warningLine(a, true)));
    } else if (denies.length > 0) {
      result = "shadow_denied";
      checks = denies.map((a) => a.finding.id);
    }
    if (cfg.mode !== "shadow") {
      warnings.push(...warns.map((a) => warningLine(a, false)));
      if (result === "allowed" && warns.length > 0) {
        result = "warned";
        checks = warns.map((a) => a.finding.id);
      }
    }
    audit.decision = result === "shadow_denied" ? "would-deny" : result === "warned" ? "warn" : result === "denied" ? "deny" : "allow";
    audit.mode = cfg.mode;
    if (warnings.length > 0) extra.warnings = [...new Set(warnings)];
    extra.auditAnnotations = audit;
    const outcome = answer(allowed, result, extra, [...new Set(checks)], attributed);
    outcome.log.object = key;
    if (attributed.length) {
      outcome.log.findings = attributed.map((a) => ({ id: a.finding.id, object: a.finding.object, action: a.action, note: a.note }));
    }
    if (req.dryRun) outcome.log.dryRun = true;
    return outcome;
  }
}

function objectKeyOf(req: Request): string {
  return `${req.kind}/${CLUSTER_SCOPED.has(req.kind) ? "" : req.namespace}/${req.object?.metadata?.name ?? ""}`;
}
