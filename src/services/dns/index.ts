// services/dns — wiring only: returns a Service (STYLE habit 1). Placeholder until the dns issue lands.
import type { Service } from '../../core/lifecycle.ts';
import type { ServiceContext } from '../context.ts';
import type { DnsConfig } from '../../core/config/schema.ts';

export function createDnsService(ctx: ServiceContext<DnsConfig>): Service {
  return {
    name: 'dns',
    async start() {
      if (ctx.config.enabled) ctx.log.warn('dns is not implemented yet');
    },
    async stop() {},
  };
}
