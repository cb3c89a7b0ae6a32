// GET /api/v1/leases, GET /api/v1/leases/:ip — DHCP leases with what the phone told us (MAC,
// client-id, hostname, vendor class, option 125 identity) and where it hangs (option 82
// circuit-id / remote-id, giaddr), so an operator or the ACS can link a phone to its switch port.
import { z } from 'zod';
import { isIP } from 'node:net';
import type { RouteModule } from './index.ts';
import { OutpostError } from '../../../core/errors.ts';
import { LeaseRepo } from '../../../store/leases.ts';

const listQuery = z.object({
  state: z.enum(['offered', 'bound', 'released', 'declined', 'expired']).optional(),
  /** Only bound, unexpired leases. */
  active: z.enum(['true', 'false']).optional(),
  mac: z.string().regex(/^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$/).optional(),
  scope: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
  offset: z.coerce.number().int().min(0).default(0),
}).strict();

const routes: RouteModule = (app, ctx) => {
  const leases = new LeaseRepo(ctx.store);

  app.get('/leases', async (req) => {
    const r = listQuery.safeParse(req.query ?? {});
    if (!r.success) throw new OutpostError('API_BAD_REQUEST', r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const q = r.data;
    if (q.active === 'true') return leases.active(ctx.clock.now()).slice(q.offset, q.offset + q.limit);
    return leases.list({ ...(q.state ? { state: q.state } : {}), ...(q.mac ? { mac: q.mac } : {}), ...(q.scope ? { scope: q.scope } : {}), limit: q.limit, offset: q.offset });
  });

  app.get<{ Params: { ip: string } }>('/leases/:ip', async (req) => {
    if (isIP(req.params.ip) !== 4) throw new OutpostError('API_BAD_REQUEST', 'ip: must be an IPv4 address');
    const l = leases.findByIp(req.params.ip);
    if (!l) throw new OutpostError('API_NOT_FOUND', `lease ${req.params.ip}`);
    return l;
  });
};
export default routes;
