// Counters of the filter (proxy_define_metric / proxy_increment_metric). Names: rbac_guard.<what>, per refusal
// reason rbac_guard.denied.<reason> and rbac_guard.shadow_denied.<reason>, per deny rule
// rbac_guard.rule.<name>.denied / .shadow_denied. Defined once per VM; rule counters when a configuration
// naming them is accepted. Envoy shows them with its own prefix for Wasm metrics.
import { defineMetric, incrementMetric } from "./hostcalls";
import { MetricType } from "./types";

export const REASONS: string[] = ["rule", "rbac", "source", "token_expired", "token_not_yet_valid",
  "token_issued_in_future", "bad_token", "unverified_token", "non_jwt", "engine_error", "not_configured",
  "bad_request"];

export class Metrics {
  defined: bool = false;
  requests: i64 = -1;
  allowed: i64 = -1;
  denied: i64 = -1;
  shadowDenied: i64 = -1;
  passthrough: i64 = -1;
  errors: i64 = -1;
  failedOpen: i64 = -1;
  configAccepted: i64 = -1;
  configRejected: i64 = -1;
  reasonDenied: Map<string, i64> = new Map();
  reasonShadow: Map<string, i64> = new Map();
  ruleDenied: Map<string, i64> = new Map();
  ruleShadow: Map<string, i64> = new Map();

  define(): void {
    if (this.defined) return;
    this.defined = true;
    this.requests = defineMetric(MetricType.Counter, "rbac_guard.requests");
    this.allowed = defineMetric(MetricType.Counter, "rbac_guard.allowed");
    this.denied = defineMetric(MetricType.Counter, "rbac_guard.denied");
    this.shadowDenied = defineMetric(MetricType.Counter, "rbac_guard.shadow_denied");
    this.passthrough = defineMetric(MetricType.Counter, "rbac_guard.passthrough");
    this.errors = defineMetric(MetricType.Counter, "rbac_guard.errors");
    this.failedOpen = defineMetric(MetricType.Counter, "rbac_guard.failed_open");
    this.configAccepted = defineMetric(MetricType.Counter, "rbac_guard.config_accepted");
    this.configRejected = defineMetric(MetricType.Counter, "rbac_guard.config_rejected");
    for (let i = 0; i < REASONS.length; i++) {
      const r = REASONS[i];
      this.reasonDenied.set(r, defineMetric(MetricType.Counter, "rbac_guard.denied." + r));
      this.reasonShadow.set(r, defineMetric(MetricType.Counter, "rbac_guard.shadow_denied." + r));
    }
  }

  defineRule(name: string): void {
    if (this.ruleDenied.has(name)) return;
    this.ruleDenied.set(name, defineMetric(MetricType.Counter, "rbac_guard.rule." + name + ".denied"));
    this.ruleShadow.set(name, defineMetric(MetricType.Counter, "rbac_guard.rule." + name + ".shadow_denied"));
  }

  inc(id: i64): void {
    incrementMetric(id, 1);
  }

  incIn(m: Map<string, i64>, key: string): void {
    if (m.has(key)) incrementMetric(m.get(key), 1);
  }
}

export const metrics = new Metrics();
