// Messages between the page (main.ts) and the engine worker (worker.ts). Plain data only (structured clone):
// every request carries an id; the worker answers each with { id, ok, result | error }, in order.
import type {
  AuthorizeResult, CheckInfo, EngineWarning, Grant, LintFinding, LintResult, LintSummary, RulesForResult,
  SubjectAccessReviewSpec, WhoCanResult,
} from "../../bindings/web.js";
import type { LoadDiagnostic } from "../k8s/types.js";
import type { FindingLocation } from "../lint/locate.js";

export type { FindingLocation };

/** Findings are listed by severity (unsuppressed ones), suppressed ones apart. */
export type FindingGroup = "critical" | "high" | "medium" | "low" | "suppressed";
export const FINDING_GROUPS: FindingGroup[] = ["critical", "high", "medium", "low", "suppressed"];
/** findings per page of a group's list */
export const PAGE_SIZE = 50;

export interface InputFile {
  /** the name shown and used in positions (a relative path for files of a dropped folder) */
  name: string;
  text: string;
}

export interface ModuleInfo {
  url: string;
  sha256: string;
  bytes: number;
  abi: string;
}

export interface FileSummary {
  name: string;
  objects: number;
  errors: number;
  warnings: number;
}

/** An engine warning placed at its object (when it has one). */
export interface LocatedWarning extends EngineWarning {
  objectKey: string;
  location?: FindingLocation;
}

export interface AnalyzeResult {
  /** objects read from all files (Lists flattened) */
  objects: number;
  files: FileSummary[];
  diagnostics: LoadDiagnostic[];
  engineWarnings: LocatedWarning[];
  /** the first page of each group (severities, then "suppressed"); more with findingsPage */
  firstPages: Record<FindingGroup, LintFinding[]>;
  /** findings per group */
  counts: Record<FindingGroup, number>;
  summary: LintSummary;
  lintWarnings: EngineWarning[];
  /** milliseconds spent in the worker */
  timings: { parse: number; engine: number; lint: number };
}

export interface CanIResult extends AuthorizeResult {
  grant?: Grant;
  /** the groups actually sent (with the implicit ones) */
  groups: string[];
}

export interface AuthorizeVectorInput {
  objects: unknown[];
  options: { aggregate: boolean };
  specs: SubjectAccessReviewSpec[];
}

export interface LintVectorInput {
  objects: unknown[];
  options: { aggregate: boolean };
  config?: Record<string, unknown>;
}

/** Request kind → [request fields, result]. */
export interface Api {
  init: [{}, ModuleInfo];
  analyze: [{ files: InputFile[] }, AnalyzeResult];
  /** forgets the snapshot (queries then answer "no manifests are loaded yet") */
  reset: [{}, null];
  checks: [{}, CheckInfo[]];
  findingsPage: [{ group: FindingGroup; offset: number; limit: number }, LintFinding[]];
  locate: [{ objectIndex: number; fieldPath: string }, FindingLocation | null];
  locateObject: [{ key: string; fieldPath?: string }, (FindingLocation & { objectIndex: number }) | null];
  canI: [{ spec: SubjectAccessReviewSpec }, CanIResult];
  whoCan: [{ spec: SubjectAccessReviewSpec }, WhoCanResult];
  rulesFor: [{ user: string; groups: string[]; namespace: string }, RulesForResult];
  findingsJson: [{}, string];
  sarif: [{ toolVersion?: string }, string];
  authorizeVectors: [{ vectors: AuthorizeVectorInput[] }, AuthorizeResult[][]];
  lintVectors: [{ vectors: LintVectorInput[] }, (LintResult | { error: string })[]];
}

export type Kind = keyof Api;
export type Request<K extends Kind = Kind> = { id: number; kind: K } & Api[K][0];
export type Response =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: { code: string; message: string } };
