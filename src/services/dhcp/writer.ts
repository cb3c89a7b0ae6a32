// Group commit of lease rows (DESIGN: "durable before the ACK, group commit under load"): rows
// queued in one turn of the event loop travel together to the store's lease writer (a worker
// thread that commits whatever arrived while its previous commit was on disk, see
// store/leases-writer.ts); every caller's promise resolves only once its rows are durable.
import type { Lease } from '../../store/leases.ts';
import type { LeaseWriter } from '../../store/leases-writer.ts';

export class BatchedWriter {
  readonly #sink: LeaseWriter;
  #batch: Lease[] = [];
  #pending: Promise<void> | null = null;

  constructor(sink: LeaseWriter) {
    this.#sink = sink;
  }

  get stats(): LeaseWriter['stats'] {
    return this.#sink.stats;
  }

  write(rows: readonly Lease[]): Promise<void> {
    for (const r of rows) this.#batch.push(r);
    if (!this.#pending) {
      this.#pending = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        const batch = this.#batch;
        this.#batch = [];
        this.#pending = null;
        return this.#sink.write(batch);
      });
    }
    return this.#pending;
  }

  close(): Promise<void> {
    return this.#sink.close();
  }
}
