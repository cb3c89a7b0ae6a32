// Users and roles (security admin): GET/POST /api/v1/users, GET/PATCH/DELETE /api/v1/users/:name,
// GET /api/v1/roles. Only an admin may create, change or remove an admin; the last enabled admin
// cannot be demoted, disabled or removed. Role and password changes close the user's sessions.
import { z } from 'zod';
import type { FastifyRequest } from 'fastify';
import type { RouteModule } from './index.ts';
import { OutpostError } from '../../../core/errors.ts';
import { usernameSchema } from '../../../core/config/admin.ts';
import { hashPassword, MAX_PASSWORD_LENGTH, passwordProblem } from '../../../core/passwords.ts';
import { can, permissionsOf, ROLES, type Role } from '../access.ts';
import { parseOr400 } from './devices.ts';

const username = usernameSchema;
const role = z.enum(ROLES);
const createBody = z.object({ username, role, password: z.string().min(1).max(MAX_PASSWORD_LENGTH) }).strict();
const patchBody = z.object({ role: role.optional(), disabled: z.boolean().optional(), password: z.string().min(1).max(MAX_PASSWORD_LENGTH).optional() }).strict()
  .refine((b) => b.role !== undefined || b.disabled !== undefined || b.password !== undefined, { message: 'nothing to change' });

/** Only an admin touches an admin account or grants the admin role. */
function guardAdmin(req: FastifyRequest, ...roles: (string | undefined)[]): void {
  if (roles.includes('admin') && !can(req.principal!.role, 'admin')) throw new OutpostError('API_FORBIDDEN', 'only an admin may create, change or remove an admin');
}

function weak(password: string, name: string): void {
  const problem = passwordProblem(password, name);
  if (problem) throw new OutpostError('API_WEAK_PASSWORD', `the password ${problem}`);
}

const routes: RouteModule = (app, ctx) => {
  const { access } = ctx;
  const users = access.users;
  const manage = { config: { permission: 'users.manage' as const } };

  app.get('/roles', async () => ({ items: ROLES.map((r) => ({ role: r, permissions: permissionsOf(r) })) }));

  app.get('/users', manage, async () => ({ items: users.list() }));

  app.get<{ Params: { name: string } }>('/users/:name', manage, async (req) => {
    const u = users.get(req.params.name);
    if (!u) throw new OutpostError('API_NOT_FOUND', `user ${req.params.name}`);
    return u;
  });

  app.post('/users', manage, async (req, reply) => {
    const b = parseOr400(createBody, req.body);
    guardAdmin(req, b.role);
    weak(b.password, b.username);
    if (users.get(b.username)) throw new OutpostError('API_CONFLICT', `user ${b.username} exists`);
    const hash = await hashPassword(b.password);
    await ctx.store.commit(() => users.create({ username: b.username, role: b.role, passwordHash: hash, source: 'api' }));
    return reply.code(201).send(users.get(b.username));
  });

  app.patch<{ Params: { name: string } }>('/users/:name', manage, async (req) => {
    const b = parseOr400(patchBody, req.body);
    const u = users.get(req.params.name);
    if (!u) throw new OutpostError('API_NOT_FOUND', `user ${req.params.name}`);
    guardAdmin(req, u.role, b.role);
    if (b.password !== undefined) weak(b.password, u.username);
    const hash = b.password !== undefined ? await hashPassword(b.password) : null;
    await ctx.store.commit(() => {
      const demoted = u.role === 'admin' && ((b.role !== undefined && b.role !== 'admin') || b.disabled === true);
      if (demoted && !u.disabled && users.countActive('admin') <= 1) throw new OutpostError('API_CONFLICT', `${u.username} is the last enabled admin`);
      users.update(u.username, { role: b.role as Role | undefined, disabled: b.disabled });
      if (hash) users.setPassword(u.username, hash);
      users.closeSessionsOf(u.username);
    });
    return users.get(u.username);
  });

  app.delete<{ Params: { name: string } }>('/users/:name', manage, async (req, reply) => {
    const u = users.get(req.params.name);
    if (!u) throw new OutpostError('API_NOT_FOUND', `user ${req.params.name}`);
    guardAdmin(req, u.role);
    if (req.principal!.kind === 'user' && req.principal!.name.toLowerCase() === u.username.toLowerCase()) throw new OutpostError('API_CONFLICT', 'you cannot remove your own account');
    await ctx.store.commit(() => {
      if (u.role === 'admin' && !u.disabled && users.countActive('admin') <= 1) throw new OutpostError('API_CONFLICT', `${u.username} is the last enabled admin`);
      users.delete(u.username);
    });
    return reply.code(204).send();
  });
};
export default routes;
