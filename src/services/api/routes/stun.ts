// GET /api/v1/stun/bindings, GET /api/v1/stun/bindings/:username — the bindings the STUN
// service learned from TR-069 Annex G Binding Requests (tr069-protocol.md §8.7 step 5): USERNAME
// → public address:port, the device it belongs to, first/last seen, how often the NAT remapped
// it, and whether it is expired (not refreshed within stun.bindings.expiry). No secrets here:
// STUN passwords stay sealed in the store.
import { z } from 'zod';
import type { RouteModule } from './index.ts';
import { OutpostError } from '../../../core/errors.ts';
import { StunBindingRepo, type StunBinding } from '../../../store/stun-bindings.ts';

const listQuery = z.object({
  /** Only bindings refreshed within the expiry. */
  active: z.enum(['true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
  offset: z.coerce.number().int().min(0).default(0),
}).strict();

const iso = (ms: number) => new Date(ms).toISOString();

const routes: RouteModule = (app, ctx) => {
  const repo = new StunBindingRepo(ctx.store);
  const expiry = ctx.root.stun.bindings.expiry;
  const view = (b: StunBinding) => ({
    username: b.username, deviceId: b.deviceId, address: b.address, port: b.port, protocol: b.protocol,
    authenticated: b.authenticated, firstSeen: iso(b.firstSeen), lastSeen: iso(b.lastSeen), lastChange: iso(b.lastChange),
    changes: b.changes, expired: ctx.clock.now() - b.lastSeen > expiry,
  });

  app.get('/stun/bindings', async (req) => {
    const r = listQuery.safeParse(req.query ?? {});
    if (!r.success) throw new OutpostError('API_BAD_REQUEST', r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const q = r.data;
    const all = repo.list({ limit: q.limit, offset: q.offset }).map(view);
    return q.active === 'true' ? all.filter((b) => !b.expired) : all;
  });

  app.get<{ Params: { username: string } }>('/stun/bindings/:username', async (req) => {
    const b = repo.byUsername(req.params.username);
    if (!b) throw new OutpostError('API_NOT_FOUND', `STUN binding ${JSON.stringify(req.params.username.slice(0, 64))}`);
    return view(b);
  });
};
export default routes;
