// Parsing a query: the header, the one question and the EDNS OPT record (RFC 1035 §4.1;
// RFC 6891 §6.1). Hand-written because it runs for every packet: it reads only what a server
// needs and never throws on any input.

import { CLASSIC_UDP_SIZE, HEADER_SIZE, OPCODE_QUERY, TYPE } from './constants.ts';
import { nameText, scanName, skipName } from './names.ts';

export interface Edns {
  /** The requestor's UDP payload size, raised to 512 (RFC 6891 §6.2.5). */
  udpSize: number;
  version: number;
  /** DNSSEC OK (RFC 3225). */
  dnssecOk: boolean;
}

export interface Query {
  id: number;
  /** The 16-bit flags word as received. */
  flags: number;
  opcode: number;
  /** Lower-case, escaped, no trailing dot; '' for the root. */
  qname: string;
  /** True when the name needed no escapes (letters, digits, `-`, `_`). */
  plain: boolean;
  /** The question name occupies [12, nameEnd). */
  nameEnd: number;
  qtype: number;
  qclass: number;
  /** Offset after the question section. */
  questionEnd: number;
  edns: Edns | null;
}

export interface QueryError {
  /** 'drop': not a query we may answer (too short, or a response). Else the rcode to send. */
  error: 'drop' | 'formerr' | 'notimp';
  id: number;
  flags: number;
  reason: string;
}

export const u16 = (b: Buffer, o: number): number => (b[o]! << 8) | b[o + 1]!;

/** Header-level checks that decide whether to answer at all (RFC 1035 §4.1.1). */
function headerError(buf: Buffer): QueryError | null {
  if (buf.length < HEADER_SIZE) return { error: 'drop', id: 0, flags: 0, reason: 'shorter than a header' };
  const id = u16(buf, 0);
  const flags = u16(buf, 2);
  // Never answer a response: that is how reflection loops start.
  if (flags & 0x8000) return { error: 'drop', id, flags, reason: 'QR set' };
  if (((flags >> 11) & 0xf) !== OPCODE_QUERY) return { error: 'notimp', id, flags, reason: 'opcode not QUERY' };
  if (u16(buf, 4) !== 1) return { error: 'formerr', id, flags, reason: 'QDCOUNT is not 1' };
  return null;
}

export function parseQuery(buf: Buffer): Query | QueryError {
  const herr = headerError(buf);
  if (herr) return herr;
  const id = u16(buf, 0);
  const flags = u16(buf, 2);
  const nameEnd = scanName(buf, HEADER_SIZE);
  if (nameEnd < 0 || nameEnd + 4 > buf.length) return { error: 'formerr', id, flags, reason: 'bad question' };
  const { name, plain } = nameText(buf, HEADER_SIZE, nameEnd);
  const qtype = u16(buf, nameEnd);
  const qclass = u16(buf, nameEnd + 2);
  const questionEnd = nameEnd + 4;
  const rest = u16(buf, 6) + u16(buf, 8) + u16(buf, 10);
  const edns = rest === 0 ? null : parseOpt(buf, questionEnd, rest);
  if (edns === 'formerr') return { error: 'formerr', id, flags, reason: 'bad additional section' };
  return { id, flags, opcode: OPCODE_QUERY, qname: name, plain, nameEnd, qtype, qclass, questionEnd, edns };
}

/**
 * Walk `count` records from `off` and return the OPT record's EDNS data (null when absent), or
 * 'formerr' for a truncated record or more than one OPT (RFC 6891 §6.1.1).
 */
export function parseOpt(buf: Buffer, off: number, count: number): Edns | null | 'formerr' {
  let edns: Edns | null = null;
  for (let i = 0; i < count; i++) {
    const nameStart = off;
    off = skipName(buf, off);
    if (off < 0 || off + 10 > buf.length) return 'formerr';
    const type = u16(buf, off);
    const rdlen = u16(buf, off + 8);
    if (off + 10 + rdlen > buf.length) return 'formerr';
    if (type === TYPE.OPT) {
      // RFC 6891 §6.1.1: one OPT, owned by the root.
      if (edns !== null || buf[nameStart] !== 0) return 'formerr';
      edns = {
        udpSize: Math.max(CLASSIC_UDP_SIZE, u16(buf, off + 2)),
        version: buf[off + 5]!,
        dnssecOk: (buf[off + 6]! & 0x80) !== 0,
      };
    }
    off += 10 + rdlen;
  }
  return edns;
}

/**
 * The fast path's view of a query: for the common shape (QUERY, one question, no answer or
 * authority records, at most one additional record) the end of the question name, else -1.
 */
export function fastQuestionEnd(buf: Buffer): number {
  if (buf.length < HEADER_SIZE + 5) return -1;
  // QR=0, opcode 0; QDCOUNT 1; ANCOUNT 0; NSCOUNT 0; ARCOUNT 0 or 1.
  if ((buf[2]! & 0xf8) !== 0 || buf[4] !== 0 || buf[5] !== 1 || buf[6] !== 0 || buf[7] !== 0 ||
      buf[8] !== 0 || buf[9] !== 0 || buf[10] !== 0 || buf[11]! > 1) return -1;
  const end = scanName(buf, HEADER_SIZE);
  return end > 0 && end + 4 <= buf.length ? end : -1;
}

/**
 * The fast path's EDNS reader: for a query with ARCOUNT 1 whose record is a well-formed OPT
 * of version 0 right after the question, its UDP size; 0 for no EDNS; -1 for anything else
 * (the slow path then decides).
 */
export function fastEdnsSize(buf: Buffer, questionEnd: number): number {
  if (buf[11] === 0) return 0;
  const o = questionEnd;
  if (o + 11 > buf.length || buf[o] !== 0 || buf[o + 1] !== 0 || buf[o + 2] !== TYPE.OPT) return -1;
  if (buf[o + 6] !== 0 || o + 11 + u16(buf, o + 9) > buf.length) return -1; // version 0 only
  return Math.max(CLASSIC_UDP_SIZE, u16(buf, o + 3));
}
