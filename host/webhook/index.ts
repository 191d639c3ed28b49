// The webhook host: `startServer` (used by `rbac-guard serve` and tests) and its parts.
export { startServer, defaultLint, type ServeOptions, type WebhookServer } from "./server.js";
export { FileContext, StaticContext, loadFiles, type ContextSource, type ContextUpdate } from "./context.js";
export { ClusterContext, type ClusterOptions } from "./cluster.js";
export { parsePolicy, ConfigError, type GuardrailPolicy } from "./policy.js";
export { parseConfig, defaultConfig, type AdmissionConfig, type AdmissionMode, type Action } from "./config.js";
export { EXPIRES_AT, objectKey, SYSTEM_CLOCK, type Clock, type EngineFactory } from "./snapshot.js";
export { createLogger, type Logger } from "./log.js";
export { createMetrics, type WebhookMetrics } from "./metrics.js";
export type { AuthorizationMode, OnError } from "./authorization.js";
