// A small DHCPv4 client for the phone simulator and the DHCP tests, built on Outpost's own codec
// and dgram. Two transports:
//  - 'relay': acts as a relay agent (like perfdhcp): binds giaddr:relayPort, sends to the server
//    with giaddr (and optionally option 82) set; the server answers giaddr. One socket serves
//    thousands of simulated phones (replies are matched by xid), and it works on loopback
//    without root.
//  - 'broadcast': a real on-link client: binds 0.0.0.0:68, sends to 255.255.255.255 (the
//    namespace needs a route for it, e.g. `ip route add default dev <veth>`).
// Phones send option 60 `dslforum.org`, 61, and option 125 (3561: 1 OUI, 2 serial, 3 class).

import dgram from 'node:dgram';
import { randomInt } from 'node:crypto';
import {
  BOOTREQUEST, FLAG_BROADCAST, MessageType, Opt, chaddrOf, decode, decodeCwmp43, emptyPacket, encode,
  encodeAnnexF, encodeSubOptions, ipToBuf, type CwmpBootstrap, type DhcpPacket,
} from '../../src/protocols/dhcp/index.ts';

export type TransportOptions =
  | { mode: 'relay'; giaddr: string; server: string; serverPort?: number; relayPort?: number; circuitId?: string; remoteId?: string }
  | { mode: 'broadcast'; serverPort?: number; clientPort?: number; bindAddress?: string };

interface Waiter { types: number[]; resolve: (p: DhcpPacket) => void }

export class DhcpTransport {
  readonly opts: TransportOptions;
  readonly #sock: dgram.Socket;
  readonly #waiters = new Map<number, Waiter>();

  private constructor(opts: TransportOptions, sock: dgram.Socket) {
    this.opts = opts;
    this.#sock = sock;
    sock.on('message', (msg) => {
      let p: DhcpPacket;
      try { p = decode(msg); } catch { return; }
      const w = this.#waiters.get(p.xid);
      const t = p.options.messageType();
      if (w && t !== undefined && w.types.includes(t)) { this.#waiters.delete(p.xid); w.resolve(p); }
    });
  }

  static open(opts: TransportOptions): Promise<DhcpTransport> {
    const sock = dgram.createSocket({ type: 'udp4', reuseAddr: true, recvBufferSize: 4 << 20 });
    const [address, port] = opts.mode === 'relay' ? [opts.giaddr, opts.relayPort ?? 67] : [opts.bindAddress ?? '0.0.0.0', opts.clientPort ?? 68];
    return new Promise((resolve, reject) => {
      sock.once('error', reject);
      sock.bind({ address, port }, () => {
        sock.removeListener('error', reject);
        sock.on('error', () => {});
        if (opts.mode === 'broadcast') sock.setBroadcast(true);
        resolve(new DhcpTransport(opts, sock));
      });
    });
  }

  /** Send and wait for a reply of one of `types` with the same xid; retransmit on timeout. */
  async exchange(p: DhcpPacket, types: number[], opts: { to?: string; timeoutMs?: number; tries?: number } = {}): Promise<DhcpPacket | null> {
    const o = this.opts;
    if (o.mode === 'relay') {
      p.giaddr = o.giaddr;
      p.hops = 1;
      const subs = [];
      if (o.circuitId) subs.push({ code: 1, data: Buffer.from(o.circuitId) });
      if (o.remoteId) subs.push({ code: 2, data: Buffer.from(o.remoteId) });
      if (subs.length) p.options.set(Opt.RELAY_AGENT, encodeSubOptions(subs));
    }
    const buf = encode(p);
    const dest = opts.to ?? (o.mode === 'relay' ? o.server : '255.255.255.255');
    const port = o.serverPort ?? 67;
    const tries = opts.tries ?? 3;
    for (let i = 0; i < tries; i++) {
      const got = new Promise<DhcpPacket | null>((resolve) => {
        const t = setTimeout(() => { this.#waiters.delete(p.xid); resolve(null); }, opts.timeoutMs ?? 1000);
        this.#waiters.set(p.xid, { types, resolve: (r) => { clearTimeout(t); resolve(r); } });
      });
      this.#sock.send(buf, port, dest);
      const r = await got;
      if (r) return r;
    }
    return null;
  }

  /** Fire and forget (RELEASE, DECLINE). */
  send(p: DhcpPacket, to?: string): void {
    const o = this.opts;
    if (o.mode === 'relay') { p.giaddr = o.giaddr; p.hops = 1; }
    this.#sock.send(encode(p), o.serverPort ?? 67, to ?? (o.mode === 'relay' ? o.server : '255.255.255.255'));
  }

  close(): void {
    this.#sock.close();
  }
}

export interface PhoneIdentity { oui: string; serial: string; productClass: string }

export interface ClientOptions {
  mac: string;
  /** Option 61; default 01 + MAC (RFC 2132 §9.14 hardware type 1). */
  clientId?: Buffer;
  vendorClass?: string | null;
  hostname?: string;
  identity?: PhoneIdentity;
  paramRequestList?: number[];
  timeoutMs?: number;
  tries?: number;
}

/** What an OFFER or ACK told the phone. */
export interface DhcpLease {
  type: 'OFFER' | 'ACK';
  ip: string;
  serverId: string | undefined;
  leaseSeconds: number | undefined;
  subnetMask: string | undefined;
  routers: string[];
  dns: string[];
  ntp: string[];
  domain: string | undefined;
  /** Option 43 raw, and decoded as TR-069 CWMP sub-options when it is. */
  option43: Buffer | undefined;
  acs: CwmpBootstrap | undefined;
  option66: string | undefined;
  option150: string[];
  option125: Buffer | undefined;
  packet: DhcpPacket;
}

export function leaseOf(p: DhcpPacket): DhcpLease {
  const o = p.options;
  const v43 = o.get(Opt.VENDOR_SPECIFIC);
  return {
    type: o.messageType() === MessageType.OFFER ? 'OFFER' : 'ACK',
    ip: p.yiaddr, serverId: o.serverId(), leaseSeconds: o.u32(Opt.LEASE_TIME), subnetMask: o.ip(Opt.SUBNET_MASK),
    routers: o.ips(Opt.ROUTER) ?? [], dns: o.ips(Opt.DNS) ?? [], ntp: o.ips(Opt.NTP) ?? [], domain: o.text(Opt.DOMAIN_NAME),
    option43: v43, acs: v43 ? decodeCwmp43(v43) : undefined, option66: o.text(Opt.TFTP_SERVER),
    option150: o.ips(Opt.TFTP_SERVERS_150) ?? [], option125: o.get(Opt.VI_VENDOR_SPECIFIC), packet: p,
  };
}

export type RequestResult = { ok: true; lease: DhcpLease } | { ok: false; nak: string };

export class DhcpClient {
  readonly o: ClientOptions;
  readonly t: DhcpTransport;
  constructor(t: DhcpTransport, o: ClientOptions) {
    this.t = t;
    this.o = o;
  }

  #base(type: number): DhcpPacket {
    const p = emptyPacket(BOOTREQUEST);
    p.xid = randomInt(1, 0x7fffffff);
    p.chaddr = chaddrOf(this.o.mac);
    if (this.t.opts.mode === 'broadcast') p.flags = FLAG_BROADCAST;
    const o = p.options;
    o.set(Opt.MESSAGE_TYPE, Buffer.from([type]));
    o.set(Opt.CLIENT_ID, this.o.clientId ?? Buffer.concat([Buffer.from([1]), chaddrOf(this.o.mac).subarray(0, 6)]));
    if (this.o.vendorClass !== null) o.set(Opt.VENDOR_CLASS, Buffer.from(this.o.vendorClass ?? 'dslforum.org'));
    if (this.o.hostname) o.set(Opt.HOSTNAME, Buffer.from(this.o.hostname));
    if (this.o.identity) o.set(Opt.VI_VENDOR_SPECIFIC, encodeAnnexF(this.o.identity, false));
    o.set(Opt.PARAM_REQUEST_LIST, Buffer.from(this.o.paramRequestList ?? [1, 3, 6, 15, 42, 43, 66, 125, 150]));
    return p;
  }

  #x(p: DhcpPacket, types: number[], to?: string) {
    return this.t.exchange(p, types, { ...(to ? { to } : {}), timeoutMs: this.o.timeoutMs ?? 1000, tries: this.o.tries ?? 3 });
  }

  async discover(requested?: string): Promise<DhcpLease | null> {
    const p = this.#base(MessageType.DISCOVER);
    if (requested) p.options.set(Opt.REQUESTED_IP, ipToBuf(requested));
    const r = await this.#x(p, [MessageType.OFFER]);
    return r ? leaseOf(r) : null;
  }

  /** SELECTING: request the offered address from the server that offered it. */
  async request(offer: DhcpLease): Promise<RequestResult | null> {
    const p = this.#base(MessageType.REQUEST);
    p.options.set(Opt.REQUESTED_IP, ipToBuf(offer.ip));
    if (offer.serverId) p.options.set(Opt.SERVER_ID, ipToBuf(offer.serverId));
    return this.#ackOrNak(await this.#x(p, [MessageType.ACK, MessageType.NAK]));
  }

  /** DISCOVER + REQUEST; null when nobody answers. */
  async dora(): Promise<RequestResult | null> {
    const offer = await this.discover();
    return offer ? this.request(offer) : null;
  }

  /** INIT-REBOOT: no server id, option 50 = the remembered address. */
  async reboot(ip: string): Promise<RequestResult | null> {
    const p = this.#base(MessageType.REQUEST);
    p.options.set(Opt.REQUESTED_IP, ipToBuf(ip));
    return this.#ackOrNak(await this.#x(p, [MessageType.ACK, MessageType.NAK]));
  }

  /** RENEWING (unicast to the server) or REBINDING (to = 255.255.255.255): ciaddr set. */
  async renew(lease: DhcpLease, to?: string): Promise<RequestResult | null> {
    const p = this.#base(MessageType.REQUEST);
    p.ciaddr = lease.ip;
    p.flags = 0;
    return this.#ackOrNak(await this.#x(p, [MessageType.ACK, MessageType.NAK], to ?? lease.serverId));
  }

  release(lease: DhcpLease): void {
    const p = this.#base(MessageType.RELEASE);
    p.ciaddr = lease.ip;
    if (lease.serverId) p.options.set(Opt.SERVER_ID, ipToBuf(lease.serverId));
    this.t.send(p, this.t.opts.mode === 'relay' ? undefined : lease.serverId);
  }

  decline(lease: DhcpLease): void {
    const p = this.#base(MessageType.DECLINE);
    p.options.set(Opt.REQUESTED_IP, ipToBuf(lease.ip));
    if (lease.serverId) p.options.set(Opt.SERVER_ID, ipToBuf(lease.serverId));
    this.t.send(p);
  }

  async inform(ip: string, to?: string): Promise<DhcpLease | null> {
    const p = this.#base(MessageType.INFORM);
    p.ciaddr = ip;
    const r = await this.#x(p, [MessageType.ACK], to);
    return r ? leaseOf(r) : null;
  }

  #ackOrNak(r: DhcpPacket | null): RequestResult | null {
    if (!r) return null;
    if (r.options.messageType() === MessageType.NAK) return { ok: false, nak: r.options.text(Opt.MESSAGE) ?? '' };
    return { ok: true, lease: leaseOf(r) };
  }
}
