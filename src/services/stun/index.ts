// services/stun — wiring only: returns a Service (STYLE habit 1). Placeholder until the stun issue lands.
import type { Service } from '../../core/lifecycle.ts';
import type { ServiceContext } from '../context.ts';
import type { StunConfig } from '../../core/config/schema.ts';

export function createStunService(ctx: ServiceContext<StunConfig>): Service {
  return {
    name: 'stun',
    async start() {
      if (ctx.config.enabled) ctx.log.warn('stun is not implemented yet');
    },
    async stop() {},
  };
}
