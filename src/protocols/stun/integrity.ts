// MESSAGE-INTEGRITY and FINGERPRINT.
//
// MESSAGE-INTEGRITY is HMAC-SHA1 keyed with the STUN password (TR-069 uses the provisioned
// STUNPassword as the short-term key, tr069-protocol.md §8.5). What the HMAC covers differs
// between agents, so the server verifies over the received bytes trying every style seen:
//   - RFC 3489 §11.2.8 as icwmp does it: header length already counting the 24-byte MI attribute,
//     the bytes before MI zero-padded to a multiple of 64;
//   - the same without the padding (Works Systems, Tecom) — identical to RFC 5389 §15.4 when MI
//     is the last attribute or only FINGERPRINT follows it;
//   - the header length not yet counting MI (computed before the length was updated), padded or not.
// A response is protected in the style the request used, so any of those agents can check it.

import { createHmac, timingSafeEqual } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { Attr, FINGERPRINT_XOR, HEADER_LENGTH } from './constants.ts';
import type { StunMessage } from './codec.ts';

export interface IntegrityStyle {
  /** Header length field used in the HMAC input: counting through MI (RFC 5389) or stopping before it. */
  length: 'through-mi' | 'before-mi';
  /** Zero-pad the HMAC input to a multiple of 64 bytes (RFC 3489 §11.2.8). */
  pad64: boolean;
}

export const STYLE_RFC3489: IntegrityStyle = Object.freeze({ length: 'through-mi', pad64: true });
export const STYLE_RFC5389: IntegrityStyle = Object.freeze({ length: 'through-mi', pad64: false });

/** Order tried by verifyIntegrity: the two common styles first (§8.5 server recipe). */
export const INTEGRITY_STYLES: readonly IntegrityStyle[] = Object.freeze([
  STYLE_RFC3489,
  STYLE_RFC5389,
  Object.freeze({ length: 'before-mi', pad64: true } as const),
  Object.freeze({ length: 'before-mi', pad64: false } as const),
]);

const ZEROS = Buffer.alloc(64);

/**
 * HMAC-SHA1 over `buf[0, miOffset)` with the header length field replaced as `style` says.
 * `miOffset` is where the MESSAGE-INTEGRITY attribute header starts (or will start).
 */
export function computeIntegrity(buf: Buffer, miOffset: number, key: Buffer | string, style: IntegrityStyle): Buffer {
  const len = Buffer.allocUnsafe(2);
  len.writeUInt16BE(miOffset - HEADER_LENGTH + (style.length === 'through-mi' ? 24 : 0), 0);
  const h = createHmac('sha1', key);
  h.update(buf.subarray(0, 2));
  h.update(len);
  h.update(buf.subarray(4, miOffset));
  if (style.pad64 && miOffset % 64 !== 0) h.update(ZEROS.subarray(0, 64 - (miOffset % 64)));
  return h.digest();
}

/**
 * Verify the request's MESSAGE-INTEGRITY over the received bytes. Returns the style that
 * matched, or null (no MI, wrong length, or no style matches this key).
 */
export function verifyIntegrity(msg: StunMessage, key: Buffer | string): IntegrityStyle | null {
  const off = msg.integrityOffset;
  if (off < 0 || msg.buf.readUInt16BE(off + 2) !== 20) return null;
  const got = msg.buf.subarray(off + 4, off + 24);
  for (const style of INTEGRITY_STYLES) {
    if (timingSafeEqual(computeIntegrity(msg.buf, off, key, style), got)) return style;
  }
  return null;
}

/**
 * Write a MESSAGE-INTEGRITY attribute at `off` of `out` (which has room for it) and set the
 * header length to end after it. Returns the offset after the attribute.
 */
export function appendIntegrity(out: Buffer, off: number, key: Buffer | string, style: IntegrityStyle): number {
  out.writeUInt16BE(off + 24 - HEADER_LENGTH, 2);
  const mac = computeIntegrity(out, off, key, style);
  out.writeUInt16BE(Attr.MESSAGE_INTEGRITY, off);
  out.writeUInt16BE(20, off + 2);
  mac.copy(out, off + 4);
  return off + 24;
}

/** RFC 5389 §15.5: CRC-32 of the message before FINGERPRINT (length counting it), XOR 0x5354554E. */
export function fingerprintOf(buf: Buffer, fpOffset: number): number {
  return (crc32(buf.subarray(0, fpOffset)) ^ FINGERPRINT_XOR) >>> 0;
}

export function appendFingerprint(out: Buffer, off: number): number {
  out.writeUInt16BE(off + 8 - HEADER_LENGTH, 2);
  const fp = fingerprintOf(out, off);
  out.writeUInt16BE(Attr.FINGERPRINT, off);
  out.writeUInt16BE(4, off + 2);
  out.writeUInt32BE(fp, off + 4);
  return off + 8;
}

/** True when there is no FINGERPRINT, or it is 4 bytes long and matches. */
export function fingerprintValid(msg: StunMessage): boolean {
  const off = msg.fingerprintOffset;
  if (off < 0) return true;
  if (msg.buf.readUInt16BE(off + 2) !== 4) return false;
  return msg.buf.readUInt32BE(off + 4) === fingerprintOf(msg.buf, off);
}
