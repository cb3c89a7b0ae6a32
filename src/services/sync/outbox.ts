// Delivers the report outbox to central (docs/sync.md "Reports"): the oldest records in batches
// (sync.outbox.batchRecords / batchBytes), each POSTed with the stream id and its seqs; records
// are deleted only after central's answer says it has them (ackedThrough). A batch whose answer
// is lost is sent again and central counts it as duplicates: exactly once at central, whatever
// the WAN does in between.

import type { Store } from '../../store/index.ts';
import { OutboxRepo } from '../../store/sync-outbox.ts';
import { reportAckSchema } from '../../protocols/bundle/index.ts';
import { request, NetworkError, type RequestOptions } from './http.ts';
import type { WanOutcome } from './wan.ts';

export interface SenderDeps {
  store: Store;
  outbox: OutboxRepo;
  site: string;
  url: string;
  headers: Record<string, string>;
  http: Omit<RequestOptions, 'headers' | 'body' | 'method'>;
  batchRecords: number;
  batchBytes: number;
  bundleVersion(): number | null;
  wan(o: WanOutcome): void;
}

export interface SendResult {
  sent: number;
  batches: number;
  /** Why it stopped before the outbox was empty. */
  stopped: string | null;
}

export class OutboxSender {
  readonly #d: SenderDeps;

  constructor(d: SenderDeps) {
    this.#d = d;
  }

  /** Send until the outbox is empty or something fails; at most `maxBatches` per call. */
  async flush(maxBatches = 10_000, signal?: AbortSignal): Promise<SendResult> {
    let sent = 0;
    let batches = 0;
    while (batches < maxBatches && !signal?.aborted) {
      const rows = this.#d.outbox.peek(this.#d.batchRecords, this.#d.batchBytes);
      if (rows.length === 0) return { sent, batches, stopped: null };
      const b = this.#d.outbox.backlog();
      // The payload is already JSON text: splice it in rather than parse and re-serialize.
      const body = `{"site":${JSON.stringify(this.#d.site)},"stream":"${b.stream}","dropped":${b.dropped},"bundleVersion":${JSON.stringify(this.#d.bundleVersion())},"records":[${
        rows.map((r) => `{"seq":${r.seq},"kind":${JSON.stringify(r.kind)},"at":"${new Date(r.at).toISOString()}","payload":${r.payload}}`).join(',')}]}`;
      let res;
      try {
        res = await request(this.#d.url, {
          ...this.#d.http, method: 'POST', body, maxBytes: 64 * 1024, signal,
          headers: { ...this.#d.headers, 'content-type': 'application/json' },
        });
      } catch (err) {
        if (!(err instanceof NetworkError)) throw err;
        this.#d.wan({ ok: false, kind: 'network', message: `reports: ${err.message}` });
        return { sent, batches, stopped: err.message };
      }
      if (res.status !== 200) {
        this.#d.wan({ ok: false, kind: res.status === 401 || res.status === 403 ? 'auth' : 'server', message: `reports: HTTP ${res.status}` });
        return { sent, batches, stopped: `HTTP ${res.status}: ${res.body.toString('utf8').slice(0, 200)}` };
      }
      let ack;
      try {
        ack = reportAckSchema.parse(JSON.parse(res.body.toString('utf8')));
      } catch {
        this.#d.wan({ ok: false, kind: 'server', message: 'reports: central answered with something that is not an acknowledgement' });
        return { sent, batches, stopped: 'bad acknowledgement' };
      }
      this.#d.wan({ ok: true, latencyMs: res.latencyMs });
      const last = rows[rows.length - 1]!.seq;
      // Only what we sent can be acknowledged; a larger ackedThrough is central's error, not ours.
      const through = Math.min(ack.ackedThrough, last);
      await this.#d.store.commit(() => this.#d.outbox.ack(through));
      sent += rows.filter((r) => r.seq <= through).length;
      batches++;
      if (through < last) return { sent, batches, stopped: `central acknowledged through ${through} of ${last}` };
    }
    return { sent, batches, stopped: signal?.aborted ? 'stopping' : 'batch limit' };
  }
}
