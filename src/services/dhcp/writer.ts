// Group commit of lease rows (DESIGN: "durable before the ACK, group commit under load"). Every
// row queued before the store runs the write lands in the same transaction — one fsync and one
// savepoint for a whole burst of REQUESTs instead of one per client — and every caller's promise
// resolves only once that transaction is on disk.
import type { Lease, LeaseRepo } from '../../store/leases.ts';
import type { Store } from '../../store/index.ts';

export class LeaseWriter {
  readonly #store: Store;
  readonly #repo: LeaseRepo;
  #batch: Lease[] = [];
  #pending: Promise<void> | null = null;
  /** Rows and transactions written, for the metrics. */
  rows = 0;
  commits = 0;

  constructor(store: Store, repo: LeaseRepo) {
    this.#store = store;
    this.#repo = repo;
  }

  write(rows: readonly Lease[]): Promise<void> {
    for (const r of rows) this.#batch.push(r);
    if (!this.#pending) {
      const batch = this.#batch; // keeps filling until the store runs the write below
      const p = this.#store.commit(() => {
        this.#pending = null;
        this.#batch = [];
        for (const l of batch) this.#repo.save(l);
        this.rows += batch.length;
        this.commits++;
      });
      this.#pending = p;
      // if the transaction failed before our write ran, start the next batch afresh
      p.catch(() => { if (this.#pending === p) { this.#pending = null; this.#batch = []; } });
    }
    return this.#pending;
  }
}
