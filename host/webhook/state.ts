// The server's live state: the current snapshot (rebuilt when the context changes or a binding expires), the
// guardrail policy and the admission config. A rebuild or reload that fails keeps the last good value.
import { readFile } from "node:fs/promises";
import { defaultConfig, parseConfig, type AdmissionConfig } from "./config.js";
import type { ContextSource, ContextUpdate } from "./context.js";
import type { Logger } from "./log.js";
import type { WebhookMetrics } from "./metrics.js";
import { EMPTY_POLICY, parsePolicy, type GuardrailPolicy } from "./policy.js";
import { Snapshot, type Clock, type EngineFactory } from "./snapshot.js";
import { watchPaths, type Watcher } from "./watch.js";

// why: setTimeout takes at most 2^31-1 ms; longer waits re-arm
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface StateOptions {
  factory: EngineFactory;
  clock: Clock;
  metrics: WebhookMetrics;
  log: Logger;
  policyFile?: string;
  configFile?: string;
  /** Polling interval for policy/config files; 0 disables watching. */
  watchIntervalMs: number;
  /** Overrides the config file's mode (--admission-mode). */
  modeOverride?: AdmissionConfig["mode"];
  /** Extra validation of a parsed config (the lint section, by the engine); throws when invalid. */
  validateConfig?: (cfg: AdmissionConfig) => Promise<void>;
  /** Told every new context (admission workers keep their own copy). */
  onContext?: (u: ContextUpdate) => void;
}

export class WebhookState {
  private current?: Snapshot;
  private latest?: ContextUpdate;
  private version = 0;
  private building?: Promise<void>;
  private dirty = false;
  private expiryTimer?: NodeJS.Timeout;
  private policyValue: GuardrailPolicy = EMPTY_POLICY;
  private configValue: AdmissionConfig = defaultConfig();
  private policyLoaded = false;
  private watchers: Watcher[] = [];
  private source?: ContextSource;
  private stopped = false;

  constructor(private readonly opts: StateOptions) {
    opts.metrics.snapshotBuiltAt = () => this.current?.builtAt;
    this.applyOverride();
  }

  get snapshotNow(): Snapshot | undefined {
    return this.current;
  }

  policy(): GuardrailPolicy {
    return this.policyValue;
  }

  config(): AdmissionConfig {
    return this.configValue;
  }

  /**
   * Waits until the current snapshot satisfies `pred`, at most `ms` milliseconds; resolves whether it does. New
   * snapshots are built as the context source reports changes, so a short poll is enough.
   */
  async waitFor(pred: (s: Snapshot) => boolean, ms: number): Promise<boolean> {
    const deadline = this.opts.clock.now() + ms;
    for (;;) {
      const s = this.current;
      if (s && pred(s) && !this.dirty) return true;
      if (this.stopped || Date.now() >= deadline) return s !== undefined && pred(s);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Ready once a snapshot is loaded (and, with --policy, the policy). */
  ready(): { ready: boolean; reason?: string } {
    if (!this.current) return { ready: false, reason: "no policy snapshot loaded yet" };
    if (!this.current.state.synced) return { ready: false, reason: this.current.state.reason ?? "cluster cache not synced" };
    if (this.opts.policyFile && !this.policyLoaded) return { ready: false, reason: "guardrail policy not loaded" };
    return { ready: true };
  }

  /** Loads policy and config (throwing on the first load), starts the context source and the file watchers. */
  async start(source: ContextSource): Promise<void> {
    await this.loadPolicy(true);
    await this.loadConfig(true);
    this.source = source;
    await source.start((u) => void this.update(u), (e) => this.reloadFailed("context", e));
    await this.building;
    const iv = this.opts.watchIntervalMs;
    if (iv > 0 && this.opts.policyFile) this.watchers.push(watchPaths([this.opts.policyFile], iv, () => this.loadPolicy(false)));
    if (iv > 0 && this.opts.configFile) this.watchers.push(watchPaths([this.opts.configFile], iv, () => this.loadConfig(false)));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const w of this.watchers) w.stop();
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    await this.source?.stop();
  }

  /** A new context: rebuilt at once, or after the running build (updates in between are coalesced). */
  update(u: ContextUpdate): Promise<void> {
    this.latest = u;
    this.opts.onContext?.(u);
    this.dirty = true;
    if (!this.building) {
      this.building = this.buildLoop().finally(() => { this.building = undefined; });
    }
    return this.building;
  }

  /**
   * The snapshot to decide with; rebuilt first when a binding has expired since it was built. May still be stale
   * when that rebuild failed: callers check `nextExpiry` against the clock and fail closed.
   */
  async snapshot(): Promise<Snapshot | undefined> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const s = this.current;
      if (!s || s.nextExpiry === undefined || this.opts.clock.now() < s.nextExpiry || !this.latest) return s;
      if (!this.building) {
        this.dirty = true;
        this.building = this.buildLoop().finally(() => { this.building = undefined; });
      }
      await this.building;
    }
    return this.current;
  }

  private async buildLoop(): Promise<void> {
    while (this.dirty && this.latest && !this.stopped) {
      this.dirty = false;
      const u = this.latest;
      const started = this.opts.clock.now();
      try {
        const snap = await Snapshot.build(++this.version, u.objects, u.state, this.opts.factory, started);
        this.current = snap;
        this.opts.metrics.snapshotObjects.set(u.objects.length);
        this.opts.metrics.reloads.inc({ source: "context" });
        this.opts.log.info({ source: "context", version: snap.version, objects: u.objects.length, synced: u.state.synced,
          expiredBindings: [...snap.expired.keys()], nextExpiry: snap.nextExpiry ? new Date(snap.nextExpiry).toISOString() : undefined },
        "policy snapshot built");
        this.armExpiry(snap);
      } catch (e) {
        this.reloadFailed("context", e as Error);
      }
    }
  }

  private armExpiry(snap: Snapshot): void {
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    if (snap.nextExpiry === undefined || this.stopped) return;
    const wait = Math.min(MAX_TIMER_MS, Math.max(0, snap.nextExpiry - this.opts.clock.now()));
    this.expiryTimer = setTimeout(() => {
      if (this.current === snap) void this.snapshot().then(() => { if (this.current === snap) this.armExpiry(snap); });
    }, wait);
    this.expiryTimer.unref();
  }

  private reloadFailed(source: string, e: Error): void {
    this.opts.metrics.reloadFailures.inc({ source });
    this.opts.log.error({ source, err: e.message }, `${source} reload failed; keeping the last good ${source}`);
  }

  private async loadPolicy(first: boolean): Promise<void> {
    const file = this.opts.policyFile;
    if (!file) return;
    try {
      this.policyValue = parsePolicy(await readFile(file, "utf8"), file);
      this.policyLoaded = true;
      this.opts.metrics.reloads.inc({ source: "policy" });
      this.opts.log.info({ source: "policy", file, entries: this.policyValue.entries.length }, "guardrail policy loaded");
    } catch (e) {
      if (first) throw e;
      this.reloadFailed("policy", e as Error);
    }
  }

  private async loadConfig(first: boolean): Promise<void> {
    const file = this.opts.configFile;
    if (!file) return;
    try {
      const cfg = parseConfig(await readFile(file, "utf8"), file);
      try {
        await this.opts.validateConfig?.(cfg);
      } catch (e) {
        const where = (e as { path?: string }).path;
        throw new Error(`${file}: lint: ${(e as Error).message}${where ? ` (at ${where})` : ""}`);
      }
      this.configValue = cfg;
      this.applyOverride();
      this.opts.metrics.reloads.inc({ source: "config" });
      this.opts.log.info({ source: "config", file, mode: this.configValue.mode }, "admission config loaded");
    } catch (e) {
      if (first) throw e;
      this.reloadFailed("config", e as Error);
    }
  }

  private applyOverride(): void {
    if (this.opts.modeOverride) this.configValue = { ...this.configValue, mode: this.opts.modeOverride };
  }
}
