// Evaluating an incoming object in the context of the cluster: context problems (fail closed), then lint over the
// context with the object in place of its stored version, keeping the findings the object is responsible for:
// its own, those whose path names it, and those the context alone does not have. Runs in process or in a worker
// thread (admission-worker.ts); actions are decided by the caller, from the admission config.
import type { Engine } from "../../bindings/index.js";
import { findingKey, HolderIndex, pathInvolves, type Finding, type LintOutput } from "./findings.js";
import { expiryOf, objectKey, type EngineFactory, type Snapshot } from "./snapshot.js";
import { serviceAccountOf, workloadContext, WORKLOAD_KINDS } from "./workload-context.js";

export const CONTEXT_INCOMPLETE = "context-incomplete";
export const INVALID_EXPIRY = "invalid-expiry-annotation";

/** A finding the incoming object is responsible for, with the subjects holding it. */
export interface Evaluation {
  finding: Finding;
  holders: string[];
}

export interface AdmissionEvaluator {
  /** `lintConfig` is the admission config's `lint` section (JSON). Rejects when the engine fails. */
  evaluate(obj: unknown, key: string, lintConfig: unknown): Promise<Evaluation[]>;
}

export type LintFn = (engine: Engine, lintConfig: unknown) => LintOutput;

function synthetic(id: string, object: string, message: string): Finding {
  return { id, concept: id, severity: "high", object, objectIndex: -1, fieldPath: "", message, subjects: [], path: [] };
}

/** Context problems that make the checks needing context impossible to decide (fail closed). */
export function contextProblems(snap: Snapshot | undefined, obj: any, key: string): Finding[] {
  if (!snap) return [synthetic(CONTEXT_INCOMPLETE, key, "no cluster context is loaded yet; the guardrails cannot be evaluated")];
  const out: Finding[] = [];
  if (!snap.state.synced) {
    out.push(synthetic(CONTEXT_INCOMPLETE, key,
      `the cluster context is incomplete (${snap.state.reason ?? "cache not synced"}); the guardrails cannot be fully evaluated`));
  }
  if (obj.kind === "RoleBinding" || obj.kind === "ClusterRoleBinding") {
    const ref = obj.roleRef ?? {};
    const ns = obj.kind === "RoleBinding" ? (obj.metadata?.namespace ?? "") : "";
    const refKind = ref.kind === "Role" ? "Role" : "ClusterRole";
    if (typeof ref.name === "string" && ref.name !== "" && !snap.roleKnown(refKind, ns, ref.name)) {
      out.push(synthetic(CONTEXT_INCOMPLETE, key,
        `roleRef ${refKind} \`${ref.name}\` is not in the cluster context (not created yet, or not synced) and is not a ` +
        "bootstrap role; the checks on the permissions it grants cannot be evaluated"));
    }
  }
  const exp = expiryOf(obj);
  if (exp && Number.isNaN(exp.at)) {
    out.push(synthetic(INVALID_EXPIRY, key,
      `annotation rbac-guard.io/expires-at \`${exp.raw}\` is not an RFC 3339 time; the binding would be treated as expired`));
  }
  return out;
}

export class LocalEvaluator implements AdmissionEvaluator {
  constructor(private readonly deps: { snapshot(): Promise<Snapshot | undefined>; factory: EngineFactory; lint: LintFn }) {}

  async evaluate(obj: any, key: string, lintConfig: unknown): Promise<Evaluation[]> {
    const snap = await this.deps.snapshot();
    const out: Evaluation[] = contextProblems(snap, obj, key).map((finding) => ({ finding, holders: [] }));
    if (snap) out.push(...(await this.lintInContext(snap, obj, key, lintConfig)));
    return out;
  }

  private async lintInContext(snap: Snapshot, obj: any, key: string, lintConfig: unknown): Promise<Evaluation[]> {
    // why: workloads are the high-volume writes; their findings are their own and need only their SA's grants
    const scoped = WORKLOAD_KINDS.has(obj.kind);
    const base = scoped ? workloadContext(snap, obj.metadata?.namespace ?? "", serviceAccountOf(obj)) : snap.objects;
    const replaced = scoped ? undefined : snap.keys.get(key);
    const objects = base.filter((o, i) => (scoped ? objectKey(o) !== key : i !== replaced));
    objects.push(obj);
    const incomingIndex = objects.length - 1;
    let seen: Set<string> | undefined;
    if (!scoped) {
      // the lint of the context alone, once per snapshot and config: findings not in it are caused by the object
      const baseline = snap.cached("baseline-lint", () => new Map<string, Set<string>>());
      const configKey = JSON.stringify(lintConfig ?? null);
      seen = baseline.get(configKey);
      if (!seen) {
        const idx = new HolderIndex(snap.objects);
        seen = new Set(this.deps.lint(snap.full, lintConfig).findings.map((f) => findingKey(f, idx.holders(f))));
        baseline.set(configKey, seen);
      }
    }
    const engine = await this.deps.factory(objects);
    let out: LintOutput;
    try {
      out = this.deps.lint(engine, lintConfig);
    } finally {
      engine.dispose();
    }
    const index = new HolderIndex(objects);
    const result: Evaluation[] = [];
    for (const f of out.findings) {
      if (f.suppressed) continue;
      const own = f.objectIndex === incomingIndex || f.object === key;
      const holders = index.holders(f);
      const mine = own || (seen !== undefined && (pathInvolves(f.path, key) || !seen.has(findingKey(f, holders))));
      if (mine) result.push({ finding: f, holders });
    }
    return result;
  }
}
