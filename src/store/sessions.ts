// CWMP sessions as records: who, when, from where, which events, how it ended.
import type { Store } from './index.ts';
import { prep } from './db.ts';

export interface SessionRow {
  id: string;
  deviceId: string;
  startedAt: string;
  endedAt: string | null;
  remoteIp: string;
  cwmpVersion: string;
  events: string;
  outcome: string | null;
  rpcs: number;
}

export class SessionRepo {
  readonly #store: Store;
  constructor(store: Store) {
    this.#store = store;
  }

  start(s: { id: string; deviceId: string; at: string; remoteIp: string; cwmpVersion: string; events: string }): void {
    prep(this.#store.db, `INSERT INTO sessions (id, device_id, started_at, remote_ip, cwmp_version, events) VALUES (?, ?, ?, ?, ?, ?)`)
      .run(s.id, s.deviceId, s.at, s.remoteIp, s.cwmpVersion, s.events);
  }

  end(id: string, outcome: string, rpcs: number, at: string): void {
    prep(this.#store.db, `UPDATE sessions SET ended_at = ?, outcome = ?, rpcs = ? WHERE id = ? AND ended_at IS NULL`).run(at, outcome, rpcs, id);
  }

  /** Sessions left open by a crash are closed at start. */
  closeDangling(at: string): number {
    return prep(this.#store.db, `UPDATE sessions SET ended_at = ?, outcome = 'interrupted' WHERE ended_at IS NULL`).run(at).changes;
  }

  list(deviceId: string, limit = 50): SessionRow[] {
    return prep(this.#store.db, `SELECT id, device_id AS deviceId, started_at AS startedAt, ended_at AS endedAt, remote_ip AS remoteIp,
      cwmp_version AS cwmpVersion, events, outcome, rpcs FROM sessions WHERE device_id = ? ORDER BY started_at DESC LIMIT ?`).all(deviceId, limit) as SessionRow[];
  }
}
