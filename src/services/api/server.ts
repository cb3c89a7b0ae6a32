// The management API: Fastify on the management listener only (never the voice VLAN), every
// /api/v1 route behind the bearer token, errors as {code, message} from the catalogue.
import Fastify, { type FastifyInstance } from 'fastify';
import { OutpostError } from '../../core/errors.ts';
import type { ApiContext } from './routes/index.ts';
import { ROUTES } from './routes/index.ts';
import { tokenMatches } from './token.ts';
import healthRoutes from './routes/health.ts';
import deviceRoutes from './routes/devices.ts';
import taskRoutes from './routes/tasks.ts';

export function buildApi(ctx: ApiContext, token: string): FastifyInstance {
  const app = Fastify({ bodyLimit: ctx.config.maxBodyBytes, logger: false, forceCloseConnections: true, return503OnClosing: true });
  app.setErrorHandler((err: Error & { statusCode?: number; code?: string; validation?: unknown }, req, reply) => {
    if (err instanceof OutpostError) return reply.code(err.status).send(err.toJSON());
    if (err.statusCode === 413) return reply.code(413).send({ code: 'API_BODY_TOO_LARGE', message: 'Request body too large' });
    if (err.statusCode && err.statusCode < 500) return reply.code(err.statusCode).send({ code: 'API_BAD_REQUEST', message: err.message });
    ctx.log.error({ err, url: req.url }, 'API request failed');
    return reply.code(500).send({ code: 'INTERNAL', message: 'Internal error' });
  });
  app.setNotFoundHandler((_req, reply) => reply.code(404).send({ code: 'API_NOT_FOUND', message: 'No such resource' }));
  // Unauthenticated liveness for load balancers and systemd checks: the status word only.
  app.get('/healthz', async () => ({ status: ctx.health.status() }));
  app.register(async (v1) => {
    v1.addHook('onRequest', async (req, reply) => {
      if (!tokenMatches(token, req.headers.authorization)) {
        return reply.code(401).header('www-authenticate', 'Bearer').send({ code: 'API_UNAUTHORIZED', message: 'Missing or invalid API token' });
      }
    });
    for (const r of [healthRoutes, deviceRoutes, taskRoutes, ...ROUTES]) await r(v1, ctx);
  }, { prefix: '/api/v1' });
  app.get('/metrics', async (req, reply) => {
    if (!tokenMatches(token, req.headers.authorization)) return reply.code(401).send({ code: 'API_UNAUTHORIZED', message: 'Missing or invalid API token' });
    return reply.type('text/plain; version=0.0.4').send(ctx.metrics.render());
  });
  return app;
}
