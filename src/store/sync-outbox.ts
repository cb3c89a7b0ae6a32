// The durable report outbox (docs/sync.md "Reports"): records (inventory, compliance, event,
// audit, or any kind a newer service adds) wait here until central has acknowledged them.
// `seq` is SQLite AUTOINCREMENT (never reused), so (stream, seq) names a record for ever and
// central can de-duplicate a batch sent twice. Deletion only ever removes a prefix (acknowledged
// records, or the oldest ones when the outbox is full), so the bound is checked with two index
// look-ups per enqueue (min and max seq).
//
// Any service may feed it inside its own store.commit (atomic with the change it reports):
//   store.commit(() => { …; new OutboxRepo(store).enqueue('event', { type: 'dhcp.pool.exhausted' }) })

import type { Store } from './index.ts';
import { prep } from './db.ts';

export interface OutboxRow {
  seq: number;
  kind: string;
  at: number;
  /** JSON text. */
  payload: string;
}

export interface Backlog {
  records: number;
  oldestSeq: number | null;
  newestSeq: number | null;
  /** Epoch ms of the oldest waiting record. */
  oldestAt: number | null;
  /** Records dropped (oldest first) because the outbox was full, since the database was made. */
  dropped: number;
  stream: string;
}

export class OutboxRepo {
  readonly #store: Store;
  readonly #maxRecords: number;

  /** `maxRecords`: the bound; enqueue beyond it drops the oldest records and counts them. */
  constructor(store: Store, opts: { maxRecords?: number } = {}) {
    this.#store = store;
    this.#maxRecords = opts.maxRecords ?? 1_000_000;
  }

  /**
   * Add a record (call inside store.commit so it is durable with the change it reports).
   * The payload is stored as JSON; validate known kinds first (protocols/bundle checkPayload).
   */
  enqueue(kind: string, payload: unknown, at = this.#store.clock.now()): number {
    const seq = Number(prep(this.#store.db, 'INSERT INTO sync_outbox (kind, at, payload) VALUES (?, ?, ?)').run(kind, at, JSON.stringify(payload)).lastInsertRowid);
    this.#bound(seq);
    return seq;
  }

  #bound(newest: number): void {
    const oldest = (prep(this.#store.db, 'SELECT min(seq) AS s FROM sync_outbox').get() as { s: number | null }).s ?? newest;
    const over = newest - oldest + 1 - this.#maxRecords;
    if (over <= 0) return;
    const n = prep(this.#store.db, 'DELETE FROM sync_outbox WHERE seq < ?').run(oldest + over).changes;
    prep(this.#store.db, 'UPDATE sync_state SET dropped = dropped + ? WHERE id = 1').run(n);
  }

  /** The oldest records, up to `limit` records and about `maxBytes` of payload (at least one). */
  peek(limit: number, maxBytes: number): OutboxRow[] {
    const rows = prep(this.#store.db, 'SELECT seq, kind, at, payload FROM sync_outbox ORDER BY seq LIMIT ?').all(limit) as OutboxRow[];
    let bytes = 0;
    for (let i = 0; i < rows.length; i++) {
      bytes += rows[i]!.payload.length + 64;
      if (bytes > maxBytes && i > 0) return rows.slice(0, i);
    }
    return rows;
  }

  /** Central has everything up to and including `seq` (call inside store.commit). */
  ack(seq: number): number {
    return prep(this.#store.db, 'DELETE FROM sync_outbox WHERE seq <= ?').run(seq).changes;
  }

  /**
   * Queue a compliance record when the device's state differs from the last one queued (call
   * inside store.commit). Returns whether a record was queued.
   */
  complianceChanged(deviceId: string, state: string, detail: string): boolean {
    const db = this.#store.db;
    const prev = prep(db, 'SELECT state FROM sync_compliance WHERE device_id = ?').get(deviceId) as { state: string } | undefined;
    if (prev?.state === state) return false;
    prep(db, 'INSERT INTO sync_compliance (device_id, state, at) VALUES (?, ?, ?) ON CONFLICT(device_id) DO UPDATE SET state = excluded.state, at = excluded.at')
      .run(deviceId, state, this.#store.clock.now());
    this.enqueue('compliance', { deviceId, state, ...(detail ? { detail: detail.slice(0, 1000) } : {}) });
    return true;
  }

  /**
   * Compare the provisioning verdicts (prov_devices, the site's source of truth) with what was
   * last reported and queue every difference (call inside store.commit): a state changed without
   * an event still reaches central. `normalize` maps a state to a report state.
   */
  reconcileCompliance(normalize: (state: string) => string): number {
    const rows = prep(this.#store.db, `SELECT p.device_id AS deviceId, p.state, p.reason, p.zone FROM prov_devices p
      LEFT JOIN sync_compliance s ON s.device_id = p.device_id WHERE s.state IS NULL OR s.state != p.state`).all() as { deviceId: string; state: string; reason: string; zone: string | null }[];
    let n = 0;
    for (const r of rows) {
      const state = normalize(r.state);
      if (this.complianceChanged(r.deviceId, state, `${r.zone ? `zone ${r.zone}: ` : ''}${r.reason}`)) n++;
    }
    return n;
  }

  backlog(): Backlog {
    const db = this.#store.db;
    const r = prep(db, 'SELECT min(seq) AS lo, max(seq) AS hi, count(*) AS n FROM sync_outbox').get() as { lo: number | null; hi: number | null; n: number };
    const s = prep(db, 'SELECT stream, dropped FROM sync_state WHERE id = 1').get() as { stream: string; dropped: number };
    const oldestAt = r.lo === null ? null : (prep(db, 'SELECT at FROM sync_outbox WHERE seq = ?').get(r.lo) as { at: number }).at;
    return { records: r.n, oldestSeq: r.lo, newestSeq: r.hi, oldestAt, dropped: s.dropped, stream: s.stream };
  }
}
