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
