import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb, GroupCommitter } from './db.ts';

test('group commit: writes queued in one turn share one transaction; a failing write is undone alone', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'op-db-'));
  try {
    const db = openDb({ file: join(dir, 't.db') });
    db.exec('CREATE TABLE t (k TEXT PRIMARY KEY)');
    const gc = new GroupCommitter(db);
    const ins = (k: string) => gc.commit(() => db.prepare('INSERT INTO t (k) VALUES (?)').run(k).changes);
    const failing = gc.commit(() => {
      db.prepare('INSERT INTO t (k) VALUES (?)').run('half-done');
      throw new Error('boom');
    });
    const results = await Promise.allSettled([ins('a'), ins('b'), failing, ins('a'), ins('c')]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'fulfilled', 'rejected', 'rejected', 'fulfilled']);
    assert.equal(gc.batches, 1);
    assert.deepEqual((db.prepare('SELECT k FROM t ORDER BY k').all() as { k: string }[]).map((r) => r.k), ['a', 'b', 'c']);
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('group commit holds the write lock from BEGIN: another connection committing mid-batch cannot make a queued write fail', async () => {
  // Before: a deferred transaction whose first statement read, followed by another connection's
  // commit (the lease writer thread), failed its write with SQLITE_BUSY_SNAPSHOT — a 500 to a
  // phone during a boot storm.
  const dir = mkdtempSync(join(tmpdir(), 'op-db-'));
  try {
    const file = join(dir, 't.db');
    const db = openDb({ file });
    db.exec('CREATE TABLE t (k TEXT PRIMARY KEY, n INTEGER)');
    db.prepare('INSERT INTO t VALUES (?, ?)').run('x', 0);
    const other = openDb({ file });
    other.pragma('busy_timeout = 0');
    const gc = new GroupCommitter(db);
    let otherResult = '';
    const write = gc.commit(() => {
      const n = (db.prepare('SELECT n FROM t WHERE k = ?').get('x') as { n: number }).n; // read first
      try {
        other.prepare('INSERT INTO t VALUES (?, ?)').run('y', 1); // the other connection tries to commit now
        otherResult = 'committed';
      } catch (err) {
        otherResult = (err as { code?: string }).code ?? 'error';
      }
      return db.prepare('UPDATE t SET n = ? WHERE k = ?').run(n + 1, 'x').changes;
    });
    assert.equal(await write, 1, 'the queued write commits');
    assert.equal(otherResult, 'SQLITE_BUSY', 'the other connection waits for the lock instead of invalidating the batch');
    assert.equal((db.prepare('SELECT n FROM t WHERE k = ?').get('x') as { n: number }).n, 1);
    other.close();
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
