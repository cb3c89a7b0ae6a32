// Changes waiting for a second approval (services/api/approvals.ts). Writes inside store.commit.
// The stored request body may carry secrets (line passwords in positions): sealed at rest.
import type { Store } from './index.ts';
import { prep } from './db.ts';

export interface ApprovalRow {
  id: number;
  kind: string;
  summary: string;
  permission: string;
  method: string;
  url: string;
  contentType: string | null;
  body: string | null;
  requester: string;
  source: string | null;
  createdAt: string;
  expiresAt: string;
  /** approved: claimed by its approver and being executed. */
  status: 'pending' | 'approved' | 'executed' | 'failed' | 'rejected' | 'expired';
  decidedBy: string | null;
  decidedAt: string | null;
  resultStatus: number | null;
  result: string | null;
}

const COLS = `id, kind, summary, permission, method, url, content_type AS contentType, body, requester, source, created_at AS createdAt,
  expires_at AS expiresAt, status, decided_by AS decidedBy, decided_at AS decidedAt, result_status AS resultStatus, result`;
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
type Raw = Omit<ApprovalRow, 'createdAt' | 'expiresAt' | 'decidedAt'> & { createdAt: number; expiresAt: number; decidedAt: number | null };
/** A pending request past its expiry reads as expired (and can no longer be decided). */
const fix = (r: Raw | undefined, now: number): ApprovalRow | null => (r ? {
  ...r, status: r.status === 'pending' && r.expiresAt <= now ? 'expired' : r.status,
  createdAt: iso(r.createdAt)!, expiresAt: iso(r.expiresAt)!, decidedAt: iso(r.decidedAt),
} : null);

export class ApprovalRepo {
  readonly #store: Store;
  constructor(store: Store) { this.#store = store; }

  create(a: { kind: string; summary: string; permission: string; method: string; url: string; contentType: string | null; body: string | null; requester: string; source: string | null; ttlMs: number }): number {
    const now = this.#store.clock.now();
    return Number(prep(this.#store.db, `INSERT INTO approvals (kind, summary, permission, method, url, content_type, body, requester, source, created_at, expires_at, status)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending')`).run(a.kind, a.summary, a.permission, a.method, a.url, a.contentType, a.body === null ? null : this.#store.secrets.seal(a.body), a.requester, a.source, now, now + a.ttlMs).lastInsertRowid);
  }

  get(id: number): ApprovalRow | null {
    const row = fix(prep(this.#store.db, `SELECT ${COLS} FROM approvals WHERE id = ?`).get(id) as Raw | undefined, this.#store.clock.now());
    return row && row.body !== null ? { ...row, body: this.#store.secrets.open(row.body) } : row;
  }

  list(status: string | undefined, limit: number): ApprovalRow[] {
    const now = this.#store.clock.now();
    const rows = (status === 'pending'
      ? prep(this.#store.db, `SELECT ${COLS} FROM approvals WHERE status = 'pending' AND expires_at > ? ORDER BY id DESC LIMIT ?`).all(now, limit)
      : status
      ? prep(this.#store.db, `SELECT ${COLS} FROM approvals WHERE status = ? ORDER BY id DESC LIMIT ?`).all(status, limit)
      : prep(this.#store.db, `SELECT ${COLS} FROM approvals ORDER BY id DESC LIMIT ?`).all(limit)) as Raw[];
    return rows.map((r) => ({ ...fix(r, now)!, body: null })).filter((r) => !status || r.status === status);
  }

  /** approved → executed | failed, with the executed request's answer. */
  finish(id: number, status: 'executed' | 'failed', result: { status: number; body: string }): void {
    prep(this.#store.db, `UPDATE approvals SET status = ?, result_status = ?, result = ? WHERE id = ? AND status = 'approved'`)
      .run(status, result.status, result.body.slice(0, 4000), id);
  }

  /** pending → another state, only from pending (returns whether it changed). */
  decide(id: number, status: ApprovalRow['status'], by: string, result?: { status: number; body: string }): boolean {
    const now = this.#store.clock.now();
    return prep(this.#store.db, `UPDATE approvals SET status = ?, decided_by = ?, decided_at = ?, result_status = ?, result = ? WHERE id = ? AND status = 'pending' AND expires_at > ?`)
      .run(status, by, now, result?.status ?? null, result?.body.slice(0, 4000) ?? null, id, now).changes === 1;
  }
}
