// Engine: one core instance holding one policy snapshot. The decision path interns request strings
// against the snapshot's vocabulary in JS and crosses into wasm with integers only (see ABI.md).
import { EngineError } from "./errors.js";
import { instantiate, FLAG_NO_AGGREGATION, type RawExports } from "./exports.js";
import { encode, encodeInto, groupIds, pathBytes, takeOutput, takeStrings, withBatch, withInput } from "./memory.js";
import { encodeWire } from "./wire.js";
import { lintConfigFor } from "./lint-config.js";
import { answerWords, takeQueryTables, type QueryTables } from "./query-memory.js";
import type { AuthorizeResult, EngineOptions, EngineWarning, SnapshotStats, SubjectAccessReviewSpec, WhoCanResult,
  WhoCanSubject, Grant, ResourceRuleWithSource, NonResourceRuleWithSource, RulesForResult, PolicyRule, CoversResult,
  EscalationInput, EscalationResult, ExplainResult, LintOptions, LintResult, CheckInfo } from "./types.js";

const UNKNOWN = -1;
const BATCH_RECORD_WORDS = 9; // see ABI.md, rbac_decide_batch
const HOT_VALUES = 1024; // bound of each hot-field map

/** Requests interned once into the batch wire format (prepareBatch), decided by checkBatch in one core call. */
export interface PreparedBatch {
  /** Number of specs given to prepareBatch. */
  readonly length: number;
  /** Number of records in `bytes` (specs that could be prepared). */
  readonly count: number;
  readonly bytes: Uint8Array;
  /** Spec index → record index, -1 for a spec that could not be prepared. */
  readonly slots: Int32Array;
  /** Spec index → the evaluation error of a spec that could not be prepared. */
  readonly errors: (string | undefined)[];
}

/** The answers of checkBatch, read without building result objects until asked. */
export interface BatchResult {
  readonly length: number;
  allowed(i: number): boolean;
  result(i: number): AuthorizeResult;
  results(): AuthorizeResult[];
}

/** A request whose strings are interned once, for hosts that decide the same shapes at high rates. */
export interface PreparedRequest {
  readonly resource: boolean;
  readonly ids: Int32Array; // user, verb, apiGroup, resource, subresource, name, namespace
  readonly groups: Int32Array;
  readonly path: Uint8Array | null;
  readonly error?: string;
  /** The request as one batch record (ABI.md, rbac_decide_batch; for a non-resource request a and b are unused). */
  readonly words: Int32Array;
}

// why: a host that keeps many prepared requests reads one of them cold per decision: every id is an in-object
// property (small integers), with the first four group ids inline, so a decision reads one object (two adjacent
// cache lines) instead of an object, its typed array and that array's elements. Measured at 10k bindings on the
// benchmark's 10k prepared requests: 0.7 -> 0.47 µs per check (CPU, medians of 9 rounds in one process).
const INLINE_GROUPS = 4;

class Prepared implements PreparedRequest {
  kind = 0; // 0 resource, 1 non-resource (ABI.md, rbac_decide_batch)
  user = 0;
  nGroups = 0;
  verb = 0;
  // apiGroup, resource, subresource, name, namespace for a resource request
  a = 0;
  b = 0;
  c = 0;
  d = 0;
  e = 0;
  g0 = 0;
  g1 = 0;
  g2 = 0;
  g3 = 0;
  more: Int32Array | null = null; // group ids past the first four
  path: Uint8Array | null = null;

  get resource(): boolean {
    return this.kind === 0;
  }
  get ids(): Int32Array {
    return Int32Array.of(this.user, this.verb, this.a, this.b, this.c, this.d, this.e);
  }
  get groups(): Int32Array {
    const g = new Int32Array(this.nGroups);
    this.writeGroups(g);
    return g;
  }
  get words(): Int32Array {
    const w = new Int32Array(this.recordWords);
    this.writeRecord(w, 0);
    return w;
  }
  /** The length of its batch record, in words. */
  get recordWords(): number {
    return BATCH_RECORD_WORDS + this.nGroups;
  }
  /** Writes its batch record (ABI.md, rbac_decide_batch) into `w` from word `at`. */
  writeRecord(w: Int32Array, at: number): void {
    w[at] = this.kind; w[at + 1] = this.user; w[at + 2] = this.nGroups; w[at + 3] = this.verb;
    w[at + 4] = this.a; w[at + 5] = this.b; w[at + 6] = this.c; w[at + 7] = this.d; w[at + 8] = this.e;
    this.writeGroups(w.subarray(at + BATCH_RECORD_WORDS));
  }
  /** Sets the group id at index i (of nGroups), the first four inline. */
  setGroup(i: number, id: number): void {
    switch (i) {
      case 0: this.g0 = id; break;
      case 1: this.g1 = id; break;
      case 2: this.g2 = id; break;
      case 3: this.g3 = id; break;
      default:
        if (this.more === null) this.more = new Int32Array(this.nGroups - INLINE_GROUPS);
        this.more[i - INLINE_GROUPS] = id;
    }
  }
  /** Writes the group ids into `buf` from 0. */
  writeGroups(buf: Int32Array): void {
    const n = this.nGroups;
    if (n === 0) return;
    buf[0] = this.g0;
    if (n === 1) return;
    buf[1] = this.g1;
    if (n === 2) return;
    buf[2] = this.g2;
    if (n === 3) return;
    buf[3] = this.g3;
    if (n > INLINE_GROUPS) buf.set(this.more!, INLINE_GROUPS);
  }
}

function str(v: unknown, field: string): string {
  if (v === undefined || v === null) return "";
  if (typeof v !== "string") throw new EngineError("BAD_INPUT", `${field} must be a string`, field);
  return v;
}

function bothOrNeither(ra: unknown): EngineError {
  return new EngineError("BAD_INPUT", ra == null
    ? "spec has neither resourceAttributes nor nonResourceAttributes"
    : "spec has both resourceAttributes and nonResourceAttributes");
}

export class Engine {
  readonly warnings: EngineWarning[] = [];
  stats!: SnapshotStats;
  private ex!: RawExports;
  private snapshot = 0;
  private ids = new Map<string, number>();
  // small per-field maps in front of `ids` (see hotIdOf); reset with the vocabulary
  private hotVerbs = new Map<string, number>();
  private hotApiGroups = new Map<string, number>();
  private hotResources = new Map<string, number>();
  private hotGroups = new Map<string, number>();
  private reasons: (string | undefined)[] = [];
  private groupsView: Int32Array = new Int32Array(0);
  private pathView: Uint8Array = new Uint8Array(0);
  /** pathView.byteOffset, kept beside it (the getter is a call on every decision) */
  private pathAt = 0;
  private abortMessage = "";
  private readonly input: Uint8Array;
  private readonly flags: number;
  private readonly module: WebAssembly.Module;

  /** Use createEngine(); the constructor expects a compiled module. */
  constructor(module: WebAssembly.Module, objects: unknown[], options: EngineOptions = {}) {
    this.module = module;
    this.flags = options.aggregate === false ? FLAG_NO_AGGREGATION : 0;
    this.input = encodeWire(objects);
    this.start(true);
  }

  private start(first: boolean): void {
    this.abortMessage = "";
    this.ex = instantiate(this.module, (m) => { this.abortMessage = m; });
    let out: any;
    try {
      out = JSON.parse(takeOutput(this.ex, withInput(this.ex, this.input, (p, n) => this.ex.rbac_load(p, n, this.flags))));
    } catch (e) {
      throw this.trapError(e);
    }
    if (out.type !== "success") {
      const err = out.errors?.[0] ?? {};
      throw new EngineError("ENGINE_FAILURE", err.message ?? "the policy could not be loaded", err.path);
    }
    this.snapshot = out.snapshot;
    this.stats = out.stats;
    if (first) this.warnings.push(...out.warnings);
    const vocab = takeStrings(this.ex, this.ex.rbac_vocab(this.snapshot, 0));
    this.ids = new Map();
    vocab.forEach((s, i) => this.ids.set(s, i));
    this.hotVerbs = new Map();
    this.hotApiGroups = new Map();
    this.hotResources = new Map();
    this.hotGroups = new Map();
    this.reasons = [];
    this.groupsView = new Int32Array(0);
    this.pathView = new Uint8Array(0);
    this.pathAt = 0;
  }

  private trapError(e: unknown): EngineError {
    if (e instanceof EngineError) return e;
    const detail = this.abortMessage || (e instanceof Error ? e.message : String(e));
    return new EngineError("ENGINE_TRAP", `the policy engine trapped: ${detail}`);
  }

  /** After a trap the instance is discarded and rebuilt from the same input; the caller gets an error result. */
  private recover(e: unknown): AuthorizeResult {
    const err = this.trapError(e);
    try {
      this.start(false);
    } catch {
      // why: fail closed; the next call will try again
    }
    return { allowed: false, reason: "", evaluationError: err.message };
  }


  private groupBuffer(n: number): Int32Array {
    // why: a view of a grown (detached) memory has length 0, so this also catches growth without reading
    // memory.buffer, a getter that costs about as much as a whole decision
    if (n > this.groupsView.length || this.groupsView.length === 0) {
      this.groupsView = groupIds(this.ex, Math.max(n, 64));
    }
    return this.groupsView;
  }

  private reason(handle: number): string {
    let r = this.reasons[handle];
    if (r === undefined) {
      r = takeOutput(this.ex, this.ex.rbac_reason(this.snapshot, handle));
      if (handle !== (1 << 30) - 1) this.reasons[handle] = r;
    }
    return r;
  }

  private result(code: number): AuthorizeResult {
    if (code < 0) return { allowed: false, reason: "", evaluationError: "the policy snapshot is not loaded" };
    return { allowed: (code & 1) === 1, reason: this.reason(code >>> 1) };
  }

  /** Decides a SubjectAccessReview spec exactly as Kubernetes' RBAC authorizer would. Never throws. */
  authorize(spec: SubjectAccessReviewSpec): AuthorizeResult {
    // why: the hot path of every host; interns straight into the guest's buffers, allocating nothing
    let code: number;
    try {
      if (spec === null || typeof spec !== "object") throw new EngineError("BAD_INPUT", "spec must be an object");
      const ra = spec.resourceAttributes;
      const na = spec.nonResourceAttributes;
      if ((ra == null) === (na == null)) throw bothOrNeither(ra);
      const groups = spec.groups;
      let n = 0;
      if (groups != null) {
        if (!Array.isArray(groups)) throw new EngineError("BAD_INPUT", "spec.groups must be an array of strings", "groups");
        n = groups.length;
        const buf = this.groupBuffer(n);
        for (let i = 0; i < n; i++) buf[i] = this.hotIdOf(this.hotGroups, groups[i], "groups");
      }
      const user = this.idOf(spec.user, "user");
      if (ra != null) {
        code = this.ex.rbac_decide(this.snapshot, user, n, this.hotIdOf(this.hotVerbs, ra.verb, "resourceAttributes.verb"),
          this.hotIdOf(this.hotApiGroups, ra.group, "resourceAttributes.group"),
          this.hotIdOf(this.hotResources, ra.resource, "resourceAttributes.resource"),
          this.hotIdOf(this.hotResources, ra.subresource, "resourceAttributes.subresource"), this.idOf(ra.name, "resourceAttributes.name"),
          this.idOf(ra.namespace, "resourceAttributes.namespace"));
      } else {
        const verb = this.hotIdOf(this.hotVerbs, na!.verb, "nonResourceAttributes.verb");
        code = this.decidePathString(user, n, verb, str(na!.path, "nonResourceAttributes.path"));
      }
    } catch (e) {
      if (e instanceof EngineError) return { allowed: false, reason: "", evaluationError: e.message };
      return this.recover(e);
    }
    return this.result(code);
  }

  private idOf(v: unknown, field: string): number {
    if (v === undefined || v === null) return 0; // the empty string
    if (typeof v !== "string") throw new EngineError("BAD_INPUT", `${field} must be a string`, field);
    const id = this.ids.get(v);
    return id === undefined ? UNKNOWN : id;
  }

  /**
   * idOf for a field with few distinct values (verbs, API groups, resources, subresources, groups): a small map of
   * the values seen stays in cache where the whole vocabulary's map (tens of thousands of strings) does not.
   */
  private hotIdOf(hot: Map<string, number>, v: unknown, field: string): number {
    if (v === undefined || v === null) return 0;
    if (typeof v !== "string") throw new EngineError("BAD_INPUT", `${field} must be a string`, field);
    let id = hot.get(v);
    if (id === undefined) {
      id = this.ids.get(v) ?? UNKNOWN;
      if (hot.size < HOT_VALUES) hot.set(v, id);
    }
    return id;
  }

  /** A view of the guest's path buffer with room for `n` bytes; re-made only when too small or detached. */
  private pathBuffer(n: number): Uint8Array {
    if (n > this.pathView.length || this.pathView.length === 0) {
      this.pathView = pathBytes(this.ex, n);
      this.pathAt = this.pathView.byteOffset;
    }
    return this.pathView;
  }

  private decidePath(user: number, nGroups: number, verb: number, path: Uint8Array): number {
    const n = path.length;
    const buf = this.pathBuffer(n);
    // why: TypedArray#set is a builtin call that costs more than copying a short path byte by byte
    if (n <= 64) for (let i = 0; i < n; i++) buf[i] = path[i];
    else buf.set(path);
    return this.ex.rbac_decide_path(this.snapshot, user, nGroups, verb, this.pathAt, n);
  }

  /** Encodes a path straight into the guest's path buffer (no intermediate bytes); returns its UTF-8 length. */
  private writePath(path: string): number {
    const n = encodeInto(path, this.pathBuffer(path.length));
    // why: UTF-8 takes at most 3 bytes per UTF-16 unit
    return n >= 0 ? n : encodeInto(path, this.pathBuffer(path.length * 3));
  }

  /** decidePath for a path given as a string. */
  private decidePathString(user: number, nGroups: number, verb: number, path: string): number {
    const n = this.writePath(path);
    return this.ex.rbac_decide_path(this.snapshot, user, nGroups, verb, this.pathAt, n);
  }

  /** Interns a request once; check() then decides it with integer arguments only. */
  prepare(spec: SubjectAccessReviewSpec): PreparedRequest {
    return this.intern(spec);
  }

  private intern(spec: SubjectAccessReviewSpec): Prepared {
    if (spec === null || typeof spec !== "object") throw new EngineError("BAD_INPUT", "spec must be an object");
    const ra = spec.resourceAttributes;
    const na = spec.nonResourceAttributes;
    if ((ra == null) === (na == null)) throw bothOrNeither(ra);
    const groupsIn = spec.groups ?? [];
    if (!Array.isArray(groupsIn)) throw new EngineError("BAD_INPUT", "spec.groups must be an array of strings", "groups");
    const n = groupsIn.length;
    const p = new Prepared();
    p.nGroups = n;
    for (let i = 0; i < n; i++) p.setGroup(i, this.hotIdOf(this.hotGroups, groupsIn[i], `groups[${i}]`));
    p.user = this.idOf(spec.user, "user");
    if (ra != null) {
      p.verb = this.hotIdOf(this.hotVerbs, ra.verb, "resourceAttributes.verb");
      p.a = this.hotIdOf(this.hotApiGroups, ra.group, "resourceAttributes.group");
      p.b = this.hotIdOf(this.hotResources, ra.resource, "resourceAttributes.resource");
      p.c = this.hotIdOf(this.hotResources, ra.subresource, "resourceAttributes.subresource");
      p.d = this.idOf(ra.name, "resourceAttributes.name");
      p.e = this.idOf(ra.namespace, "resourceAttributes.namespace");
      return p;
    }
    p.kind = 1;
    p.verb = this.hotIdOf(this.hotVerbs, na!.verb, "nonResourceAttributes.verb");
    p.path = encode(str(na!.path, "nonResourceAttributes.path"));
    return p;
  }

  /** Decides a prepared request. Never throws. */
  check(p: PreparedRequest): AuthorizeResult {
    try {
      if (p instanceof Prepared) {
        const n = p.nGroups;
        p.writeGroups(this.groupBuffer(n));
        if (p.kind === 0) return this.result(this.ex.rbac_decide(this.snapshot, p.user, n, p.verb, p.a, p.b, p.c, p.d, p.e));
        return this.result(this.decidePath(p.user, n, p.verb, p.path!));
      }
      // a request prepared elsewhere (any object with the PreparedRequest fields): its batch record
      const w = p.words;
      const n = w[2];
      const buf = this.groupBuffer(n);
      for (let i = 0; i < n; i++) buf[i] = w[BATCH_RECORD_WORDS + i];
      if (w[0] === 0) return this.result(this.ex.rbac_decide(this.snapshot, w[1], n, w[3], w[4], w[5], w[6], w[7], w[8]));
      return this.result(this.decidePath(w[1], n, w[3], p.path!));
    } catch (e) {
      return this.recover(e);
    }
  }

  /** Decides many specs; the same answers as authorize() one by one. */
  authorizeBatch(specs: SubjectAccessReviewSpec[]): AuthorizeResult[] {
    return specs.map((s) => this.authorize(s));
  }

  /**
   * Interns many requests once into one batch buffer; checkBatch() then decides them all in a single call into
   * the core (ABI 2.1 rbac_decide_batch). A spec that cannot be prepared is kept as its evaluation error.
   */
  prepareBatch(specs: SubjectAccessReviewSpec[]): PreparedBatch {
    const prepared: (Prepared | null)[] = [];
    const errors: (string | undefined)[] = new Array(specs.length);
    let words = 0, pathBytes = 0;
    for (let i = 0; i < specs.length; i++) {
      try {
        const p = this.intern(specs[i]);
        prepared.push(p);
        words += p.recordWords;
        if (p.path) pathBytes += p.path.length;
      } catch (e) {
        prepared.push(null);
        errors[i] = e instanceof Error ? e.message : String(e);
      }
    }
    const bytes = new Uint8Array(words * 4 + pathBytes);
    const w = new Int32Array(bytes.buffer, 0, words);
    let at = 0, pathAt = words * 4, count = 0;
    const slots = new Int32Array(specs.length).fill(-1);
    for (let i = 0; i < prepared.length; i++) {
      const p = prepared[i];
      if (p === null) continue;
      slots[i] = count++;
      p.writeRecord(w, at);
      if (p.path) {
        w[at + 4] = pathAt;
        w[at + 5] = p.path.length;
        bytes.set(p.path, pathAt);
        pathAt += p.path.length;
      }
      at += p.recordWords;
    }
    return { length: specs.length, count, bytes, slots, errors };
  }

  /** Decides a prepared batch in one call into the core; the same answers as check() one by one. Never throws. */
  checkBatch(batch: PreparedBatch): BatchResult {
    let codes: Int32Array;
    let failure: string | undefined;
    try {
      const r = withBatch(this.ex, batch.bytes, batch.count,
        (p, n, out) => this.ex.rbac_decide_batch(this.snapshot, p, n, batch.count, out));
      codes = r.codes;
      if (r.rc !== batch.count) failure = r.rc === -1 ? "the policy snapshot is not loaded" : "the batch is malformed";
    } catch (e) {
      codes = new Int32Array(batch.count);
      failure = this.recover(e).evaluationError;
    }
    const result = (i: number): AuthorizeResult => {
      if (batch.errors[i] !== undefined) return { allowed: false, reason: "", evaluationError: batch.errors[i] };
      if (failure !== undefined) return { allowed: false, reason: "", evaluationError: failure };
      return this.result(codes[batch.slots[i]]);
    };
    return {
      length: batch.length,
      allowed: (i) => failure === undefined && batch.slots[i] >= 0 && (codes[batch.slots[i]] & 1) === 1,
      result,
      results: () => Array.from({ length: batch.length }, (_, i) => result(i)),
    };
  }

  /** The core's own JSON path (spec decoded inside wasm): what hosts without JS, like Envoy, run. */
  authorizeJSON(spec: SubjectAccessReviewSpec): AuthorizeResult {
    try {
      const out = this.callJSON(spec, (p, n) => this.ex.rbac_authorize(this.snapshot, p, n, 0));
      const r: AuthorizeResult = { allowed: out.allowed, reason: out.reason };
      if (out.evaluationError) r.evaluationError = out.evaluationError;
      return r;
    } catch (e) {
      return { allowed: false, reason: "", evaluationError: e instanceof Error ? e.message : String(e) };
    }
  }

  /**
   * Calls a JSON export of the core (`undefined` input: an empty buffer); a failure envelope or a trap becomes an
   * EngineError. Failure codes the caller can act on keep their meaning: BAD_SPEC → BAD_INPUT, BAD_CONFIG.
   */
  private callJSON(input: unknown, fn: (ptr: number, len: number) => number): any {
    let out: any;
    try {
      const bytes = encode(input === undefined ? "" : JSON.stringify(input));
      out = JSON.parse(takeOutput(this.ex, withInput(this.ex, bytes, fn)));
    } catch (e) {
      const err = this.trapError(e);
      try { this.start(false); } catch { /* fail closed: the next call tries again */ }
      throw err;
    }
    if (out.type !== "success") {
      const err = out.errors?.[0] ?? {};
      const code = err.code === "BAD_SPEC" ? "BAD_INPUT" : err.code === "BAD_CONFIG" ? "BAD_CONFIG" : "ENGINE_FAILURE";
      throw new EngineError(code, err.message ?? "the engine failed", err.path);
    }
    delete out.type;
    return out;
  }

  /** Subjects allowed the spec's attributes (user fields ignored), as Kubernetes' subject locator finds them. */
  whoCan(spec: SubjectAccessReviewSpec): WhoCanResult {
    const sp: SubjectAccessReviewSpec = spec !== null && typeof spec === "object" ? spec : {};
    const ra = sp.resourceAttributes;
    const na = sp.nonResourceAttributes;
    if ((ra == null) === (na == null)) throw bothOrNeither(ra);
    // why: interned in JS, answered as numbers and built here from tables fetched once (ABI 2.1): no JSON either way
    const ptr = this.query(() => {
      if (ra != null) {
        return this.ex.rbac_who_can_ids(this.snapshot, this.idOf(ra.verb, "resourceAttributes.verb"),
          this.idOf(ra.group, "resourceAttributes.group"), this.idOf(ra.resource, "resourceAttributes.resource"),
          this.idOf(ra.subresource, "resourceAttributes.subresource"), this.idOf(ra.name, "resourceAttributes.name"),
          this.idOf(ra.namespace, "resourceAttributes.namespace"));
      }
      const verb = this.idOf(na!.verb, "nonResourceAttributes.verb");
      const n = this.writePath(str(na!.path, "nonResourceAttributes.path"));
      return this.ex.rbac_who_can_path(this.snapshot, verb, this.pathAt, n);
    });
    const t = this.queryTables!;
    const w = answerWords(this.ex, ptr);
    const m = t.subject(0);
    const subjects: WhoCanSubject[] = [{ kind: m[0], apiGroup: m[1], name: m[2], namespace: m[3], grants: [] }];
    let p = 0;
    const n = w[p++];
    for (let i = 0; i < n; i++) {
      const b = w[p++];
      const ruleIndex = w[p++];
      const k = w[p++];
      const binding = t.bindingKey(b);
      const role = t.roleKey(b);
      for (let j = 0; j < k; j++) {
        const x = w[p++];
        const grant: Grant = { binding, role, ruleIndex };
        if (x >= 0) {
          subjects[x].grants.push(grant);
        } else {
          const sj = t.subject(-x - 1);
          subjects.push({ kind: sj[0], apiGroup: sj[1], name: sj[2], namespace: sj[3], grants: [grant] });
        }
      }
    }
    const ne = w[p++];
    const errors = new Array<string>(ne);
    for (let i = 0; i < ne; i++) errors[i] = t.bindingError(w[p++]);
    return { subjects, errors };
  }

  /** The rules a subject holds in a namespace (SelfSubjectRulesReview under RBAC), each with its source. */
  rulesFor(subject: { user?: string; groups?: string[]; namespace?: string }): RulesForResult {
    const sub = subject !== null && typeof subject === "object" ? subject : {};
    const groups = sub.groups ?? [];
    if (!Array.isArray(groups)) throw new EngineError("BAD_INPUT", "groups must be an array of strings", "groups");
    const ptr = this.query(() => {
      const user = this.idOf(sub.user, "user");
      const namespace = this.idOf(sub.namespace, "namespace");
      // the group buffer only ever changes on rbac_groups_buffer (ABI 2.1), so the cached view stays valid
      const buf = this.groupBuffer(groups.length);
      for (let i = 0; i < groups.length; i++) buf[i] = this.idOf(groups[i], `groups[${i}]`);
      return this.ex.rbac_rules_for_ids(this.snapshot, user, groups.length, namespace);
    });
    const t = this.queryTables!;
    const w = answerWords(this.ex, ptr);
    let p = 0;
    const nb = w[p++];
    const resourceRules: ResourceRuleWithSource[] = [];
    const nonResourceRules: NonResourceRuleWithSource[] = [];
    for (let i = 0; i < nb; i++) {
      const b = w[p++];
      const rules = t.roleRules(t.bindingRole(b));
      const binding = t.bindingKey(b);
      const role = t.roleKey(b);
      for (let j = 0; j < rules.length; j++) {
        const r = rules[j];
        if (r.resources.length > 0) {
          resourceRules.push({ verbs: r.verbs.slice(), apiGroups: r.apiGroups.slice(), resources: r.resources.slice(),
            resourceNames: r.resourceNames.slice(), source: { binding, role, ruleIndex: j } });
        }
        if (r.nonResourceURLs.length > 0) {
          nonResourceRules.push({ verbs: r.verbs.slice(), nonResourceURLs: r.nonResourceURLs.slice(),
            source: { binding, role, ruleIndex: j } });
        }
      }
    }
    const out: RulesForResult = { resourceRules, nonResourceRules, incomplete: false };
    // utilerrors.NewAggregate(errs).Error() of the distinct errors the core lists
    const ne = w[p++];
    if (ne === 1) out.evaluationError = t.error(w[p]);
    else if (ne > 1) out.evaluationError = "[" + Array.from(w.subarray(p, p + ne), (e) => t.error(e)).join(", ") + "]";
    return out;
  }

  private queryTables: QueryTables | null = null;
  private queryTablesOf: RawExports | null = null;

  /**
   * Runs a compact query export (ABI 2.1) after making sure this instance's tables are fetched; returns the
   * answer's pointer. Bad input throws EngineError BAD_INPUT; a trap rebuilds the instance and throws ENGINE_TRAP.
   */
  private query(call: () => number): number {
    let ptr: number;
    try {
      if (this.queryTablesOf !== this.ex) {
        const tp = this.ex.rbac_query_tables(this.snapshot, 0);
        if (tp === 0) throw new EngineError("ENGINE_FAILURE", `no snapshot ${this.snapshot}`);
        this.queryTables = takeQueryTables(this.ex, tp);
        this.queryTablesOf = this.ex;
      }
      ptr = call();
    } catch (e) {
      if (e instanceof EngineError) throw e;
      const err = this.trapError(e);
      try { this.start(false); } catch { /* fail closed: the next call tries again */ }
      throw err;
    }
    if (ptr === 0) throw new EngineError("ENGINE_FAILURE", `no snapshot ${this.snapshot}`);
    return ptr;
  }

  /** Kubernetes' escalation-check comparison: do the owner's rules cover the servant's? */
  covers(ownerRules: PolicyRule[], servantRules: PolicyRule[]): CoversResult {
    return this.callJSON({ owner: ownerRules, servant: servantRules }, (p, n) => this.ex.rbac_covers(p, n, 0));
  }

  /** Could the subject create or update this Role/ClusterRole without being refused as an escalation? */
  checkEscalation(input: EscalationInput): EscalationResult {
    return this.callJSON(input, (p, n) => this.ex.rbac_check_escalation(this.snapshot, p, n, 0));
  }

  /** authorize() plus the binding, role and rule index that grant an allowed request. */
  explain(spec: SubjectAccessReviewSpec): ExplainResult {
    try {
      return this.callJSON(spec, (p, n) => this.ex.rbac_explain(this.snapshot, p, n, 0));
    } catch (e) {
      return { allowed: false, reason: "", evaluationError: e instanceof Error ? e.message : String(e) };
    }
  }

  /** Runs the guardrail checks over the snapshot. Throws EngineError BAD_CONFIG (with a path) on a malformed config. */
  lint(options: LintOptions = {}): LintResult {
    const config = lintConfigFor(options);
    const out = this.callJSON(config, (p, n) => this.ex.rbac_lint(this.snapshot, p, n, 0));
    return { findings: out.findings, summary: out.summary, warnings: out.warnings };
  }

  /** The catalog of built-in checks (id, severity, rationale, remediation, other tools' ids), for rule help. */
  checks(): CheckInfo[] {
    return this.callJSON(undefined, () => this.ex.rbac_checks(0)).checks;
  }

  /** Like callJSON, but a core BAD_CONFIG failure stays BAD_CONFIG. */
  /** Releases the snapshot. The engine must not be used afterwards. */
  /** Bytes of linear memory this engine's instance holds (it only grows; informational, for benchmarks). */
  get memoryBytes(): number {
    return this.ex.memory.buffer.byteLength;
  }

  dispose(): void {
    try { this.ex.rbac_drop(this.snapshot, 0); } catch { /* already gone */ }
    this.snapshot = 0;
  }
}
