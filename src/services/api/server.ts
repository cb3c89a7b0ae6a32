// The management API: Fastify on the management listener only (never the voice VLAN). Every
// /api/v1 route and /metrics needs a principal (services/api/access.ts) whose role grants the
// route's permission; every change (any method but GET/HEAD) by an authenticated caller lands in
// the hash-chained audit log before it is made ('started') and before its response is sent. Errors are {code, message} from the
// catalogue.
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { OutpostError } from '../../core/errors.ts';
import type { ApiContext } from './routes/index.ts';
import { ROUTES } from './routes/index.ts';
import { can, type Principal } from './access.ts';
import { APPROVAL_HEADER } from './approvals.ts';
import { TLS_OPTIONS } from '../tls.ts';
import healthRoutes from './routes/health.ts';
import deviceRoutes from './routes/devices.ts';
import taskRoutes from './routes/tasks.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by a route to say more in its audit entry (e.g. the RPC queued). */
    auditDetail?: string;
  }
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

function unauthorized(reply: FastifyReply): FastifyReply {
  return reply.code(401).header('www-authenticate', 'Bearer').send({ code: 'API_UNAUTHORIZED', message: 'Missing or invalid API token' });
}

export function buildApi(ctx: ApiContext, tls?: { cert: string | string[]; key: string | string[] } | null): FastifyInstance {
  const app = Fastify({
    bodyLimit: ctx.config.maxBodyBytes, logger: false, forceCloseConnections: true, return503OnClosing: true,
    ...(tls ? { https: { ...TLS_OPTIONS, cert: tls.cert, key: tls.key } } : {}),
  }) as unknown as FastifyInstance;
  app.decorateRequest('principal', null);
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
      const cfg = req.routeOptions.config;
      if (cfg.public) return;
      const p = ctx.approvals.principalFor(req.headers[APPROVAL_HEADER]) ?? ctx.access.authenticate(req.headers.authorization);
      if (!p) return unauthorized(reply);
      req.principal = p;
      const need = cfg.permission ?? (READS.has(req.method) ? 'read' : 'admin');
      if (!can(p.role, need)) throw new OutpostError('API_FORBIDDEN', `${req.method} ${req.routeOptions.url ?? req.url} needs the ${need} permission; role ${p.role} does not have it`);
    });
    // Audit every change attempted by someone we know (DESIGN: who, what, when, from where,
    // result; no audit entry lost to a kill -9 or power loss): a durable 'started' entry before
    // the handler may change anything, and the result before the answer leaves. A crash in
    // between leaves the 'started' entry. Login audits itself (it has no principal yet).
    const entry = (req: FastifyRequest, result: string) => ctx.access.record({
      actor: actorOf(req.principal!), action: `${req.method} ${req.routeOptions.url ?? req.url.split('?')[0]}`,
      target: auditTarget(req), source: req.ip, result,
    });
    v1.addHook('preHandler', async (req) => {
      if (!READS.has(req.method) && req.principal) await entry(req, 'started');
    });
    v1.addHook('onSend', async (req, reply, payload) => {
      if (!READS.has(req.method) && req.principal) await entry(req, auditResult(reply.statusCode, payload));
      return payload;
    });
    for (const r of [healthRoutes, deviceRoutes, taskRoutes, ...ROUTES]) await r(v1, ctx);
  }, { prefix: '/api/v1' });
  ctx.approvals.attach(app);
  app.get('/metrics', async (req, reply) => {
    const p = ctx.access.authenticate(req.headers.authorization);
    if (!p) return unauthorized(reply);
    return reply.type('text/plain; version=0.0.4').send(ctx.metrics.render());
  });
  return app;
}

function actorOf(p: Principal): string {
  if (p.approvedBy) return `${p.name} (approved by ${p.approvedBy})`;
  return p.apiToken ? `${p.name} [token ${p.apiToken.name}]` : p.name;
}

function auditTarget(req: FastifyRequest): string | undefined {
  const params = Object.entries((req.params ?? {}) as Record<string, string>).map(([k, v]) => `${k}=${v}`);
  const parts = [...params, ...(req.auditDetail ? [req.auditDetail] : [])];
  return parts.length ? parts.join(' ') : undefined;
}

function auditResult(status: number, payload: unknown): string {
  if (status < 400) return String(status);
  try {
    const code = (JSON.parse(String(payload)) as { code?: unknown }).code;
    return typeof code === 'string' ? `${status} ${code}` : String(status);
  } catch {
    return String(status);
  }
}
