// JSON-lines logging (pino). Decision lines carry identities and attributes, never tokens, object bodies or
// userInfo.extra (which may hold credential ids): callers build log objects field by field (no pino redaction:
// it costs ~3% of a request, and nothing here logs a whole review).
import { pino, type DestinationStream, type Logger } from "pino";

export type { Logger } from "pino";

export interface LogOptions {
  level?: string;
  /** Where lines go (default stdout); tests pass a stream to read them. */
  destination?: DestinationStream;
}

export function createLogger(opts: LogOptions = {}): Logger {
  const options = {
    level: opts.level ?? "info",
    base: { service: "rbac-guard-webhook" },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}
