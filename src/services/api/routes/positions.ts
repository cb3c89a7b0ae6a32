// GET /api/v1/positions, GET /api/v1/positions/:id — where phones hang: the switch port or
// device a position matches, its zone, its line identity (secrets masked, inventory values
// included), the phone that holds it now and the one it replaced ("swap and go").
import type { RouteModule } from './index.ts';
import { OutpostError } from '../../../core/errors.ts';
import type { Position, ProvisioningContent } from '../../../provisioning/content.ts';
import { ProvisioningRepo } from '../../../store/provisioning.ts';
import { ProvisioningDeviceRepo } from '../../../store/provisioning-devices.ts';
import { ProvisioningInventoryRepo } from '../../../store/provisioning-inventory.ts';
import { masked } from './templates.ts';
import { deviceView } from './compliance.ts';

const routes: RouteModule = (app, ctx) => {
  const repo = new ProvisioningRepo(ctx.store);
  const prov = new ProvisioningDeviceRepo(ctx.store);
  const inv = new ProvisioningInventoryRepo(ctx.store);
  const view = (p: Position, binding: ReturnType<ProvisioningDeviceRepo['bindings']>[number] | undefined) => {
    const state = binding ? prov.get(binding.deviceId) : null;
    return {
      id: p.id, name: p.name, zone: p.zone, template: p.template, match: p.match,
      values: masked({ ...p.values, ...inv.values('position', [p.id]) }),
      device: binding ? { deviceId: binding.deviceId, boundAt: binding.boundAt, replaced: binding.previousDevice } : null,
      compliance: state ? deviceView(state) : null,
    };
  };

  app.get('/positions', async () => {
    const c = repo.loadContent() as unknown as ProvisioningContent;
    const bindings = new Map(prov.bindings().map((b) => [b.positionId, b]));
    return Object.values(c.positions).map((p) => view(p, bindings.get(p.id)));
  });

  app.get<{ Params: { id: string } }>('/positions/:id', async (req) => {
    const c = repo.loadContent() as unknown as ProvisioningContent;
    const p = c.positions[req.params.id];
    if (!p) throw new OutpostError('API_NOT_FOUND', `position ${JSON.stringify(req.params.id.slice(0, 64))}`);
    return view(p, prov.bindings().find((b) => b.positionId === p.id));
  });
};
export default routes;
