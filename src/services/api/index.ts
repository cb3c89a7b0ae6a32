// services/api — wiring only: the token, the Fastify app, the listener.
import type { Service } from '../../core/lifecycle.ts';
import type { ApiConfig } from '../../core/config/schema.ts';
import type { ServiceContext } from '../context.ts';
import { buildApi } from './server.ts';
import { loadOrCreateToken } from './token.ts';

export function createApiService(ctx: ServiceContext<ApiConfig>): Service {
  let app: ReturnType<typeof buildApi> | null = null;
  return {
    name: 'api',
    async start() {
      if (!ctx.config.enabled) return;
      const t = loadOrCreateToken(ctx.stateDir);
      app = buildApi(ctx, t.token);
      await app.listen({ host: ctx.config.listen.host, port: ctx.config.listen.port });
      const addr = app.server.address();
      const port = typeof addr === 'object' && addr ? addr.port : ctx.config.listen.port;
      const url = `http://${ctx.config.listen.host.includes(':') ? `[${ctx.config.listen.host}]` : ctx.config.listen.host}:${port}/`;
      ctx.log.info({ url, tokenFile: t.file, tokenCreated: t.created }, 'management API listening');
      ctx.events.emit('api.listening', { url, port, tokenFile: t.file });
    },
    async stop() {
      await app?.close();
      app = null;
    },
  };
}
