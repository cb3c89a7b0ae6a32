// services/api — wiring only: the box's API token, users and the first admin account from the
// site config, TLS, the Fastify app, the listener.
import type { Service } from '../../core/lifecycle.ts';
import type { ApiConfig } from '../../core/config/schema.ts';
import type { ServiceContext } from '../context.ts';
import { Access } from './access.ts';
import { dummyHash } from '../../core/passwords.ts';
import { Approvals } from './approvals.ts';
import { buildApi } from './server.ts';
import { apiTls } from './tls.ts';
import { loadOrCreateToken } from './token.ts';

export function createApiService(ctx: ServiceContext<ApiConfig>): Service {
  let app: ReturnType<typeof buildApi> | null = null;
  let purge: { cancel(): void } | null = null;
  return {
    name: 'api',
    async start() {
      const t = loadOrCreateToken(ctx.stateDir);
      const access = new Access(ctx.store, ctx.config, ctx.clock, t.token);
      // The first admin account is applied even with the API disabled: the users are the box's.
      if (ctx.root.admin) {
        const r = await access.applySiteAdmin(ctx.root.admin);
        if (r !== 'unchanged') ctx.log.info({ username: ctx.root.admin.username, result: r }, 'first admin account from the site config');
      }
      if (!ctx.config.enabled) return;
      void dummyHash(); // one scrypt off the event loop, ready before the first unknown user name arrives
      const tls = apiTls(ctx.config, ctx.root, ctx.stateDir);
      app = buildApi({ ...ctx, access, approvals: new Approvals(ctx.store, ctx.config.approvals, access.users) }, tls);
      await app.listen({ host: ctx.config.listen.host, port: ctx.config.listen.port });
      const addr = app.server.address();
      const port = typeof addr === 'object' && addr ? addr.port : ctx.config.listen.port;
      const host = ctx.config.listen.host.includes(':') ? `[${ctx.config.listen.host}]` : ctx.config.listen.host;
      const url = `${tls ? 'https' : 'http'}://${host}:${port}/`;
      const tick = () => { void ctx.store.commit(() => access.users.purgeSessions(ctx.config.sessions.idleTimeout)).catch(() => {}); };
      const every = (): void => { tick(); purge = ctx.clock.setTimeout(every, 600_000); };
      purge = ctx.clock.setTimeout(every, 600_000);
      ctx.log.info({ url, tokenFile: t.file, tokenCreated: t.created, https: tls !== null, users: access.users.count() }, 'management API listening');
      ctx.events.emit('api.listening', { url, port, tokenFile: t.file });
    },
    async stop() {
      purge?.cancel();
      purge = null;
      await app?.close();
      app = null;
    },
  };
}
