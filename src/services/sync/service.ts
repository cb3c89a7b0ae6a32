// The sync service: keeps the bundle in force (USB initial bundle, then central), pulls while the
// WAN is up, fetches firmware, delivers reports, and tracks the WAN state. Nothing here can stop
// phones being served: start() never waits for the WAN, every failure becomes a health condition
// and a back-off, and the bundle in force stays until a better one has been fully applied.

import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { KeyObject } from 'node:crypto';
import type { Service } from '../../core/lifecycle.ts';
import type { Timer } from '../../core/clock.ts';
import type { ServiceContext } from '../context.ts';
import type { SyncConfig } from '../../core/config/sync.ts';
import { isOutpostError } from '../../core/errors.ts';
import { VERSION } from '../../core/runtime.ts';
import { SyncRepo } from '../../store/sync.ts';
import { OutboxRepo } from '../../store/sync-outbox.ts';
import { parsePublicKey } from '../../protocols/bundle/index.ts';
import { BundleKeeper, type ContentModel, type Source } from './apply.ts';
import { FirmwareFetcher } from './firmware.ts';
import { OutboxSender } from './outbox.ts';
import { startFeed, type Feed } from './feed.ts';
import { pullBundle, type PullResult } from './pull.ts';
import { nextDelay, Wan, type WanOutcome, type WanStatus } from './wan.ts';
import './events.ts';

const HOUR = 3_600_000;
const STATE_VALUE = { up: 0, degraded: 1, down: 2 } as const;

export interface SyncOptions {
  model: ContentModel;
  /** Jitter source (tests pin it). */
  random?: () => number;
}

export class SyncService implements Service {
  readonly name = 'sync';
  readonly #ctx: ServiceContext<SyncConfig>;
  readonly #cfg: SyncConfig;
  readonly #random: () => number;
  readonly #repo: SyncRepo;
  readonly #outbox: OutboxRepo;
  readonly #keeper: BundleKeeper;
  readonly #model: ContentModel;
  readonly wan: Wan;
  readonly #urls: { bundle: string; report: string } | null;
  #feed: Feed | undefined;
  #timer: Timer | undefined;
  #hourly: Timer | undefined;
  #abort = new AbortController();
  #cycle: Promise<void> | undefined;
  #stopped = false;
  #offRun: (() => void) | undefined;

  constructor(ctx: ServiceContext<SyncConfig>, opts: SyncOptions) {
    this.#ctx = ctx;
    this.#cfg = ctx.config;
    this.#random = opts.random ?? Math.random;
    this.#model = opts.model;
    this.#repo = new SyncRepo(ctx.store);
    this.#outbox = new OutboxRepo(ctx.store, { maxRecords: this.#cfg.outbox.maxRecords });
    this.#keeper = new BundleKeeper({
      store: ctx.store, model: opts.model, dir: join(ctx.stateDir, 'sync'), publicKey: this.#publicKey(),
      site: ctx.root.site.id, maxBytes: this.#cfg.maxBundleBytes,
    });
    const c = this.#cfg.central;
    const base = c ? (c.url.endsWith('/') ? c.url : `${c.url}/`) : '';
    this.#urls = c ? {
      bundle: c.bundleUrl ?? new URL(`v1/sites/${ctx.root.site.id}/bundle`, base).href,
      report: c.reportUrl ?? new URL(`v1/sites/${ctx.root.site.id}/reports`, base).href,
    } : null;
    this.wan = new Wan(ctx.clock, { downAfterFailures: this.#cfg.wan.downAfterFailures, slowMs: this.#cfg.wan.slow },
      this.#urls ? 'no contact with central yet' : 'no central configured (standalone site)');
  }

  #publicKey(): KeyObject | null {
    if (!this.#cfg.publicKey) return null;
    try {
      return parsePublicKey(this.#cfg.publicKey);
    } catch (err) {
      this.#ctx.health.raise('sync', 'SYNC_BUNDLE_KEY', 'error', (err as Error).message);
      return null;
    }
  }

  get urls(): { bundle: string; report: string } | null { return this.#urls; }
  get outbox(): OutboxRepo { return this.#outbox; }

  async start(): Promise<void> {
    if (!this.#cfg.enabled) return;
    const { ctx } = { ctx: this.#ctx };
    this.#feed = startFeed(ctx.events, ctx.store, this.#outbox, ctx.log);
    this.wan.onChange((s, prev) => this.#onWan(s, prev));
    this.#offRun = ctx.events.on('sync.run', () => void this.runCycle());
    await this.#persistWan(this.wan.status);
    if (this.#cfg.initialBundle) await this.#offerFile(resolve(this.#cfg.initialBundle), 'usb');
    this.#checkBundle();
    this.#hourly = ctx.clock.setInterval(() => this.#checkBundle(), HOUR);
    if (this.#urls) void this.runCycle(); // never awaited: start must not wait for the WAN
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#timer?.cancel();
    this.#hourly?.cancel();
    this.#abort.abort();
    this.#feed?.stop();
    this.#offRun?.();
    await this.#cycle?.catch(() => undefined);
  }

  /** Apply a bundle file (USB). A bundle not newer than the one in force is skipped quietly. */
  async #offerFile(file: string, source: Source): Promise<void> {
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (err) {
      this.#ctx.health.raise('sync', 'SYNC_BUNDLE_REJECTED', 'warning', `initial bundle ${file} cannot be read: ${(err as Error).message}`);
      return;
    }
    await this.#offer(bytes, source, true);
  }

  /** Offer a bundle. Refusals end up in health, the rejections table and the outbox. */
  async #offer(bytes: Buffer, source: Source, quietIfOlder = false): Promise<'applied' | 'unchanged' | 'refused'> {
    const { health, events, log, metrics } = this.#ctx;
    try {
      const r = await this.#keeper.offer(bytes, source, { quietIfOlder });
      health.clear('SYNC_BUNDLE_REJECTED');
      if (!r.applied) return 'unchanged';
      log.info({ version: r.version, source, expired: r.expired }, 'bundle applied');
      metrics.gauge('outpost_sync_bundle_version', 'Version of the bundle in force').set(r.version);
      events.emit('sync.bundle.applied', { version: r.version, source, expired: r.expired });
      this.#model.applied?.({ store: this.#ctx.store, events }, r.version);
      this.#checkBundle();
      return 'applied';
    } catch (err) {
      if (!isOutpostError(err)) throw err;
      const inForce = this.#keeper.inForce();
      const msg = `${source === 'usb' ? 'USB' : 'central'} bundle refused: ${err.message}; ${inForce ? `version ${inForce.version} stays in force` : 'no bundle is in force'}`;
      log.warn({ code: err.code, source }, msg);
      health.raise('sync', 'SYNC_BUNDLE_REJECTED', 'warning', msg);
      metrics.counter('outpost_sync_bundle_rejected_total', 'Bundles refused, by error code').inc({ code: err.code });
      events.emit('sync.bundle.rejected', { source, code: err.code, message: err.message });
      return 'refused';
    }
  }

  /** Health for the bundle in force: none, or past its expiry (phones keep being served). */
  #checkBundle(): void {
    const { health, clock } = this.#ctx;
    const b = this.#keeper.inForce();
    // A site with neither central nor a USB bundle runs on local provisioning content: no warning.
    if (!b && (this.#urls || this.#cfg.initialBundle)) health.raise('sync', 'SYNC_NO_BUNDLE', 'warning', 'no bundle in force: phones get no site templates until one is applied (central or sync.initialBundle)');
    else health.clear('SYNC_NO_BUNDLE');
    if (b && Date.parse(b.expiresAt) <= clock.now()) {
      health.raise('sync', 'SYNC_BUNDLE_EXPIRED', 'warning', `bundle version ${b.version} expired at ${b.expiresAt}; it stays in force and phones are still served — publish a fresh bundle`);
    } else health.clear('SYNC_BUNDLE_EXPIRED');
  }

  /** Run one cycle now (or join the one running): pull, reports, firmware. */
  runCycle(): Promise<void> {
    if (this.#cycle) return this.#cycle;
    if (this.#stopped || !this.#urls) return Promise.resolve();
    this.#timer?.cancel();
    this.#cycle = this.#runCycle().finally(() => {
      this.#cycle = undefined;
      this.#schedule();
    });
    return this.#cycle;
  }

  #schedule(): void {
    if (this.#stopped) return;
    const c = this.#cfg;
    const delay = nextDelay(this.wan.status.failures, { interval: c.interval, min: c.retry.min, max: c.retry.max }, this.#random);
    this.#timer = this.#ctx.clock.setTimeout(() => void this.runCycle(), delay);
  }

  async #runCycle(): Promise<void> {
    const { log, metrics, store, clock } = this.#ctx;
    const signal = this.#abort.signal;
    let pulled: PullResult = 'unreachable';
    let reported = 0;
    try {
      pulled = await pullBundle({
        url: this.#urls!.bundle, headers: this.headers(this.#urls!.bundle), http: this.#http(), repo: this.#repo, store,
        maxBytes: this.#cfg.maxBundleBytes, signal, wan: (o) => this.#record(o), offer: (b) => this.#offer(b, 'central'),
        authFailed: (m) => this.#ctx.health.raise('sync', 'SYNC_CENTRAL_AUTH', 'warning', m),
        authOk: () => this.#ctx.health.clear('SYNC_CENTRAL_AUTH'),
      });
      // Central did not answer at all: reports and firmware would only fail the same way.
      if (pulled !== 'unreachable' && !this.#wanDown() && !signal.aborted) {
        await this.#feed?.reconcile();
        if (this.#cfg.central!.reports) reported = (await this.#sender().flush(10_000, signal)).sent;
        if (this.#cfg.firmware.download && !this.#wanDown()) await this.#fetcher().run(signal);
      }
    } catch (err) {
      log.error({ err }, 'sync cycle failed');
    }
    this.#backlogHealth();
    const ok = this.wan.status.failures === 0;
    metrics.counter('outpost_sync_cycles_total', 'Sync cycles, by result').inc({ result: ok ? 'ok' : 'failed' });
    await store.commit(() => this.#repo.setCycle(clock.now(), ok, this.wan.status.lastOk)).catch(() => undefined);
    this.#ctx.events.emit('sync.cycle', { ok, wan: this.wan.status.state, bundleChanged: pulled === 'applied', reported });
  }

  /** Headers for a URL: the site credential only goes to central's own origin. */
  headers(url: string): Record<string, string> {
    const c = this.#cfg.central!;
    const origins = new Set([c.url, c.bundleUrl, c.reportUrl].filter((u): u is string => !!u).map((u) => new URL(u).origin));
    const h: Record<string, string> = {
      'user-agent': `outpost/${VERSION}`, 'x-outpost-site': this.#ctx.root.site.id,
      'x-outpost-bundle-version': String(this.#keeper.inForce()?.version ?? 0),
    };
    if (origins.has(new URL(url).origin)) h.authorization = `Bearer ${c.token}`;
    return h;
  }

  #http(): { timeoutMs: number; ca?: string } {
    const c = this.#cfg.central!;
    return { timeoutMs: c.timeout, ...(c.ca ? { ca: readFileSync(c.ca, 'utf8') } : {}) };
  }

  #sender(): OutboxSender {
    return new OutboxSender({
      store: this.#ctx.store, outbox: this.#outbox, site: this.#ctx.root.site.id, url: this.#urls!.report,
      headers: this.headers(this.#urls!.report), http: this.#http(), batchRecords: this.#cfg.outbox.batchRecords,
      batchBytes: this.#cfg.outbox.batchBytes, bundleVersion: () => this.#keeper.inForce()?.version ?? null, wan: (o) => this.#record(o),
    });
  }

  #fetcher(): FirmwareFetcher {
    const { ctx } = { ctx: this.#ctx };
    return new FirmwareFetcher({
      store: ctx.store, firmwareDir: resolve(ctx.root.acs.firmwareDir ?? join(ctx.stateDir, 'firmware')), http: this.#http(),
      locate: (row) => {
        const url = new URL(row.url ?? `firmware/${row.file}`, this.#urls!.bundle).href;
        return { url, headers: this.headers(url) };
      },
      wan: (o) => this.#record(o),
      ready: (row) => {
        ctx.log.info({ file: row.file, version: row.version }, 'firmware image verified and stored');
        ctx.events.emit('sync.firmware.ready', { file: row.file, version: row.version, sha256: row.sha256 });
        if (!new SyncRepo(ctx.store).firmware().some((f) => f.state === 'failed')) ctx.health.clear('SYNC_FIRMWARE');
      },
      failed: (row, message) => ctx.health.raise('sync', 'SYNC_FIRMWARE', 'warning', `${message}; fetched again later`),
    });
  }

  #wanDown(): boolean {
    return this.wan.status.state === 'down';
  }

  #record(o: WanOutcome): void {
    this.wan.record(o);
  }

  #onWan(s: WanStatus, prev: WanStatus): void {
    const { health, events, log, metrics } = this.#ctx;
    const since = new Date(s.since).toISOString();
    if (s.state !== prev.state) log.info({ state: s.state, from: prev.state, reason: s.reason }, 'WAN state changed');
    for (const st of ['up', 'degraded', 'down'] as const) metrics.gauge('outpost_sync_wan_state', 'WAN state (1 for the current one)').set(st === s.state ? 1 : 0, { state: st });
    metrics.gauge('outpost_sync_wan_state_code', 'WAN state: 0 up, 1 degraded, 2 down').set(STATE_VALUE[s.state]);
    if (s.state === 'down') health.raise('sync', 'SYNC_WAN_DOWN', 'warning', `central unreachable since ${since} (${s.reason ?? 'no answer'}); phones are served from the bundle in force`);
    else health.clear('SYNC_WAN_DOWN');
    if (s.state === 'degraded') health.raise('sync', 'SYNC_WAN_DEGRADED', 'info', `WAN degraded since ${since}: ${s.reason ?? ''}`);
    else health.clear('SYNC_WAN_DEGRADED');
    if (s.state !== prev.state) events.emit('sync.wan', { state: s.state, since, reason: s.reason });
    void this.#persistWan(s);
  }

  #persistWan(s: WanStatus): Promise<void> {
    return this.#ctx.store.commit(() => this.#repo.setWan(s)).catch((err: unknown) => this.#ctx.log.error({ err }, 'WAN state not stored'));
  }

  #backlogHealth(): void {
    const b = this.#outbox.backlog();
    const { health, metrics } = this.#ctx;
    metrics.gauge('outpost_sync_outbox_records', 'Report records waiting for central').set(b.records);
    metrics.gauge('outpost_sync_outbox_dropped', 'Report records dropped because the outbox was full').set(b.dropped);
    if (b.records >= this.#cfg.outbox.maxRecords * 0.9 || b.dropped > 0) {
      health.raise('sync', 'SYNC_OUTBOX_FULL', 'warning', `${b.records} report records waiting (bound ${this.#cfg.outbox.maxRecords}); ${b.dropped} oldest dropped so far`);
    } else health.clear('SYNC_OUTBOX_FULL');
  }
}
