// The audit log (security admin): GET /api/v1/audit?limit&offset&actor&action (newest first),
// GET /api/v1/audit/verify (walks the hash chain; names the first broken entry).
import { z } from 'zod';
import type { RouteModule } from './index.ts';
import { parseOr400 } from './devices.ts';

const query = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
  actor: z.string().max(128).optional(),
  action: z.string().max(128).optional(),
}).strict();

const routes: RouteModule = (app, ctx) => {
  const read = { config: { permission: 'audit.read' as const } };
  app.get('/audit', read, async (req) => {
    const q = parseOr400(query, req.query);
    return ctx.access.audit.list(q.limit, q.offset, { actor: q.actor, action: q.action });
  });
  app.get('/audit/verify', read, async () => ctx.access.audit.verify());
};
export default routes;
