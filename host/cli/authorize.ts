// `rbac-guard authorize`: SubjectAccessReview objects in, the same objects with `status` out (JSON Lines).
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import type { AuthorizeResult, SubjectAccessReviewSpec } from "../../bindings/index.js";
import { JsonScanError, scanJsonValue, skipWs } from "../k8s/json-scan.js";
import { LineIndex } from "../k8s/positions.js";
import {
  addInputOptions, CliError, EXIT, loadEngine, paragraphs, printInputError, printWarning, STDIN_NAME, usageError,
  type InputOptions,
} from "./common.js";

const V1 = "authorization.k8s.io/v1";
const V1BETA1 = "authorization.k8s.io/v1beta1";
const KIND = "SubjectAccessReview";

/** One input document: a parsed value or why it could not be parsed, and where it starts (1-based). */
export interface InputDocument {
  line: number;
  column: number;
  value?: unknown;
  error?: string;
}

// why: lines of JSON Lines start in column 1; the inner lines of a pretty-printed document are indented or close it
const RESYNC = /\n(?=[^\s}\]])/g;

/**
 * The top-level JSON values of the input: one document, JSON Lines, or any whitespace-separated sequence (as jq
 * prints). After a syntax error, reading resumes at the next line that starts a value in column 1, so one bad line
 * of JSON Lines (or one bad pretty-printed document) costs one answer, not the rest of the input.
 */
export function splitDocuments(input: string): InputDocument[] {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const lines = new LineIndex(text);
  const docs: InputDocument[] = [];
  let i = 0;
  for (;;) {
    i = skipWs(text, i);
    if (i >= text.length) return docs;
    const start = i;
    try {
      const end = scanJsonValue(text, start);
      docs.push({ ...lines.position(start), value: JSON.parse(text.slice(start, end)) });
      i = end;
    } catch (e) {
      let offset = e instanceof JsonScanError ? e.offset : start;
      let message = `invalid JSON: ${(e as Error).message}`;
      if (offset > start && text.charCodeAt(offset - 1) === 0x0a && /[^\s}\]]/.test(text[offset] ?? "")) {
        // why: the scanner ran into the next line's value; the error is the unclosed value before it
        offset = text.slice(0, offset).trimEnd().length;
        message = "invalid JSON: unexpected end of line: the value is not closed";
      }
      docs.push({ ...lines.position(offset), error: message });
      RESYNC.lastIndex = start;
      i = RESYNC.exec(text) ? RESYNC.lastIndex : text.length;
    }
  }
}

function isObject(v: unknown): v is Record<string, any> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return typeof v === "object" ? "an object" : `a ${typeof v}`;
}

function checkStrings(obj: Record<string, unknown>, fields: string[], where: string): void {
  for (const f of fields) {
    const v = obj[f];
    if (v !== undefined && v !== null && typeof v !== "string") throw new Error(`${where}.${f} must be a string, found ${describe(v)}`);
  }
}

function checkStringArray(v: unknown, where: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new Error(`${where} must be an array of strings, found ${describe(v)}`);
  v.forEach((g, i) => {
    if (typeof g !== "string") throw new Error(`${where}[${i}] must be a string, found ${describe(g)}`);
  });
  return v;
}

/**
 * The engine's spec for a SubjectAccessReview (v1, or v1beta1 with `spec.group`), validated as kube-apiserver
 * validates it. Throws an Error whose message says what is wrong.
 */
export function reviewSpec(review: unknown): SubjectAccessReviewSpec {
  if (!isObject(review)) throw new Error(`expected a SubjectAccessReview object, found ${describe(review)}`);
  if (review.kind !== KIND) {
    throw new Error(review.kind === undefined ? `missing kind (expected ${KIND})` : `kind ${JSON.stringify(review.kind)} is not ${KIND}`);
  }
  const v1beta1 = review.apiVersion === V1BETA1;
  if (review.apiVersion !== V1 && !v1beta1) {
    throw new Error(review.apiVersion === undefined
      ? `missing apiVersion (expected ${V1} or ${V1BETA1})`
      : `apiVersion ${JSON.stringify(review.apiVersion)} is not ${V1} or ${V1BETA1}`);
  }
  const spec = review.spec;
  if (!isObject(spec)) throw new Error(spec === undefined ? "missing spec" : `spec must be an object, found ${describe(spec)}`);
  // why: the other version's field would be silently dropped by the API server and decide without the groups
  if (v1beta1 && spec.groups !== undefined) throw new Error(`${V1BETA1} names the groups spec.group, not spec.groups`);
  if (!v1beta1 && spec.group !== undefined) throw new Error(`${V1} names the groups spec.groups, not spec.group`);
  const groups = checkStringArray(v1beta1 ? spec.group : spec.groups, v1beta1 ? "spec.group" : "spec.groups");
  checkStrings(spec, ["user", "uid"], "spec");
  const user = (spec.user as string | undefined) ?? "";
  if (user === "" && groups.length === 0) throw new Error("at least one of spec.user or spec.groups must be specified");
  const ra = spec.resourceAttributes;
  const na = spec.nonResourceAttributes;
  if ((ra === undefined || ra === null) === (na === undefined || na === null)) {
    throw new Error("exactly one of spec.resourceAttributes or spec.nonResourceAttributes must be specified");
  }
  const out: SubjectAccessReviewSpec = { user, groups };
  if (ra !== undefined && ra !== null) {
    if (!isObject(ra)) throw new Error(`spec.resourceAttributes must be an object, found ${describe(ra)}`);
    checkStrings(ra, ["namespace", "verb", "group", "version", "resource", "subresource", "name"], "spec.resourceAttributes");
    out.resourceAttributes = {
      namespace: ra.namespace ?? "", verb: ra.verb ?? "", group: ra.group ?? "", version: ra.version ?? "",
      resource: ra.resource ?? "", subresource: ra.subresource ?? "", name: ra.name ?? "",
    };
  } else {
    if (!isObject(na)) throw new Error(`spec.nonResourceAttributes must be an object, found ${describe(na)}`);
    checkStrings(na, ["path", "verb"], "spec.nonResourceAttributes");
    out.nonResourceAttributes = { path: na.path ?? "", verb: na.verb ?? "" };
  }
  return out;
}

/** The review with its status set (an existing status is replaced in place). */
function withStatus(review: unknown, status: AuthorizeResult): Record<string, unknown> {
  // a malformed review still answers as a SubjectAccessReview; a valid one is written back as it came
  const base = isObject(review)
    ? ("apiVersion" in review && "kind" in review ? review : { apiVersion: V1, kind: KIND, ...review })
    : { apiVersion: V1, kind: KIND };
  // as kube-apiserver writes a SubjectAccessReviewStatus: reason and evaluationError are omitempty
  const s: Record<string, unknown> = { allowed: status.allowed };
  if (status.reason) s.reason = status.reason;
  if (status.evaluationError) s.evaluationError = status.evaluationError;
  return { ...base, status: s };
}

interface AuthorizeOptions extends InputOptions {
  input: string;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin as AsyncIterable<Buffer | string>) chunks.push(typeof c === "string" ? Buffer.from(c) : c);
  return Buffer.concat(chunks).toString("utf8");
}

async function readInput(file: string): Promise<string> {
  if (file === "-") return readStdin();
  try {
    return await readFile(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file or directory" : code === "EISDIR" ? "is a directory" : (e as Error).message;
    throw new CliError(`cannot read --input ${file}: ${why}`, EXIT.INPUT);
  }
}

export function register(program: Command): Command {
  const cmd = program
    .command("authorize")
    .summary("answer SubjectAccessReview objects (JSON or JSON Lines) like a webhook authorizer")
    .description(paragraphs(`Answer SubjectAccessReview objects with Kubernetes' RBAC authorizer over the manifests given with -f.

Reads --input (default: stdin): either one JSON document, or JSON Lines (one JSON object per line); documents one after another (as jq
prints them) work too. Each review
must be kind SubjectAccessReview, apiVersion authorization.k8s.io/v1 (groups in spec.groups) or
authorization.k8s.io/v1beta1 (groups in spec.group). Writes each review back, in input order, one compact JSON
object per line, with status {allowed[, reason][, evaluationError]} set (empty ones left out, as kube-apiserver
writes them); RBAC never sets status.denied. The user's
groups are used exactly as given (nothing is added implicitly, as for a real SubjectAccessReview).

A line that is not JSON, or not a valid SubjectAccessReview, is answered with status.allowed false and
status.evaluationError saying what is wrong (and a file:line:col error on stderr); after a JSON syntax error
reading resumes at the next line that starts in column 1. The other reviews are still answered and the command exits 2
at the end.`))
    .option("--input <file>", "the reviews to answer: a file or - for stdin", "-");
  addInputOptions(cmd);
  cmd.addHelpText("after", `
Examples:
  # One review
  echo '{"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview","spec":{"user":"jane",
    "resourceAttributes":{"verb":"get","resource":"pods","namespace":"dev"}}}' | rbac-guard authorize -f rbac/

  # Many reviews, one per line (JSON Lines), answers to a file
  rbac-guard authorize -f rbac/ --input reviews.jsonl > answers.jsonl

  # Only the allowed ones
  rbac-guard authorize -f rbac/ --input reviews.jsonl | jq -c 'select(.status.allowed)'

Exit codes: 0 every review was answered, 2 unreadable input or a malformed review, 3 policy engine failure.`);
  cmd.action(async (opts: AuthorizeOptions) => {
    process.exitCode = await run(opts);
  });
  return cmd;
}

async function run(opts: AuthorizeOptions): Promise<number> {
  if (opts.input === "-" && (opts.filename ?? []).includes("-")) {
    throw usageError("stdin can be read only once: give the manifests (-f) or the reviews (--input) as a file");
  }
  const { engine } = await loadEngine(opts);
  const inputName = opts.input === "-" ? STDIN_NAME : opts.input;
  const docs = splitDocuments(await readInput(opts.input));
  if (docs.length === 0 && !opts.quiet) printWarning(`${inputName}: no SubjectAccessReview in the input`);
  let code: number = EXIT.OK;
  const out: string[] = [];
  const flush = () => {
    if (out.length > 0) process.stdout.write(out.join(""));
    out.length = 0;
  };
  for (const doc of docs) {
    let status: AuthorizeResult;
    if (doc.error !== undefined) {
      printInputError(inputName, doc.line, doc.column, doc.error);
      status = { allowed: false, reason: "", evaluationError: doc.error };
      code = Math.max(code, EXIT.INPUT);
    } else {
      let spec: SubjectAccessReviewSpec | undefined;
      try {
        spec = reviewSpec(doc.value);
      } catch (e) {
        const message = (e as Error).message;
        printInputError(inputName, doc.line, doc.column, message);
        status = { allowed: false, reason: "", evaluationError: message };
        code = Math.max(code, EXIT.INPUT);
      }
      if (spec !== undefined) {
        status = engine.authorize(spec);
        if (status.evaluationError !== undefined) {
          printInputError(inputName, doc.line, doc.column, `the review could not be evaluated: ${status.evaluationError}`);
          code = Math.max(code, EXIT.ENGINE);
        }
      }
    }
    out.push(JSON.stringify(withStatus(doc.value, status!)) + "\n");
    if (out.length >= 1024) flush();
  }
  flush();
  return code;
}
