// services/dhcp — wiring only: returns a Service (STYLE habit 1). Placeholder until the dhcp issue lands.
import type { Service } from '../../core/lifecycle.ts';
import type { ServiceContext } from '../context.ts';
import type { DhcpConfig } from '../../core/config/schema.ts';

export function createDhcpService(ctx: ServiceContext<DhcpConfig>): Service {
  return {
    name: 'dhcp',
    async start() {
      if (ctx.config.enabled) ctx.log.warn('dhcp is not implemented yet');
    },
    async stop() {},
  };
}
