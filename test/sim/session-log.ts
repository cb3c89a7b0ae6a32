// The sessions a phone has run: a bounded history, listeners (the CLI's live count) and waiters
// (tests: "the next session that carried 6 CONNECTION REQUEST").

import type { SessionRecord } from './cwmp-client.ts';

interface Waiter { pred: (s: SessionRecord) => boolean; resolve: (s: SessionRecord) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }

export class SessionLog {
  /** Most recent sessions, oldest first. */
  readonly records: SessionRecord[] = [];
  /** Sessions completed so far (also those no longer kept). */
  count = 0;
  readonly #keep: number;
  readonly #waiters = new Set<Waiter>();
  readonly #listeners = new Set<(s: SessionRecord) => void>();

  constructor(keep = 100) {
    this.#keep = keep;
  }

  add(rec: SessionRecord): void {
    this.count++;
    this.records.push(rec);
    if (this.records.length > this.#keep) this.records.shift();
    for (const l of this.#listeners) l(rec);
    for (const w of [...this.#waiters]) {
      if (!w.pred(rec)) continue;
      clearTimeout(w.timer);
      this.#waiters.delete(w);
      w.resolve(rec);
    }
  }

  listen(cb: (s: SessionRecord) => void): () => void {
    this.#listeners.add(cb);
    return () => this.#listeners.delete(cb);
  }

  /** Next session matching `pred`; with `fromIndex` (a past `count`) already-completed ones count too. */
  wait(pred: (s: SessionRecord) => boolean, timeoutMs: number, fromIndex?: number): Promise<SessionRecord> {
    if (fromIndex !== undefined) {
      const offset = this.count - this.records.length;
      const hit = this.records.slice(Math.max(0, fromIndex - offset)).find(pred);
      if (hit) return Promise.resolve(hit);
    }
    return new Promise<SessionRecord>((resolve, reject) => {
      const w: Waiter = {
        pred, resolve, reject,
        timer: setTimeout(() => { this.#waiters.delete(w); reject(new Error(`no matching session within ${timeoutMs} ms`)); }, timeoutMs),
      };
      this.#waiters.add(w);
    });
  }

  /** Reject every waiter (the phone stopped). */
  close(): void {
    for (const w of this.#waiters) { clearTimeout(w.timer); w.reject(new Error('phone stopped')); }
    this.#waiters.clear();
  }
}
