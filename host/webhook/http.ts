// HTTP plumbing of the webhook server: bounded body reading, JSON replies and Status-like error bodies.
import type { IncomingMessage, ServerResponse } from "node:http";

export const DEFAULT_MAX_BODY_BYTES = 3 * 1024 * 1024;

/** An HTTP-level refusal: answered with `code` and a metav1.Status-like body, never with a review. */
export class HttpError extends Error {
  constructor(readonly code: number, readonly reason: string, message: string) {
    super(message);
    this.name = "HttpError";
  }
}

const REASONS: Record<number, string> = {
  400: "BadRequest",
  401: "Unauthorized",
  404: "NotFound",
  405: "MethodNotAllowed",
  408: "Timeout",
  413: "RequestEntityTooLarge",
  415: "UnsupportedMediaType",
  500: "InternalError",
  503: "ServiceUnavailable",
};

export function httpError(code: number, message: string): HttpError {
  return new HttpError(code, REASONS[code] ?? "Unknown", message);
}

/** The body of an error reply: the shape of a Kubernetes metav1.Status. */
export function statusBody(code: number, reason: string, message: string): object {
  return { apiVersion: "v1", kind: "Status", metadata: {}, status: "Failure", message, reason, code };
}

export function sendJSON(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = code;
  res.setHeader("Content-Type", "application/json");
  res.setHeader("Content-Length", Buffer.byteLength(text));
  res.end(text);
}

export function sendText(res: ServerResponse, code: number, text: string, type = "text/plain; charset=utf-8"): void {
  res.statusCode = code;
  res.setHeader("Content-Type", type);
  res.setHeader("Content-Length", Buffer.byteLength(text));
  res.end(text);
}

export function sendError(res: ServerResponse, e: HttpError): void {
  // why: an unread request body (413, 415) would otherwise be parsed as the next request on a kept-alive socket
  if (e.code === 413 || e.code === 415 || e.code === 408) res.setHeader("Connection", "close");
  sendJSON(res, e.code, statusBody(e.code, e.reason, e.message));
}

/** `application/json`, with or without parameters (charset). */
export function isJSONContentType(value: string | undefined): boolean {
  if (!value) return false;
  const type = value.split(";")[0]!.trim().toLowerCase();
  return type === "application/json";
}

/**
 * Reads the whole body, refusing with 413 as soon as it is longer than `limit` bytes (declared or streamed).
 * The caller answers the error; the rest of the body is not read (the reply closes the connection).
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = req.headers["content-length"];
  if (declared !== undefined && Number(declared) > limit) {
    return Promise.reject(httpError(413, `request body of ${declared} bytes is larger than the limit of ${limit} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (err: Error | null, body?: Buffer) => {
      if (done) return;
      done = true;
      req.off("data", onData);
      if (err) reject(err);
      else resolve(body!);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        finish(httpError(413, `request body is larger than the limit of ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.on("end", () => finish(null, Buffer.concat(chunks, size)));
    req.on("error", (e) => finish(e));
    req.on("aborted", () => finish(httpError(400, "request aborted by the client")));
  });
}

/** Parses a JSON body; malformed JSON or a non-object is a 400. */
export function parseJSONObject(body: Buffer): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body.toString("utf8"));
  } catch (e) {
    throw httpError(400, `malformed JSON: ${(e as Error).message}`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw httpError(400, "the body must be a JSON object");
  }
  return value as Record<string, unknown>;
}
