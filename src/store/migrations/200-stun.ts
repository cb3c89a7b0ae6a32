import type { Migration } from './index.ts';

// Owned by services/stun (ids 200–299).
export const stunMigrations: Migration[] = [
  {
    id: 200,
    name: 'stun: credentials per device, bindings learned from TR-069 Annex G binding requests',
    sql: `
CREATE TABLE stun_credentials (
  username TEXT PRIMARY KEY,           -- STUNUsername as provisioned (padding never stored)
  device_id TEXT NOT NULL UNIQUE REFERENCES devices(id) ON DELETE CASCADE,
  password_enc TEXT NOT NULL,          -- STUNPassword sealed with store.secrets
  updated_at INTEGER NOT NULL          -- epoch ms
);
CREATE TABLE stun_bindings (
  key TEXT PRIMARY KEY,                -- 'u:<USERNAME>', or 'ip:<source address>' without USERNAME (§8.7 step 5)
  username TEXT,
  device_id TEXT,                      -- from stun_credentials when the USERNAME is known; no FK: config credentials name devices too
  address TEXT NOT NULL,               -- public (mapped) address and port
  port INTEGER NOT NULL,
  protocol TEXT NOT NULL,              -- 'rfc3489' | 'rfc5389'
  authenticated INTEGER NOT NULL,      -- 1 when MESSAGE-INTEGRITY verified
  first_seen INTEGER NOT NULL,         -- epoch ms
  last_seen INTEGER NOT NULL,
  last_change INTEGER NOT NULL,
  changes INTEGER NOT NULL DEFAULT 0   -- times the public address:port changed
) WITHOUT ROWID;
CREATE INDEX stun_bindings_device ON stun_bindings(device_id, last_seen);
`,
  },
];
