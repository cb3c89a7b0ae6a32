// Shared pieces of the DNS tests: a site config around a dns section, lease rows, and queries.
import dnsPacket from 'dns-packet';
import { parseConfig } from '../../src/core/config/load.ts';
import type { Config } from '../../src/core/config/schema.ts';
import type { Lease } from '../../src/store/leases.ts';

export const NOW = Date.UTC(2026, 0, 1);

export function siteConfig(dns: string, extra = ''): Config {
  return parseConfig(`site: { id: t, domain: Site.Example }
acs: { listen: { host: 10.78.1.1, port: 7547 } }
${extra}
dns:
${dns}`);
}

export function lease(ip: string, hostname: string | null, o: Partial<Lease> = {}): Lease {
  return {
    ip, mac: '00:15:65:00:00:01', clientId: null, hostname, vendorClass: null, oui: null, serial: null, productClass: null,
    circuitId: null, remoteId: null, giaddr: null, state: 'bound', expiresAt: NOW + 3600_000, updatedAt: NOW - 1000, scope: 's', ...o,
  };
}

export interface QueryOptions {
  id?: number;
  rd?: boolean;
  /** EDNS UDP size; absent = no OPT. */
  edns?: number;
  ednsVersion?: number;
}

/** A query as stub resolvers send it. */
export function query(name: string, type: dnsPacket.RecordType, o: QueryOptions = {}): Buffer {
  const b = dnsPacket.encode({
    type: 'query', id: o.id ?? 0x1234, flags: o.rd === false ? 0 : dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type, class: 'IN' }],
    additionals: o.edns !== undefined ? [{ name: '.', type: 'OPT', udpPayloadSize: o.edns, flags: 0 } as dnsPacket.Answer] : [],
  });
  if (o.ednsVersion) b[b.length - 5] = o.ednsVersion; // OPT TTL: ext-rcode, version, flags (RFC 6891 §6.1.3)
  return b;
}

export function decode(b: Buffer): dnsPacket.DecodedPacket & { rcode?: string } {
  return dnsPacket.decode(b) as dnsPacket.DecodedPacket & { rcode?: string };
}
