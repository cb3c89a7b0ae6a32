import type { Service } from '../../core/lifecycle.ts';
import type { ServiceContext } from '../context.ts';
import type { ApiConfig } from '../../core/config/schema.ts';

export function createApiService(ctx: ServiceContext<ApiConfig>): Service {
  return { name: 'api', async start() { ctx.log.debug('starting'); }, async stop() {} };
}
