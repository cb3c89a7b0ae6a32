// Walking a response from an upstream resolver without decoding it: where each record's TTL
// sits (to age cached answers in place), where the OPT record is (to strip or replace it), the
// smallest answer TTL and the negative-caching TTL from the authority SOA (RFC 2308 §5).
// Never throws; returns null for anything malformed.

import { HEADER_SIZE, TYPE } from './constants.ts';
import { scanName, skipName } from './names.ts';
import { u16 } from './query.ts';

export interface ResponseLayout {
  id: number;
  flags: number;
  /** Header rcode (low 4 bits). */
  rcode: number;
  /** The question name occupies [12, nameEnd); the question ends at nameEnd + 4. */
  nameEnd: number;
  ancount: number;
  /** Offsets of the TTL field of every record except OPT. */
  ttlOffsets: number[];
  /** [start, end) of the OPT record, or -1. */
  optStart: number;
  optEnd: number;
  /** Smallest TTL in the answer section (Infinity when empty). */
  minAnswerTtl: number;
  /** min(SOA TTL, SOA MINIMUM) of an authority SOA (RFC 2308 §5), or null. */
  negativeTtl: number | null;
}

const u32 = (b: Buffer, o: number): number => b.readUInt32BE(o);

export function inspectResponse(buf: Buffer): ResponseLayout | null {
  if (buf.length < HEADER_SIZE || u16(buf, 4) !== 1) return null;
  const nameEnd = scanName(buf, HEADER_SIZE);
  if (nameEnd < 0 || nameEnd + 4 > buf.length) return null;
  const an = u16(buf, 6), ns = u16(buf, 8), ar = u16(buf, 10);
  const layout: ResponseLayout = {
    id: u16(buf, 0), flags: u16(buf, 2), rcode: buf[3]! & 0xf, nameEnd, ancount: an,
    ttlOffsets: [], optStart: -1, optEnd: -1, minAnswerTtl: Infinity, negativeTtl: null,
  };
  let off = nameEnd + 4;
  for (let i = 0; i < an + ns + ar; i++) {
    const start = off;
    off = skipName(buf, off);
    if (off < 0 || off + 10 > buf.length) return null;
    const type = u16(buf, off);
    const raw = u32(buf, off + 4);
    const ttl = raw > 0x7fffffff ? 0 : raw; // RFC 2181 §8
    const rdlen = u16(buf, off + 8);
    const end = off + 10 + rdlen;
    if (end > buf.length) return null;
    if (type === TYPE.OPT) {
      if (layout.optStart >= 0) return null;
      layout.optStart = start;
      layout.optEnd = end;
    } else {
      layout.ttlOffsets.push(off + 4);
      if (i < an) layout.minAnswerTtl = Math.min(layout.minAnswerTtl, ttl);
      else if (i < an + ns && type === TYPE.SOA && rdlen >= 22) {
        // The SOA MINIMUM is the last 32-bit field of its data.
        const neg = Math.min(ttl, u32(buf, end - 4));
        layout.negativeTtl = layout.negativeTtl === null ? neg : Math.min(layout.negativeTtl, neg);
      }
    }
    off = end;
  }
  return layout;
}
