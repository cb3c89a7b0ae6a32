import type { Service } from '../../core/lifecycle.ts';
import type { ServiceContext } from '../context.ts';
import type { AcsConfig } from '../../core/config/schema.ts';

export function createAcsService(ctx: ServiceContext<AcsConfig>): Service {
  return { name: 'acs', async start() { ctx.log.debug('starting'); }, async stop() {} };
}
