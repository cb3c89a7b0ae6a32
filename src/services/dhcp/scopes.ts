// Scopes built from config: subnet arithmetic, pools, exclusions, reservations, and which scope a
// request belongs to (RFC 2131 §4.3.1: by giaddr for relayed requests, else by the arriving
// interface; a unicast renewal with giaddr 0 by its ciaddr).

import type { DhcpConfig, DhcpScopeConfig } from '../../core/config/dhcp.ts';
import { ipNum } from '../../store/leases.ts';

export { ipNum };

export function numIp(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

export interface Reservation {
  ip: number;
  mac: string | null;
  clientId: string | null;
  hostname: string | null;
}

export interface Scope {
  readonly name: string;
  readonly cfg: DhcpScopeConfig;
  readonly network: number;
  readonly broadcast: number;
  readonly mask: string;
  readonly iface: string | null;
  readonly serverId: string;
  readonly leaseTimeMs: number;
  /** Inclusive [start, end] pool ranges, sorted. */
  readonly ranges: readonly [number, number][];
  readonly exclusions: readonly [number, number][];
  readonly byMac: ReadonlyMap<string, Reservation>;
  readonly byClientId: ReadonlyMap<string, Reservation>;
  readonly reservedIps: ReadonlyMap<number, Reservation>;
  /** Dynamic addresses (ranges minus exclusions minus reserved). */
  readonly poolSize: number;
}

const normMac = (m: string) => m.toLowerCase().replace(/-/g, ':');
const normHex = (h: string) => h.toLowerCase().replace(/[:-]/g, '');

export function buildScope(c: DhcpScopeConfig, root: DhcpConfig): Scope {
  const [net, bits] = c.subnet.split('/') as [string, string];
  const prefix = Number(bits);
  const size = 2 ** (32 - prefix);
  const network = Math.floor(ipNum(net) / size) * size;
  const maskNum = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  const exclusions = c.exclusions.map((e): [number, number] => typeof e === 'string' ? [ipNum(e), ipNum(e)] : [ipNum(e.start), ipNum(e.end)]);
  const byMac = new Map<string, Reservation>();
  const byClientId = new Map<string, Reservation>();
  const reservedIps = new Map<number, Reservation>();
  for (const r of c.reservations) {
    const res: Reservation = { ip: ipNum(r.ip), mac: r.mac ? normMac(r.mac) : null, clientId: r.clientId ? normHex(r.clientId) : null, hostname: r.hostname ?? null };
    if (res.mac) byMac.set(res.mac, res);
    if (res.clientId) byClientId.set(res.clientId, res);
    reservedIps.set(res.ip, res);
  }
  const ranges = c.ranges.map((r): [number, number] => [Math.min(ipNum(r.start), ipNum(r.end)), Math.max(ipNum(r.start), ipNum(r.end))])
    .sort((a, b) => a[0] - b[0]);
  const scope: Scope = {
    name: c.name, cfg: c, network, broadcast: network + size - 1, mask: numIp(maskNum),
    iface: c.interface ?? null,
    serverId: c.serverId ?? root.serverId ?? root.listen[0] ?? '0.0.0.0',
    leaseTimeMs: c.leaseTime ?? root.leaseTime,
    ranges, exclusions, byMac, byClientId, reservedIps, poolSize: 0,
  };
  let n = 0;
  for (const [a, b] of ranges) for (let i = a; i <= b; i++) if (isDynamic(scope, i)) n++;
  (scope as { poolSize: number }).poolSize = n;
  return scope;
}

export function inSubnet(s: Scope, n: number): boolean {
  return n >= s.network && n <= s.broadcast;
}

function excluded(s: Scope, n: number): boolean {
  for (const [a, b] of s.exclusions) if (n >= a && n <= b) return true;
  return false;
}

/** An address the pool may hand to anybody: in a range, not excluded, not reserved, not network/broadcast/server. */
export function isDynamic(s: Scope, n: number): boolean {
  if (n <= s.network || n >= s.broadcast) return false;
  if (s.reservedIps.has(n) || excluded(s, n) || n === ipNum(s.serverId)) return false;
  for (const [a, b] of s.ranges) if (n >= a && n <= b) return true;
  return false;
}

/** The reservation of this client in this scope, by client-id first (RFC 2131 §4.2), then MAC. */
export function reservationFor(s: Scope, mac: string, clientId: string | null): Reservation | undefined {
  return (clientId ? s.byClientId.get(clientId) : undefined) ?? s.byMac.get(mac);
}

/** May this client hold this address in this scope (its reservation, or a dynamic address)? */
export function mayHold(s: Scope, n: number, mac: string, clientId: string | null): boolean {
  const r = s.reservedIps.get(n);
  if (r) return (r.mac !== null && r.mac === mac) || (r.clientId !== null && r.clientId === clientId);
  return isDynamic(s, n);
}

export class ScopeTable {
  readonly scopes: readonly Scope[];
  readonly #byIface = new Map<string, Scope[]>();

  constructor(cfg: DhcpConfig) {
    this.scopes = cfg.scopes.map((c) => buildScope(c, cfg));
    for (const s of this.scopes) {
      if (!s.iface) continue;
      const l = this.#byIface.get(s.iface) ?? [];
      l.push(s);
      this.#byIface.set(s.iface, l);
    }
  }

  interfaces(): string[] {
    return [...this.#byIface.keys()];
  }

  byName(name: string): Scope | undefined {
    return this.scopes.find((s) => s.name === name);
  }

  /** Relayed: the scope whose subnet holds giaddr (RFC 2131 §4.3.1). */
  forGiaddr(giaddr: string): Scope | undefined {
    const n = ipNum(giaddr);
    return this.scopes.find((s) => inSubnet(s, n));
  }

  /** Direct on an interface; with several scopes on one wire, the one holding ciaddr. */
  forInterface(iface: string, ciaddr: string): Scope | undefined {
    const l = this.#byIface.get(iface);
    if (!l) return undefined;
    const c = ipNum(ciaddr);
    return (c !== 0 ? l.find((s) => inSubnet(s, c)) : undefined) ?? l[0];
  }

  /** A unicast renewal that reached a listen socket without a relay: by its ciaddr. */
  forCiaddr(ciaddr: string): Scope | undefined {
    const n = ipNum(ciaddr);
    return n === 0 ? undefined : this.scopes.find((s) => inSubnet(s, n));
  }
}
