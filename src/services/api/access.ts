// Who may do what on the management plane (DESIGN "Management plane"): roles, the permissions
// each grants, and the principal behind a request — a logged-in user (session token `ops_…`,
// stored only as its SHA-256) or the box's own API token (<stateDir>/api-token, for automation
// on the box; it acts with the admin role). Routes declare the permission they need in their
// Fastify config (`{ config: { permission: 'templates.write' } }`); a route that declares
// nothing needs `read` for GET/HEAD and `admin` for anything else, so a new mutating route is
// closed until someone decides who may use it.

import { createHash, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../core/clock.ts';
import type { ApiConfig } from '../../core/config/schema.ts';
import { Lockout } from '../../core/lockout.ts';
import { OutpostError } from '../../core/errors.ts';
import { dummyHash, hashPassword, isPasswordHash, verifyPassword } from '../../core/passwords.ts';
import type { Store } from '../../store/index.ts';
import { AuditRepo, type AuditInput } from '../../store/audit.ts';
import { API_TOKEN_PREFIX, SESSION_TOKEN_PREFIX, UserRepo } from '../../store/users.ts';

export const ROLES = ['viewer', 'operator', 'voice-engineer', 'firmware-operator', 'security-admin', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'read',              // every GET except users and audit
  'devices.operate',   // summon (connection request), reboot, read parameters of a phone
  'devices.configure', // set parameters, add/delete objects, factory reset, upload
  'firmware.deploy',   // Download RPCs
  'templates.write',   // replace or reload templates (a local override)
  'inventory.write',   // import the positions/secrets inventory
  'sync.run',          // start a sync cycle now
  'users.manage',      // users, roles, passwords of others, sessions
  'audit.read',        // the audit log and its verification
  'admin',             // anything, including what no role above names
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const GRANTS: Record<Role, readonly Permission[]> = {
  viewer: ['read'],
  operator: ['read', 'devices.operate', 'sync.run'],
  'voice-engineer': ['read', 'devices.operate', 'devices.configure', 'templates.write', 'inventory.write', 'sync.run'],
  'firmware-operator': ['read', 'devices.operate', 'firmware.deploy', 'sync.run'],
  'security-admin': ['read', 'users.manage', 'audit.read'],
  admin: PERMISSIONS,
};

export function isRole(s: string): s is Role {
  return (ROLES as readonly string[]).includes(s);
}

export function can(role: string, perm: Permission): boolean {
  return isRole(role) && GRANTS[role].includes(perm);
}

export function permissionsOf(role: string): readonly Permission[] {
  return isRole(role) ? GRANTS[role] : [];
}

export interface Principal {
  kind: 'user' | 'token';
  /** The user name, or 'api-token'. */
  name: string;
  role: Role;
  /** Digest of the session token (a logged-in user). */
  session: string | null;
  /** The personal API token a user's script called with. */
  apiToken?: { id: number; name: string };
  /** An approved change being executed as its requester: who approved it. */
  approvedBy?: string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The permission a route needs (see services/api/access.ts). */
    permission?: Permission;
    /** No authentication at all (login). */
    public?: boolean;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
/** Hashing at most this many passwords at once keeps a login flood from starving the event loop's thread pool. */
const MAX_CONCURRENT_VERIFIES = 2;
const MAX_WAITING_VERIFIES = 32;

export class Access {
  readonly users: UserRepo;
  readonly audit: AuditRepo;
  readonly #store: Store;
  readonly #cfg: ApiConfig;
  readonly #clock: Clock;
  readonly #machine: Buffer;
  readonly #sources: Lockout;
  readonly #names: Lockout;
  #verifying = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(store: Store, cfg: ApiConfig, clock: Clock, machineToken: string) {
    this.#store = store;
    this.#cfg = cfg;
    this.#clock = clock;
    this.#machine = digest(machineToken);
    this.users = new UserRepo(store);
    this.audit = new AuditRepo(store);
    const policy = { failures: cfg.login.lockoutFailures, window: cfg.login.lockoutWindow, duration: cfg.login.lockoutDuration };
    this.#sources = new Lockout(policy, clock);
    this.#names = new Lockout(policy, clock);
  }

  /** The principal behind an Authorization header, or null. Touches a user session at most once a minute. */
  authenticate(header: string | undefined): Principal | null {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    if (!m) return null;
    const token = m[1]!;
    if (token.startsWith(SESSION_TOKEN_PREFIX)) {
      const s = this.users.session(token, this.#cfg.sessions.idleTimeout);
      if (!s || !isRole(s.role)) return null;
      if (this.#clock.now() - s.lastSeen > 60_000) void this.#store.commit(() => this.users.touchSession(s.digest)).catch(() => {});
      return { kind: 'user', name: s.username, role: s.role, session: s.digest };
    }
    if (token.startsWith(API_TOKEN_PREFIX)) {
      const t = this.users.tokenUser(token);
      if (!t || !isRole(t.role)) return null;
      if (t.lastUsed === null || this.#clock.now() - t.lastUsed > 60_000) void this.#store.commit(() => this.users.touchToken(t.id)).catch(() => {});
      return { kind: 'user', name: t.username, role: t.role, session: null, apiToken: { id: t.id, name: t.name } };
    }
    return timingSafeEqual(digest(token), this.#machine) ? { kind: 'token', name: 'api-token', role: 'admin', session: null } : null;
  }

  /**
   * Check a user name and password; on success open a session (durably, with its audit entry).
   * Failures are audited and count against both the source address and the user name.
   */
  async login(username: string, password: string, source: string): Promise<{ token: string; expiresAt: string; username: string; role: Role }> {
    const locked = Math.max(this.#sources.lockedFor(source), this.#names.lockedFor(username.toLowerCase()));
    if (locked > 0) {
      // Not audited one by one: a client hammering a locked login would fill the append-only log
      // (and the disk's fsyncs). The failure that locked it is audited, and says so.
      throw Object.assign(new OutpostError('API_LOCKED_OUT', `try again in ${Math.ceil(locked / 1000)} s`), { retryAfter: Math.ceil(locked / 1000) });
    }
    const secret = this.users.secretOf(username);
    // Unknown users cost the same scrypt as known ones: no enumeration by timing.
    const ok = await this.#verify(password, secret?.passwordHash ?? await dummyHash());
    const user = secret && ok && !secret.disabled ? this.users.get(username) : null;
    if (!user || !isRole(user.role)) {
      const locks = [this.#sources.fail(source).locked ? 'the address' : '', this.#names.fail(username.toLowerCase()).locked ? 'the user name' : ''].filter(Boolean);
      const why = secret?.disabled && ok ? 'failed: account disabled' : 'failed: wrong user name or password';
      await this.record({ actor: username, action: 'user.login', source, result: locks.length ? `${why}; ${locks.join(' and ')} locked out for ${Math.round(this.#cfg.login.lockoutDuration / 1000)} s` : why });
      throw new OutpostError('API_LOGIN_FAILED');
    }
    this.#sources.succeed(source);
    this.#names.succeed(username.toLowerCase());
    const role = user.role;
    const s = await this.#store.commit(() => {
      const opened = this.users.openSession(user.username, source, this.#cfg.sessions.lifetime);
      this.audit.append({ actor: user.username, action: 'user.login', source, result: 'ok' });
      return opened;
    });
    return { ...s, username: user.username, role };
  }

  /** Verify the caller's own password (password change), with the same limits as login. */
  async checkPassword(username: string, password: string): Promise<boolean> {
    const secret = this.users.secretOf(username);
    return this.#verify(password, secret?.passwordHash ?? await dummyHash());
  }

  /**
   * The first admin account from the site config (DESIGN "The appliance"): created when missing;
   * set again (password, admin role, enabled, sessions closed) only when the config entry changed
   * since it was last applied — a new USB import is the reset path, and a password changed
   * through the API survives restarts. `seed` remembers the entry: the configured hash itself,
   * or for a password given in clear a salted scrypt of it (never a fast hash of a password).
   */
  async applySiteAdmin(admin: { username: string; password?: string | undefined; passwordHash?: string | undefined }): Promise<'created' | 'reset' | 'unchanged'> {
    const existing = this.users.secretOf(admin.username);
    const same = !existing?.seed ? false
      : admin.passwordHash !== undefined ? existing.seed === admin.passwordHash
        : isPasswordHash(existing.seed) && await verifyPassword(admin.password ?? '', existing.seed);
    if (existing && same) return 'unchanged';
    const hash = admin.passwordHash ?? await hashPassword(admin.password ?? '');
    return this.#store.commit(() => {
      if (!this.users.get(admin.username)) {
        this.users.create({ username: admin.username, role: 'admin', passwordHash: hash, source: 'site-config', seed: hash });
        this.audit.append({ actor: 'site-config', action: 'user.create', target: `${admin.username} (role admin)`, result: 'ok' });
        return 'created' as const;
      }
      this.users.setPassword(admin.username, hash, { seed: hash, role: 'admin', enable: true });
      this.users.closeSessionsOf(admin.username);
      this.audit.append({ actor: 'site-config', action: 'user.reset', target: `${admin.username} (password, role admin, enabled)`, result: 'ok' });
      return 'reset' as const;
    });
  }

  /** Append an audit entry durably. */
  record(e: AuditInput): Promise<number> {
    return this.#store.commit(() => this.audit.append(e));
  }

  async #verify(password: string, hash: string): Promise<boolean> {
    if (this.#verifying >= MAX_CONCURRENT_VERIFIES) {
      if (this.#waiting.length >= MAX_WAITING_VERIFIES) throw new OutpostError('API_BUSY');
      await new Promise<void>((resolve) => this.#waiting.push(resolve)); // the slot is handed over
    } else {
      this.#verifying++;
    }
    try {
      return await verifyPassword(password, hash);
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#verifying--;
    }
  }
}
