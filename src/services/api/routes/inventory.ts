// POST /api/v1/inventory — import the CSV inventory (per-position and per-device values and
// secrets): the whole file is checked first and the validation report returned; nothing is
// stored unless every row is good (`?dryRun=true` only checks). Body: text/csv, or JSON
// {"csv": "..."}. `?mode=replace` drops earlier rows, `merge` (default) replaces the keys named.
// GET /api/v1/inventory — what is stored, secrets masked.
import { z } from 'zod';
import { randomBytes } from 'node:crypto';
import type { RouteModule } from './index.ts';
import type { ProvisioningContent } from '../../../provisioning/content.ts';
import { parseInventory } from '../../../provisioning/inventory.ts';
import { ProvisioningRepo } from '../../../store/provisioning.ts';
import { ProvisioningInventoryRepo } from '../../../store/provisioning-inventory.ts';
import { parseOr400 } from './devices.ts';

const postQuery = z.object({
  mode: z.enum(['merge', 'replace']).default('merge'),
  dryRun: z.enum(['true', 'false']).default('false'),
}).strict();
const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
  offset: z.coerce.number().int().min(0).default(0),
}).strict();

const routes: RouteModule = async (app, ctx) => {
  const repo = new ProvisioningRepo(ctx.store);
  const inv = new ProvisioningInventoryRepo(ctx.store);

  await app.register(async (sub) => {
    // Encapsulated: the CSV body parser applies to these routes only.
    sub.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string' }, (_req, body, done) => done(null, body));

    sub.post('/inventory', { config: { permission: 'inventory.write' } }, async (req, reply) => {
      const q = parseOr400(postQuery, req.query);
      const text = typeof req.body === 'string' ? req.body : parseOr400(z.object({ csv: z.string() }).strict(), req.body).csv;
      const { report, entries } = parseInventory(text, repo.loadContent() as unknown as ProvisioningContent);
      if (!report.ok || q.dryRun === 'true') return reply.code(report.ok ? 200 : 400).send({ stored: false, batch: null, report });
      const batch = `inv-${new Date(ctx.clock.now()).toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${randomBytes(3).toString('hex')}`;
      await ctx.store.commit(() => inv.import(entries, { batch, at: new Date(ctx.clock.now()).toISOString(), mode: q.mode }));
      ctx.log.info({ batch, rows: report.rows, values: report.values, secrets: report.secrets, mode: q.mode }, 'inventory imported');
      ctx.events.emit('provisioning.inventory.changed', { batch });
      return { stored: true, batch, report };
    });

    sub.get('/inventory', async (req) => {
      const q = parseOr400(listQuery, req.query);
      return inv.list(q.limit, q.offset);
    });
  });
};
export default routes;
