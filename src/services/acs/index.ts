// services/acs — wiring only (STYLE habit 1): TLS material, the engine, the HTTPS listener,
// connection requests on request, and recovery of work interrupted by a crash.

import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Service } from '../../core/lifecycle.ts';
import type { AcsConfig } from '../../core/config/schema.ts';
import type { ServiceContext } from '../context.ts';
import { Authenticator } from './auth.ts';
import { SessionTable } from './sessions.ts';
import { makeRepos } from './repos.ts';
import { buildServer } from './server.ts';
import { Admission } from './admission.ts';
import { loadOrGenerateTls } from './tls.ts';
import { endSession } from './dispatch.ts';
import { startConnectionRequests } from './cr-service.ts';
import { startProvisioning } from './provision-service.ts';
import type { Engine } from './engine.ts';

export function createAcsService(ctx: ServiceContext<AcsConfig>): Service {
  const cfg = ctx.config;
  let app: ReturnType<typeof buildServer> | null = null;
  let admission: Admission | null = null;
  let stopCr: (() => void) | null = null;
  const repos = makeRepos(ctx.store);
  const engine: Engine = {
    cfg, root: ctx.root, clock: ctx.clock, log: ctx.log, logBad: ctx.log.limited('acs-bad-input', 30), events: ctx.events,
    metrics: ctx.metrics, store: ctx.store, repos,
    auth: new Authenticator(cfg.auth, ctx.clock, randomBytes(32)),
    sessions: new SessionTable(ctx.clock, (s, kind) => {
      s.busy = s.busy.then(() => endSession(engine, s, `timeout: ${kind}`)).catch((err: unknown) => ctx.log.error({ err }, 'ending session failed'));
    }),
    baseUrl: cfg.url ?? '',
    firmwareDir: resolve(cfg.firmwareDir ?? join(ctx.stateDir, 'firmware')),
    uploadDir: join(ctx.stateDir, 'uploads'),
  };
  const active = ctx.metrics.gauge('outpost_acs_sessions_active', 'CWMP sessions in progress');

  return {
    name: 'acs',
    async start() {
      if (!cfg.enabled) return;
      const at = new Date(ctx.clock.now()).toISOString();
      // Work a crash interrupted: sessions left open are closed, tasks in flight go back to the queue.
      const recovered = await ctx.store.commit(() => ({ sessions: repos.sessions.closeDangling(at), tasks: repos.tasks.recoverInFlight(at) }));
      if (recovered.sessions + recovered.tasks > 0) ctx.log.info(recovered, 'recovered interrupted sessions and tasks');
      const tls = cfg.tls.plainHttp ? null : loadOrGenerateTls(cfg, ctx.root, ctx.stateDir);
      if (tls?.generated) ctx.log.info({ ca: tls.caFile }, 'generated the site CA and ACS certificate');
      if (!tls) ctx.log.warn('ACS is serving plain HTTP (acs.tls.plainHttp): Digest only, no Basic');
      app = buildServer(engine, tls);
      await app.ready();
      admission = new Admission(app.server, { ...cfg.admission, plain: !tls }, ctx.clock, ctx.metrics);
      await admission.listen(cfg.listen.host, cfg.listen.port);
      // The HTTP server never listens itself: 'listening' starts its connection tracking (request
      // and headers timeouts, closeAllConnections), which Node ties to that event.
      app.server.emit('listening');
      const addr = admission.front.address();
      const port = typeof addr === 'object' && addr ? addr.port : cfg.listen.port;
      const host = cfg.listen.host === '0.0.0.0' || cfg.listen.host === '::' ? `acs.${ctx.root.site.domain}` : cfg.listen.host.includes(':') ? `[${cfg.listen.host}]` : cfg.listen.host;
      engine.baseUrl = cfg.url ?? `${tls ? 'https' : 'http'}://${host}:${port}/`;
      if (!engine.baseUrl.endsWith('/')) engine.baseUrl += '/';
      const stops = [startConnectionRequests(engine), startProvisioning(engine, ctx.health)];
      const t = ctx.clock.setInterval(() => active.set(engine.sessions.size), 5000);
      stopCr = () => { for (const s of stops) s(); t.cancel(); };
      ctx.log.info({ url: engine.baseUrl, tls: Boolean(tls) }, 'ACS listening');
      ctx.events.emit('acs.listening', { url: engine.baseUrl, port, caFile: tls?.caFile ?? null });
    },
    async stop() {
      stopCr?.();
      for (const s of engine.sessions.all()) await endSession(engine, s, 'shutdown');
      await admission?.close();
      admission = null;
      app?.server.closeAllConnections();
      await app?.close();
      app = null;
    },
  };
}
