// The DHCP service's packet path: decode → decide (engine) → make leases durable (group commit)
// → send. Also the expiry sweep, health conditions, metrics and the 'dhcp.lease' event.

import { decode, DhcpDecodeError } from '../../protocols/dhcp/index.ts';
import type { DhcpConfig } from '../../core/config/dhcp.ts';
import type { Config } from '../../core/config/schema.ts';
import { LeaseRepo, type Lease } from '../../store/leases.ts';
import type { ServiceContext } from '../context.ts';
import type { Timer } from '../../core/clock.ts';
import { Engine, type Decision, type Via } from './engine.ts';
import { Pool } from './pool.ts';
import { ScopeTable, type Scope } from './scopes.ts';
import { Transport } from './server.ts';
import type { ReplyContext } from './options.ts';
import { BatchedWriter } from './writer.ts';
import { openLeaseWriter } from '../../store/leases-writer.ts';

declare module '../../core/events.ts' {
  interface EventMap {
    /** A lease was bound, renewed, released, declined or expired (durable when emitted). */
    'dhcp.lease': { ip: string; mac: string; hostname: string | null; state: Lease['state'] };
  }
}

/** Option 43.1 default: dhcp.acs.url, else acs.url, else https://acs.<domain>:<acs port>/ (DESIGN boot path 1). */
export function acsUrlOf(cfg: DhcpConfig, root: Config): string {
  return cfg.acs.url ?? root.acs.url ?? `https://acs.${root.site.domain}:${root.acs.listen.port}/`;
}

export class DhcpServer {
  readonly #ctx: ServiceContext<DhcpConfig>;
  readonly scopes: ScopeTable;
  readonly pool = new Pool();
  readonly repo: LeaseRepo;
  #writer: BatchedWriter | null = null;
  readonly #engine: Engine;
  readonly #transport: Transport;
  readonly #replyCtx = new Map<string, ReplyContext>();
  readonly #exhausted = new Set<string>();
  #sweep: Timer | null = null;
  readonly #m;

  constructor(ctx: ServiceContext<DhcpConfig>) {
    this.#ctx = ctx;
    const cfg = ctx.config;
    this.scopes = new ScopeTable(cfg);
    this.repo = new LeaseRepo(ctx.store);
    const acs = {
      acsUrl: acsUrlOf(cfg, ctx.root),
      ...(cfg.acs.provisioningCode !== undefined ? { provisioningCode: cfg.acs.provisioningCode } : {}),
      ...(cfg.acs.retryMinimumWaitInterval !== undefined ? { retryMinimumWaitInterval: cfg.acs.retryMinimumWaitInterval } : {}),
      ...(cfg.acs.retryIntervalMultiplier !== undefined ? { retryIntervalMultiplier: cfg.acs.retryIntervalMultiplier } : {}),
    };
    const gateway = { oui: cfg.gateway.oui, serial: cfg.gateway.serial ?? ctx.root.site.id, productClass: cfg.gateway.productClass };
    for (const s of this.scopes.scopes) this.#replyCtx.set(s.name, { cfg, scope: s, acs, gateway, cache: new Map() });
    this.#engine = new Engine({ cfg, scopes: this.scopes, pool: this.pool, replyContext: (s) => this.#replyCtx.get(s.name)! });
    this.#transport = new Transport({
      port: cfg.port, listen: cfg.listen, interfaces: this.scopes.interfaces(), helper: cfg.helper,
      receiveBuffer: cfg.receiveBuffer, log: ctx.log, clock: ctx.clock,
      onHelperState: (up, detail) => up ? ctx.health.clear('DHCP_HELPER') : ctx.health.raise('dhcp', 'DHCP_HELPER', 'error', detail),
    });
    const m = ctx.metrics;
    this.#m = {
      received: m.counter('outpost_dhcp_received_total', 'DHCP requests received, by message type'),
      sent: m.counter('outpost_dhcp_sent_total', 'DHCP replies sent, by message type'),
      dropped: m.counter('outpost_dhcp_dropped_total', 'DHCP requests not answered, by reason'),
      exhausted: m.counter('outpost_dhcp_pool_exhausted_total', 'DISCOVERs left unanswered because the pool was full, by scope'),
      declined: m.counter('outpost_dhcp_declined_total', 'Addresses declined by clients (quarantined), by scope'),
      writeFailed: m.counter('outpost_dhcp_lease_write_failed_total', 'Lease writes that failed (no ACK sent)'),
      bound: m.gauge('outpost_dhcp_leases_bound', 'Bound, unexpired leases, by scope'),
      poolSize: m.gauge('outpost_dhcp_pool_size', 'Dynamic addresses in the pool, by scope'),
      commits: m.gauge('outpost_dhcp_lease_commits', 'Lease transactions committed since start (rows / commits = group-commit batch size)'),
      rows: m.gauge('outpost_dhcp_lease_rows_written', 'Lease rows written since start'),
    };
  }

  async start(): Promise<void> {
    this.#writer = new BatchedWriter(await openLeaseWriter(this.#ctx.store));
    this.pool.load(this.repo.all());
    for (const s of this.scopes.scopes) this.#m.poolSize.set(s.poolSize, { scope: s.name });
    this.#gauges();
    try {
      await this.#transport.start((buf, via) => this.onPacket(buf, via));
    } catch (err) {
      // a failed service is not stopped by the lifecycle: release what we opened
      await this.#transport.stop();
      await this.#writer.close();
      throw err;
    }
    this.#sweep = this.#ctx.clock.setInterval(() => this.sweep(), this.#ctx.config.sweepInterval);
  }

  async stop(): Promise<void> {
    const st = this.#writer?.stats;
    this.#ctx.log.info({ leaseRows: st?.rows, leaseCommits: st?.commits, writer: st?.mode }, 'dhcp stopping');
    this.#sweep?.cancel();
    await this.#transport.stop();
    await this.#writer?.close();
  }

  onPacket(buf: Buffer, via: Via): void {
    let d: Decision;
    try {
      const p = decode(buf);
      d = this.#engine.handle(p, via, this.#ctx.clock.now());
    } catch (err) {
      const malformed = err instanceof DhcpDecodeError || err instanceof RangeError;
      this.#m.dropped.inc({ reason: malformed ? 'malformed' : 'internal' });
      const l = this.#ctx.log.limited('dhcp-bad-packet');
      if (malformed) l.debug({ code: 'DHCP_PACKET_MALFORMED', err: (err as Error).message, bytes: buf.length }, 'malformed DHCP packet dropped');
      else l.error({ err }, 'DHCP request failed');
      return;
    }
    this.#m.received.inc({ type: d.type });
    if (d.drop) this.#m.dropped.inc({ reason: d.drop });
    if (d.nak) this.#ctx.log.limited('dhcp-nak', 30).info(d.nak, 'DHCP NAK');
    if (d.scope) this.#exhaustion(d.scope, d.exhausted, d.reply !== null && d.reply.type === 'OFFER');
    if (d.save.length === 0) {
      if (d.reply) this.#send(d, via);
      return;
    }
    const rows = d.save;
    this.#writer!.write(rows).then(() => {
      if (d.reply) this.#send(d, via); // RFC 2131 §4.3.2 ACK only once the binding is durable
      this.#ctx.health.clear('DHCP_LEASE_WRITE');
      for (const l of rows) {
        if (l.state === 'declined') this.#m.declined.inc({ scope: l.scope });
        this.#ctx.events.emit('dhcp.lease', { ip: l.ip, mac: l.mac, hostname: l.hostname, state: l.state });
      }
    }, (err: unknown) => {
      d.undo?.();
      this.#m.writeFailed.inc();
      this.#ctx.health.raise('dhcp', 'DHCP_LEASE_WRITE', 'error', `lease write failed: ${(err as Error).message}`);
      this.#ctx.log.limited('dhcp-write').error({ err }, 'lease write failed; no ACK sent');
    });
  }

  #send(d: Decision, via: Via): void {
    this.#transport.send(d.reply!, via);
    this.#m.sent.inc({ type: d.reply!.type });
  }

  /** Pool exhaustion: silence to the client, a health condition and a metric (never a crash). */
  #exhaustion(scope: Scope, exhausted: boolean, offered: boolean): void {
    if (exhausted) {
      this.#m.exhausted.inc({ scope: scope.name });
      if (!this.#exhausted.has(scope.name)) {
        this.#exhausted.add(scope.name);
        this.#ctx.log.warn({ scope: scope.name, code: 'DHCP_POOL_EXHAUSTED' }, 'DHCP pool exhausted');
      }
    } else if (offered && this.#exhausted.delete(scope.name)) {
      this.#ctx.log.info({ scope: scope.name }, 'DHCP pool has free addresses again');
    } else return;
    if (this.#exhausted.size > 0) {
      this.#ctx.health.raise('dhcp', 'DHCP_POOL_EXHAUSTED', 'error', `no free address in scope ${[...this.#exhausted].join(', ')}`);
    } else this.#ctx.health.clear('DHCP_POOL_EXHAUSTED');
  }

  /** Expire bound leases past their time (durably) and forget lapsed offers. */
  sweep(): Promise<void> {
    const now = this.#ctx.clock.now();
    for (const e of this.pool.staleOffers(now)) this.pool.dropOffer(e.n);
    const rows = this.pool.expired(now).map((e) => ({ ...e.lease, state: 'expired' as const, updatedAt: now }));
    for (const l of rows) this.pool.put(l, 0);
    if (rows.length > 0) this.pool.freed();
    this.#gauges();
    if (rows.length === 0) return Promise.resolve();
    return this.#writer!.write(rows).then(() => {
      for (const l of rows) this.#ctx.events.emit('dhcp.lease', { ip: l.ip, mac: l.mac, hostname: l.hostname, state: 'expired' });
    }, (err: unknown) => this.#ctx.log.error({ err }, 'writing expired leases failed; retried at the next sweep'));
  }

  #gauges(): void {
    const now = this.#ctx.clock.now();
    this.#m.commits.set(this.#writer?.stats.commits ?? 0);
    this.#m.rows.set(this.#writer?.stats.rows ?? 0);
    for (const s of this.scopes.scopes) this.#m.bound.set(this.pool.countBound(s.name, now), { scope: s.name });
  }
}
