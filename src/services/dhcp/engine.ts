// The server side of RFC 2131 §4.3: one decision per request — the reply (if any), its
// destination (§4.1), and the lease rows that must be durable before the reply leaves. Pure
// apart from the in-memory Pool it updates; the service persists and sends.

import {
  BOOTREPLY, BOOTREQUEST, FLAG_BROADCAST, MessageType, MESSAGE_TYPE_NAMES, encode, hwAddress, type DhcpPacket,
} from '../../protocols/dhcp/index.ts';
import type { DhcpConfig } from '../../core/config/dhcp.ts';
import type { Lease } from '../../store/leases.ts';
import { clientKey, type Pool } from './pool.ts';
import { ipNum, numIp, inSubnet, type Scope, type ScopeTable } from './scopes.ts';
import { clientFacts, leaseOf, nakOptions, replyOptions, type ReplyContext, type ClientFacts } from './options.ts';
import type { DhcpOptions } from '../../protocols/dhcp/options.ts';

/** Where a request came in: a listen socket (relayed / unicast) or a served interface. */
export type Via = { kind: 'listen'; index: number } | { kind: 'iface'; name: string };

export interface Outgoing { buf: Buffer; address: string; port: number; type: string }

export interface Decision {
  /** Request message type name, for metrics. */
  type: string;
  reply: Outgoing | null;
  /** Rows to make durable before the reply is sent. */
  save: Lease[];
  /** Undo the in-memory change if the rows cannot be saved. */
  undo: (() => void) | null;
  /** Why nothing was answered (metrics label). */
  drop: string | null;
  scope: Scope | null;
  exhausted: boolean;
  /** Why a NAK was sent, with who holds the address (for the log). */
  nak?: { reason: string; mac: string; requested: string; holder: string | null };
}

export interface EngineDeps {
  cfg: DhcpConfig;
  scopes: ScopeTable;
  pool: Pool;
  replyContext(scope: Scope): ReplyContext;
}

const ZERO = '0.0.0.0';

export class Engine {
  readonly #d: EngineDeps;
  constructor(deps: EngineDeps) {
    this.#d = deps;
  }

  handle(p: DhcpPacket, via: Via, now: number): Decision {
    const type = p.options.messageType();
    const name = MESSAGE_TYPE_NAMES[type ?? 0] ?? 'UNKNOWN';
    const d: Decision = { type: name, reply: null, save: [], undo: null, drop: null, scope: null, exhausted: false };
    if (p.op !== BOOTREQUEST || type === undefined) return { ...d, drop: 'not_a_request' };
    if (p.hlen === 0 && !p.options.clientId()) return { ...d, drop: 'no_client_identity' };
    const scope = this.#scopeOf(p, via);
    if (!scope) return { ...d, drop: 'not_served' };
    d.scope = scope;
    const f = clientFacts(p);
    switch (type) {
      case MessageType.DISCOVER: return this.#discover(p, f, scope, now, d);
      case MessageType.REQUEST: return this.#request(p, f, scope, now, d);
      case MessageType.DECLINE: return this.#decline(p, f, scope, now, d);
      case MessageType.RELEASE: return this.#release(p, f, scope, now, d);
      case MessageType.INFORM: return this.#inform(p, scope, d);
      default: return { ...d, drop: 'unexpected_type' };
    }
  }

  /** Only configured networks are served (README "Which networks are served"). */
  #scopeOf(p: DhcpPacket, via: Via): Scope | undefined {
    const s = this.#d.scopes;
    if (p.giaddr !== ZERO) return s.forGiaddr(p.giaddr); // RFC 2131 §4.3.1: relayed, by giaddr
    if (via.kind === 'iface') return s.forInterface(via.name, p.ciaddr);
    return s.forCiaddr(p.ciaddr); // a unicast renewal or INFORM straight to a listen address
  }

  #discover(p: DhcpPacket, f: ClientFacts, scope: Scope, now: number, d: Decision): Decision {
    const pool = this.#d.pool;
    const n = pool.choose(scope, f.mac, f.clientId, p.options.requestedIp(), now);
    if (n === undefined) return { ...d, drop: 'pool_exhausted', exhausted: true }; // silence, §4.3.1
    const ip = numIp(n);
    const key = clientKey(f.mac, f.clientId);
    const cur = pool.get(n);
    const stillBound = cur && cur.key === key && cur.lease.state === 'bound' && cur.lease.expiresAt > now;
    if (!stillBound) {
      const shadow = cur ? (cur.lease.state === 'offered' ? cur.prev : cur.lease) : null;
      pool.put(leaseOf(f, ip, scope.name, 'offered', now + this.#d.cfg.offerHold, now), now + this.#d.cfg.offerHold, shadow);
    }
    const opts = replyOptions(this.#d.replyContext(scope), p, MessageType.OFFER, scope.leaseTimeMs);
    return { ...d, reply: this.#reply(p, ip, opts, 'OFFER') };
  }

  #request(p: DhcpPacket, f: ClientFacts, scope: Scope, now: number, d: Decision): Decision {
    const sid = p.options.serverId();
    const requested = p.options.requestedIp();
    const pool = this.#d.pool;
    const key = clientKey(f.mac, f.clientId);
    if (sid !== undefined) {
      // SELECTING (§4.3.2): the client chose a server; if not us, forget our offer and stay quiet.
      if (sid !== scope.serverId) {
        const mine = pool.bindingOf(scope, key);
        if (mine && mine.lease.state === 'offered') pool.dropOffer(mine.n);
        return { ...d, drop: 'other_server' };
      }
      const ip = requested ?? (p.ciaddr !== ZERO ? p.ciaddr : undefined);
      if (!ip) return this.#nak(p, scope, 'no requested address', d);
      // Our offer, or (its hold lapsed) an address still free for this client: bind it.
      if (!inSubnet(scope, ipNum(ip)) || !pool.available(scope, ipNum(ip), key, f.mac, f.clientId, now)) {
        return this.#nak(p, scope, 'address not available', d);
      }
      return this.#bind(p, f, scope, ip, now, d);
    }
    if (requested !== undefined && p.ciaddr === ZERO) {
      // INIT-REBOOT (§4.3.2): NAK a wrong network or an address held by somebody else; silence
      // when we have no record of this client (peaceful coexistence with other servers).
      const n = ipNum(requested);
      if (!inSubnet(scope, n)) return this.#nak(p, scope, 'wrong network', d);
      if (!pool.available(scope, n, key, f.mac, f.clientId, now)) return this.#nak(p, scope, 'address not available', d);
      const e = pool.get(n);
      if (!e || e.key !== key) return { ...d, drop: 'unknown_client' };
      return this.#bind(p, f, scope, requested, now, d);
    }
    if (p.ciaddr !== ZERO) {
      // RENEWING / REBINDING (§4.3.2): extend the client's own lease.
      const n = ipNum(p.ciaddr);
      if (!inSubnet(scope, n)) return this.#nak(p, scope, 'wrong network', d);
      if (!pool.available(scope, n, key, f.mac, f.clientId, now)) return this.#nak(p, scope, 'address not available', d);
      const e = pool.get(n);
      if (!e || e.key !== key) return { ...d, drop: 'unknown_client' };
      return this.#bind(p, f, scope, p.ciaddr, now, d);
    }
    return { ...d, drop: 'malformed_request' };
  }

  #bind(p: DhcpPacket, f: ClientFacts, scope: Scope, ip: string, now: number, d: Decision): Decision {
    const pool = this.#d.pool;
    const n = ipNum(ip);
    const before = pool.get(n);
    const restore = before ? { lease: before.lease, offerUntil: before.offerUntil, prev: before.prev } : null;
    const lease = leaseOf(f, ip, scope.name, 'bound', now + scope.leaseTimeMs, now);
    pool.put(lease, 0);
    const opts = replyOptions(this.#d.replyContext(scope), p, MessageType.ACK, scope.leaseTimeMs);
    return {
      ...d,
      reply: this.#reply(p, ip, opts, 'ACK'),
      save: [lease],
      undo: () => { if (restore) pool.put(restore.lease, restore.offerUntil, restore.prev); else pool.dropOffer(n); },
    };
  }

  #decline(p: DhcpPacket, f: ClientFacts, scope: Scope, now: number, d: Decision): Decision {
    // §4.3.3: the address is in use elsewhere; quarantine it and tell the operator (metric).
    if (p.options.serverId() !== scope.serverId) return { ...d, drop: 'other_server' };
    const ip = p.options.requestedIp();
    const e = ip ? this.#d.pool.get(ipNum(ip)) : undefined;
    if (!ip || !e || e.key !== clientKey(f.mac, f.clientId)) return { ...d, drop: 'unknown_client' };
    const lease = leaseOf(f, ip, scope.name, 'declined', now + this.#d.cfg.declineHold, now);
    this.#d.pool.put(lease, 0);
    return { ...d, save: [lease] };
  }

  #release(p: DhcpPacket, f: ClientFacts, scope: Scope, now: number, d: Decision): Decision {
    // §4.3.4: mark the lease unallocated but keep the client's record so it gets it back.
    if (p.options.serverId() !== scope.serverId) return { ...d, drop: 'other_server' };
    const e = this.#d.pool.get(ipNum(p.ciaddr));
    if (!e || e.key !== clientKey(f.mac, f.clientId) || e.lease.state !== 'bound') return { ...d, drop: 'unknown_client' };
    const lease: Lease = { ...e.lease, state: 'released', expiresAt: now, updatedAt: now };
    this.#d.pool.put(lease, 0);
    this.#d.pool.freed();
    return { ...d, save: [lease] };
  }

  #inform(p: DhcpPacket, scope: Scope, d: Decision): Decision {
    // §4.3.5: configuration only: no lease time, no yiaddr, sent to ciaddr.
    if (p.ciaddr === ZERO && p.giaddr === ZERO) return { ...d, drop: 'malformed_request' };
    const opts = replyOptions(this.#d.replyContext(scope), p, MessageType.ACK, null);
    return { ...d, reply: this.#reply(p, ZERO, opts, 'ACK') };
  }

  #nak(p: DhcpPacket, scope: Scope, message: string, d: Decision): Decision {
    const requested = p.options.requestedIp() ?? p.ciaddr;
    const held = requested !== ZERO ? this.#d.pool.get(ipNum(requested)) : undefined;
    const holder = held ? `${held.key} (${held.lease.state})` : null;
    return { ...d, reply: this.#reply(p, ZERO, nakOptions(scope, p, message), 'NAK', true), nak: { reason: message, mac: hwAddress(p), requested, holder } };
  }

  /** Build the reply and choose its destination (RFC 2131 §4.1, §4.3.2). */
  #reply(req: DhcpPacket, yiaddr: string, options: DhcpOptions, type: string, nak = false): Outgoing {
    const cfg = this.#d.cfg;
    let flags = req.flags;
    let address: string, port: number;
    if (req.giaddr !== ZERO) {
      address = req.giaddr; port = cfg.relayPort;
      if (nak) flags |= FLAG_BROADCAST; // §4.3.2: a relayed NAK has the broadcast bit set
    } else if (!nak && req.ciaddr !== ZERO) {
      address = req.ciaddr; port = cfg.clientPort;
    } else {
      // The client has no address yet: broadcast (§4.1 allows it when unicast to yiaddr is not
      // possible; we do not write ARP entries).
      address = '255.255.255.255'; port = cfg.clientPort;
    }
    const pkt: DhcpPacket = {
      op: BOOTREPLY, htype: req.htype, hlen: req.hlen, hops: 0, xid: req.xid, secs: 0, flags,
      ciaddr: nak ? ZERO : req.ciaddr, yiaddr, siaddr: ZERO, giaddr: req.giaddr,
      chaddr: req.chaddr, sname: Buffer.alloc(64), file: Buffer.alloc(128), options, overload: 0,
    };
    // option 57 counts the IP and UDP headers in practice (udhcpc sends 576): keep 28 bytes spare
    const buf = encode(pkt, { maxSize: (req.options.maxMessageSize() ?? 576) - 28 });
    return { buf, address, port, type };
  }
}
