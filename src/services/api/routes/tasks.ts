// POST /api/v1/devices/:id/tasks — queue any ACS RPC, optionally with a connection request so
// the phone opens a session now; GET …/tasks, GET /api/v1/tasks/:id, DELETE /api/v1/tasks/:id.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { RouteModule } from './index.ts';
import { OutpostError } from '../../../core/errors.ts';
import { validateTaskArgs } from '../../../protocols/cwmp/requests.ts';
import { DeviceRepo } from '../../../store/devices.ts';
import { TaskRepo } from '../../../store/tasks.ts';
import { parseOr400 } from './devices.ts';
import { can, type Permission } from '../access.ts';

/** What an RPC asks of the caller's role: reading and rebooting is operating a phone; firmware is deploying; the rest configures it. */
export function taskPermission(method: string): Permission {
  if (method === 'Reboot' || method === 'GetRPCMethods' || /^Get(ParameterValues|ParameterNames|ParameterAttributes|QueuedTransfers|AllQueuedTransfers)$/.test(method)) return 'devices.operate';
  if (method === 'Download' || method === 'ScheduleDownload') return 'firmware.deploy';
  return 'devices.configure';
}

const body = z.object({
  method: z.string().min(1),
  args: z.record(z.string(), z.unknown()).default({}),
  connectionRequest: z.boolean().default(false),
}).strict();

const routes: RouteModule = (app, ctx) => {
  const devices = new DeviceRepo(ctx.store);
  const tasks = new TaskRepo(ctx.store);
  const iso = () => new Date(ctx.clock.now()).toISOString();

  const connectionRequest = (deviceId: string) => new Promise<{ ok: boolean; path: string; detail: string }>((resolve) => {
    const requestId = randomBytes(8).toString('hex');
    const timer = ctx.clock.setTimeout(() => { off(); resolve({ ok: false, path: 'none', detail: 'no answer from the ACS (is it running?)' }); }, 30_000);
    const off = ctx.events.on('acs.cr.result', (r) => {
      if (r.requestId !== requestId) return;
      timer.cancel();
      off();
      resolve({ ok: r.ok, path: r.path, detail: r.detail });
    });
    ctx.events.emit('acs.cr.request', { requestId, deviceId });
  });

  app.post<{ Params: { id: string } }>('/devices/:id/tasks', { config: { permission: 'devices.operate' } }, async (req, reply) => {
    const b = parseOr400(body, req.body);
    const need = taskPermission(b.method);
    if (!can(req.principal!.role, need)) throw new OutpostError('API_FORBIDDEN', `${b.method} needs the ${need} permission`);
    if (!devices.get(req.params.id)) throw new OutpostError('API_NOT_FOUND', `device ${req.params.id}`);
    const args = validateTaskArgs(b.method, b.args);
    // 2xx only once the task is durable.
    const id = await ctx.store.commit(() => tasks.enqueue(req.params.id, b.method, args, 'api', iso()));
    const cr = b.connectionRequest ? await connectionRequest(req.params.id) : null;
    return reply.code(201).send({ task: tasks.show(id), connectionRequest: cr });
  });

  app.get<{ Params: { id: string } }>('/devices/:id/tasks', async (req) => ({ items: tasks.list(req.params.id, 200) }));

  app.get<{ Params: { id: string } }>('/tasks/:id', async (req) => {
    const t = tasks.show(Number(req.params.id));
    if (!t) throw new OutpostError('API_NOT_FOUND', `task ${req.params.id}`);
    return t;
  });

  app.delete<{ Params: { id: string } }>('/tasks/:id', { config: { permission: 'devices.operate' } }, async (req) => {
    const id = Number(req.params.id);
    const ok = await ctx.store.commit(() => tasks.cancel(id, iso()));
    if (!ok) throw new OutpostError('API_NOT_FOUND', `queued task ${req.params.id}`);
    return tasks.show(id);
  });
};
export default routes;
