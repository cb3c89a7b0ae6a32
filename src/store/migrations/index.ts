// Forward-only migrations, in id order. Each area owns its file; never edit an applied one —
// add a new migration instead. Id ranges: 1–99 core/acs, 100–199 dhcp, 200–299 stun,
// 300–399 provisioning, 400–499 sync, 500–599 api/users.
import { m001 } from './001-core.ts';
import { m002 } from './002-credentials.ts';
import { dhcpMigrations } from './100-dhcp.ts';
import { stunMigrations } from './200-stun.ts';
import { provisioningMigrations } from './300-provisioning.ts';
import { syncMigrations } from './400-sync.ts';
import { userMigrations } from './500-users.ts';

export interface Migration {
  id: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [m001, m002, ...dhcpMigrations, ...stunMigrations, ...provisioningMigrations, ...syncMigrations, ...userMigrations];
