import type { Migration } from './index.ts';

// Owned by services/dhcp (ids 100–199). One row per address: the address's current or last
// holder, so a client that comes back gets its old address again (RFC 2131 §4.3.1) and a
// declined address stays quarantined across restarts. ip_num orders and ranges addresses.
export const dhcpMigrations: Migration[] = [
  {
    id: 100,
    name: 'dhcp: leases',
    sql: `
CREATE TABLE dhcp_leases (
  ip TEXT PRIMARY KEY,
  ip_num INTEGER NOT NULL,
  scope TEXT NOT NULL,
  mac TEXT NOT NULL,
  client_id TEXT,
  hostname TEXT,
  vendor_class TEXT,
  oui TEXT,
  serial TEXT,
  product_class TEXT,
  circuit_id TEXT,
  remote_id TEXT,
  giaddr TEXT,
  state TEXT NOT NULL CHECK (state IN ('offered', 'bound', 'released', 'declined', 'expired')),
  expires_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX dhcp_leases_mac ON dhcp_leases(mac);
CREATE INDEX dhcp_leases_state ON dhcp_leases(state, expires_at);
`,
  },
];
