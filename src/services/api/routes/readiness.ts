// GET /api/v1/readiness, GET /api/v1/readiness/:model — the model readiness reports: for each
// model (OUI-ProductClass) first seen, its voice and network objects, which intents it can take,
// and whether TLS, Digest, credential rotation, connection requests and firmware download were
// proven (src/provisioning/readiness.ts). `?tree=1` adds the discovered parameter tree.
import type { RouteModule } from './index.ts';
import { OutpostError } from '../../../core/errors.ts';
import { ReadinessRepo } from '../../../store/provisioning-inventory.ts';

const routes: RouteModule = (app, ctx) => {
  const repo = new ReadinessRepo(ctx.store);
  app.get('/readiness', async () => repo.list());
  app.get<{ Params: { model: string }; Querystring: { tree?: string } }>('/readiness/:model', async (req) => {
    const r = repo.get<Record<string, unknown>>(req.params.model);
    if (!r) throw new OutpostError('API_NOT_FOUND', `no readiness report for model ${JSON.stringify(req.params.model.slice(0, 128))}`);
    if (req.query.tree === '1') return r;
    const { tree: _tree, ...rest } = r;
    return rest;
  });
};
export default routes;
