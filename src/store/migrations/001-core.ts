import type { Migration } from './index.ts';

// Devices and everything the ACS records about them. Secrets are stored encrypted
// (`*_enc` columns hold the AES-256-GCM box from core/secrets.ts), never in clear.
export const m001: Migration = {
  id: 1,
  name: 'core: devices, parameters, sessions, events, tasks, faults, transfers, uploads',
  sql: `
CREATE TABLE devices (
  id TEXT PRIMARY KEY,                 -- OUI-ProductClass-Serial, percent-encoded (TR-069 §3.4.4)
  oui TEXT NOT NULL,
  product_class TEXT NOT NULL,
  serial TEXT NOT NULL,
  manufacturer TEXT NOT NULL DEFAULT '',
  root TEXT NOT NULL DEFAULT '',       -- 'Device' or 'InternetGatewayDevice'
  cwmp_version TEXT NOT NULL DEFAULT '',
  remote_ip TEXT NOT NULL DEFAULT '',
  software_version TEXT NOT NULL DEFAULT '',
  hardware_version TEXT NOT NULL DEFAULT '',
  provisioning_code TEXT NOT NULL DEFAULT '',
  parameter_key TEXT NOT NULL DEFAULT '',
  cr_url TEXT NOT NULL DEFAULT '',
  cr_username TEXT NOT NULL DEFAULT '',
  cr_password_enc TEXT,
  username TEXT,                       -- per-device ACS credential (after rotation)
  password_enc TEXT,
  first_seen TEXT NOT NULL,
  last_inform TEXT,
  last_boot TEXT,
  last_bootstrap TEXT,
  inform_count INTEGER NOT NULL DEFAULT 0,
  last_cr TEXT,
  last_cr_result TEXT
);
CREATE TABLE parameters (
  device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  path TEXT NOT NULL,
  value TEXT,
  type TEXT,
  writable INTEGER,                    -- NULL = unknown
  notification INTEGER,                -- NULL = unknown
  updated_at TEXT NOT NULL,            -- last seen (value, type or attribute)
  PRIMARY KEY (device_id, path)
) WITHOUT ROWID;
CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  started_at TEXT NOT NULL,
  ended_at TEXT,
  remote_ip TEXT NOT NULL DEFAULT '',
  cwmp_version TEXT NOT NULL DEFAULT '',
  events TEXT NOT NULL DEFAULT '',
  outcome TEXT,                        -- 'ok', 'timeout', 'error: …', 'dropped'
  rpcs INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sessions_device ON sessions(device_id, started_at);
CREATE TABLE events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  session_id TEXT,
  code TEXT NOT NULL,
  command_key TEXT NOT NULL DEFAULT '',
  retry_count INTEGER NOT NULL DEFAULT 0,
  at TEXT NOT NULL
);
CREATE INDEX events_device ON events(device_id, seq);
CREATE TABLE tasks (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  method TEXT NOT NULL,
  args TEXT NOT NULL,                  -- JSON
  status TEXT NOT NULL,                -- queued, sent, done, fault, failed, cancelled
  attempts INTEGER NOT NULL DEFAULT 0,
  not_before INTEGER NOT NULL DEFAULT 0, -- epoch ms: retry back-off
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  result TEXT,                         -- JSON
  session_id TEXT,
  source TEXT NOT NULL DEFAULT 'api'
);
CREATE INDEX tasks_device ON tasks(device_id, status, id);
CREATE TABLE faults (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  task_id INTEGER,
  session_id TEXT,
  method TEXT NOT NULL DEFAULT '',
  code TEXT NOT NULL,
  message TEXT NOT NULL DEFAULT '',
  detail TEXT,                         -- JSON: per-parameter faults
  at TEXT NOT NULL
);
CREATE INDEX faults_device ON faults(device_id, id);
CREATE TABLE transfers (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  command_key TEXT NOT NULL DEFAULT '',
  autonomous INTEGER NOT NULL DEFAULT 0,
  is_download INTEGER,
  file_type TEXT NOT NULL DEFAULT '',
  fault_code INTEGER NOT NULL,
  fault_string TEXT NOT NULL DEFAULT '',
  start_time TEXT NOT NULL DEFAULT '',
  complete_time TEXT NOT NULL DEFAULT '',
  received_at TEXT NOT NULL,
  UNIQUE (device_id, command_key, autonomous, start_time, complete_time)
);
CREATE TABLE uploads (
  token TEXT PRIMARY KEY,
  device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  task_id INTEGER,
  file_type TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  received_at TEXT,
  size INTEGER,
  sha256 TEXT,
  file TEXT
);
`,
};
