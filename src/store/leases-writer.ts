// Durable lease writes for services/dhcp, off the event loop. better-sqlite3 is synchronous: a
// commit blocks the thread for its fsync (0.3 ms on an idle disk, 5–20 ms on a busy one), and on
// the DHCP thread every blocked millisecond is a millisecond of a power-on burst not read from
// the socket. So lease rows go to a worker thread with its own connection to the same database
// (WAL: readers on the main connection see each commit): everything that arrives while one
// commit is on its way to disk becomes the next commit (group commit that sizes itself), and
// each write's promise resolves only once its transaction is durable (synchronous=FULL).
// Where a worker cannot run (an in-memory database, or a bundle without this file) the writes
// fall back to the store's own group commit on the calling thread.

import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { openDb } from './db.ts';
import { leaseTuple, leaseUpsert, tupleUpsert, type Lease, type LeaseTuple } from './leases.ts';
import type { Store } from './index.ts';

export interface LeaseWriter {
  /** Resolves once every row is durable. */
  write(rows: readonly Lease[]): Promise<void>;
  close(): Promise<void>;
  readonly stats: { rows: number; commits: number; mode: 'worker' | 'inline' };
}

interface Job { id: number; rows: LeaseTuple[] }
type Reply = { done: number[]; rows: number } | { failed: number[]; error: string };
const WORKER_TAG = 'outpost-lease-writer';

export async function openLeaseWriter(store: Store): Promise<LeaseWriter> {
  const file = store.db.name;
  if (!store.db.memory && file) {
    try {
      return await workerWriter(file);
    } catch { /* fall through to the inline writer */ }
  }
  return inlineWriter(store);
}

function workerWriter(file: string): Promise<LeaseWriter> {
  const worker = new Worker(new URL(import.meta.url), { workerData: { tag: WORKER_TAG, file } });
  const waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  const stats = { rows: 0, commits: 0, mode: 'worker' as const };
  let next = 1;
  let failure: Error | null = null;
  const failAll = (e: Error) => { failure = e; for (const w of waiting.values()) w.reject(e); waiting.clear(); };
  worker.on('message', (m: Reply | 'ready') => {
    if (m === 'ready') return;
    if ('done' in m) {
      stats.commits++;
      stats.rows += m.rows;
      for (const id of m.done) { waiting.get(id)?.resolve(); waiting.delete(id); }
    } else {
      for (const id of m.failed) { waiting.get(id)?.reject(new Error(m.error)); waiting.delete(id); }
    }
  });
  worker.on('error', (e) => failAll(e));
  worker.on('exit', (code) => failAll(new Error(`lease writer exited (${code})`)));
  return new Promise((resolve, reject) => {
    worker.once('message', () => resolve({
      stats,
      write(rows) {
        if (failure) return Promise.reject(failure);
        const id = next++;
        return new Promise<void>((res, rej) => {
          waiting.set(id, { resolve: res, reject: rej });
          worker.postMessage({ id, rows: rows.map(leaseTuple) } satisfies Job);
        });
      },
      async close() {
        while (waiting.size > 0 && !failure) await new Promise((r) => setTimeout(r, 5));
        worker.removeAllListeners('exit');
        await worker.terminate();
      },
    }));
    worker.once('error', reject);
  });
}

function inlineWriter(store: Store): LeaseWriter {
  const save = leaseUpsert(store.db);
  const stats = { rows: 0, commits: 0, mode: 'inline' as const };
  return {
    stats,
    write(rows) {
      return store.commit(() => { for (const l of rows) save(l); stats.rows += rows.length; stats.commits++; });
    },
    async close() {},
  };
}

/** The worker: batch every job that arrived while the previous commit was on disk. */
function runWorker(): void {
  const { file } = workerData as { file: string };
  const db = openDb({ file });
  const save = tupleUpsert(db);
  let queue: Job[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    const jobs = queue;
    queue = [];
    const ids = jobs.map((j) => j.id);
    try {
      let n = 0;
      db.transaction(() => { for (const j of jobs) for (const l of j.rows) { save(l); n++; } })();
      parentPort!.postMessage({ done: ids, rows: n } satisfies Reply);
    } catch (err) {
      parentPort!.postMessage({ failed: ids, error: (err as Error).message } satisfies Reply);
    }
  };
  parentPort!.on('message', (j: Job) => {
    queue.push(j);
    if (!scheduled) { scheduled = true; setImmediate(flush); }
  });
  parentPort!.postMessage('ready');
}

if (!isMainThread && (workerData as { tag?: string } | null)?.tag === WORKER_TAG) runWorker();
