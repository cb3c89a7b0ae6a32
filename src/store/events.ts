// Events a device reported in its Informs (stored before the InformResponse: TR-069 §1.8).
import type { Store } from './index.ts';
import { prep } from './db.ts';

export interface EventRow {
  seq: number;
  deviceId: string;
  sessionId: string | null;
  code: string;
  commandKey: string;
  retryCount: number;
  at: string;
}

export class EventRepo {
  readonly #store: Store;
  constructor(store: Store) {
    this.#store = store;
  }

  add(deviceId: string, sessionId: string, events: readonly { code: string; commandKey: string }[], retryCount: number, at: string): void {
    const st = prep(this.#store.db, 'INSERT INTO events (device_id, session_id, code, command_key, retry_count, at) VALUES (?, ?, ?, ?, ?, ?)');
    for (const e of events) st.run(deviceId, sessionId, e.code, e.commandKey, retryCount, at);
  }

  list(deviceId: string, limit = 100): EventRow[] {
    return prep(this.#store.db, `SELECT seq, device_id AS deviceId, session_id AS sessionId, code, command_key AS commandKey,
      retry_count AS retryCount, at FROM events WHERE device_id = ? ORDER BY seq DESC LIMIT ?`).all(deviceId, limit) as EventRow[];
  }
}
