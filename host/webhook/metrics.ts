// Prometheus metrics of one webhook server (its own registry, so several servers can live in one process).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export type Endpoint = "validate" | "authorize";

export interface WebhookMetrics {
  registry: Registry;
  /** One count per decision: result (allowed, denied, warned, no_opinion, shadow_denied, error) and the check that decided. */
  decisions: Counter<"endpoint" | "result" | "check">;
  /** Per-finding counts at admission: check id and the action taken (deny, warn, audit). */
  findings: Counter<"check" | "action">;
  latency: Histogram<"endpoint">;
  httpRequests: Counter<"endpoint" | "code">;
  reloads: Counter<"source">;
  reloadFailures: Counter<"source">;
  snapshotObjects: Gauge;
  /** Set by the server: when the snapshot in use was built (ms since the epoch), or undefined. */
  snapshotBuiltAt: () => number | undefined;
}

export function createMetrics(opts: { defaultMetrics?: boolean; now?: () => number } = {}): WebhookMetrics {
  const registry = new Registry();
  const now = opts.now ?? Date.now;
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: "rbac_guard_" });
  const m: WebhookMetrics = {
    registry,
    decisions: new Counter({
      name: "rbac_guard_decisions_total",
      help: "Webhook decisions by endpoint, result and the check or policy entry that decided (none when nothing matched)",
      labelNames: ["endpoint", "result", "check"],
      registers: [registry],
    }),
    findings: new Counter({
      name: "rbac_guard_admission_findings_total",
      help: "Guardrail findings attributed to admitted objects, by check and the action taken",
      labelNames: ["check", "action"],
      registers: [registry],
    }),
    latency: new Histogram({
      name: "rbac_guard_request_duration_seconds",
      help: "Time from reading a review to writing its answer, by endpoint",
      labelNames: ["endpoint"],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    httpRequests: new Counter({
      name: "rbac_guard_http_requests_total",
      help: "HTTP requests by endpoint and status code",
      labelNames: ["endpoint", "code"],
      registers: [registry],
    }),
    reloads: new Counter({
      name: "rbac_guard_reloads_total",
      help: "Successful reloads by source (context, policy, config, tls)",
      labelNames: ["source"],
      registers: [registry],
    }),
    reloadFailures: new Counter({
      name: "rbac_guard_reload_failures_total",
      help: "Reloads that failed and kept the last good state, by source (context, policy, config, tls)",
      labelNames: ["source"],
      registers: [registry],
    }),
    snapshotObjects: new Gauge({
      name: "rbac_guard_snapshot_objects",
      help: "Objects in the policy snapshot in use",
      registers: [registry],
    }),
    snapshotBuiltAt: () => undefined,
  };
  new Gauge({
    name: "rbac_guard_snapshot_age_seconds",
    help: "Seconds since the policy snapshot in use was built (absent before the first snapshot)",
    registers: [registry],
    collect() {
      const at = m.snapshotBuiltAt();
      this.reset();
      if (at !== undefined) this.set(Math.max(0, (now() - at) / 1000));
    },
  });
  return m;
}
