// The only module that imports better-sqlite3 (ARCHITECTURE.md: "only store touches SQLite").
// WAL mode with synchronous=FULL: a commit is on disk before we acknowledge anything to a client
// (DESIGN: "acknowledge only what is durable"). Under load, writes are group-committed: callers
// queue a write with `commit(fn)`, and all writes queued in the same turn of the event loop run
// in one transaction with one fsync; each caller's promise resolves only after that commit.

import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { OutpostError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import { MIGRATIONS } from './migrations/index.ts';

export type Db = Database.Database;
export type Statement = Database.Statement;

export interface OpenOptions {
  /** Path of the database file, or ':memory:'. */
  file: string;
  /** Path of the better-sqlite3 native addon (used by the single executable). */
  nativeBinding?: string;
  log?: Logger;
  /** 'FULL' (default) survives power loss; 'NORMAL' survives only a process crash. */
  synchronous?: 'FULL' | 'NORMAL';
}

export function openDb(opts: OpenOptions): Db {
  let db: Db;
  try {
    if (opts.file !== ':memory:') mkdirSync(dirname(opts.file), { recursive: true, mode: 0o700 });
    db = new Database(opts.file, opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {});
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${opts.synchronous ?? 'FULL'}`);
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    db.pragma('wal_autocheckpoint = 4000');
  } catch (err) {
    throw new OutpostError('STORE_OPEN', `${opts.file}: ${(err as Error).message}`, { cause: err });
  }
  migrate(db, opts.log);
  return db;
}

/** Forward-only migrations: each runs once, in its own transaction, in id order. */
export function migrate(db: Db, log?: Logger): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const applied = new Set((db.prepare('SELECT id FROM schema_migrations').all() as { id: number }[]).map((r) => r.id));
  const known = new Set(MIGRATIONS.map((m) => m.id));
  const newer = [...applied].filter((id) => !known.has(id));
  if (newer.length > 0) throw new OutpostError('STORE_NEWER_SCHEMA', `unknown migrations ${newer.join(', ')}`);
  for (const m of [...MIGRATIONS].sort((a, b) => a.id - b.id)) {
    if (applied.has(m.id)) continue;
    try {
      db.transaction(() => {
        db.exec(m.sql);
        db.prepare('INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)').run(m.id, m.name, new Date().toISOString());
      })();
      log?.info({ migration: m.id, name: m.name }, 'migration applied');
    } catch (err) {
      throw new OutpostError('STORE_MIGRATION', `${m.id} ${m.name}: ${(err as Error).message}`, { cause: err });
    }
  }
}

/**
 * Group commit. `commit(fn)` queues fn; all fns queued before the next check run inside one
 * transaction. The returned promise resolves with fn's result after the transaction commits, or
 * rejects with fn's error (other writes in the batch are unaffected: each fn runs in a savepoint).
 */
export class GroupCommitter {
  readonly #db: Db;
  #queue: { fn: () => unknown; resolve: (v: unknown) => void; reject: (e: unknown) => void }[] = [];
  #scheduled = false;
  batches = 0;
  writes = 0;

  constructor(db: Db) {
    this.#db = db;
  }

  commit<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Run everything queued now, in one transaction; each write in its own savepoint. */
  flush(): void {
    this.#scheduled = false;
    const batch = this.#queue;
    this.#queue = [];
    if (batch.length === 0) return;
    const sp = prep(this.#db, 'SAVEPOINT gc_item');
    const release = prep(this.#db, 'RELEASE gc_item');
    const rollback = prep(this.#db, 'ROLLBACK TO gc_item');
    const results: { ok: boolean; value: unknown }[] = [];
    try {
      // IMMEDIATE: take the write lock at BEGIN (waiting up to busy_timeout for the lease
      // writer's connection). A deferred transaction that reads first fails with
      // SQLITE_BUSY_SNAPSHOT — no retry possible — when the other connection commits between its
      // first read and its first write; under a boot storm that was a 500 to a phone.
      this.#db.transaction(() => {
        for (const item of batch) {
          sp.run();
          try {
            results.push({ ok: true, value: item.fn() });
            release.run();
          } catch (err) {
            // Undo just this write; the others in the batch still commit.
            rollback.run();
            release.run();
            results.push({ ok: false, value: err });
          }
        }
      }).immediate();
    } catch (err) {
      for (const item of batch) item.reject(err);
      return;
    }
    this.batches++;
    this.writes += batch.length;
    batch.forEach((item, i) => (results[i]!.ok ? item.resolve(results[i]!.value) : item.reject(results[i]!.value)));
  }
}

const statements = new WeakMap<Db, Map<string, Statement>>();

/** A prepared statement, prepared once per connection and SQL text (preparing is not free). */
export function prep(db: Db, sql: string): Statement {
  let m = statements.get(db);
  if (!m) statements.set(db, (m = new Map()));
  let st = m.get(sql);
  if (!st) m.set(sql, (st = db.prepare(sql)));
  return st;
}
