// Work queues of batched RPCs with per-item fault isolation: a batch that faults as a whole is
// retried once when the fault may be transient, then split in halves until the failing item is
// alone (GenieACS handles 9005 on GPV by rediscovery; models/README.md: "the whole call fails,
// so retry without it"). Items that fail alone are handed back to the caller.

/** CPE faults that may pass (§4.3): internal error, resources exceeded. */
export const TRANSIENT_FAULTS = new Set([9002, 9004]);

export class BatchQueue<T> {
  readonly #queue: T[][] = [];
  readonly #retried = new WeakSet<T[]>();
  readonly #max: number;
  inFlight: T[] | null = null;

  constructor(max: number) {
    this.#max = Math.max(1, max);
  }

  get empty(): boolean {
    return this.#queue.length === 0;
  }

  push(items: readonly T[]): void {
    for (let i = 0; i < items.length; i += this.#max) this.#queue.push(items.slice(i, i + this.#max));
  }

  /** The next batch to send (kept as in flight until done()/fault()). */
  take(): T[] | null {
    this.inFlight = this.#queue.shift() ?? null;
    return this.inFlight;
  }

  done(): T[] {
    const b = this.inFlight ?? [];
    this.inFlight = null;
    return b;
  }

  /** Requeue items at the front (e.g. the rest of a batch after dropping faulted items). */
  requeueFront(items: T[]): void {
    if (items.length > 0) this.#queue.unshift(items);
  }

  /**
   * The batch in flight faulted as a whole. Returns the item to give up on when it was alone,
   * else null (retried or split).
   */
  fault(code: number): T | null {
    const b = this.done();
    if (b.length === 0) return null;
    if (TRANSIENT_FAULTS.has(code) && !this.#retried.has(b)) {
      this.#retried.add(b);
      this.#queue.unshift(b);
      return null;
    }
    if (b.length === 1) return b[0]!;
    const half = Math.ceil(b.length / 2);
    this.#queue.unshift(b.slice(0, half), b.slice(half));
    return null;
  }
}
