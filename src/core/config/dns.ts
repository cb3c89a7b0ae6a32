// The `dns` config section (owned by services/dns; keys documented in
// src/services/dns/README.md). Defaults are derived from the rest of the site config by the
// service (site domain, the ACS address, the DHCP scopes' subnets), so a site file that only
// says `dns: { enabled: true, listen: [{ host: 10.20.0.1 }] }` gets a working local zone.
import { z } from 'zod';
import { isIP } from 'node:net';
import { cidr4, duration, hostname, ipAddr, port } from './common.ts';

/** IPv4 or IPv6 CIDR (the allowed-client list may hold both). */
const cidr = z.union([
  cidr4,
  z.string().regex(/^[0-9a-fA-F:.]+\/\d{1,3}$/, 'must be a CIDR such as 10.20.0.0/16 or fd00::/64')
    .refine((s) => isIP(s.split('/')[0]!) === 6 && Number(s.split('/')[1]) <= 128, { message: 'must be a CIDR such as fd00::/64' }),
]);

const listenAddr = z.object({
  host: ipAddr,
  /** 53 in production; the lab and tests use an unprivileged port. */
  port: port.default(53),
}).strict();

/** One address or a list. */
const addresses = z.union([ipAddr.transform((a) => [a]), z.array(ipAddr)]);

/** A relative name (`sip1`, `_sip._udp`) under the zone, or an absolute one ending in a dot. */
const owner = z.union([hostname, z.literal('@')]);

const sipServer = z.object({
  /** Host name under the zone (`sip1` → sip1.<domain>) or absolute with a trailing dot. */
  name: hostname,
  /** A/AAAA records for the name (omit for an absolute name served elsewhere). */
  addresses: addresses.default([]),
  /** Port for `_sip._udp` and `_sip._tcp`. */
  port: port.default(5060),
  /** Port for `_sips._tcp`. */
  tlsPort: port.default(5061),
  transports: z.array(z.enum(['udp', 'tcp', 'tls'])).min(1).default(['udp', 'tcp', 'tls']),
  priority: z.number().int().min(0).max(65535).default(10),
  weight: z.number().int().min(0).max(65535).default(100),
}).strict();

const srvRecord = z.object({
  name: owner,
  priority: z.number().int().min(0).max(65535).default(0),
  weight: z.number().int().min(0).max(65535).default(0),
  port: port,
  target: hostname,
}).strict();

const naptrRecord = z.object({
  name: owner.default('@'),
  order: z.number().int().min(0).max(65535),
  preference: z.number().int().min(0).max(65535).default(50),
  flags: z.string().max(255).default('s'),
  services: z.string().max(255),
  regexp: z.string().max(255).default(''),
  replacement: hostname,
}).strict();

export const dnsSchema = z.object({
  enabled: z.boolean().default(false),
  /** UDP and TCP are served on each address. A single object is accepted too. */
  listen: z.union([listenAddr.transform((l) => [l]), z.array(listenAddr).min(1)])
    .default([{ host: '127.0.0.1', port: 53 }]),
  /**
   * Client networks that get answers; everyone else gets REFUSED (not an open resolver).
   * Default: the DHCP scopes' subnets plus loopback.
   */
  allow: z.array(cidr).optional(),
  zone: z.object({
    /** Default: site.domain. */
    domain: hostname.optional(),
    ttl: duration.prefault('5m'),
    /** SOA MINIMUM: how long resolvers may cache NXDOMAIN/NODATA (RFC 2308 §4). */
    negativeTtl: duration.prefault('60s'),
    /** Default: the UNIX time of the zone build (changes whenever leases change). */
    serial: z.number().int().min(1).max(0xffffffff).optional(),
    /** Addresses of ns.<domain> (the SOA MNAME and NS target). Default: the specific listen addresses. */
    nameserver: addresses.optional(),
    /** acs.<domain>. Default: the ACS listen address when specific, else the DNS listen address. */
    acs: addresses.optional(),
    /** ntp.<domain>; absent = no ntp name. */
    ntp: addresses.default([]),
    /** Extra host names: `{ syslog: 10.20.0.9, big: [10.20.0.10, 10.20.0.11] }`. */
    hosts: z.record(hostname, addresses).default({}),
    /** SIP servers: A records, `_sip._udp`, `_sip._tcp`, `_sips._tcp` SRV and NAPTR (RFC 3263 §4.1). */
    sip: z.object({
      servers: z.array(sipServer).default([]),
      /** NAPTR records at the zone apex pointing at the SRV names. */
      naptr: z.boolean().default(true),
    }).strict().prefault({}),
    srv: z.array(srvRecord).default([]),
    naptr: z.array(naptrRecord).default([]),
    /** Reverse zones (PTR) we are authoritative for. Default: the DHCP scopes' subnets. */
    reverse: z.array(cidr4).optional(),
    /** Names and PTRs for phones from their DHCP leases: <hostname>.<domain>. */
    leases: z.object({
      enabled: z.boolean().default(true),
      ttl: duration.prefault('60s'),
      /** Re-read the leases at least this often (also on every dhcp.lease event). */
      refresh: duration.prefault('30s'),
    }).strict().prefault({}),
  }).strict().prefault({}),
  upstream: z.object({
    /** Resolvers for names outside the local zones. None = local names only (others REFUSED). */
    servers: z.array(z.union([ipAddr.transform((host) => ({ host, port: 53 })), listenAddr])).default([]),
    /** Total time a forwarded query may take before SERVFAIL. */
    timeout: duration.prefault('1500ms'),
    /** Time to wait for one resolver before trying the next. */
    attemptTimeout: duration.prefault('500ms'),
    /** Consecutive timeouts after which a resolver is marked down (then SERVFAIL at once). */
    downAfter: z.number().int().min(1).default(3),
    /** How often a down resolver is probed in the background. */
    probeInterval: duration.prefault('5s'),
    /** Forwarded queries in flight at once (beyond: SERVFAIL). */
    maxInFlight: z.number().int().min(1).default(4096),
  }).strict().prefault({}),
  cache: z.object({
    /** Answers from upstream kept at most (oldest dropped first). 0 disables the cache. */
    maxEntries: z.number().int().min(0).default(10_000),
    maxTtl: duration.prefault('1d'),
    /** Cap on NXDOMAIN/NODATA caching (RFC 2308 §5 takes the SOA MINIMUM). */
    maxNegativeTtl: duration.prefault('5m'),
  }).strict().prefault({}),
  /** Our EDNS UDP payload size (RFC 6891 §6.2.5; 1232 avoids fragmentation). */
  ednsUdpSize: z.number().int().min(512).max(4096).default(1232),
  /** Upper bound for a client's advertised UDP size. */
  maxUdpSize: z.number().int().min(512).max(65535).default(4096),
  tcp: z.object({
    /** RFC 7766 §6.2.3: close idle connections. */
    idleTimeout: duration.prefault('10s'),
    maxConnections: z.number().int().min(1).default(256),
  }).strict().prefault({}),
  /** UDP socket receive buffer (absorbs bursts while the event loop is busy). */
  receiveBuffer: z.number().int().min(65536).default(4 * 1024 * 1024),
}).strict();
export type DnsConfig = z.infer<typeof dnsSchema>;
