// GET /api/v1/devices, GET /api/v1/devices/:id — identity, lease, last inform, parameters,
// events, faults, tasks, sessions, transfers, STUN binding. Secrets never appear: credentials
// are reported as present/absent, hidden parameter values are stored masked.
import { z } from 'zod';
import type { RouteModule } from './index.ts';
import { OutpostError } from '../../../core/errors.ts';
import { DeviceRepo } from '../../../store/devices.ts';
import { ParameterRepo } from '../../../store/parameters.ts';
import { EventRepo } from '../../../store/events.ts';
import { FaultRepo } from '../../../store/faults.ts';
import { TaskRepo } from '../../../store/tasks.ts';
import { SessionRepo } from '../../../store/sessions.ts';
import { TransferRepo } from '../../../store/transfers.ts';
import { LeaseRepo } from '../../../store/leases.ts';
import { StunBindingRepo } from '../../../store/stun-bindings.ts';

const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
  q: z.string().max(100).optional(),
}).strict();

export function parseOr400<T>(schema: z.ZodType<T>, v: unknown): T {
  const r = schema.safeParse(v ?? {});
  if (!r.success) throw new OutpostError('API_BAD_REQUEST', r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  return r.data;
}

const routes: RouteModule = (app, ctx) => {
  const s = ctx.store;
  const devices = new DeviceRepo(s);
  const params = new ParameterRepo(s);
  const events = new EventRepo(s);
  const faults = new FaultRepo(s);
  const tasks = new TaskRepo(s);
  const sessions = new SessionRepo(s);
  const transfers = new TransferRepo(s);
  const leases = new LeaseRepo(s);
  const stun = new StunBindingRepo(s);

  app.get('/devices', async (req) => devices.list(parseOr400(listQuery, req.query)));

  app.get<{ Params: { id: string }; Querystring: { prefix?: string } }>('/devices/:id', async (req) => {
    const d = devices.get(req.params.id);
    if (!d) throw new OutpostError('API_NOT_FOUND', `device ${req.params.id}`);
    return {
      device: d,
      lease: d.remoteIp ? leases.findByIp(d.remoteIp) : null,
      stunBinding: stun.byDevice(d.id),
      parameters: params.list(d.id, req.query.prefix ?? ''),
      events: events.list(d.id, 100),
      faults: faults.list(d.id, 100),
      tasks: tasks.list(d.id, 100),
      sessions: sessions.list(d.id, 20),
      transfers: transfers.list(d.id, 20),
      uploads: transfers.uploads(d.id, 20).map((u) => ({ ...u, token: undefined })),
    };
  });
};
export default routes;
