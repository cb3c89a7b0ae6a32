// The audit log (DESIGN "Management plane"): append-only (SQLite triggers refuse UPDATE and
// DELETE) and hash-chained — each entry's hash covers the previous entry's hash and its own
// fields, so an edit or a removal anywhere breaks every later link and verify() names the first
// broken entry. Append inside store.commit, in the same transaction as the change it records.

import { createHash } from 'node:crypto';
import type { Store } from './index.ts';
import { prep } from './db.ts';

export interface AuditInput {
  /** User name, or 'api-token', 'site-config', 'console'. */
  actor: string;
  /** What was done: 'user.login', 'task.create', 'PUT /api/v1/templates', … */
  action: string;
  target?: string | undefined;
  /** The client's address. */
  source?: string | undefined;
  /** 'ok', 'denied', 'failed: …', or an HTTP status. */
  result: string;
}

export interface AuditEntry extends Required<Omit<AuditInput, 'target' | 'source'>> {
  seq: number;
  at: string;
  target: string | null;
  source: string | null;
  hash: string;
}

interface Row { seq: number; at: number; actor: string; action: string; target: string | null; source: string | null; result: string; prev: string; hash: string }

const clip = (s: string | undefined | null, n: number): string | null => (s === undefined || s === null ? null : s.slice(0, n));

/** The chain hash: length-prefixed fields, so no two different entries serialize alike. */
export function auditHash(prev: string, e: Omit<Row, 'prev' | 'hash'>): string {
  const h = createHash('sha256').update(prev);
  for (const f of [String(e.seq), String(e.at), e.actor, e.action, e.target ?? '\u0000', e.source ?? '\u0000', e.result]) {
    h.update(`${Buffer.byteLength(f)}:`).update(f);
  }
  return h.digest('hex');
}

const toEntry = (r: Row): AuditEntry => ({ seq: r.seq, at: new Date(r.at).toISOString(), actor: r.actor, action: r.action, target: r.target, source: r.source, result: r.result, hash: r.hash });

export class AuditRepo {
  readonly #store: Store;
  constructor(store: Store) { this.#store = store; }

  /** Append one entry (inside store.commit). Returns its seq. */
  append(e: AuditInput): number {
    const db = this.#store.db;
    const last = prep(db, 'SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined;
    const row = {
      seq: (last?.seq ?? 0) + 1, at: this.#store.clock.now(), actor: clip(e.actor, 128)!, action: clip(e.action, 128)!,
      target: clip(e.target, 300), source: clip(e.source, 128), result: clip(e.result, 200)!,
    };
    const prev = last?.hash ?? '';
    prep(db, 'INSERT INTO audit_log (seq, at, actor, action, target, source, result, prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(row.seq, row.at, row.actor, row.action, row.target, row.source, row.result, prev, auditHash(prev, row));
    return row.seq;
  }

  /** Newest first. */
  list(limit: number, offset = 0, filter: { actor?: string | undefined; action?: string | undefined } = {}): { items: AuditEntry[]; total: number } {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (filter.actor) { where.push('actor = ?'); args.push(filter.actor); }
    if (filter.action) { where.push('action LIKE ?'); args.push(`${filter.action}%`); }
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const db = this.#store.db;
    const rows = db.prepare(`SELECT * FROM audit_log ${w} ORDER BY seq DESC LIMIT ? OFFSET ?`).all(...args, limit, offset) as Row[];
    const total = (db.prepare(`SELECT count(*) AS n FROM audit_log ${w}`).get(...args) as { n: number }).n;
    return { items: rows.map(toEntry), total };
  }

  /** Walk the whole chain: seq without gaps, each prev = the hash before it, each hash recomputed. */
  verify(): { ok: boolean; entries: number; head: string | null; brokenAt: number | null; problem: string | null } {
    let prev = '';
    let expectSeq = 1;
    let n = 0;
    for (const r of this.#store.db.prepare('SELECT * FROM audit_log ORDER BY seq').iterate() as IterableIterator<Row>) {
      const problem = r.seq !== expectSeq ? `entry ${expectSeq} is missing`
        : r.prev !== prev ? 'its link to the previous entry does not match'
          : auditHash(prev, r) !== r.hash ? 'its content does not match its hash' : null;
      if (problem) return { ok: false, entries: n, head: prev || null, brokenAt: r.seq !== expectSeq ? expectSeq : r.seq, problem };
      prev = r.hash;
      expectSeq++;
      n++;
    }
    return { ok: true, entries: n, head: prev || null, brokenAt: null, problem: null };
  }

  /** Entries not yet queued for central, oldest first (services/sync). */
  unreported(limit: number): AuditEntry[] {
    const cur = (prep(this.#store.db, 'SELECT reported_seq AS s FROM audit_cursor WHERE id = 1').get() as { s: number }).s;
    return (prep(this.#store.db, 'SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?').all(cur, limit) as Row[]).map(toEntry);
  }

  /** Everything up to `seq` is in the report outbox (inside the same store.commit). */
  markReported(seq: number): void {
    prep(this.#store.db, 'UPDATE audit_cursor SET reported_seq = max(reported_seq, ?) WHERE id = 1').run(seq);
  }
}
