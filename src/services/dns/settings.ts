// The effective DNS settings: the `dns` config section with its defaults filled in from the rest
// of the site config (site domain, the ACS address and port, the DHCP scopes' subnets).

import { isIP } from 'node:net';
import type { Config, DnsConfig } from '../../core/config/schema.ts';
import { normalizeName } from '../../protocols/dns/index.ts';

export interface SipServer {
  /** Absolute, normalized. */
  name: string;
  addresses: string[];
  port: number;
  tlsPort: number;
  transports: ('udp' | 'tcp' | 'tls')[];
  priority: number;
  weight: number;
}

export interface ZoneSettings {
  domain: string;
  /** Seconds. */
  ttl: number;
  negativeTtl: number;
  serial: number | null;
  nameserver: string[];
  acs: string[];
  acsPort: number;
  ntp: string[];
  /** Absolute names → addresses. */
  hosts: Map<string, string[]>;
  sip: SipServer[];
  sipNaptr: boolean;
  srv: { name: string; priority: number; weight: number; port: number; target: string }[];
  naptr: { name: string; order: number; preference: number; flags: string; services: string; regexp: string; replacement: string }[];
  /** IPv4 CIDRs of the reverse zones. */
  reverse: string[];
  leases: { enabled: boolean; ttl: number; refreshMs: number };
}

export interface DnsSettings {
  listen: { host: string; port: number }[];
  allow: string[];
  zone: ZoneSettings;
}

const LOOPBACK = ['127.0.0.0/8', '::1/128'];
const isWildcard = (h: string) => h === '0.0.0.0' || h === '::';
const sec = (ms: number) => Math.max(0, Math.round(ms / 1000));

/** `sip1` → sip1.<domain>; `sip.example.net.` → sip.example.net; `@` → <domain>. */
export function absolute(name: string, domain: string): string {
  if (name === '@') return domain;
  if (name.endsWith('.')) return normalizeName(name);
  return `${normalizeName(name)}.${domain}`;
}

function dhcpSubnets(root: Config): string[] {
  return root.dhcp.scopes.map((s) => s.subnet);
}

/** The ACS host as phones reach it: an IP literal in acs.url, else a specific ACS listen address. */
function acsAddresses(root: Config, fallback: string[]): string[] {
  if (root.acs.url) {
    const host = new URL(root.acs.url).hostname.replace(/^\[|\]$/g, '');
    if (isIP(host)) return [host];
  }
  const h = root.acs.listen.host;
  if (!isWildcard(h)) return [h];
  return fallback;
}

function acsPort(root: Config): number {
  if (root.acs.url) {
    const u = new URL(root.acs.url);
    if (u.port) return Number(u.port);
  }
  return root.acs.listen.port || 7547;
}

export function resolveSettings(cfg: DnsConfig, root: Config): DnsSettings {
  const z = cfg.zone;
  const domain = normalizeName(z.domain ?? root.site.domain);
  const specific = cfg.listen.map((l) => l.host).filter((h) => !isWildcard(h));
  const hosts = new Map<string, string[]>();
  for (const [name, addrs] of Object.entries(z.hosts)) hosts.set(absolute(name, domain), addrs);
  return {
    listen: cfg.listen.map((l) => ({ host: l.host, port: l.port })),
    allow: cfg.allow ?? [...dhcpSubnets(root), ...LOOPBACK],
    zone: {
      domain,
      ttl: sec(z.ttl),
      negativeTtl: sec(z.negativeTtl),
      serial: z.serial ?? null,
      nameserver: z.nameserver ?? specific,
      acs: z.acs ?? acsAddresses(root, specific),
      acsPort: acsPort(root),
      ntp: z.ntp,
      hosts,
      sip: z.sip.servers.map((s) => ({ ...s, name: absolute(s.name, domain) })),
      sipNaptr: z.sip.naptr,
      srv: z.srv.map((s) => ({ ...s, name: absolute(s.name, domain), target: absolute(s.target, domain) })),
      naptr: z.naptr.map((n) => ({ ...n, name: absolute(n.name, domain), replacement: absolute(n.replacement, domain) })),
      reverse: z.reverse ?? dhcpSubnets(root),
      leases: { enabled: z.leases.enabled, ttl: sec(z.leases.ttl), refreshMs: z.leases.refresh },
    },
  };
}
