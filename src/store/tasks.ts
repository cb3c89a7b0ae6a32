// The per-device task queue: RPCs for the ACS to send, in id order, one at a time. A task is
// `queued` → `sent` (in a session) → `done` | `fault` (permanent CPE fault) | `failed` (out of
// retries) | `cancelled`. A transient fault or a session lost while the task was in flight puts
// it back to `queued` with a back-off (`not_before`).

import type { Store } from './index.ts';
import { prep } from './db.ts';

export type TaskStatus = 'queued' | 'sent' | 'done' | 'fault' | 'failed' | 'cancelled';

export interface TaskRow {
  id: number;
  deviceId: string;
  method: string;
  args: Record<string, unknown>;
  status: TaskStatus;
  attempts: number;
  notBefore: number;
  createdAt: string;
  updatedAt: string;
  result: unknown;
  sessionId: string | null;
  source: string;
}

interface Raw extends Omit<TaskRow, 'args' | 'result'> { args: string; result: string | null }

const COLS = `id, device_id AS deviceId, method, args, status, attempts, not_before AS notBefore, created_at AS createdAt,
  updated_at AS updatedAt, result, session_id AS sessionId, source`;

function parse(r: Raw | undefined, reveal: (v: unknown) => unknown): TaskRow | null {
  if (!r) return null;
  return { ...r, args: walkSecrets(JSON.parse(r.args), reveal) as Record<string, unknown>, result: r.result === null ? null : JSON.parse(r.result) as unknown };
}

const SECRET_KEY = /^(password|passphrase|secret)$/i;
const SECRET_PATH = /(Password|Secret|Passphrase|PreSharedKey|KeyPassphrase|WEPKey)$/i;

/**
 * Apply `fn` to every secret inside task arguments: `password` fields and the values of
 * SetParameterValues entries whose name is a hidden parameter. Used to seal them at rest,
 * open them for sending, and mask them for display.
 */
function walkSecrets(args: unknown, fn: (v: unknown) => unknown): unknown {
  if (Array.isArray(args)) return args.map((a) => walkSecrets(a, fn));
  if (!args || typeof args !== 'object') return args;
  const o = args as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const secretValue = typeof o.name === 'string' && SECRET_PATH.test(o.name) && 'value' in o;
  for (const [k, v] of Object.entries(o)) {
    if ((SECRET_KEY.test(k) && v !== '') || (secretValue && k === 'value')) out[k] = fn(v);
    else out[k] = walkSecrets(v, fn);
  }
  return out;
}

const SEALED = '$sealed';
const mask = (v: unknown): unknown => (v && typeof v === 'object' && SEALED in v ? '********' : v);

export class TaskRepo {
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }

  #reveal = (v: unknown): unknown =>
    v && typeof v === 'object' && SEALED in v ? this.#store.secrets.open(String((v as Record<string, unknown>)[SEALED])) : v;

  enqueue(deviceId: string, method: string, args: Record<string, unknown>, source: string, at: string): number {
    // Secrets in arguments are sealed at rest (DESIGN: secrets encrypted at rest).
    const sealed = walkSecrets(args, (v) => (typeof v === 'string' ? { [SEALED]: this.#store.secrets.seal(v) } : v));
    const r = prep(this.#store.db, `INSERT INTO tasks (device_id, method, args, status, created_at, updated_at, source)
      VALUES (?, ?, ?, 'queued', ?, ?, ?)`).run(deviceId, method, JSON.stringify(sealed), at, at, source);
    return Number(r.lastInsertRowid);
  }

  get(id: number): TaskRow | null {
    return parse(prep(this.#store.db, `SELECT ${COLS} FROM tasks WHERE id = ?`).get(id) as Raw | undefined, this.#reveal);
  }

  /** The next task to send to this device now, or null. */
  next(deviceId: string, now: number): TaskRow | null {
    return parse(prep(this.#store.db, `SELECT ${COLS} FROM tasks WHERE device_id = ? AND status = 'queued' AND not_before <= ?
      ORDER BY id LIMIT 1`).get(deviceId, now) as Raw | undefined, this.#reveal);
  }

  hasQueued(deviceId: string): boolean {
    return prep(this.#store.db, `SELECT 1 FROM tasks WHERE device_id = ? AND status = 'queued' LIMIT 1`).get(deviceId) !== undefined;
  }

  markSent(id: number, sessionId: string, at: string): void {
    prep(this.#store.db, `UPDATE tasks SET status = 'sent', attempts = attempts + 1, session_id = ?, updated_at = ? WHERE id = ?`).run(sessionId, at, id);
  }

  finish(id: number, status: Exclude<TaskStatus, 'queued' | 'sent'>, result: unknown, at: string): void {
    prep(this.#store.db, `UPDATE tasks SET status = ?, result = ?, updated_at = ? WHERE id = ?`).run(status, JSON.stringify(result ?? null), at, id);
  }

  /** Back to the queue after a transient failure, not before `notBefore` (epoch ms). */
  requeue(id: number, notBefore: number, result: unknown, at: string): void {
    prep(this.#store.db, `UPDATE tasks SET status = 'queued', not_before = ?, result = ?, updated_at = ? WHERE id = ?`).run(notBefore, JSON.stringify(result ?? null), at, id);
  }

  cancel(id: number, at: string): boolean {
    return prep(this.#store.db, `UPDATE tasks SET status = 'cancelled', updated_at = ? WHERE id = ? AND status = 'queued'`).run(at, id).changes > 0;
  }

  /** Tasks left `sent` by a crash or a lost session: back to the queue (called at start). */
  recoverInFlight(at: string): number {
    return prep(this.#store.db, `UPDATE tasks SET status = 'queued', updated_at = ? WHERE status = 'sent'`).run(at).changes;
  }

  /** For display: secrets masked, never revealed. */
  list(deviceId: string, limit = 100): TaskRow[] {
    return (prep(this.#store.db, `SELECT ${COLS} FROM tasks WHERE device_id = ? ORDER BY id DESC LIMIT ?`).all(deviceId, limit) as Raw[])
      .map((r) => parse(r, mask)!);
  }

  /** One task for display, secrets masked. */
  show(id: number): TaskRow | null {
    return parse(prep(this.#store.db, `SELECT ${COLS} FROM tasks WHERE id = ?`).get(id) as Raw | undefined, mask);
  }
}
