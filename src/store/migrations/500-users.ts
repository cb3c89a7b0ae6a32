import type { Migration } from './index.ts';

// Owned by services/api (ids 500–599): management-plane users, their API sessions, and the
// append-only, hash-chained audit log (DESIGN "Management plane").
export const userMigrations: Migration[] = [
  {
    id: 500,
    name: 'api: users, API sessions, hash-chained audit log',
    sql: `
CREATE TABLE users (
  username TEXT PRIMARY KEY COLLATE NOCASE,
  role TEXT NOT NULL,
  password_hash TEXT NOT NULL,         -- scrypt$… (core/passwords.ts); never the password
  disabled INTEGER NOT NULL DEFAULT 0,
  source TEXT NOT NULL,                -- 'site-config' (the first admin account) | 'api' | 'console'
  seed TEXT,                           -- for source 'site-config': digest of the config entry it was last set from
  created_at INTEGER NOT NULL,         -- epoch ms
  updated_at INTEGER NOT NULL,
  password_changed_at INTEGER NOT NULL,
  last_login INTEGER
) WITHOUT ROWID;
CREATE TABLE api_sessions (
  token_hash TEXT PRIMARY KEY,         -- sha256 of the bearer token; the token itself is never stored
  username TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,         -- absolute limit; the idle limit is checked against last_seen
  source TEXT NOT NULL                 -- client address at login
) WITHOUT ROWID;
CREATE INDEX api_sessions_user ON api_sessions(username);
CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY,             -- 1, 2, 3, … without gaps
  at INTEGER NOT NULL,                 -- epoch ms
  actor TEXT NOT NULL,                 -- user name, 'api-token', 'site-config', 'console'
  action TEXT NOT NULL,
  target TEXT,
  source TEXT,                         -- client address
  result TEXT NOT NULL,
  prev TEXT NOT NULL,                  -- hash of entry seq-1 ('' for the first)
  hash TEXT NOT NULL                   -- sha256 over prev and this entry's fields (store/audit.ts)
);
CREATE TABLE audit_cursor (            -- how far services/sync has queued the audit log for central
  id INTEGER PRIMARY KEY CHECK (id = 1),
  reported_seq INTEGER NOT NULL
);
INSERT INTO audit_cursor (id, reported_seq) VALUES (1, 0);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
`,
  },
];

// Personal API tokens for scripts (DESIGN "sessions and API tokens"): act as their user, with the
// user's role at the time of use; stored as SHA-256 only.
userMigrations.push({
  id: 501,
  name: 'api: personal API tokens',
  sql: `
CREATE TABLE api_tokens (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  token_hash TEXT NOT NULL UNIQUE,
  username TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  last_used INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens(username);
`,
});

// Dual approval (DESIGN "dual approval for firmware rollouts and local template overrides"): a
// change that needs a second person waits here, with the request as it was made, until another
// user with the same permission approves (then it is executed) or someone rejects it.
userMigrations.push({
  id: 502,
  name: 'api: changes waiting for a second approval',
  sql: `
CREATE TABLE approvals (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,                  -- 'templates' (the approvals config key)
  summary TEXT NOT NULL,               -- what the change is, for the approver
  permission TEXT NOT NULL,            -- what an approver must hold
  method TEXT NOT NULL,
  url TEXT NOT NULL,
  content_type TEXT,
  body TEXT,                           -- the request body as sent (JSON)
  requester TEXT NOT NULL,
  source TEXT,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  status TEXT NOT NULL,                -- pending | approved (being executed) | executed | failed | rejected
  decided_by TEXT,
  decided_at INTEGER,
  result_status INTEGER,
  result TEXT                          -- the executed request's answer
);
CREATE INDEX approvals_status ON approvals(status, id);
`,
});
