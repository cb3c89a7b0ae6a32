// The ordered service list (like CoreDNS plugin.cfg): started top to bottom, stopped in
// reverse. The ACS comes after DHCP/DNS/STUN so the boot path's earlier steps are up before
// phones can reach the ACS; sync comes just before the ACS so a USB bundle is in force before the
// first phone session (it never waits for the WAN); the management API comes last and leaves first.

import type { Service } from './core/lifecycle.ts';
import type { Config } from './core/config/schema.ts';
import type { ServiceContext } from './services/context.ts';

export type ServiceName = 'stun' | 'dns' | 'dhcp' | 'sync' | 'acs' | 'api';

export interface ServiceEntry<K extends ServiceName & keyof Config> {
  name: K;
  create: (ctx: ServiceContext<Config[K]>) => Service;
}

export const SERVICE_ORDER: readonly ServiceName[] = ['stun', 'dns', 'dhcp', 'sync', 'acs', 'api'];
