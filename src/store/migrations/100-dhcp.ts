import type { Migration } from './index.ts';

// Owned by services/dhcp (ids 100–199).
export const dhcpMigrations: Migration[] = [];
