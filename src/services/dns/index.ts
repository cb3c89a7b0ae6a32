// services/dns — wiring only (STYLE habit 1): sockets in server.ts, the packet path in
// responder.ts, the zones in zone.ts / zone-build.ts / local-zone.ts, forwarding in
// forwarder.ts with cache.ts. RFC 1035, 2308, 2782, 3263, 3403, 3596, 6891, 7766; README.md here.

import type { Service } from '../../core/lifecycle.ts';
import type { Timer } from '../../core/clock.ts';
import type { ServiceContext } from '../context.ts';
import type { DnsConfig } from '../../core/config/schema.ts';
import { LeaseRepo } from '../../store/leases.ts';
import { resolveSettings, type DnsSettings } from './settings.ts';
import { ClientAcl } from './acl.ts';
import { ResponseCache } from './cache.ts';
import { Forwarder } from './forwarder.ts';
import { Responder } from './responder.ts';
import { DnsServer } from './server.ts';
import { DnsStats } from './stats.ts';
import { ZoneBuilder, type LeaseSource } from './zone-build.ts';
import { LocalZone } from './local-zone.ts';
import './events.ts';

const BIND_RETRY_MS = 30_000;
const STATS_FLUSH_MS = 5_000;
const MIN_REBUILD_MS = 500;

export function createDnsService(ctx: ServiceContext<DnsConfig>): Service {
  const cfg = ctx.config;
  const timers: Timer[] = [];
  const offs: (() => void)[] = [];
  let server: DnsServer | null = null;
  let forwarder: Forwarder | null = null;
  let local: LocalZone | null = null;
  let stats: DnsStats | null = null;

  async function bind(s: DnsServer): Promise<void> {
    const before = s.bound.length;
    const failed = await s.bindPending();
    if (s.bound.length > before) {
      ctx.events.emit('dns.listening', { addresses: [...s.bound] });
      ctx.log.info({ listen: s.bound, upstreams: cfg.upstream.servers.length }, 'DNS listening (UDP and TCP)');
    }
    if (failed.length === 0) { ctx.health.clear('DNS_BIND'); return; }
    // DHCP, the ACS and STUN keep working without DNS, and the addresses that bound keep serving:
    // report, retry the others, never stop the node.
    const what = failed.map((f) => `${f.host}:${f.port}: ${f.error.message}`).join('; ');
    ctx.health.raise('dns', 'DNS_BIND', 'error', `cannot bind ${what}`);
    ctx.log.error({ code: 'DNS_BIND', failed: failed.map((f) => ({ host: f.host, port: f.port, err: f.error.message })) }, 'DNS sockets cannot be bound; retrying');
    timers.push(ctx.clock.setTimeout(() => { void bind(s); }, BIND_RETRY_MS));
  }

  return {
    name: 'dns',
    async start() {
      if (!cfg.enabled) return;
      const settings = resolveSettings(cfg, ctx.root);
      if (settings.zone.acs.length === 0) ctx.log.warn({ domain: settings.zone.domain }, 'no address for acs.<domain>: set dns.zone.acs (the ACS listens on a wildcard address)');
      const st = (stats = new DnsStats(ctx.metrics));
      const cache = new ResponseCache(cfg.cache.maxEntries);
      if (cfg.upstream.servers.length > 0) {
        forwarder = makeForwarder(ctx, cache, st);
        await forwarder.start();
      }
      const parts = makeResponder(ctx, settings, forwarder, st, new LeaseRepo(ctx.store));
      local = parts.local;
      local.start();
      offs.push(ctx.events.on('dhcp.lease', (e) => parts.local.leaseChanged(e)));
      timers.push(ctx.clock.setInterval(() => st.flush(cache.size, forwarder ? forwarder.up : null), STATS_FLUSH_MS));
      server = new DnsServer({
        listen: settings.listen, respond: (m, a, t) => parts.responder.respond(m, a, t), receiveBuffer: cfg.receiveBuffer,
        tcpIdleMs: cfg.tcp.idleTimeout, maxTcpConnections: cfg.tcp.maxConnections, log: ctx.log,
      });
      await bind(server);
    },
    async stop() {
      for (const off of offs.splice(0)) off();
      for (const t of timers.splice(0)) t.cancel();
      await server?.stop();
      forwarder?.stop();
      local?.stop();
      stats?.flush(0, null);
      server = null; forwarder = null; local = null;
    },
  };
}

function makeResponder(ctx: ServiceContext<DnsConfig>, settings: DnsSettings, forwarder: Forwarder | null, st: DnsStats, repo: LeaseSource): { local: LocalZone; responder: Responder } {
  const cfg = ctx.config;
  const leases = settings.zone.leases.enabled ? repo : null;
  let responder: Responder | null = null;
  const local = new LocalZone({
    builder: new ZoneBuilder(settings.zone), leases, clock: ctx.clock, log: ctx.log, domain: settings.zone.domain,
    refreshMs: settings.zone.leases.refreshMs, minRebuildMs: MIN_REBUILD_MS,
    onChange: (z) => responder?.setZone(z),
  });
  responder = new Responder(local.zone, {
    acl: new ClientAcl(settings.allow), forwarder, ednsUdpSize: cfg.ednsUdpSize, maxUdpSize: cfg.maxUdpSize,
    stats: st, log: ctx.log, now: () => ctx.clock.now(),
  });
  return { local, responder };
}

function makeForwarder(ctx: ServiceContext<DnsConfig>, cache: ResponseCache, st: DnsStats): Forwarder {
  const u = ctx.config.upstream;
  return new Forwarder({
    servers: u.servers, timeoutMs: u.timeout, attemptMs: u.attemptTimeout, downAfter: u.downAfter,
    probeMs: u.probeInterval, maxInFlight: u.maxInFlight, ednsUdpSize: ctx.config.ednsUdpSize, cache,
    limits: { maxTtlMs: ctx.config.cache.maxTtl, maxNegativeTtlMs: ctx.config.cache.maxNegativeTtl },
    clock: ctx.clock, log: ctx.log, count: (w) => st.count(w),
    onStateChange(up, down) {
      if (up) ctx.health.clear('DNS_UPSTREAM_DOWN');
      else ctx.health.raise('dns', 'DNS_UPSTREAM_DOWN', 'warning', `no upstream resolver answers (${down.join(', ')}); local names still answer, others get SERVFAIL`);
      ctx.events.emit('dns.upstream', { up, down });
    },
  });
}
