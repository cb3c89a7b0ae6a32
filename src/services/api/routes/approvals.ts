// Changes waiting for a second approval (services/api/approvals.ts): GET /api/v1/approvals
// (?status=pending|executed|failed|rejected), GET /api/v1/approvals/:id (with the request body, to
// review, for those who may decide it), POST /api/v1/approvals/:id/approve, POST /api/v1/approvals/:id/reject. Who may decide is
// checked against the approval's own permission, so these routes need only `read`.
import { z } from 'zod';
import type { RouteModule } from './index.ts';
import { OutpostError } from '../../../core/errors.ts';
import { parseOr400 } from './devices.ts';
import { can, type Permission } from '../access.ts';

const query = z.object({
  status: z.enum(['pending', 'approved', 'executed', 'failed', 'rejected']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
}).strict();

const routes: RouteModule = (app, ctx) => {
  const decide = { config: { permission: 'read' as const } };
  app.get('/approvals', async (req) => {
    const q = parseOr400(query, req.query);
    return { items: ctx.approvals.repo.list(q.status, q.limit).map(({ body: _b, ...r }) => r) };
  });
  app.get<{ Params: { id: string } }>('/approvals/:id', async (req) => {
    const row = ctx.approvals.repo.get(Number(req.params.id));
    if (!row) throw new OutpostError('API_NOT_FOUND', `approval ${req.params.id}`);
    // The request as made, for review — only to those who could decide it (it may carry line passwords).
    const mayDecide = can(req.principal!.role, row.permission as Permission);
    return { ...row, body: row.body === null || !mayDecide ? null : JSON.parse(row.body) as unknown };
  });
  app.post<{ Params: { id: string } }>('/approvals/:id/approve', decide, async (req) => ctx.approvals.approve(Number(req.params.id), req.principal!));
  app.post<{ Params: { id: string } }>('/approvals/:id/reject', decide, async (req) => ctx.approvals.reject(Number(req.params.id), req.principal!));
};
export default routes;
