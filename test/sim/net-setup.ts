// The network side of a fleet in network mode (needs root, runs INSIDE a network namespace):
// one interface (a veth end) carries every phone of the process. Each phone has its own MAC in
// DHCP (chaddr, option 61) and its own lease; the leased address is added to the interface so
// the phone's TCP/UDP traffic (ACS, DNS, STUN, connection requests) uses it as source. Addresses
// are added through one long-lived `ip -batch` process (a fork per phone would cost seconds per
// thousand phones); each add is followed by a cheap `link show dev lo` whose output line
// acknowledges it, since ip runs the batch strictly in order.

import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { DhcpTransport } from './dhcp-client.ts';

export class AddressManager {
  readonly iface: string;
  readonly #ip: ChildProcess;
  readonly #acks: ((ok: boolean) => void)[] = [];
  #buf = '';
  #closed = false;
  errors = 0;

  constructor(iface: string) {
    this.iface = iface;
    this.#ip = spawn('ip', ['-force', '-o', '-batch', '-'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.#ip.stdout!.setEncoding('utf8').on('data', (d: string) => this.#onOutput(d));
    this.#ip.stderr!.setEncoding('utf8').on('data', () => { this.errors++; });
    this.#ip.on('exit', () => { this.#closed = true; for (const a of this.#acks.splice(0)) a(false); });
    this.#ip.stdin!.on('error', () => {});
  }

  #onOutput(d: string): void {
    this.#buf += d;
    let nl: number;
    while ((nl = this.#buf.indexOf('\n')) >= 0) {
      const line = this.#buf.slice(0, nl);
      this.#buf = this.#buf.slice(nl + 1);
      if (/^\d+: lo[:@]/.test(line)) this.#acks.shift()?.(true);
    }
  }

  /** Run one `ip` batch command; resolves once ip has executed it. */
  run(command: string): Promise<boolean> {
    if (this.#closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      this.#acks.push(resolve);
      this.#ip.stdin!.write(`${command}\nlink show dev lo\n`);
    });
  }

  add(ip: string, prefix: number): Promise<boolean> {
    return this.run(`address replace ${ip}/${prefix} dev ${this.iface}`);
  }

  remove(ip: string, prefix: number): Promise<boolean> {
    return this.run(`address del ${ip}/${prefix} dev ${this.iface}`);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    const exited = new Promise<void>((r) => this.#ip.once('exit', () => r()));
    this.#ip.stdin!.end();
    await exited;
  }
}

/** What phones in network mode share: the DHCP socket, the interface and its address manager. */
export interface NetworkAttachment {
  iface: string;
  dhcp: DhcpTransport;
  addresses: AddressManager;
  /** DHCP per-try timeout and tries (the server may be busy in a power-return storm). */
  dhcpTimeoutMs: number;
  dhcpTries: number;
}

/**
 * Prepare `iface` (already up, inside this process's namespace) for many phones: secondary
 * addresses are promoted when the first one is released, the limited broadcast goes out of
 * this interface before any address exists, and one DHCP client socket (0.0.0.0:68) is opened.
 */
export async function attachNetwork(iface: string, o: { dhcpTimeoutMs?: number; dhcpTries?: number } = {}): Promise<NetworkAttachment> {
  if (!/^[\w.-]{1,15}$/.test(iface)) throw new Error(`bad interface name: ${iface}`);
  for (const scope of ['all', iface]) writeFileSync(`/proc/sys/net/ipv4/conf/${scope}/promote_secondaries`, '1');
  const addresses = new AddressManager(iface);
  await addresses.run(`link set ${iface} up`);
  await addresses.run(`route replace 255.255.255.255/32 dev ${iface}`);
  const dhcp = await DhcpTransport.open({ mode: 'broadcast' });
  return { iface, dhcp, addresses, dhcpTimeoutMs: o.dhcpTimeoutMs ?? 2000, dhcpTries: o.dhcpTries ?? 4 };
}

export async function detachNetwork(n: NetworkAttachment): Promise<void> {
  n.dhcp.close();
  await n.addresses.close();
}

/** Prefix length of a dotted subnet mask (255.255.255.0 → 24). */
export function prefixOf(mask: string | undefined): number {
  if (!mask) return 24;
  return mask.split('.').reduce((n, o) => n + (Number(o) >>> 0).toString(2).replace(/0/g, '').length, 0);
}
