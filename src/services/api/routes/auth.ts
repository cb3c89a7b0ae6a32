// Sessions of management-plane users: POST /api/v1/auth/login (public), POST /auth/logout,
// GET /auth/me, POST /auth/password (own password; closes the user's other sessions). Personal
// API tokens are in tokens.ts.
// Passwords only over HTTPS or a loopback connection; the session token is shown once.
import { z } from 'zod';
import type { FastifyRequest } from 'fastify';
import type { RouteModule } from './index.ts';
import { OutpostError } from '../../../core/errors.ts';
import { isLoopback } from '../../../core/net.ts';
import { hashPassword, MAX_PASSWORD_LENGTH, passwordProblem } from '../../../core/passwords.ts';
import { permissionsOf } from '../access.ts';
import { parseOr400 } from './devices.ts';

const loginBody = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(MAX_PASSWORD_LENGTH) }).strict();
const passwordBody = z.object({ current: z.string().min(1).max(MAX_PASSWORD_LENGTH), password: z.string().min(1).max(MAX_PASSWORD_LENGTH) }).strict();

/** Is the connection encrypted, or from this box itself? */
export function secureEnough(req: FastifyRequest): boolean {
  return (req.socket as { encrypted?: boolean }).encrypted === true || isLoopback(req.socket.remoteAddress ?? '');
}

const routes: RouteModule = (app, ctx) => {
  const { access } = ctx;

  app.post('/auth/login', { config: { public: true } }, async (req, reply) => {
    if (!secureEnough(req)) throw new OutpostError('API_INSECURE_LOGIN');
    const b = parseOr400(loginBody, req.body);
    try {
      const s = await access.login(b.username, b.password, req.ip);
      return reply.code(201).header('cache-control', 'no-store').send({ token: s.token, expiresAt: s.expiresAt, user: { username: s.username, role: s.role, permissions: permissionsOf(s.role) } });
    } catch (err) {
      const retry = (err as { retryAfter?: number }).retryAfter;
      if (retry) reply.header('retry-after', String(retry));
      throw err;
    }
  });

  app.post('/auth/logout', { config: { permission: 'read' } }, async (req, reply) => {
    const p = req.principal!;
    if (p.session) await ctx.store.commit(() => access.users.closeSession(p.session!));
    return reply.code(204).send();
  });

  app.get('/auth/me', async (req) => {
    const p = req.principal!;
    const u = p.kind === 'user' ? access.users.get(p.name) : null;
    return { kind: p.kind, username: p.name, role: p.role, permissions: permissionsOf(p.role), ...(u ? { lastLogin: u.lastLogin, passwordChangedAt: u.passwordChangedAt } : {}) };
  });

  app.post('/auth/password', { config: { permission: 'read' } }, async (req, reply) => {
    const p = req.principal!;
    if (!p.session) throw new OutpostError('API_BAD_REQUEST', 'log in as the user to change its password (not with an API token)');
    if (!secureEnough(req)) throw new OutpostError('API_INSECURE_LOGIN');
    const b = parseOr400(passwordBody, req.body);
    if (!(await access.checkPassword(p.name, b.current))) throw new OutpostError('API_LOGIN_FAILED', 'the current password is wrong');
    const problem = passwordProblem(b.password, p.name);
    if (problem) throw new OutpostError('API_WEAK_PASSWORD', `the new password ${problem}`);
    const hash = await hashPassword(b.password);
    const closed = await ctx.store.commit(() => {
      access.users.setPassword(p.name, hash);
      return access.users.closeSessionsOf(p.name, p.session ?? undefined);
    });
    return reply.code(200).send({ ok: true, otherSessionsClosed: closed });
  });
};
export default routes;
