// Building the local zones from the settings and the DHCP leases: the site zone (SOA, NS, acs,
// ntp, hosts, SIP servers with SRV and NAPTR, the ACS SRV) and the reverse zones (PTR for the
// static addresses and for phones' leases).

import { isIP } from 'node:net';
import { inZone, reverseName, type RData, type ResourceRecord } from '../../protocols/dns/index.ts';
import { ipNum, type Lease } from '../../store/leases.ts';
import type { ZoneSettings } from './settings.ts';
import { Zone, type Apex } from './zone.ts';

/** What the zone needs from the lease store (LeaseRepo satisfies it; tests pass a stub). */
export interface LeaseSource {
  active(now: number): Lease[];
}

const MAX_REVERSE_ZONES = 256;

/** `10.78.0.0/20` → the 16 /24 zones `0.78.10.in-addr.arpa` … (octet boundaries, RFC 1035 §3.5). */
export function reverseZones(cidrs: readonly string[]): string[] {
  const out = new Set<string>();
  for (const c of cidrs) {
    const [net, bitsText] = c.split('/') as [string, string];
    // Longer than /24: the covering /24 zone (no RFC 2317 classless delegation needed on site).
    const bits = Math.min(24, Number(bitsText));
    const zoneBits = Math.max(8, Math.ceil(bits / 8) * 8);
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    const first = (ipNum(net) & mask) >>> 0;
    const count = 2 ** (zoneBits - bits);
    for (let i = 0; i < count && out.size < MAX_REVERSE_ZONES; i++) {
      const v = first + i * 2 ** (32 - zoneBits);
      const octets = [Math.floor(v / 2 ** 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
      out.add(octets.slice(0, zoneBits / 8).reverse().join('.') + '.in-addr.arpa');
    }
  }
  return [...out];
}

/** A DHCP host name as one DNS label (RFC 1123 §2.1), or null when nothing usable is left. */
export function hostLabel(hostname: string | null): string | null {
  if (!hostname) return null;
  const first = hostname.split('.')[0]!.toLowerCase();
  const label = first.replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '').slice(0, 63).replace(/-+$/, '');
  return label.length > 0 ? label : null;
}

export class ZoneBuilder {
  readonly #s: ZoneSettings;
  readonly #reverse: string[];

  constructor(settings: ZoneSettings) {
    this.#s = settings;
    this.#reverse = reverseZones(settings.reverse);
  }

  #apex(name: string, serial: number): Apex {
    const s = this.#s;
    const mname = `ns.${s.domain}`;
    const soa: ResourceRecord = {
      name, ttl: s.ttl,
      data: { type: 'SOA', mname, rname: `hostmaster.${s.domain}`, serial, refresh: 3600, retry: 600, expire: 604800, minimum: s.negativeTtl },
    };
    return { name, soa, ns: [{ name, ttl: s.ttl, data: { type: 'NS', target: mname } }] };
  }

  /** The zones now: static records from the settings plus the active leases. */
  build(leases: readonly Lease[], now: number): Zone {
    const s = this.#s;
    const serial = s.serial ?? (Math.floor(now / 1000) >>> 0);
    const zone = new Zone([s.domain, ...this.#reverse].map((n) => this.#apex(n, serial)));
    const ptrs = new Map<string, { name: string; ttl: number }>(); // address → first name given to it
    const host = (name: string, addresses: readonly string[], ttl = s.ttl) => {
      for (const a of addresses) {
        const data: RData = isIP(a) === 6 ? { type: 'AAAA', address: a } : { type: 'A', address: a };
        zone.add({ name, ttl, data });
        if (!ptrs.has(a)) ptrs.set(a, { name, ttl });
      }
    };
    const srv = (name: string, priority: number, weight: number, port: number, target: string) =>
      zone.add({ name, ttl: s.ttl, data: { type: 'SRV', priority, weight, port, target } });

    if (s.acs.length > 0) {
      host(`acs.${s.domain}`, s.acs);
      srv(`_cwmp._tcp.${s.domain}`, 0, 0, s.acsPort, `acs.${s.domain}`);
    }
    host(`ns.${s.domain}`, s.nameserver);
    host(`ntp.${s.domain}`, s.ntp);
    this.#sip(zone, host, srv);
    for (const [name, addrs] of s.hosts) host(name, addrs);
    for (const r of s.srv) srv(r.name, r.priority, r.weight, r.port, r.target);
    for (const n of s.naptr) {
      zone.add({ name: n.name, ttl: s.ttl, data: { type: 'NAPTR', order: n.order, preference: n.preference, flags: n.flags, services: n.services, regexp: n.regexp, replacement: n.replacement } });
    }
    if (s.leases.enabled) this.#leases(zone, leases, now, host);
    // PTR only inside our reverse zones; other addresses' reverse names are forwarded.
    for (const [address, { name, ttl }] of ptrs) {
      const ptr = reverseName(address);
      if (this.#reverse.some((r) => inZone(ptr, r))) zone.add({ name: ptr, ttl, data: { type: 'PTR', target: name } });
    }
    return zone;
  }

  /** RFC 3263 §4.1: SRV per transport, NAPTR at the apex from the most to the least secure. */
  #sip(zone: Zone, host: (n: string, a: readonly string[]) => void, srv: (n: string, p: number, w: number, port: number, t: string) => void): void {
    const s = this.#s;
    const used = new Set<string>();
    for (const server of s.sip) {
      host(server.name, server.addresses);
      for (const t of server.transports) {
        used.add(t);
        if (t === 'udp') srv(`_sip._udp.${s.domain}`, server.priority, server.weight, server.port, server.name);
        if (t === 'tcp') srv(`_sip._tcp.${s.domain}`, server.priority, server.weight, server.port, server.name);
        if (t === 'tls') srv(`_sips._tcp.${s.domain}`, server.priority, server.weight, server.tlsPort, server.name);
      }
    }
    if (!s.sipNaptr) return;
    const naptr = (order: number, services: string, replacement: string) =>
      zone.add({ name: s.domain, ttl: s.ttl, data: { type: 'NAPTR', order, preference: 50, flags: 's', services, regexp: '', replacement } });
    if (used.has('tls')) naptr(10, 'SIPS+D2T', `_sips._tcp.${s.domain}`);
    if (used.has('tcp')) naptr(20, 'SIP+D2T', `_sip._tcp.${s.domain}`);
    if (used.has('udp')) naptr(30, 'SIP+D2U', `_sip._udp.${s.domain}`);
  }

  /**
   * <hostname>.<domain> A and its PTR for each bound lease. Static names win over a lease's;
   * of two leases with one host name the most recently updated wins. TTL ≤ the time left.
   */
  #leases(zone: Zone, leases: readonly Lease[], now: number, host: (n: string, a: readonly string[], ttl?: number) => void): void {
    const s = this.#s;
    const byName = new Map<string, Lease>();
    for (const l of leases) {
      const label = hostLabel(l.hostname);
      if (!label || l.expiresAt <= now || isIP(l.ip) !== 4) continue;
      const name = `${label}.${s.domain}`;
      if (zone.has(name)) continue;
      const prev = byName.get(name);
      if (!prev || prev.updatedAt < l.updatedAt) byName.set(name, l);
    }
    for (const [name, l] of byName) {
      host(name, [l.ip], Math.max(1, Math.min(s.leases.ttl, Math.floor((l.expiresAt - now) / 1000))));
    }
  }
}
