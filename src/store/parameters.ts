// The parameters a device reported: value with its xsi:type, writable, notification, last seen.
// Secret values (hidden parameters such as passwords) are never stored here in clear: the
// caller passes them masked (see isSecretPath).

import type { Store } from './index.ts';
import { prep } from './db.ts';
import type { Statement } from './db.ts';

export interface ParameterRow {
  path: string;
  value: string | null;
  type: string | null;
  writable: boolean | null;
  notification: number | null;
  updatedAt: string;
}

/** Hidden parameters (TR-069 §5.1: read back empty) that we must never store in clear. */
export function isSecretPath(path: string): boolean {
  return /(Password|Secret|Passphrase|PreSharedKey|KeyPassphrase|WEPKey)$/i.test(path);
}

export class ParameterRepo {
  readonly #store: Store;
  readonly #upsertValue: Statement;
  readonly #upsertWritable: Statement;
  readonly #upsertNotification: Statement;

  constructor(store: Store) {
    this.#store = store;
    this.#upsertValue = store.db.prepare(`INSERT INTO parameters (device_id, path, value, type, updated_at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT(device_id, path) DO UPDATE SET value = excluded.value, type = excluded.type, updated_at = excluded.updated_at`);
    this.#upsertWritable = store.db.prepare(`INSERT INTO parameters (device_id, path, writable, updated_at) VALUES (?, ?, ?, ?)
      ON CONFLICT(device_id, path) DO UPDATE SET writable = excluded.writable, updated_at = excluded.updated_at`);
    this.#upsertNotification = store.db.prepare(`INSERT INTO parameters (device_id, path, notification, updated_at) VALUES (?, ?, ?, ?)
      ON CONFLICT(device_id, path) DO UPDATE SET notification = excluded.notification, updated_at = excluded.updated_at`);
  }

  /** Store values (inside store.commit). Secret paths are stored masked. */
  setValues(deviceId: string, params: readonly { name: string; value: string; type: string }[], at: string): void {
    for (const p of params) this.#upsertValue.run(deviceId, p.name, isSecretPath(p.name) ? '' : p.value, p.type, at);
  }

  setWritable(deviceId: string, params: readonly { name: string; writable: boolean }[], at: string): void {
    for (const p of params) this.#upsertWritable.run(deviceId, p.name, p.writable ? 1 : 0, at);
  }

  setNotification(deviceId: string, params: readonly { name: string; notification: number }[], at: string): void {
    for (const p of params) this.#upsertNotification.run(deviceId, p.name, p.notification, at);
  }

  /** Remove an object and everything below it (after DeleteObject). */
  deleteSubtree(deviceId: string, prefix: string): void {
    prep(this.#store.db, `DELETE FROM parameters WHERE device_id = ? AND substr(path, 1, ?) = ?`).run(deviceId, prefix.length, prefix);
  }

  get(deviceId: string, path: string): ParameterRow | null {
    const r = prep(this.#store.db, 'SELECT path, value, type, writable, notification, updated_at AS updatedAt FROM parameters WHERE device_id = ? AND path = ?').get(deviceId, path) as ParameterRow | undefined;
    return r ? norm(r) : null;
  }

  list(deviceId: string, prefix = ''): ParameterRow[] {
    return (prep(this.#store.db, `SELECT path, value, type, writable, notification, updated_at AS updatedAt FROM parameters
      WHERE device_id = ? AND substr(path, 1, ?) = ? ORDER BY path`).all(deviceId, prefix.length, prefix) as ParameterRow[]).map(norm);
  }
}

function norm(r: ParameterRow): ParameterRow {
  return { ...r, writable: r.writable === null ? null : Boolean(r.writable) };
}
