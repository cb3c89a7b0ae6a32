// A DNS message writer with name compression (RFC 1035 §4.1.4). dns-packet never compresses,
// which wastes bytes in every answer and pushes SRV/NAPTR answers past 512 octets sooner.
// Owner names and the names inside NS, CNAME, PTR, SOA and MX data are compressed; names inside
// SRV (RFC 2782, "Target": name compression is not to be used) and NAPTR (RFC 3403 §4.1,
// REPLACEMENT) are written in full but may be pointed to by later names.

import { isIP } from 'node:net';
import { CLASS, MAX_NAME_WIRE, TYPE } from './constants.ts';
import { ipv6Bytes, normalizeName } from './names.ts';

export type RData =
  | { type: 'A'; address: string }
  | { type: 'AAAA'; address: string }
  | { type: 'NS' | 'PTR' | 'CNAME'; target: string }
  | { type: 'SOA'; mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number }
  | { type: 'SRV'; priority: number; weight: number; port: number; target: string }
  | { type: 'NAPTR'; order: number; preference: number; flags: string; services: string; regexp: string; replacement: string }
  | { type: 'TXT'; strings: string[] };

export interface ResourceRecord {
  /** Text name, normalized (lower-case, no trailing dot). */
  name: string;
  /** Seconds. */
  ttl: number;
  data: RData;
}

export const TYPE_CODE: Record<RData['type'], number> = {
  A: TYPE.A, AAAA: TYPE.AAAA, NS: TYPE.NS, PTR: TYPE.PTR, CNAME: TYPE.CNAME, SOA: TYPE.SOA,
  SRV: TYPE.SRV, NAPTR: TYPE.NAPTR, TXT: TYPE.TXT,
};

export interface HeaderFields {
  id: number;
  flags: number;
  qdcount: number;
  ancount: number;
  nscount: number;
  arcount: number;
}

export class MessageWriter {
  #buf: Buffer;
  #off = 0;
  /** Lower-case name suffix → offset of its first occurrence (pointers reach 14 bits). */
  readonly #names = new Map<string, number>();

  constructor(initial = 512) {
    this.#buf = Buffer.alloc(initial);
  }

  get length(): number {
    return this.#off;
  }

  #ensure(n: number): void {
    if (this.#off + n <= this.#buf.length) return;
    const next = Buffer.alloc(Math.max(this.#buf.length * 2, this.#off + n));
    this.#buf.copy(next, 0, 0, this.#off);
    this.#buf = next;
  }

  u8(v: number): void {
    this.#ensure(1);
    this.#buf[this.#off++] = v & 0xff;
  }

  u16(v: number): void {
    this.#ensure(2);
    this.#buf.writeUInt16BE(v & 0xffff, this.#off);
    this.#off += 2;
  }

  u32(v: number): void {
    this.#ensure(4);
    this.#buf.writeUInt32BE(v >>> 0, this.#off);
    this.#off += 4;
  }

  bytes(b: Uint8Array): void {
    this.#ensure(b.length);
    this.#buf.set(b, this.#off);
    this.#off += b.length;
  }

  header(h: HeaderFields): void {
    this.u16(h.id); this.u16(h.flags); this.u16(h.qdcount); this.u16(h.ancount); this.u16(h.nscount); this.u16(h.arcount);
  }

  /** Rewrite the section counts once the records are known (offsets 6..11). */
  setCounts(an: number, ns: number, ar: number): void {
    this.#buf.writeUInt16BE(an, 6); this.#buf.writeUInt16BE(ns, 8); this.#buf.writeUInt16BE(ar, 10);
  }

  /**
   * A question whose name is given as wire bytes (copied from the query, so its case is kept).
   * `text` is its normalized text form when plain; then later names can point into it.
   */
  questionRaw(wire: Uint8Array, text: string | null, qtype: number, qclass: number): void {
    if (text !== null) this.#remember(text, this.#off);
    this.bytes(wire);
    this.u16(qtype);
    this.u16(qclass);
  }

  question(name: string, qtype: number, qclass: number = CLASS.IN): void {
    this.name(name, true);
    this.u16(qtype);
    this.u16(qclass);
  }

  /** Register every suffix of a name written in full at `off`. */
  #remember(name: string, off: number): void {
    let n = normalizeName(name);
    while (n !== '' && off < 0x4000) {
      if (!this.#names.has(n)) this.#names.set(n, off);
      const dot = n.indexOf('.');
      const label = dot < 0 ? n : n.slice(0, dot);
      off += label.length + 1;
      n = dot < 0 ? '' : n.slice(dot + 1);
    }
  }

  /** A text name; `compress` = may end in a pointer to an earlier occurrence of a suffix. */
  name(name: string, compress: boolean): void {
    const n = normalizeName(name);
    let rest = n;
    let wire = 1;
    while (rest !== '') {
      if (compress) {
        const p = this.#names.get(rest);
        if (p !== undefined) { this.u16(0xc000 | p); return; }
      }
      if (this.#off < 0x4000 && !this.#names.has(rest)) this.#names.set(rest, this.#off);
      const dot = rest.indexOf('.');
      const label = dot < 0 ? rest : rest.slice(0, dot);
      if (label.length === 0 || label.length > 63) throw new Error(`bad label in DNS name '${name}'`);
      if ((wire += label.length + 1) > MAX_NAME_WIRE) throw new Error(`DNS name too long: '${name}'`);
      this.u8(label.length);
      this.#ensure(label.length);
      this.#off += this.#buf.write(label, this.#off, 'latin1');
      rest = dot < 0 ? '' : rest.slice(dot + 1);
    }
    this.u8(0);
  }

  /** <character-string> (RFC 1035 §3.3): a length octet and up to 255 octets. */
  characterString(s: string): void {
    const b = Buffer.from(s, 'utf8');
    if (b.length > 255) throw new Error('character-string longer than 255 octets');
    this.u8(b.length);
    this.bytes(b);
  }

  record(rr: ResourceRecord): void {
    this.name(rr.name, true);
    this.u16(TYPE_CODE[rr.data.type]);
    this.u16(CLASS.IN);
    this.u32(rr.ttl);
    const lenAt = this.#off;
    this.u16(0);
    this.#rdata(rr.data);
    this.#buf.writeUInt16BE(this.#off - lenAt - 2, lenAt);
  }

  #rdata(d: RData): void {
    switch (d.type) {
      case 'A':
        if (isIP(d.address) !== 4) throw new Error(`not an IPv4 address: ${d.address}`);
        for (const p of d.address.split('.')) this.u8(Number(p));
        return;
      case 'AAAA':
        if (isIP(d.address) !== 6) throw new Error(`not an IPv6 address: ${d.address}`);
        this.bytes(ipv6Bytes(d.address));
        return;
      case 'NS': case 'PTR': case 'CNAME':
        this.name(d.target, true);
        return;
      case 'SOA':
        this.name(d.mname, true); this.name(d.rname, true);
        this.u32(d.serial); this.u32(d.refresh); this.u32(d.retry); this.u32(d.expire); this.u32(d.minimum);
        return;
      case 'SRV':
        this.u16(d.priority); this.u16(d.weight); this.u16(d.port);
        this.name(d.target, false);
        return;
      case 'NAPTR':
        this.u16(d.order); this.u16(d.preference);
        this.characterString(d.flags); this.characterString(d.services); this.characterString(d.regexp);
        this.name(d.replacement, false);
        return;
      case 'TXT':
        for (const s of d.strings.length > 0 ? d.strings : ['']) this.characterString(s);
        return;
    }
  }

  /** The EDNS OPT pseudo-record (RFC 6891 §6.1.2): root owner, class = UDP size, TTL = ext-rcode|version|flags. */
  opt(udpSize: number, extRcode = 0, version = 0, flags = 0): void {
    this.u8(0);
    this.u16(TYPE.OPT);
    this.u16(udpSize);
    this.u8(extRcode); this.u8(version); this.u16(flags);
    this.u16(0);
  }

  /** A copy of the bytes written so far. */
  finish(): Buffer {
    return Buffer.from(this.#buf.subarray(0, this.#off));
  }
}
