// What we record about a client (the lease row) and what we answer it (the reply options).
// Option 43/125 contents depend on the vendor class (TR-069 §3.1; tr069-protocol.md §9.3 [rec]:
// CWMP option 43 only to clients whose option 60 contains "dslforum.org" or whose option 124
// carries 3561/dslforum.org).

import {
  Opt, BBF_ENTERPRISE, DhcpOptions, ipToBuf, deviceIdentity, relayInfo, encodeCwmp43, encodeAnnexF,
  hwAddress, type DhcpPacket, type CwmpBootstrap,
} from '../../protocols/dhcp/index.ts';
import type { DhcpConfig, DhcpVendorRule } from '../../core/config/dhcp.ts';
import type { Lease } from '../../store/leases.ts';
import type { Scope } from './scopes.ts';

/** What a client tells about itself: the identity part of its lease record. */
export type ClientFacts = Pick<Lease, 'mac' | 'clientId' | 'hostname' | 'vendorClass' | 'oui' | 'serial' | 'productClass' | 'circuitId' | 'remoteId' | 'giaddr'>;

/** Printable, bounded text for the lease record (hostnames and classes come from the wire). */
function clean(s: string | undefined, max = 64): string | null {
  if (s === undefined) return null;
  const t = s.replace(/[^\x20-\x7e]/g, '').slice(0, max);
  return t.length > 0 ? t : null;
}

export function clientFacts(p: DhcpPacket): ClientFacts {
  const id = deviceIdentity(p.options);
  const relay = relayInfo(p.options);
  return {
    mac: hwAddress(p),
    clientId: p.options.clientId()?.toString('hex') ?? null,
    hostname: clean(p.options.hostname(), 63),
    vendorClass: clean(p.options.vendorClass(), 255),
    oui: clean(id?.oui), serial: clean(id?.serial), productClass: clean(id?.productClass),
    circuitId: relay?.circuitId ?? null,
    remoteId: relay?.remoteId ?? null,
    giaddr: p.giaddr !== '0.0.0.0' ? p.giaddr : null,
  };
}

export function leaseOf(f: ClientFacts, ip: string, scope: string, state: Lease['state'], expiresAt: number, now: number): Lease {
  return { ip, ...f, state, expiresAt, updatedAt: now, scope };
}

/** Vendor rules whose match is a substring of option 60, or TR-069 via option 124 / 3561. */
export function matchingRules(rules: readonly DhcpVendorRule[], p: DhcpPacket): DhcpVendorRule[] {
  const vc = p.options.vendorClass() ?? '';
  const vi = p.options.viVendorClass()?.get(BBF_ENTERPRISE) ?? [];
  return rules.filter((r) => vc.includes(r.match) || (r.tr069 && vi.some((c) => c.includes(r.match))));
}

export interface ReplyContext {
  cfg: DhcpConfig;
  scope: Scope;
  acs: CwmpBootstrap;
  gateway: { oui: string; serial: string; productClass: string };
  /** Option bytes by matched vendor rules (config is frozen, so they never change). */
  cache: Map<string, Map<number, Buffer>>;
}

const ips = (l: readonly string[]) => Buffer.concat(l.map(ipToBuf));
const u32 = (v: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(Math.min(0xffffffff, Math.max(0, Math.floor(v))) >>> 0); return b; };

/** Every option this client may get, by code (unordered); a fresh copy of the cached set. */
function available(ctx: ReplyContext, p: DhcpPacket): Map<number, Buffer> {
  const rules = matchingRules(ctx.cfg.vendorClasses, p);
  const key = rules.map((r) => ctx.cfg.vendorClasses.indexOf(r)).join(',');
  let m = ctx.cache.get(key);
  if (!m) ctx.cache.set(key, (m = build(ctx, rules)));
  return new Map(m);
}

function build(ctx: ReplyContext, rules: readonly DhcpVendorRule[]): Map<number, Buffer> {
  const s = ctx.scope.cfg;
  const m = new Map<number, Buffer>();
  m.set(Opt.SUBNET_MASK, ipToBuf(ctx.scope.mask));
  if (s.router.length) m.set(Opt.ROUTER, ips(s.router));
  if (s.dns.length) m.set(Opt.DNS, ips(s.dns));
  if (s.domain) m.set(Opt.DOMAIN_NAME, Buffer.from(s.domain));
  if (s.ntp.length) m.set(Opt.NTP, ips(s.ntp));
  if (s.option66) m.set(Opt.TFTP_SERVER, Buffer.from(s.option66));
  if (s.option150?.length) m.set(Opt.TFTP_SERVERS_150, ips(s.option150));
  for (const r of rules) {
    if (r.tr069) {
      m.set(Opt.VENDOR_SPECIFIC, encodeCwmp43(ctx.acs));
      m.set(Opt.VI_VENDOR_SPECIFIC, encodeAnnexF(ctx.gateway, true));
    }
    if (r.option43) m.set(Opt.VENDOR_SPECIFIC, Buffer.from(r.option43.replace(/[:-]/g, ''), 'hex'));
    if (r.option66) m.set(Opt.TFTP_SERVER, Buffer.from(r.option66));
    if (r.option150?.length) m.set(Opt.TFTP_SERVERS_150, ips(r.option150));
  }
  return m;
}

/**
 * Reply options in wire order: 53, 54, lease times, then what the client listed in option 55
 * (in its order, tr069-protocol.md §9.3), then the rest; option 82 echoed (RFC 3046 §2.2; the
 * encoder places it last).
 */
export function replyOptions(ctx: ReplyContext, p: DhcpPacket, type: number, leaseMs: number | null): DhcpOptions {
  const o = new DhcpOptions();
  o.set(Opt.MESSAGE_TYPE, Buffer.from([type]));
  o.set(Opt.SERVER_ID, ipToBuf(ctx.scope.serverId));
  if (leaseMs !== null) {
    const secs = leaseMs / 1000;
    o.set(Opt.LEASE_TIME, u32(secs));
    o.set(Opt.RENEWAL_TIME, u32(secs * 0.5)); // RFC 2131 §4.4.5 T1 default
    o.set(Opt.REBINDING_TIME, u32(secs * 0.875)); // T2 default
  }
  const avail = available(ctx, p);
  for (const code of p.options.paramRequestList()) {
    const v = avail.get(code);
    if (v) { o.set(code, v); avail.delete(code); }
  }
  for (const [code, v] of avail) o.set(code, v);
  const relay = p.options.get(Opt.RELAY_AGENT);
  if (relay && p.giaddr !== '0.0.0.0') o.set(Opt.RELAY_AGENT, relay);
  return o;
}

/** A NAK carries only 53, 54, an optional message and the echoed option 82 (RFC 2131 Table 3). */
export function nakOptions(scope: Scope, p: DhcpPacket, message: string): DhcpOptions {
  const o = new DhcpOptions();
  o.set(Opt.MESSAGE_TYPE, Buffer.from([6]));
  o.set(Opt.SERVER_ID, ipToBuf(scope.serverId));
  o.set(Opt.MESSAGE, Buffer.from(message));
  const relay = p.options.get(Opt.RELAY_AGENT);
  if (relay && p.giaddr !== '0.0.0.0') o.set(Opt.RELAY_AGENT, relay);
  return o;
}
