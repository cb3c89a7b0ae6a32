// Packet-path counters: plain integers incremented per datagram, pushed to the metrics registry
// once a second (a labelled registry update per packet would cost more than answering it).

import type { Metrics } from '../../core/metrics.ts';
import type { Outcome } from './handler.ts';

const OUTCOMES: readonly Outcome[] = ['answered', 'unauthorized', 'integrity-failed', 'unknown-attribute', 'bad-request', 'malformed', 'ignored', 'bad-fingerprint'];

export class StunStats {
  readonly #requests;
  readonly #bindingsGauge;
  readonly #changes;
  readonly #cr;
  readonly #counts = new Map<Outcome, number>(OUTCOMES.map((o) => [o, 0]));
  readonly #cr0 = { sent: 0, failed: 0 };
  #changesDelta = 0;

  constructor(metrics: Metrics) {
    this.#requests = metrics.counter('outpost_stun_requests_total', 'STUN datagrams received, by outcome');
    this.#bindingsGauge = metrics.gauge('outpost_stun_bindings', 'TR-069 Annex G bindings known to the STUN service');
    this.#changes = metrics.counter('outpost_stun_binding_changes_total', 'Bindings whose public address or port changed');
    this.#cr = metrics.counter('outpost_stun_connection_requests_total', 'UDP connection requests, by result');
  }

  outcome(o: Outcome): void {
    this.#counts.set(o, this.#counts.get(o)! + 1);
  }

  bindingChanged(): void {
    this.#changesDelta++;
  }

  cr(result: 'sent' | 'failed'): void {
    this.#cr0[result]++;
  }

  bindings(n: number): void {
    this.#bindingsGauge.set(n);
  }

  /** Push the deltas since the last flush. */
  flush(): void {
    for (const [o, n] of this.#counts) {
      if (n === 0) continue;
      this.#requests.inc({ outcome: o }, n);
      this.#counts.set(o, 0);
    }
    if (this.#changesDelta > 0) { this.#changes.inc(undefined, this.#changesDelta); this.#changesDelta = 0; }
    for (const r of ['sent', 'failed'] as const) if (this.#cr0[r] > 0) { this.#cr.inc({ result: r }, this.#cr0[r]); this.#cr0[r] = 0; }
  }
}
