// services/stun — wiring only (STYLE habit 1): the socket (server.ts), the request logic
// (handler.ts), binding tracking (bindings.ts), UDP connection requests (cr-sender.ts).
// TR-069 Annex G / tr069-protocol.md §8; README.md in this folder.

import type { Service } from '../../core/lifecycle.ts';
import type { ServiceContext } from '../context.ts';
import type { StunConfig } from '../../core/config/schema.ts';
import type { Timer } from '../../core/clock.ts';
import { StunSocket } from './server.ts';
import { handleDatagram, type Credentials, type HandlerDeps } from './handler.ts';
import { BindingTracker } from './bindings.ts';
import { CrSender } from './cr-sender.ts';
import { StunStats } from './stats.ts';
import './events.ts';

const BIND_RETRY_MS = 30_000;

type Ctx = ServiceContext<StunConfig>;

export function createStunService(ctx: Ctx): Service {
  const cfg = ctx.config;
  const stats = new StunStats(ctx.metrics);
  const tracker = new BindingTracker({
    store: ctx.store, clock: ctx.clock, events: ctx.events, log: ctx.log,
    expiryMs: cfg.bindings.expiry, flushIntervalMs: cfg.bindings.flushInterval, maxCached: cfg.bindings.maxCached,
  });
  const deps: HandlerDeps = {
    policy: cfg.requireIntegrity, lookup: credentialsLookup(ctx, tracker), source: null,
    changed: cfg.changedAddress ? { address: cfg.changedAddress.host, port: cfg.changedAddress.port } : null,
    software: cfg.software ? Buffer.from(cfg.software, 'utf8') : null,
  };
  const socket: StunSocket = new StunSocket({
    host: cfg.listen.host, port: cfg.listen.port, recvBufferBytes: cfg.recvBufferBytes, sendBufferBytes: cfg.sendBufferBytes, log: ctx.log,
    onMessage: packetPath(ctx, deps, stats, tracker, (d, p, a) => socket.reply(d, p, a)),
  });
  const sender = new CrSender({
    clock: ctx.clock, events: ctx.events, log: ctx.log, schedule: cfg.connectionRequest.schedule, maxPending: cfg.connectionRequest.maxPending,
    send: () => (socket.address ? (d, p, a) => socket.send(d, p, a) : null), count: (r) => stats.cr(r),
  });
  const binder = bindWithRetry(ctx, socket, deps);
  const offs: (() => void)[] = [];
  let statsTimer: Timer | null = null;

  return {
    name: 'stun',
    async start() {
      // Even when disabled, answer the ACS so a UDP connection request never waits for nothing.
      offs.push(ctx.events.on('stun.cr.send', (req) => sender.handle(req)));
      offs.push(ctx.events.on('stun.binding', (b) => { if (b.changed) stats.bindingChanged(); }));
      if (!cfg.enabled) return;
      tracker.start();
      statsTimer = ctx.clock.setInterval(() => { stats.flush(); stats.bindings(tracker.repo.count()); }, 5000);
      await binder.bind();
    },
    async stop() {
      for (const off of offs.splice(0)) off();
      binder.cancel();
      statsTimer?.cancel();
      sender.stop();
      await socket.close();
      await tracker.stop();
      stats.flush();
    },
  };
}

/** One datagram: answer, count, record the binding, log what was refused (rate-limited). */
function packetPath(ctx: Ctx, deps: HandlerDeps, stats: StunStats, tracker: BindingTracker,
  reply: (data: Buffer, port: number, address: string) => void): (data: Buffer, address: string, port: number) => void {
  const malformedLog = ctx.log.limited('stun.malformed');
  const refusedLog = ctx.log.limited('stun.refused');
  return (data, address, port) => {
    const r = handleDatagram(data, { address, port }, deps);
    stats.outcome(r.outcome);
    if (r.reply) reply(r.reply.data, r.reply.port, r.reply.address);
    if (r.binding) tracker.observe(r.binding);
    else if (r.outcome === 'malformed') malformedLog.debug({ code: 'STUN_PACKET_MALFORMED', from: `${address}:${port}`, detail: r.detail }, 'STUN datagram dropped');
    else if (r.outcome === 'integrity-failed' || r.outcome === 'bad-request') refusedLog.warn({ code: 'STUN_INTEGRITY', from: `${address}:${port}`, detail: r.detail }, 'STUN request refused');
  };
}

/** Bind; on failure raise STUN_BIND and retry (phones keep provisioning over HTTP meanwhile). */
function bindWithRetry(ctx: Ctx, socket: StunSocket, deps: HandlerDeps): { bind(): Promise<void>; cancel(): void } {
  const cfg = ctx.config;
  let retry: Timer | null = null;
  async function bind(): Promise<void> {
    try {
      const a = await socket.bind();
      const wildcard = a.address === '0.0.0.0' || a.address === '::';
      deps.source = wildcard ? (cfg.sourceAddress ? { address: cfg.sourceAddress, port: a.port } : null) : { address: a.address, port: a.port };
      ctx.health.clear('STUN_BIND');
      const buffers = socket.bufferSizes();
      ctx.log.info({ address: a.address, port: a.port, buffers, requireIntegrity: cfg.requireIntegrity }, 'STUN listening');
      if (buffers && buffers.recv < cfg.recvBufferBytes) ctx.log.warn({ wanted: cfg.recvBufferBytes, got: buffers.recv }, 'STUN receive buffer capped by net.core.rmem_max');
    } catch (err) {
      ctx.health.raise('stun', 'STUN_BIND', 'error', `cannot bind ${cfg.listen.host}:${cfg.listen.port}: ${(err as Error).message}`);
      ctx.log.error({ err, code: 'STUN_BIND' }, 'STUN socket cannot be bound; retrying');
      retry = ctx.clock.setTimeout(() => { retry = null; void bind(); }, BIND_RETRY_MS);
    }
  }
  return { bind, cancel: () => { retry?.cancel(); retry = null; } };
}

function credentialsLookup(ctx: Ctx, tracker: BindingTracker): (username: string) => Credentials | null {
  const fromConfig = new Map(ctx.config.credentials.map((c) => [c.username, { password: c.password, deviceId: c.deviceId ?? null }]));
  return (username) => {
    try {
      const stored = tracker.repo.credentials(username);
      if (stored) return stored;
    } catch (err) {
      ctx.log.limited('stun.credentials').error({ err, username }, 'STUN credentials cannot be read');
    }
    return fromConfig.get(username) ?? null;
  };
}
