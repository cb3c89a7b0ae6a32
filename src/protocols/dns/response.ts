// Building a whole response: header, echoed question, the three sections, OPT, and what to do
// when it does not fit the requestor's limit (RFC 2181 §9, RFC 6891 §7).

import { FLAG, HEADER_SIZE } from './constants.ts';
import { MessageWriter, type ResourceRecord } from './writer.ts';

export interface QuestionWire {
  /** The name exactly as the client sent it (case kept, RFC 4343 §4.1). */
  wire: Uint8Array;
  /** Its normalized text when plain, so answers can point into it; else null. */
  text: string | null;
  qtype: number;
  qclass: number;
}

export interface ResponseSpec {
  id: number;
  /** Flags without the rcode: QR is always set here. */
  flags: number;
  /** May be an extended rcode (> 15) when `edns` is given. */
  rcode: number;
  question: QuestionWire | null;
  answer: readonly ResourceRecord[];
  authority: readonly ResourceRecord[];
  additional: readonly ResourceRecord[];
  /** Our OPT record's advertised UDP size; null when the query had no EDNS (RFC 6891 §7). */
  ednsSize: number | null;
}

function encode(s: ResponseSpec, answer: boolean, authority: boolean, additional: boolean, tc: boolean): Buffer {
  const w = new MessageWriter(512);
  const an = answer ? s.answer : [];
  const ns = authority ? s.authority : [];
  const ar = additional ? s.additional : [];
  w.header({
    id: s.id,
    flags: (s.flags | FLAG.QR | (tc ? FLAG.TC : 0) | (s.rcode & 0xf)) & 0xffff,
    qdcount: s.question ? 1 : 0,
    ancount: an.length, nscount: ns.length, arcount: ar.length + (s.ednsSize !== null ? 1 : 0),
  });
  if (s.question) w.questionRaw(s.question.wire, s.question.text, s.question.qtype, s.question.qclass);
  for (const r of an) w.record(r);
  for (const r of ns) w.record(r);
  for (const r of ar) w.record(r);
  if (s.ednsSize !== null) w.opt(s.ednsSize, s.rcode >> 4);
  return w.finish();
}

/**
 * The response that fits `limit` octets: everything; else without the additional section
 * (RFC 2181 §9: no TC when only additional data is dropped); else header, question and OPT with
 * TC set so the client retries over TCP (RFC 1035 §4.2.1, RFC 7766 §5).
 */
export function encodeResponse(s: ResponseSpec, limit = 65535): Buffer {
  const full = encode(s, true, true, true, false);
  if (full.length <= limit) return full;
  if (s.additional.length > 0) {
    const noAdditional = encode(s, true, true, false, false);
    if (noAdditional.length <= limit) return noAdditional;
  }
  return encode(s, false, false, false, true);
}

/** A bare error response (FORMERR, NOTIMP, REFUSED…) echoing the id and RD, no question. */
export function errorResponse(id: number, queryFlags: number, rcode: number): Buffer {
  const b = Buffer.alloc(HEADER_SIZE);
  b.writeUInt16BE(id, 0);
  // Keep opcode and RD from the query (RFC 1035 §4.1.1).
  b.writeUInt16BE((FLAG.QR | (queryFlags & 0x7900) | (rcode & 0xf)) & 0xffff, 2);
  return b;
}
