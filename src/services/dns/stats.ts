// Counters for the packet path. Plain numbers on the hot path (a labelled Prometheus increment
// per packet costs more than answering it), flushed into ctx.metrics every few seconds.

import type { Metrics } from '../../core/metrics.ts';
import { rcodeName } from '../../protocols/dns/index.ts';

export class DnsStats {
  udp = 0;
  tcp = 0;
  /** Clients outside the allowed networks (answered REFUSED). */
  refusedClients = 0;
  /** Datagrams not answered at all (too short, or responses). */
  dropped = 0;
  malformed = 0;
  cacheHits = 0;
  upstreamSent = 0;
  upstreamTimeouts = 0;
  upstreamTcp = 0;
  servfail = 0;
  readonly rcodes = new Float64Array(32);

  readonly #m: {
    queries: ReturnType<Metrics['counter']>;
    responses: ReturnType<Metrics['counter']>;
    refused: ReturnType<Metrics['counter']>;
    dropped: ReturnType<Metrics['counter']>;
    malformed: ReturnType<Metrics['counter']>;
    cacheHits: ReturnType<Metrics['counter']>;
    upstream: ReturnType<Metrics['counter']>;
    cacheEntries: ReturnType<Metrics['gauge']>;
    upstreamUp: ReturnType<Metrics['gauge']>;
  };

  constructor(m: Metrics) {
    this.#m = {
      queries: m.counter('outpost_dns_queries_total', 'DNS queries received, by transport'),
      responses: m.counter('outpost_dns_responses_total', 'DNS responses sent, by rcode'),
      refused: m.counter('outpost_dns_refused_clients_total', 'Queries from outside the allowed networks (answered REFUSED)'),
      dropped: m.counter('outpost_dns_dropped_total', 'Datagrams not answered (shorter than a header, or responses)'),
      malformed: m.counter('outpost_dns_malformed_total', 'Malformed queries (answered FORMERR)'),
      cacheHits: m.counter('outpost_dns_cache_hits_total', 'Forwarded names answered from the cache'),
      upstream: m.counter('outpost_dns_upstream_total', 'Upstream activity: sent, timeout, tcp, servfail'),
      cacheEntries: m.gauge('outpost_dns_cache_entries', 'Upstream answers in the cache'),
      upstreamUp: m.gauge('outpost_dns_upstream_up', '1 while at least one upstream resolver answers'),
    };
  }

  count(what: 'sent' | 'timeout' | 'servfail' | 'tcp'): void {
    if (what === 'sent') this.upstreamSent++;
    else if (what === 'timeout') this.upstreamTimeouts++;
    else if (what === 'tcp') this.upstreamTcp++;
    else this.servfail++;
  }

  flush(cacheEntries: number, upstreamUp: boolean | null): void {
    const m = this.#m;
    if (this.udp) m.queries.inc({ transport: 'udp' }, this.udp);
    if (this.tcp) m.queries.inc({ transport: 'tcp' }, this.tcp);
    for (let r = 0; r < this.rcodes.length; r++) {
      if (this.rcodes[r]) m.responses.inc({ rcode: rcodeName(r) }, this.rcodes[r]);
      this.rcodes[r] = 0;
    }
    if (this.refusedClients) m.refused.inc(undefined, this.refusedClients);
    if (this.dropped) m.dropped.inc(undefined, this.dropped);
    if (this.malformed) m.malformed.inc(undefined, this.malformed);
    if (this.cacheHits) m.cacheHits.inc(undefined, this.cacheHits);
    if (this.upstreamSent) m.upstream.inc({ event: 'sent' }, this.upstreamSent);
    if (this.upstreamTimeouts) m.upstream.inc({ event: 'timeout' }, this.upstreamTimeouts);
    if (this.upstreamTcp) m.upstream.inc({ event: 'tcp' }, this.upstreamTcp);
    if (this.servfail) m.upstream.inc({ event: 'servfail' }, this.servfail);
    this.udp = this.tcp = this.refusedClients = this.dropped = this.malformed = this.cacheHits = 0;
    this.upstreamSent = this.upstreamTimeouts = this.upstreamTcp = this.servfail = 0;
    m.cacheEntries.set(cacheEntries);
    if (upstreamUp !== null) m.upstreamUp.set(upstreamUp ? 1 : 0);
  }
}
