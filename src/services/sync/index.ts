// services/sync — wiring only (see README.md): central sync of signed bundles, firmware fetch,
// the report outbox and the WAN state. The content model is the provisioning engine's unless a
// test injects another.
import type { Service } from '../../core/lifecycle.ts';
import type { SyncConfig } from '../../core/config/sync.ts';
import type { ServiceContext } from '../context.ts';
import { SyncService, type SyncOptions } from './service.ts';
import { provisioningModel } from './content.ts';

export function createSyncService(ctx: ServiceContext<SyncConfig>, opts: Partial<SyncOptions> = {}): Service {
  return new SyncService(ctx, { model: opts.model ?? provisioningModel, ...(opts.random ? { random: opts.random } : {}) });
}

export { SyncService } from './service.ts';
export type { ContentModel } from './apply.ts';
