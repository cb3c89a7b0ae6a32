// STUN message codec, RFC 3489 (classic, what TR-069 CPEs send) and RFC 5389 in one: pure,
// Buffer in → typed view out, and typed attributes in → Buffer out. The parsed message keeps the
// received bytes, because MESSAGE-INTEGRITY must be verified over exactly those (tr069-protocol.md §8.5).

import { Attr, HEADER_LENGTH, MAGIC_COOKIE, ErrorReason } from './constants.ts';
import { encodeAddressValue } from './address.ts';
import { appendFingerprint, appendIntegrity, type IntegrityStyle } from './integrity.ts';

export interface StunAttribute {
  type: number;
  /** Offset of the attribute header (type) inside StunMessage.buf. */
  offset: number;
  /** Value length as given in the attribute header (padding excluded). */
  length: number;
}

export interface StunMessage {
  /** The message bytes: header + `length` bytes (trailing datagram bytes are cut off). */
  buf: Buffer;
  type: number;
  length: number;
  /** RFC 5389 §6: bytes 4–7 are the magic cookie. Otherwise classic RFC 3489. */
  rfc5389: boolean;
  /** Bytes 4–19: the whole 128-bit RFC 3489 id, or cookie ‖ 96-bit RFC 5389 id. Always echoed whole. */
  transactionId: Buffer;
  attributes: StunAttribute[];
  /** Offset of the MESSAGE-INTEGRITY attribute header, or -1. */
  integrityOffset: number;
  /** Offset of the FINGERPRINT attribute header, or -1. */
  fingerprintOffset: number;
}

export type ParseResult = { ok: true; message: StunMessage } | { ok: false; error: string };

/** Bound per-packet work: no real Binding Request carries more than a handful of attributes. */
export const MAX_ATTRIBUTES = 64;

const fail = (error: string): ParseResult => ({ ok: false, error });

/** Parse one datagram. Never throws; a malformed message gives `{ ok: false, error }`. */
export function parseMessage(datagram: Buffer): ParseResult {
  if (datagram.length < HEADER_LENGTH) return fail(`datagram of ${datagram.length} bytes is shorter than the 20-byte header`);
  const type = datagram.readUInt16BE(0);
  // RFC 5389 §6: the two most significant bits are zero (RFC 3489 types satisfy this too).
  if ((type & 0xc000) !== 0) return fail(`type 0x${type.toString(16)} has the top bits set: not STUN`);
  const length = datagram.readUInt16BE(2);
  if (HEADER_LENGTH + length > datagram.length) return fail(`header length ${length} exceeds the ${datagram.length - HEADER_LENGTH} bytes received`);
  const buf = datagram.length === HEADER_LENGTH + length ? datagram : datagram.subarray(0, HEADER_LENGTH + length);
  const attributes: StunAttribute[] = [];
  let integrityOffset = -1;
  let fingerprintOffset = -1;
  const end = buf.length;
  let off = HEADER_LENGTH;
  while (off < end) {
    if (off + 4 > end) return fail(`truncated attribute header at offset ${off}`);
    const at = buf.readUInt16BE(off);
    const alen = buf.readUInt16BE(off + 2);
    if (off + 4 + alen > end) return fail(`attribute 0x${at.toString(16)} at offset ${off} overruns the message`);
    if (attributes.length >= MAX_ATTRIBUTES) return fail(`more than ${MAX_ATTRIBUTES} attributes`);
    // RFC 5389 §15.4/§15.5: only FINGERPRINT may follow MESSAGE-INTEGRITY, and nothing follows FINGERPRINT.
    if (fingerprintOffset >= 0) break;
    if (integrityOffset < 0 || at === Attr.FINGERPRINT) {
      attributes.push({ type: at, offset: off, length: alen });
      if (at === Attr.MESSAGE_INTEGRITY && integrityOffset < 0) integrityOffset = off;
      if (at === Attr.FINGERPRINT) fingerprintOffset = off;
    }
    // RFC 3489 values are multiples of 4; RFC 5389 pads to 4. A last attribute whose padding is
    // missing is accepted (lenient in what we accept).
    off = Math.min(end, off + 4 + ((alen + 3) & ~3));
  }
  return {
    ok: true,
    message: {
      buf, type, length, rfc5389: buf.readUInt32BE(4) === MAGIC_COOKIE,
      transactionId: buf.subarray(4, HEADER_LENGTH), attributes, integrityOffset, fingerprintOffset,
    },
  };
}

export function findAttribute(msg: StunMessage, type: number): StunAttribute | undefined {
  for (const a of msg.attributes) if (a.type === type) return a;
  return undefined;
}

export function attributeValue(msg: StunMessage, a: StunAttribute): Buffer {
  return msg.buf.subarray(a.offset + 4, a.offset + 4 + a.length);
}

/** USERNAME as text for the credentials lookup: trailing spaces/NULs (padding styles) stripped (§8.5). */
export function usernameOf(msg: StunMessage): string | null {
  const a = findAttribute(msg, Attr.USERNAME);
  if (!a) return null;
  return attributeValue(msg, a).toString('utf8').replace(/[\u0000 ]+$/, '');
}

/** TR-069 Annex G: CONNECTION-REQUEST-BINDING present with "dslforum.org/TR-111" (padding trimmed, §8.4). */
export function hasConnectionRequestBinding(msg: StunMessage): boolean {
  const a = findAttribute(msg, Attr.CONNECTION_REQUEST_BINDING);
  if (!a) return false;
  return attributeValue(msg, a).toString('latin1').replace(/[\u0000 ]+$/, '') === 'dslforum.org/TR-111';
}

export type OutAttribute =
  | { type: number; value: Buffer }
  | { type: number; address: string; port: number; xor?: boolean };

export interface EncodeOptions {
  /** Append MESSAGE-INTEGRITY keyed with `key` (the STUN password), computed in `style`. */
  integrity?: { key: Buffer | string; style: IntegrityStyle };
  /** Append FINGERPRINT (RFC 5389 §15.5) as the last attribute. */
  fingerprint?: boolean;
}

function attributeBytes(a: OutAttribute, transactionId: Buffer): Buffer {
  if ('value' in a) return a.value;
  return encodeAddressValue(a.address, a.port, a.xor ? transactionId : undefined);
}

/**
 * Encode a message. The length field is the real length of each value; values are zero-padded to
 * a multiple of 4 (RFC 5389 §15; RFC 3489 values are already multiples of 4).
 */
export function encodeMessage(type: number, transactionId: Buffer, attrs: readonly OutAttribute[], opts: EncodeOptions = {}): Buffer {
  if (transactionId.length !== 16) throw new RangeError('transaction id must be 16 bytes (cookie included for RFC 5389)');
  const values = attrs.map((a) => attributeBytes(a, transactionId));
  let size = HEADER_LENGTH;
  for (const v of values) size += 4 + ((v.length + 3) & ~3);
  const extra = (opts.integrity ? 24 : 0) + (opts.fingerprint ? 8 : 0);
  const out = Buffer.allocUnsafe(size + extra);
  out.writeUInt16BE(type, 0);
  out.writeUInt16BE(size - HEADER_LENGTH, 2);
  transactionId.copy(out, 4);
  let off = HEADER_LENGTH;
  values.forEach((v, i) => {
    out.writeUInt16BE(attrs[i]!.type, off);
    out.writeUInt16BE(v.length, off + 2);
    v.copy(out, off + 4);
    const padded = (v.length + 3) & ~3;
    if (padded !== v.length) out.fill(0, off + 4 + v.length, off + 4 + padded);
    off += 4 + padded;
  });
  if (opts.integrity) off = appendIntegrity(out, off, opts.integrity.key, opts.integrity.style);
  if (opts.fingerprint) off = appendFingerprint(out, off);
  return out;
}

/** ERROR-CODE value (RFC 3489 §11.2.9): class/number, reason padded with spaces to a multiple of 4. */
export function errorCodeValue(code: number, reason = ErrorReason[code] ?? ''): Buffer {
  const text = Buffer.from(reason, 'utf8');
  const out = Buffer.alloc(4 + ((text.length + 3) & ~3), 0x20);
  out.writeUInt16BE(0, 0);
  out[2] = Math.floor(code / 100) & 0x07;
  out[3] = code % 100;
  text.copy(out, 4);
  return out;
}

export function decodeErrorCode(value: Buffer): { code: number; reason: string } | null {
  if (value.length < 4) return null;
  return { code: (value[2]! & 0x07) * 100 + value[3]!, reason: value.subarray(4).toString('utf8').replace(/[\u0000 ]+$/, '') };
}

/** UNKNOWN-ATTRIBUTES value: 16-bit types, padded to 4 bytes by repeating one (RFC 3489 §11.2.10). */
export function unknownAttributesValue(types: readonly number[]): Buffer {
  const list = types.length % 2 === 1 ? [...types, types[types.length - 1]!] : types;
  const out = Buffer.allocUnsafe(list.length * 2);
  list.forEach((t, i) => out.writeUInt16BE(t, i * 2));
  return out;
}
