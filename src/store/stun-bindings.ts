// STUN bindings and STUN credentials (owned by services/stun; read by the ACS and the API).
// A binding is what a CPE's TR-069 Annex G Binding Requests reveal: USERNAME → public
// address:port, first/last seen, how often it changed (tr069-protocol.md §8.7 step 5). The STUN
// credentials (STUNUsername/STUNPassword) the ACS provisions are kept here so the STUN server can
// verify MESSAGE-INTEGRITY by USERNAME; the password is sealed with store.secrets.

import type { Store } from './index.ts';
import { prep, type Statement } from './db.ts';

export interface StunBinding {
  /** 'u:<username>' or 'ip:<address>' (request without USERNAME). */
  key: string;
  username: string | null;
  deviceId: string | null;
  address: string;
  port: number;
  protocol: 'rfc3489' | 'rfc5389';
  authenticated: boolean;
  /** epoch ms */
  firstSeen: number;
  lastSeen: number;
  lastChange: number;
  changes: number;
}

export const bindingKey = (username: string | null, address: string): string => (username ? `u:${username}` : `ip:${address}`);

const COLS = `key, username, device_id AS deviceId, address, port, protocol, authenticated,
  first_seen AS firstSeen, last_seen AS lastSeen, last_change AS lastChange, changes`;

function fix(r: StunBinding | undefined): StunBinding | null {
  if (!r) return null;
  r.authenticated = Boolean(r.authenticated);
  return r;
}

export class StunBindingRepo {
  readonly #store: Store;
  readonly #get: Statement;
  readonly #byDevice: Statement;
  readonly #upsert: Statement;
  readonly #touch: Statement;
  readonly #cred: Statement;

  // Statements via store/db.ts prep (prepared once per connection): the repo is cheap to
  // construct, which the ACS does per device when it completes STUN intents.
  constructor(store: Store) {
    this.#store = store;
    const db = store.db;
    this.#get = prep(db, `SELECT ${COLS} FROM stun_bindings WHERE key = ?`);
    this.#byDevice = prep(db, `SELECT ${COLS} FROM stun_bindings WHERE device_id = ? ORDER BY last_seen DESC LIMIT 1`);
    this.#upsert = prep(db, `
      INSERT INTO stun_bindings (key, username, device_id, address, port, protocol, authenticated, first_seen, last_seen, last_change, changes)
      VALUES (@key, @username, @deviceId, @address, @port, @protocol, @authenticated, @firstSeen, @lastSeen, @lastChange, @changes)
      ON CONFLICT(key) DO UPDATE SET username = excluded.username, device_id = excluded.device_id,
        address = excluded.address, port = excluded.port, protocol = excluded.protocol,
        authenticated = excluded.authenticated, last_seen = MAX(last_seen, excluded.last_seen),
        last_change = excluded.last_change, changes = excluded.changes`);
    this.#touch = prep(db, 'UPDATE stun_bindings SET last_seen = MAX(last_seen, ?) WHERE key = ?');
    this.#cred = prep(db, 'SELECT device_id AS deviceId, password_enc AS passwordEnc FROM stun_credentials WHERE username = ?');
  }

  get(key: string): StunBinding | null {
    return fix(this.#get.get(key) as StunBinding | undefined);
  }

  byUsername(username: string): StunBinding | null {
    return this.get(bindingKey(username, ''));
  }

  /** The device's most recently seen binding (for the device's API record and the ACS). */
  byDevice(deviceId: string): StunBinding | null {
    return fix(this.#byDevice.get(deviceId) as StunBinding | undefined);
  }

  list(opts: { limit?: number; offset?: number } = {}): StunBinding[] {
    const rows = prep(this.#store.db, `SELECT ${COLS} FROM stun_bindings ORDER BY last_seen DESC, key LIMIT ? OFFSET ?`)
      .all(opts.limit ?? 1000, opts.offset ?? 0) as StunBinding[];
    return rows.map((r) => fix(r)!);
  }

  count(): number {
    return (prep(this.#store.db, 'SELECT COUNT(*) AS n FROM stun_bindings').get() as { n: number }).n;
  }

  /** Synchronous write; run it inside store.commit(). */
  upsert(b: StunBinding): void {
    this.#upsert.run({ ...b, authenticated: b.authenticated ? 1 : 0 });
  }

  /** Synchronous last-seen refresh; run it inside store.commit(). */
  touch(key: string, lastSeen: number): void {
    this.#touch.run(lastSeen, key);
  }

  /** Drop bindings learned without USERNAME that were last seen before `before` (epoch ms). */
  purgeAnonymous(before: number): number {
    return prep(this.#store.db, "DELETE FROM stun_bindings WHERE key LIKE 'ip:%' AND last_seen < ?").run(before).changes;
  }

  /**
   * For the ACS when it provisions STUNUsername/STUNPassword (§8.2): replaces the device's
   * previous credentials. Resolves once durable.
   */
  setCredentials(deviceId: string, username: string, password: string): Promise<void> {
    if (!username || !password) return Promise.reject(new RangeError('STUN username and password must be non-empty'));
    const sealed = this.#store.secrets.seal(password);
    const now = this.#store.clock.now();
    return this.#store.commit(() => {
      prep(this.#store.db, 'DELETE FROM stun_credentials WHERE device_id = ? OR username = ?').run(deviceId, username);
      prep(this.#store.db, 'INSERT INTO stun_credentials (username, device_id, password_enc, updated_at) VALUES (?, ?, ?, ?)')
        .run(username, deviceId, sealed, now);
    });
  }

  deleteCredentials(deviceId: string): Promise<void> {
    return this.#store.commit(() => { prep(this.#store.db, 'DELETE FROM stun_credentials WHERE device_id = ?').run(deviceId); });
  }

  /** The password for a USERNAME (decrypted) and the device it belongs to, or null. */
  credentials(username: string): { deviceId: string; password: string } | null {
    const r = this.#cred.get(username) as { deviceId: string; passwordEnc: string } | undefined;
    if (!r) return null;
    return { deviceId: r.deviceId, password: this.#store.secrets.open(r.passwordEnc) };
  }

  usernameOf(deviceId: string): string | null {
    const r = prep(this.#store.db, 'SELECT username FROM stun_credentials WHERE device_id = ?').get(deviceId) as { username: string } | undefined;
    return r?.username ?? null;
  }
}
