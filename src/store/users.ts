// Management-plane users and their API sessions (DESIGN "Management plane"). Passwords are
// stored only as scrypt hashes (core/passwords.ts); session tokens only as their SHA-256, so a
// copy of the database logs nobody in. Writes go inside store.commit.

import { createHash, randomBytes } from 'node:crypto';
import type { Store } from './index.ts';
import { prep } from './db.ts';

export interface UserRow {
  username: string;
  role: string;
  disabled: boolean;
  source: string;
  createdAt: string;
  updatedAt: string;
  passwordChangedAt: string;
  lastLogin: string | null;
}

interface Raw { username: string; role: string; password_hash: string; disabled: number; source: string; seed: string | null; created_at: number; updated_at: number; password_changed_at: number; last_login: number | null }

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
const toRow = (r: Raw): UserRow => ({
  username: r.username, role: r.role, disabled: r.disabled === 1, source: r.source,
  createdAt: iso(r.created_at)!, updatedAt: iso(r.updated_at)!, passwordChangedAt: iso(r.password_changed_at)!, lastLogin: iso(r.last_login),
});

export const tokenDigest = (token: string): string => createHash('sha256').update(token).digest('hex');

/** Session tokens carry a prefix so a leaked one is recognisable (secret scanners, logs). */
export const SESSION_TOKEN_PREFIX = 'ops_';
/** Personal API tokens (scripts), likewise. */
export const API_TOKEN_PREFIX = 'opt_';

export interface ApiTokenRow { id: number; name: string; username: string; createdAt: string; expiresAt: string; lastUsed: string | null }

export class UserRepo {
  readonly #store: Store;
  constructor(store: Store) { this.#store = store; }

  get(username: string): UserRow | null {
    const r = prep(this.#store.db, 'SELECT * FROM users WHERE username = ?').get(username) as Raw | undefined;
    return r ? toRow(r) : null;
  }

  /** The stored hash and seed, for the code that verifies a password or applies the site config. */
  secretOf(username: string): { passwordHash: string; seed: string | null; disabled: boolean } | null {
    const r = prep(this.#store.db, 'SELECT password_hash, seed, disabled FROM users WHERE username = ?').get(username) as Pick<Raw, 'password_hash' | 'seed' | 'disabled'> | undefined;
    return r ? { passwordHash: r.password_hash, seed: r.seed, disabled: r.disabled === 1 } : null;
  }

  list(): UserRow[] {
    return (prep(this.#store.db, 'SELECT * FROM users ORDER BY username').all() as Raw[]).map(toRow);
  }

  count(): number {
    return (prep(this.#store.db, 'SELECT count(*) AS n FROM users').get() as { n: number }).n;
  }

  /** Enabled users holding `role`. */
  countActive(role: string): number {
    return (prep(this.#store.db, 'SELECT count(*) AS n FROM users WHERE role = ? AND disabled = 0').get(role) as { n: number }).n;
  }

  create(u: { username: string; role: string; passwordHash: string; source: string; seed?: string | null }): void {
    const now = this.#store.clock.now();
    prep(this.#store.db, `INSERT INTO users (username, role, password_hash, disabled, source, seed, created_at, updated_at, password_changed_at)
      VALUES (?, ?, ?, 0, ?, ?, ?, ?, ?)`).run(u.username, u.role, u.passwordHash, u.source, u.seed ?? null, now, now, now);
  }

  /** Set the password (and optionally re-enable and re-role, for the site-config reset). */
  setPassword(username: string, passwordHash: string, extra: { seed?: string; role?: string; enable?: boolean } = {}): boolean {
    const now = this.#store.clock.now();
    return prep(this.#store.db, `UPDATE users SET password_hash = ?, password_changed_at = ?, updated_at = ?,
        seed = coalesce(?, seed), role = coalesce(?, role), disabled = CASE WHEN ? THEN 0 ELSE disabled END WHERE username = ?`)
      .run(passwordHash, now, now, extra.seed ?? null, extra.role ?? null, extra.enable ? 1 : 0, username).changes === 1;
  }

  update(username: string, change: { role?: string | undefined; disabled?: boolean | undefined }): boolean {
    return prep(this.#store.db, `UPDATE users SET role = coalesce(?, role), disabled = coalesce(?, disabled), updated_at = ? WHERE username = ?`)
      .run(change.role ?? null, change.disabled === undefined ? null : change.disabled ? 1 : 0, this.#store.clock.now(), username).changes === 1;
  }

  delete(username: string): boolean {
    return prep(this.#store.db, 'DELETE FROM users WHERE username = ?').run(username).changes === 1;
  }

  // ---- API sessions ----

  /** A new session; returns the bearer token (shown once, stored only as its digest). */
  openSession(username: string, source: string, ttlMs: number): { token: string; expiresAt: string } {
    const now = this.#store.clock.now();
    const token = SESSION_TOKEN_PREFIX + randomBytes(32).toString('base64url');
    prep(this.#store.db, 'INSERT INTO api_sessions (token_hash, username, created_at, last_seen, expires_at, source) VALUES (?, ?, ?, ?, ?, ?)')
      .run(tokenDigest(token), username, now, now, now + ttlMs, source);
    prep(this.#store.db, 'UPDATE users SET last_login = ? WHERE username = ?').run(now, username);
    return { token, expiresAt: new Date(now + ttlMs).toISOString() };
  }

  /** The session behind a token, with its user, if it is live (not expired, not idle, user enabled). */
  session(token: string, idleMs: number): { digest: string; username: string; role: string; lastSeen: number } | null {
    const now = this.#store.clock.now();
    const r = prep(this.#store.db, `SELECT s.token_hash AS digest, u.username, u.role, s.last_seen AS lastSeen FROM api_sessions s
      JOIN users u ON u.username = s.username WHERE s.token_hash = ? AND s.expires_at > ? AND s.last_seen > ? AND u.disabled = 0`)
      .get(tokenDigest(token), now, now - idleMs) as { digest: string; username: string; role: string; lastSeen: number } | undefined;
    return r ?? null;
  }

  touchSession(digest: string): void {
    prep(this.#store.db, 'UPDATE api_sessions SET last_seen = ? WHERE token_hash = ?').run(this.#store.clock.now(), digest);
  }

  closeSession(digest: string): boolean {
    return prep(this.#store.db, 'DELETE FROM api_sessions WHERE token_hash = ?').run(digest).changes === 1;
  }

  /** Log a user out everywhere (password change, role change, disable), except `keep`. */
  closeSessionsOf(username: string, keep?: string): number {
    return prep(this.#store.db, 'DELETE FROM api_sessions WHERE username = ? AND token_hash != ?').run(username, keep ?? '').changes;
  }

  // ---- personal API tokens ----

  /** A new token for `username`; returns the bearer token (shown once, stored only as its digest). */
  createToken(username: string, name: string, ttlMs: number): { token: string; row: ApiTokenRow } {
    const now = this.#store.clock.now();
    const token = API_TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const id = Number(prep(this.#store.db, 'INSERT INTO api_tokens (token_hash, username, name, created_at, expires_at) VALUES (?, ?, ?, ?, ?)')
      .run(tokenDigest(token), username, name, now, now + ttlMs).lastInsertRowid);
    return { token, row: { id, name, username, createdAt: iso(now)!, expiresAt: iso(now + ttlMs)!, lastUsed: null } };
  }

  /** The user behind a live token (not expired, user enabled). */
  tokenUser(token: string): { id: number; name: string; username: string; role: string; lastUsed: number | null } | null {
    const r = prep(this.#store.db, `SELECT t.id, t.name, u.username, u.role, t.last_used AS lastUsed FROM api_tokens t JOIN users u ON u.username = t.username
      WHERE t.token_hash = ? AND t.expires_at > ? AND u.disabled = 0`).get(tokenDigest(token), this.#store.clock.now()) as { id: number; name: string; username: string; role: string; lastUsed: number | null } | undefined;
    return r ?? null;
  }

  touchToken(id: number): void {
    prep(this.#store.db, 'UPDATE api_tokens SET last_used = ? WHERE id = ?').run(this.#store.clock.now(), id);
  }

  /** A user's tokens (or everyone's), never the secret. */
  tokens(username?: string): ApiTokenRow[] {
    const rows = (username === undefined
      ? prep(this.#store.db, 'SELECT id, name, username, created_at, expires_at, last_used FROM api_tokens ORDER BY id').all()
      : prep(this.#store.db, 'SELECT id, name, username, created_at, expires_at, last_used FROM api_tokens WHERE username = ? ORDER BY id').all(username)) as
      { id: number; name: string; username: string; created_at: number; expires_at: number; last_used: number | null }[];
    return rows.map((r) => ({ id: r.id, name: r.name, username: r.username, createdAt: iso(r.created_at)!, expiresAt: iso(r.expires_at)!, lastUsed: iso(r.last_used) }));
  }

  tokenOwner(id: number): string | null {
    return (prep(this.#store.db, 'SELECT username FROM api_tokens WHERE id = ?').get(id) as { username: string } | undefined)?.username ?? null;
  }

  revokeToken(id: number): boolean {
    return prep(this.#store.db, 'DELETE FROM api_tokens WHERE id = ?').run(id).changes === 1;
  }

  purgeSessions(idleMs: number): number {
    const now = this.#store.clock.now();
    return prep(this.#store.db, 'DELETE FROM api_sessions WHERE expires_at <= ? OR last_seen <= ?').run(now, now - idleMs).changes;
  }
}
