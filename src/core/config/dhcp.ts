// The `dhcp` config section (owned by services/dhcp; keys documented in
// src/services/dhcp/README.md). Served networks are explicit: a scope is reached either directly
// on a named interface (through the interface helper) or through relays whose giaddr lies in
// the scope's subnet. Nothing else is answered.
import { z } from 'zod';
import { isIP } from 'node:net';
import { cidr4, duration, hostname, ipv4, port } from './common.ts';

const range = z.object({ start: ipv4, end: ipv4 }).strict();
const hex = z.string().regex(/^([0-9a-fA-F]{2}[:-]?)+$/, 'must be hex bytes such as 01:02:03 or 010203');
const mac = z.string().regex(/^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$/, 'must be a MAC address such as 00:15:65:aa:bb:cc');

const reservation = z.object({
  mac: mac.optional(),
  /** Option 61 value in hex (e.g. 01:00:15:65:aa:bb:cc). */
  clientId: hex.optional(),
  ip: ipv4,
  hostname: z.string().max(63).optional(),
}).strict().refine((r) => r.mac !== undefined || r.clientId !== undefined, { message: 'a reservation needs mac or clientId' });

/** Options chosen by the client's vendor class (option 60, matched as a substring, TR-069 §3.1). */
const vendorRule = z.object({
  match: z.string().min(1),
  /** Send option 43 with the CWMP sub-options and option 125 (3561) with the gateway identity. */
  tr069: z.boolean().default(false),
  /** Option 66 for this class (a host name, or a URL for phones that take one). */
  option66: z.string().min(1).max(255).optional(),
  /** Option 150 (RFC 5859) TFTP server addresses for this class (Cisco). */
  option150: z.array(ipv4).optional(),
  /** Raw option 43 for this class, when it is not a TR-069 client (vendor-defined bytes). */
  option43: hex.optional(),
}).strict();

const scope = z.object({
  name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, dot, dash, underscore'),
  subnet: cidr4,
  /** Serve this scope directly on this interface (broadcast clients). Omit for relayed-only scopes. */
  interface: z.string().regex(/^[A-Za-z0-9_.@-]{1,15}$/, 'must be an interface name').optional(),
  /** Option 54: our address as the clients of this scope reach it. Default: dhcp.serverId. */
  serverId: ipv4.optional(),
  ranges: z.array(range).min(1),
  exclusions: z.array(z.union([ipv4, range])).default([]),
  reservations: z.array(reservation).default([]),
  router: z.array(ipv4).default([]),
  dns: z.array(ipv4).default([]),
  ntp: z.array(ipv4).default([]),
  domain: hostname.optional(),
  leaseTime: duration.optional(),
  /** Option 66 for every client of the scope (keep a bare host name: udhcpc rejects URLs). */
  option66: z.string().min(1).max(255).optional(),
  /** Option 150 for every client of the scope. */
  option150: z.array(ipv4).optional(),
}).strict();

export const dhcpSchema = z.object({
  enabled: z.boolean().default(false),
  /** UDP port the server listens on (67; tests and the unprivileged lab may use another). */
  port: port.default(67),
  /** Port of direct clients (68). */
  clientPort: port.default(68),
  /** Port replies to relays are sent to: giaddr:relayPort (RFC 2131 §4.1: 67). */
  relayPort: port.default(67),
  /** Unicast addresses on which relayed requests are accepted (one socket each). */
  listen: z.array(ipv4.refine((a) => a !== '0.0.0.0' && a !== '255.255.255.255', { message: 'must be a unicast address' })).default([]),
  /** Path of outpost-dhcp-ifsock (needed when a scope names an interface). */
  helper: z.string().optional(),
  /** Default option 54 / siaddr; per-scope serverId overrides. Default: the first listen address. */
  serverId: ipv4.optional(),
  leaseTime: duration.prefault('12h'),
  /** How long an offered address is held for the client that was offered it. */
  offerHold: duration.prefault('60s'),
  /** RFC 2131 §4.3.3: a declined address is not offered again for this long. */
  declineHold: duration.prefault('1h'),
  /** How often expired leases are swept (they are never handed out while still valid). */
  sweepInterval: duration.prefault('30s'),
  acs: z.object({
    /** Option 43.1. Default: acs.url, else https://acs.<site.domain>:<acs port>/ */
    url: z.string().url().max(255).optional(),
    provisioningCode: z.string().max(64).optional(),
    retryMinimumWaitInterval: z.number().int().min(1).max(65535).optional(),
    retryIntervalMultiplier: z.number().int().min(1000).max(65535).optional(),
  }).strict().prefault({}),
  /** What we tell TR-069 clients about ourselves in option 125 (Annex F codes 4–6). */
  gateway: z.object({
    oui: z.string().regex(/^[0-9A-F]{6}$/, 'six upper-case hex digits').default('000000'),
    /** Default: the site id. */
    serial: z.string().max(64).optional(),
    productClass: z.string().max(64).default('Outpost'),
  }).strict().prefault({}),
  vendorClasses: z.array(vendorRule).default([{ match: 'dslforum.org', tr069: true }]),
  scopes: z.array(scope).default([]),
  /** Socket receive buffer: absorbs a site-wide power-on burst while a commit is on disk. */
  receiveBuffer: z.number().int().min(65536).default(4 * 1024 * 1024),
}).strict().superRefine((c, ctx) => {
  if (!c.enabled) return;
  if (c.scopes.length === 0) ctx.addIssue({ code: 'custom', path: ['scopes'], message: 'an enabled DHCP service needs at least one scope' });
  if (c.scopes.some((s) => s.interface) && !c.helper) ctx.addIssue({ code: 'custom', path: ['helper'], message: 'scopes with an interface need dhcp.helper (the outpost-dhcp-ifsock path)' });
  if (c.scopes.some((s) => !s.interface) && c.listen.length === 0) ctx.addIssue({ code: 'custom', path: ['listen'], message: 'relayed scopes need at least one listen address' });
  const names = new Set<string>();
  c.scopes.forEach((s, i) => {
    if (names.has(s.name)) ctx.addIssue({ code: 'custom', path: ['scopes', i, 'name'], message: `duplicate scope name ${s.name}` });
    names.add(s.name);
    if (!s.serverId && !c.serverId && c.listen.length === 0) ctx.addIssue({ code: 'custom', path: ['scopes', i, 'serverId'], message: 'set serverId here or dhcp.serverId' });
    for (const ip of [...s.ranges.flatMap((r) => [r.start, r.end]), ...s.reservations.map((r) => r.ip)]) {
      if (isIP(ip) === 4 && !inCidr(ip, s.subnet)) ctx.addIssue({ code: 'custom', path: ['scopes', i], message: `${ip} is outside ${s.subnet}` });
    }
  });
});
export type DhcpConfig = z.infer<typeof dhcpSchema>;
export type DhcpScopeConfig = z.infer<typeof scope>;
export type DhcpVendorRule = z.infer<typeof vendorRule>;

function inCidr(ip: string, cidr: string): boolean {
  const [net, bits] = cidr.split('/') as [string, string];
  const n = (s: string) => s.split('.').reduce((a, o) => a * 256 + Number(o), 0);
  const b = Number(bits);
  const size = 2 ** (32 - b);
  return Math.floor(n(ip) / size) === Math.floor(n(net) / size);
}
