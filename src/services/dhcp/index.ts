// services/dhcp — wiring only: returns a Service (STYLE habit 1). Sockets in server.ts, the
// RFC 2131 decisions in engine.ts, the packet path in service.ts. See README.md.
import type { Service } from '../../core/lifecycle.ts';
import type { ServiceContext } from '../context.ts';
import type { DhcpConfig } from '../../core/config/schema.ts';
import { DhcpServer } from './service.ts';

export function createDhcpService(ctx: ServiceContext<DhcpConfig>): Service {
  let server: DhcpServer | null = null;
  return {
    name: 'dhcp',
    async start() {
      if (!ctx.config.enabled) return;
      server = new DhcpServer(ctx);
      await server.start();
      ctx.log.info({
        scopes: server.scopes.scopes.map((s) => ({ name: s.name, subnet: s.cfg.subnet, interface: s.iface, pool: s.poolSize })),
        listen: ctx.config.listen, port: ctx.config.port,
      }, 'dhcp serving');
    },
    async stop() {
      await server?.stop();
      server = null;
    },
  };
}
