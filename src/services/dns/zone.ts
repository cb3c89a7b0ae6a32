// The local zones as data, and the authoritative lookup over them (RFC 1034 §4.3.2, without
// delegations, wildcards or CNAMEs, none of which the site zone has). Built by zone-build.ts.

import { RCODE, TYPE, TYPE_CODE, type ResourceRecord } from '../../protocols/dns/index.ts';

export interface Apex {
  name: string;
  soa: ResourceRecord;
  ns: ResourceRecord[];
}

export interface LocalAnswer {
  rcode: number;
  answer: ResourceRecord[];
  authority: ResourceRecord[];
  additional: ResourceRecord[];
}

export class Zone {
  /** Longest first, so the most specific apex wins. */
  readonly apexes: Apex[];
  /** name → type code → records. */
  readonly rrsets = new Map<string, Map<number, ResourceRecord[]>>();
  /** Every name that exists, including empty non-terminals such as `_udp.<domain>` (RFC 8020). */
  readonly names = new Set<string>();

  readonly #byName = new Map<string, Apex>();

  constructor(apexes: Apex[]) {
    this.apexes = [...apexes].sort((a, b) => b.name.length - a.name.length);
    for (const a of this.apexes) this.#byName.set(a.name, a);
    for (const a of apexes) {
      this.add(a.soa);
      for (const ns of a.ns) this.add(ns);
    }
  }

  /** Add a record (deduplicated) and mark its name and ancestors up to the apex as existing. */
  add(rr: ResourceRecord): void {
    const code = TYPE_CODE[rr.data.type];
    let byType = this.rrsets.get(rr.name);
    if (!byType) this.rrsets.set(rr.name, (byType = new Map()));
    const list = byType.get(code) ?? [];
    const same = JSON.stringify(rr.data);
    if (list.some((r) => JSON.stringify(r.data) === same)) return;
    list.push(rr);
    byType.set(code, list);
    const apex = this.apexOf(rr.name);
    let n = rr.name;
    while (!this.names.has(n)) {
      this.names.add(n);
      if (apex === null || n === apex.name) break;
      n = n.slice(n.indexOf('.') + 1);
    }
  }

  has(name: string): boolean {
    return this.rrsets.has(name);
  }

  /** Does `name` have an A record for `ip`? */
  hasAddress(name: string, ip: string): boolean {
    return this.rrsets.get(name)?.get(TYPE.A)?.some((r) => r.data.type === 'A' && r.data.address === ip) ?? false;
  }

  /** The closest enclosing apex: walk up the labels (O(labels), there may be 256 reverse zones). */
  apexOf(name: string): Apex | null {
    let n = name;
    for (;;) {
      const a = this.#byName.get(n);
      if (a) return a;
      const dot = n.indexOf('.');
      if (dot < 0) return null;
      n = n.slice(dot + 1);
    }
  }

  /** The authoritative answer for a name in one of our zones, or null when it is not ours. */
  lookup(qname: string, qtype: number): LocalAnswer | null {
    const apex = this.apexOf(qname);
    if (!apex) return null;
    const node = this.rrsets.get(qname);
    let answer: ResourceRecord[] = [];
    if (node) {
      // RFC 8482 lets ANY get a subset; the site zone is small, so give every RRset.
      answer = qtype === TYPE.ANY ? [...node.values()].flat() : node.get(qtype) ?? [];
    }
    if (answer.length > 0) return { rcode: RCODE.NOERROR, answer, authority: [], additional: this.#additional(answer) };
    // RFC 2308 §3: the SOA goes in the authority section with TTL = min(SOA TTL, MINIMUM).
    const soa = apex.soa;
    const negTtl = soa.data.type === 'SOA' ? Math.min(soa.ttl, soa.data.minimum) : soa.ttl;
    const authority = [{ ...soa, ttl: negTtl }];
    // NODATA for a name that exists (or is an empty non-terminal), NXDOMAIN otherwise.
    return { rcode: this.names.has(qname) ? RCODE.NOERROR : RCODE.NXDOMAIN, answer: [], authority, additional: [] };
  }

  /** Addresses of SRV/NS targets and the SRV records NAPTR "s" replacements point at (RFC 2782, RFC 3403 §4.1). */
  #additional(answer: ResourceRecord[]): ResourceRecord[] {
    const out: ResourceRecord[] = [];
    const seen = new Set<string>();
    const addresses = (name: string) => {
      if (seen.has(name)) return;
      seen.add(name);
      const node = this.rrsets.get(name);
      if (node) out.push(...(node.get(TYPE.A) ?? []), ...(node.get(TYPE.AAAA) ?? []));
    };
    for (const rr of answer) {
      const d = rr.data;
      if (d.type === 'SRV' || d.type === 'NS') addresses(d.target);
      else if (d.type === 'NAPTR' && d.flags.toLowerCase() === 's' && !seen.has('srv:' + d.replacement)) {
        seen.add('srv:' + d.replacement);
        const srvs = this.rrsets.get(d.replacement)?.get(TYPE.SRV) ?? [];
        out.push(...srvs);
        for (const s of srvs) if (s.data.type === 'SRV') addresses(s.data.target);
      }
    }
    return out;
  }
}
