// Expected failures are data (STYLE habit 7, after GenieACS faults): every CPE fault and every
// failed task is a stored record with code, message and per-parameter detail.
import type { Store } from './index.ts';
import { prep } from './db.ts';

export interface FaultRow {
  id: number;
  deviceId: string;
  taskId: number | null;
  sessionId: string | null;
  method: string;
  code: string;
  message: string;
  detail: unknown;
  at: string;
}

export class FaultRepo {
  readonly #store: Store;
  constructor(store: Store) {
    this.#store = store;
  }

  add(f: Omit<FaultRow, 'id'>): void {
    prep(this.#store.db, `INSERT INTO faults (device_id, task_id, session_id, method, code, message, detail, at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`).run(f.deviceId, f.taskId, f.sessionId, f.method, f.code, f.message,
      f.detail === undefined || f.detail === null ? null : JSON.stringify(f.detail), f.at);
  }

  list(deviceId: string, limit = 100): FaultRow[] {
    return (prep(this.#store.db, `SELECT id, device_id AS deviceId, task_id AS taskId, session_id AS sessionId, method, code,
      message, detail, at FROM faults WHERE device_id = ? ORDER BY id DESC LIMIT ?`).all(deviceId, limit) as (FaultRow & { detail: string | null })[])
      .map((r) => ({ ...r, detail: r.detail === null ? null : JSON.parse(r.detail) as unknown }));
  }
}
