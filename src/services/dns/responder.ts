// From a query's bytes to the response's bytes. The fast path (the common query shape for a
// local name answered before) parses only the question, finds the pre-encoded response by the
// question's wire bytes, and patches the id, RD, CD and the question's case into a copy. The
// slow path parses fully, answers from the zone (and memoizes the encoding for the fast path),
// or forwards to the upstream resolvers.

import type { Logger } from '../../core/log.ts';
import {
  CLASS, CLASSIC_UDP_SIZE, FLAG, HEADER_SIZE, RCODE, TYPE, encodeResponse, errorResponse, fastEdnsSize,
  fastQuestionEnd, parseQuery, u16, type Query, type QuestionWire,
} from '../../protocols/dns/index.ts';
import type { ClientAcl } from './acl.ts';
import { renderEntry } from './cache.ts';
import type { Forwarder } from './forwarder.ts';
import type { DnsStats } from './stats.ts';
import type { LocalAnswer, Zone } from './zone.ts';

/** One response, pre-encoded three ways (id 0, RD clear): whole; without additional; TC. */
interface Variants {
  full: Buffer;
  noAdditional: Buffer;
  truncated: Buffer;
}

/** Without and with our OPT record (RFC 6891 §7: OPT only when the query had one). */
interface Encoded {
  plain: Variants;
  edns: Variants;
}

export interface ResponderOptions {
  acl: ClientAcl;
  forwarder: Forwarder | null;
  ednsUdpSize: number;
  maxUdpSize: number;
  stats: DnsStats;
  log: Logger;
  now(): number;
}

const MAX_MEMO = 20_000;
const TCP_LIMIT = 65535;

export type Reply = Buffer | null | Promise<Buffer | null>;

export class Responder {
  readonly #o: ResponderOptions;
  #zone: Zone;
  /** Lower-cased wire name (latin1) → qtype + 65536 × qclass → encoded response. */
  #memo = new Map<string, Map<number, Encoded>>();
  #memoCount = 0;
  readonly #ra: number;
  readonly #malformedLog: Logger;

  constructor(zone: Zone, o: ResponderOptions) {
    this.#zone = zone;
    this.#o = o;
    this.#ra = o.forwarder ? FLAG.RA : 0;
    this.#malformedLog = o.log.limited('dns.malformed');
  }

  /** A new zone (leases changed): the memoized encodings go with the old one. */
  setZone(zone: Zone): void {
    this.#zone = zone;
    this.#memo = new Map();
    this.#memoCount = 0;
  }

  respond(msg: Buffer, address: string, tcp: boolean): Reply {
    if (tcp) this.#o.stats.tcp++;
    else this.#o.stats.udp++;
    if (!this.#o.acl.allows(address)) return this.#refusedClient(msg);
    const nameEnd = fastQuestionEnd(msg);
    if (nameEnd > 0) {
      const byName = this.#memo.get(msg.toString('latin1', HEADER_SIZE, nameEnd).toLowerCase());
      const enc = byName?.get(u16(msg, nameEnd) + u16(msg, nameEnd + 2) * 65536);
      if (enc) {
        const size = fastEdnsSize(msg, nameEnd + 4);
        if (size >= 0) return this.#patch(enc, msg, nameEnd, size, tcp);
      }
    }
    return this.#slow(msg, tcp);
  }

  /** `ednsSize` = the client's UDP size, 0 without EDNS. */
  #patch(enc: Encoded, msg: Buffer, nameEnd: number, ednsSize: number, tcp: boolean): Buffer {
    const v = ednsSize > 0 ? enc.edns : enc.plain;
    const limit = tcp ? TCP_LIMIT : ednsSize > 0 ? Math.min(ednsSize, this.#o.maxUdpSize) : CLASSIC_UDP_SIZE;
    let b = v.full;
    if (b.length > limit) b = v.noAdditional.length <= limit ? v.noAdditional : v.truncated;
    const out = Buffer.allocUnsafe(b.length);
    b.copy(out, 0);
    out[0] = msg[0]!;
    out[1] = msg[1]!;
    out[2] = b[2]! | (msg[2]! & 0x01); // RD copied (RFC 1035 §4.1.1)
    out[3] = b[3]! | (msg[3]! & 0x10); // CD copied (RFC 4035 §3.1.6)
    msg.copy(out, HEADER_SIZE, HEADER_SIZE, nameEnd); // the client's case (RFC 4343 §4.1)
    this.#o.stats.rcodes[b[3]! & 0xf]!++;
    return out;
  }

  #refusedClient(msg: Buffer): Buffer | null {
    this.#o.stats.refusedClients++;
    if (msg.length < HEADER_SIZE || msg[2]! & 0x80) return null;
    const end = fastQuestionEnd(msg);
    const out = Buffer.alloc(end > 0 ? end + 4 : HEADER_SIZE);
    msg.copy(out, 0, 0, out.length);
    out.writeUInt16BE((FLAG.QR | (u16(msg, 2) & 0x7900) | RCODE.REFUSED) & 0xffff, 2);
    out.writeUInt16BE(end > 0 ? 1 : 0, 4);
    out.writeUInt32BE(0, 6);
    out.writeUInt16BE(0, 10);
    this.#o.stats.rcodes[RCODE.REFUSED]!++;
    return out;
  }

  #slow(msg: Buffer, tcp: boolean): Reply {
    const q = parseQuery(msg);
    if ('error' in q) {
      if (q.error === 'drop') { this.#o.stats.dropped++; return null; }
      if (q.error === 'formerr') this.#o.stats.malformed++;
      this.#malformedLog.debug({ reason: q.reason }, 'DNS query refused');
      const rcode = q.error === 'formerr' ? RCODE.FORMERR : RCODE.NOTIMP;
      this.#o.stats.rcodes[rcode]!++;
      return errorResponse(q.id, q.flags, rcode);
    }
    const question: QuestionWire = { wire: msg.subarray(HEADER_SIZE, q.nameEnd), text: q.plain ? q.qname : null, qtype: q.qtype, qclass: q.qclass };
    // RFC 6891 §6.1.3: only version 0 is spoken.
    if (q.edns && q.edns.version > 0) return this.#plain(q, question, RCODE.BADVERS, tcp);
    if (q.qtype === TYPE.OPT) return this.#plain(q, question, RCODE.FORMERR, tcp);
    if (q.qclass !== CLASS.IN && q.qclass !== CLASS.ANY) return this.#plain(q, question, RCODE.REFUSED, tcp);
    const local = this.#zone.lookup(q.qname, q.qtype);
    if (local) {
      // Zone transfers are not offered (RFC 5936 §2.2.1 allows REFUSED).
      if (q.qtype === TYPE.AXFR || q.qtype === TYPE.IXFR) return this.#plain(q, question, RCODE.REFUSED, tcp);
      const enc = this.#encode(local, question);
      this.#memoize(msg, q, enc);
      return this.#patch(enc, msg, q.nameEnd, q.edns ? q.edns.udpSize : 0, tcp);
    }
    return this.#forward(msg, q, question, tcp);
  }

  #forward(msg: Buffer, q: Query, question: QuestionWire, tcp: boolean): Reply {
    const fwd = this.#o.forwarder;
    // Not authoritative and no resolver configured: we do not recurse for this name.
    if (!fwd) return this.#plain(q, question, RCODE.REFUSED, tcp);
    const ednsSize = q.edns ? this.#o.ednsUdpSize : null;
    const limit = tcp ? TCP_LIMIT : q.edns ? Math.min(q.edns.udpSize, this.#o.maxUdpSize) : CLASSIC_UDP_SIZE;
    const key = `${q.qname}/${q.qtype}/${q.qclass}`;
    const hit = fwd.cached(key);
    if (hit) {
      this.#o.stats.cacheHits++;
      this.#o.stats.rcodes[hit.rcode]!++;
      return renderEntry(hit, msg, q.questionEnd, ednsSize, limit, this.#o.now());
    }
    if (!fwd.up) return this.#plain(q, question, RCODE.SERVFAIL, tcp);
    const lower = Buffer.from(msg.subarray(HEADER_SIZE, q.questionEnd));
    for (let i = 0; i < lower.length - 4; i++) if (lower[i]! >= 0x41 && lower[i]! <= 0x5a) lower[i]! += 0x20;
    return fwd.resolve(key, lower).then((e) => {
      if (!e) return this.#plain(q, question, RCODE.SERVFAIL, tcp);
      this.#o.stats.rcodes[e.rcode]!++;
      return renderEntry(e, msg, q.questionEnd, ednsSize, limit, this.#o.now());
    });
  }

  /** A response with the question and no records (errors, REFUSED, SERVFAIL). */
  #plain(q: Query, question: QuestionWire, rcode: number, tcp: boolean): Buffer {
    this.#o.stats.rcodes[rcode & 0xf]!++;
    const limit = tcp ? TCP_LIMIT : q.edns ? Math.min(q.edns.udpSize, this.#o.maxUdpSize) : CLASSIC_UDP_SIZE;
    return encodeResponse({
      id: q.id, flags: (q.flags & (FLAG.RD | FLAG.CD)) | this.#ra, rcode, question,
      answer: [], authority: [], additional: [], ednsSize: q.edns ? this.#o.ednsUdpSize : null,
    }, limit);
  }

  #encode(a: LocalAnswer, question: QuestionWire): Encoded {
    const variants = (ednsSize: number | null): Variants => {
      const spec = { id: 0, flags: FLAG.AA | this.#ra, rcode: a.rcode, question, answer: a.answer, authority: a.authority, additional: a.additional, ednsSize };
      const full = encodeResponse(spec);
      const noAdditional = a.additional.length > 0 ? encodeResponse({ ...spec, additional: [] }) : full;
      return { full, noAdditional, truncated: encodeResponse(spec, 0) };
    };
    return { plain: variants(null), edns: variants(this.#o.ednsUdpSize) };
  }

  #memoize(msg: Buffer, q: Query, enc: Encoded): void {
    if (this.#memoCount >= MAX_MEMO) { this.#memo = new Map(); this.#memoCount = 0; } // a flood of random names
    const key = msg.toString('latin1', HEADER_SIZE, q.nameEnd).toLowerCase();
    let byName = this.#memo.get(key);
    if (!byName) this.#memo.set(key, (byName = new Map()));
    byName.set(q.qtype + q.qclass * 65536, enc);
    this.#memoCount++;
  }
}
