import type { Migration } from './index.ts';

// Owned by services/sync (ids 400–499).
export const syncMigrations: Migration[] = [
  {
    id: 400,
    name: 'sync: bundles in force, their parts, rejections, firmware catalogue, report outbox',
    sql: `
CREATE TABLE sync_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  stream TEXT NOT NULL,                -- random id of this database's report stream (central de-duplicates on site+stream+seq)
  dropped INTEGER NOT NULL DEFAULT 0,  -- report records dropped because the outbox was full
  etag TEXT,                           -- validator of the last bundle response (If-None-Match)
  wan_state TEXT,                      -- 'up' | 'degraded' | 'down' as last seen by services/sync (for the API)
  wan_since INTEGER,                   -- epoch ms
  wan_reason TEXT,
  wan_last_ok INTEGER,                 -- epoch ms of the last successful exchange with central
  last_cycle_at INTEGER,
  last_cycle_ok INTEGER
);
INSERT INTO sync_state (id, stream) VALUES (1, lower(hex(randomblob(16))));
CREATE TABLE sync_bundles (
  version INTEGER PRIMARY KEY,         -- the highest version is in force
  sha256 TEXT NOT NULL,                -- of the bundle file
  site TEXT NOT NULL,
  issued_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  key_id TEXT NOT NULL,
  source TEXT NOT NULL,                -- 'central' | 'usb'
  file TEXT NOT NULL,                  -- the verified bundle as received, under <stateDir>/sync/
  manifest TEXT NOT NULL,              -- JSON
  applied_at INTEGER NOT NULL          -- epoch ms
);
CREATE TABLE sync_parts (              -- the parts of the bundle in force (replaced with it, in one transaction)
  name TEXT PRIMARY KEY,
  sha256 TEXT NOT NULL,
  content TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE sync_rejections (         -- refused bundles are data (STYLE habit 7); the newest 100 are kept
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  source TEXT NOT NULL,
  version INTEGER,
  sha256 TEXT,
  code TEXT NOT NULL,
  message TEXT NOT NULL
);
CREATE TABLE sync_firmware (           -- the catalogue of the bundle in force, and what is in the firmware store
  file TEXT PRIMARY KEY,
  vendor TEXT NOT NULL,
  models TEXT NOT NULL,                -- JSON array
  version TEXT NOT NULL,
  size INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  url TEXT,
  signature TEXT,
  state TEXT NOT NULL,                 -- 'pending' | 'ready' | 'failed'
  bytes INTEGER NOT NULL DEFAULT 0,    -- downloaded so far (resumable partial file)
  etag TEXT,                           -- validator of the partial download (If-Range)
  attempts INTEGER NOT NULL DEFAULT 0,
  error TEXT,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE sync_outbox (             -- durable report records; AUTOINCREMENT: a seq is never reused
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  at INTEGER NOT NULL,                 -- epoch ms
  payload TEXT NOT NULL                -- JSON
);
`,
  },
  {
    id: 401,
    name: 'sync: the compliance state last reported per device (reports carry changes only)',
    sql: `
CREATE TABLE sync_compliance (
  device_id TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  at INTEGER NOT NULL                  -- epoch ms it was queued
) WITHOUT ROWID;
`,
  },
];
