// Personal API tokens, for scripts (DESIGN "sessions and API tokens"): POST/GET /api/v1/auth/tokens,
// DELETE /api/v1/auth/tokens/:id. A token acts as its user with the user's role at each use; it is
// made only from a login session (a token cannot mint tokens) and shown once.
import { z } from 'zod';
import type { RouteModule } from './index.ts';
import { OutpostError } from '../../../core/errors.ts';
import { can } from '../access.ts';
import { parseOr400 } from './devices.ts';

const tokenBody = z.object({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/, 'must be 1–64 letters, digits, space, dot, dash or underscore'),
  /** Seconds; at most a year. */
  expiresIn: z.number().int().min(60).max(366 * 86_400).default(90 * 86_400).transform((s) => s * 1000),
}).strict();

const routes: RouteModule = (app, ctx) => {
  const { access } = ctx;

  app.post('/auth/tokens', { config: { permission: 'read' } }, async (req, reply) => {
    const p = req.principal!;
    if (!p.session) throw new OutpostError('API_BAD_REQUEST', 'log in as a user to make an API token');
    const b = parseOr400(tokenBody, req.body);
    const made = await ctx.store.commit(() => access.users.createToken(p.name, b.name, b.expiresIn));
    req.auditDetail = `token ${b.name}`;
    return reply.code(201).header('cache-control', 'no-store').send({ token: made.token, ...made.row });
  });

  app.get('/auth/tokens', async (req) => {
    const p = req.principal!;
    return { items: can(p.role, 'users.manage') ? access.users.tokens() : access.users.tokens(p.name) };
  });

  app.delete<{ Params: { id: string } }>('/auth/tokens/:id', { config: { permission: 'read' } }, async (req, reply) => {
    const p = req.principal!;
    const id = Number(req.params.id);
    const owner = Number.isInteger(id) ? access.users.tokenOwner(id) : null;
    if (owner === null) throw new OutpostError('API_NOT_FOUND', `API token ${req.params.id}`);
    if (owner.toLowerCase() !== p.name.toLowerCase() && !can(p.role, 'users.manage')) throw new OutpostError('API_FORBIDDEN', "revoking another user's token needs the users.manage permission");
    await ctx.store.commit(() => access.users.revokeToken(id));
    return reply.code(204).send();
  });
};
export default routes;
