import type { Migration } from './index.ts';

// Owned by the provisioning engine (ids 300–399; src/provisioning, services/acs/provision.ts).
// Content (templates, zones, positions, rules) is replaced as a whole in one transaction, from
// the local YAML directory or a central bundle. Secret values are sealed with store.secrets
// (`*_enc` columns, `{"sealed": …}` inside documents), never stored in clear.
export const provisioningMigrations: Migration[] = [
  {
    id: 300,
    name: 'provisioning: content, inventory, position bindings, device compliance, secrets set, readiness',
    sql: `
CREATE TABLE prov_meta (
  key TEXT PRIMARY KEY,                -- source_kind, source_version, revision, applied_at, hash
  value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE prov_items (
  kind TEXT NOT NULL CHECK (kind IN ('template', 'zone', 'position', 'rule')),
  id TEXT NOT NULL,                    -- rules: their order, zero-padded
  seq INTEGER NOT NULL,
  doc TEXT NOT NULL,                   -- JSON; secret values as {"sealed": "<box>"}
  PRIMARY KEY (kind, id)
) WITHOUT ROWID;
CREATE TABLE prov_inventory (
  scope TEXT NOT NULL CHECK (scope IN ('position', 'device')),
  key TEXT NOT NULL,                   -- position id, or device id / serial / MAC
  intent TEXT NOT NULL,
  value TEXT,                          -- NULL when secret
  value_enc TEXT,                      -- sealed secret value
  batch TEXT NOT NULL,                 -- import that wrote it
  imported_at TEXT NOT NULL,
  PRIMARY KEY (scope, key, intent)
) WITHOUT ROWID;
CREATE TABLE prov_bindings (
  position_id TEXT PRIMARY KEY,        -- "swap and go": the device that holds the position now
  device_id TEXT NOT NULL UNIQUE,
  bound_at TEXT NOT NULL,
  previous_device TEXT
) WITHOUT ROWID;
CREATE TABLE prov_devices (
  device_id TEXT PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
  assignment TEXT NOT NULL,            -- position | rule | default | none
  zone TEXT,
  template TEXT,
  position TEXT,
  rule TEXT,
  profile TEXT,
  state TEXT NOT NULL,                 -- compliant provisioning drifted failed silent unknown
  reason TEXT NOT NULL DEFAULT '',
  ne107 TEXT NOT NULL,                 -- '' (normal) F C S M
  since TEXT NOT NULL,                 -- when this state began
  updated_at TEXT NOT NULL,
  desired_hash TEXT,
  applied_hash TEXT,                   -- desired_hash last verified on the device
  ever_compliant INTEGER NOT NULL DEFAULT 0,
  last_verified TEXT,
  expected_interval INTEGER,           -- ms between Informs the phone was told
  missed_informs INTEGER,
  last_inform_ms INTEGER,
  detail TEXT                          -- JSON: per-intent results
);
CREATE INDEX prov_devices_zone ON prov_devices(zone, state);
CREATE TABLE prov_secrets_set (
  device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  path TEXT NOT NULL,
  value_enc TEXT NOT NULL,             -- what we set (hidden values read back empty, §5.1)
  at TEXT NOT NULL,
  PRIMARY KEY (device_id, path)
) WITHOUT ROWID;
CREATE TABLE prov_readiness (
  model TEXT PRIMARY KEY,              -- OUI-ProductClass
  first_device TEXT NOT NULL,
  first_seen TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  report TEXT NOT NULL                 -- JSON
) WITHOUT ROWID;
`,
  },
];
