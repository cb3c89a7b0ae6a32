// A phone's network life in network mode (tr069-protocol.md §9): DHCP DISCOVER/REQUEST with
// option 60 `dslforum.org`, 61 (its own MAC) and 125 (Annex F: OUI, serial, product class);
// reading 1/3/6/42/43/66/150 from the ACK; its leased address on the shared interface; renewal at
// T1 (RFC 2131 §4.4.5) and RELEASE on stop; then DNS through the server DHCP gave (option 6) for
// the ACS host name. Connections of the phone use its leased address as source and the address
// DNS returned, with the name kept for TLS (SNI and certificate check against the site CA).

import { Resolver } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';
import type { Clock, Timer } from '../../src/core/clock.ts';
import { DhcpClient, type DhcpLease } from './dhcp-client.ts';
import { canonicalValue } from './models/values.ts';
import { prefixOf, type NetworkAttachment } from './net-setup.ts';
import type { PhoneState } from './state.ts';

export interface PhoneNetIdentity { mac: string; oui: string; serial: string; productClass: string; hostname: string }

/** Socket options for the phone's connections: source address and the DNS answer for the ACS. */
export interface ConnectOptions {
  localAddress?: string;
  lookup?: LookupFunction;
}

/** Options DHCP gave that the phone uses (§9.1, §9.4). */
export interface LeaseFacts {
  ip: string;
  mask: string;
  routers: string[];
  dns: string[];
  ntp: string[];
  domain: string | undefined;
  /** Option 43 sub-options (TR-069 §3.1): ACS URL, ProvisioningCode, retry interval and multiplier. */
  acs: DhcpLease['acs'];
  option66: string | undefined;
  option150: string[];
  leaseSeconds: number;
  serverId: string | undefined;
}

export class PhoneNet {
  readonly #att: NetworkAttachment;
  readonly #client: DhcpClient;
  readonly #clock: Clock;
  #lease: DhcpLease | undefined;
  #renew: Timer | undefined;
  #resolved: { host: string; ip: string } | undefined;
  /** The phone learns of a new address after a renewal (its CR URL changes). */
  onAddressChange: ((ip: string) => void) | undefined;

  constructor(att: NetworkAttachment, id: PhoneNetIdentity, clock: Clock) {
    this.#att = att;
    this.#clock = clock;
    this.#client = new DhcpClient(att.dhcp, {
      mac: id.mac, hostname: id.hostname, identity: { oui: id.oui, serial: id.serial, productClass: id.productClass },
      paramRequestList: [1, 3, 6, 15, 42, 43, 66, 125, 150], timeoutMs: att.dhcpTimeoutMs, tries: att.dhcpTries,
    });
  }

  get facts(): LeaseFacts | undefined {
    const l = this.#lease;
    if (!l) return undefined;
    return {
      ip: l.ip, mask: l.subnetMask ?? '255.255.255.0', routers: l.routers, dns: l.dns, ntp: l.ntp, domain: l.domain,
      acs: l.acs, option66: l.option66, option150: l.option150, leaseSeconds: l.leaseSeconds ?? 0, serverId: l.serverId,
    };
  }

  get ip(): string | undefined { return this.#lease?.ip; }

  /** DISCOVER/OFFER/REQUEST/ACK (or INIT-REBOOT with the address the phone remembers). */
  async acquire(): Promise<LeaseFacts> {
    const previous = this.#lease?.ip;
    let r = previous ? await this.#client.reboot(previous) : null;
    if (!r || !r.ok) r = await this.#client.dora();
    if (!r) throw new Error('DHCP: no answer');
    if (!r.ok) throw new Error(`DHCP: NAK ${r.nak}`);
    await this.#install(r.lease, previous);
    return this.facts!;
  }

  async #install(lease: DhcpLease, previous: string | undefined): Promise<void> {
    const prefix = prefixOf(lease.subnetMask);
    if (previous && previous !== lease.ip) await this.#att.addresses.remove(previous, prefix);
    if (!(await this.#att.addresses.add(lease.ip, prefix))) throw new Error(`could not add ${lease.ip} to ${this.#att.iface}`);
    this.#lease = lease;
    this.#scheduleRenew();
    if (previous && previous !== lease.ip) this.onAddressChange?.(lease.ip);
  }

  #scheduleRenew(): void {
    this.#renew?.cancel();
    const seconds = this.#lease?.leaseSeconds;
    if (!seconds || seconds === 0xffffffff) return;
    // T1 = 0.5 × lease (RFC 2131 §4.4.5).
    this.#renew = this.#clock.setTimeout(() => void this.#renewNow(), (seconds * 1000) / 2);
  }

  async #renewNow(): Promise<void> {
    const lease = this.#lease;
    if (!lease) return;
    const r = await this.#client.renew(lease).catch(() => null);
    if (r?.ok) { await this.#install(r.lease, lease.ip).catch(() => {}); return; }
    // NAK or no answer: back to INIT (a real phone would rebind first; the site has one server).
    await this.acquire().catch(() => { this.#renew = this.#clock.setTimeout(() => void this.#renewNow(), 10_000); });
  }

  /** The address of `host` from the DNS server DHCP gave (IP literals pass through). */
  async resolve(host: string): Promise<string> {
    const bare = host.replace(/^\[|\]$/g, '');
    if (isIP(bare)) return bare;
    if (this.#resolved?.host === bare) return this.#resolved.ip;
    const servers = this.#lease?.dns ?? [];
    if (servers.length === 0) throw new Error(`DNS: no server from DHCP to resolve ${bare}`);
    const r = new Resolver({ timeout: 2000, tries: 3 });
    r.setServers(servers);
    if (this.#lease) r.setLocalAddress(this.#lease.ip);
    const [ip] = await r.resolve4(bare).catch((e: NodeJS.ErrnoException) => { throw new Error(`DNS: ${bare}: ${e.code ?? e.message}`); });
    if (!ip) throw new Error(`DNS: ${bare}: no A record`);
    this.#resolved = { host: bare, ip };
    return ip;
  }

  /** Forget the cached answer (after a reboot the phone asks again). */
  forgetDns(): void {
    this.#resolved = undefined;
  }

  /** Source address and name resolution for the phone's connections. */
  connectOptions(): ConnectOptions {
    const r = this.#resolved;
    const localAddress = this.#lease?.ip;
    if (!r) return localAddress ? { localAddress } : {};
    const lookup = ((hostname: string, opts: { all?: boolean }, cb: (...a: unknown[]) => void) => {
      if (hostname !== r.host) { cb(Object.assign(new Error(`sim: no DNS answer for ${hostname}`), { code: 'ENOTFOUND' })); return; }
      if (opts.all) cb(null, [{ address: r.ip, family: 4 }]);
      else cb(null, r.ip, 4);
    }) as unknown as LookupFunction;
    return { ...(localAddress ? { localAddress } : {}), lookup };
  }

  /** DHCPRELEASE and the address off the interface. */
  async release(): Promise<void> {
    this.#renew?.cancel();
    const lease = this.#lease;
    this.#lease = undefined;
    if (!lease) return;
    this.#client.release(lease);
    await this.#att.addresses.remove(lease.ip, prefixOf(lease.subnetMask));
  }

  stop(): void {
    this.#renew?.cancel();
  }
}

/**
 * Options DHCP gave (§9.1) applied to the phone: the lease under LAN/WAN, the CR URL on the leased
 * address, and the option-43 ACS URL, ProvisioningCode and retry timing plus the option-42 NTP
 * server — each only while not set by the ACS or locally (a URL set by the ACS wins, icwmp).
 */
export function applyLease(state: PhoneState, l: LeaseFacts, crUrl: string): void {
  const rt = state.runtime;
  rt.net.ip = l.ip; rt.net.mask = l.mask; rt.net.gateway = l.routers[0] ?? ''; rt.net.dns = l.dns.join(',');
  rt.crUrl = crUrl;
  if (l.acs?.acsUrl) state.identity.acsUrl = l.acs.acsUrl; // the factory value of ManagementServer.URL is "what DHCP said"
  const root = state.model.root.template;
  const soft: [string, string | number | undefined][] = [
    [state.model.family.paths.provisioningCode, l.acs?.provisioningCode],
    [`${root}ManagementServer.CWMPRetryMinimumWaitInterval`, l.acs?.retryMinimumWaitInterval],
    [`${root}ManagementServer.CWMPRetryIntervalMultiplier`, l.acs?.retryIntervalMultiplier],
    [`${root}Time.NTPServer1`, l.ntp[0]],
  ];
  for (const [path, v] of soft) {
    if (v === undefined || state.isOverridden(path)) continue;
    const r = state.resolve(path);
    const c = r?.kind === 'param' ? canonicalValue(r.def, String(v)) : null;
    if (c !== null) state.set(path, c);
  }
}

/** Power-on in network mode: DHCP, the lease applied, then DNS for the ACS host (§9). Throws the reason. */
export async function bringUp(net: PhoneNet, state: PhoneState, crUrlFor: (ip: string) => string, fallbackUrl: string,
  phase: (p: 'dhcp' | 'dns') => void): Promise<void> {
  const lease = await net.acquire();
  phase('dhcp');
  applyLease(state, lease, crUrlFor(lease.ip));
  await net.resolve(new URL(state.get(state.model.family.paths.url) ?? fallbackUrl).hostname);
  phase('dns');
}
