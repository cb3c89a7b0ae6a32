// Domain names on the wire and in text (RFC 1035 §2.3.1, §3.1, §4.1.4). Text names here are
// lower-case, without the trailing dot, with `\.`, `\\` and `\DDD` escapes for octets that are
// not letters, digits, `-` or `_` (RFC 1035 §5.1), so a label holding a dot can never be confused
// with two labels.

import { isIP } from 'node:net';
import { MAX_NAME_WIRE } from './constants.ts';

/**
 * End offset of an uncompressed name starting at `off` (the octet after its root label), or -1
 * when the name is truncated, too long, uses compression or an extended label type. Used for
 * the question of a query, where a pointer can only point into the header (RFC 1035 §4.1.4).
 */
export function scanName(buf: Buffer, off: number): number {
  const start = off;
  const len = buf.length;
  for (;;) {
    if (off >= len) return -1;
    const l = buf[off]!;
    if (l === 0) return off + 1 - start > MAX_NAME_WIRE ? -1 : off + 1;
    if (l > 63) return -1; // 0xC0 pointer, 0x40/0x80 reserved (RFC 6891 §5)
    off += l + 1;
    if (off - start > MAX_NAME_WIRE) return -1;
  }
}

/**
 * Offset after a possibly compressed name at `off` (a pointer ends the name, RFC 1035 §4.1.4),
 * or -1 when malformed. Does not follow pointers: enough to walk records.
 */
export function skipName(buf: Buffer, off: number): number {
  const len = buf.length;
  let n = 0;
  for (;;) {
    if (off >= len) return -1;
    const l = buf[off]!;
    if (l === 0) return off + 1;
    if ((l & 0xc0) === 0xc0) return off + 2 <= len ? off + 2 : -1;
    if (l > 63) return -1;
    off += l + 1;
    if ((n += l + 1) > MAX_NAME_WIRE) return -1;
  }
}

const PLAIN = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  PLAIN[c] = (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x5f ? 1 : 0;
}

/** Text of an uncompressed wire name in [start, end): lower-case, escaped. `plain` = no escapes. */
export function nameText(buf: Buffer, start: number, end: number): { name: string; plain: boolean } {
  let out = '';
  let plain = true;
  let off = start;
  while (off < end) {
    const l = buf[off]!;
    if (l === 0) break;
    if (out.length > 0) out += '.';
    for (let i = off + 1; i <= off + l; i++) {
      let c = buf[i]!;
      if (c >= 0x41 && c <= 0x5a) c += 0x20; // ASCII case-insensitivity only (RFC 4343 §3)
      if (PLAIN[c] === 1) out += String.fromCharCode(c);
      else {
        plain = false;
        out += c === 0x2e || c === 0x5c ? '\\' + String.fromCharCode(c) : '\\' + String(c).padStart(3, '0');
      }
    }
    off += l + 1;
  }
  return { name: out, plain };
}

/** Lower-case, strip the trailing dot. For names from config (already validated). */
export function normalizeName(name: string): string {
  const n = name.toLowerCase();
  return n.endsWith('.') ? n.slice(0, -1) : n;
}

/** Is `name` equal to `zone` or below it? Both normalized. */
export function inZone(name: string, zone: string): boolean {
  if (zone === '') return true;
  return name === zone || (name.length > zone.length && name.endsWith(zone) && name[name.length - zone.length - 1] === '.');
}

/** Uncompressed wire form of a plain text name (labels of letters, digits, `-`, `_`). */
export function encodeName(name: string): Buffer {
  const n = normalizeName(name);
  if (n === '') return Buffer.from([0]);
  const labels = n.split('.');
  const out = Buffer.alloc(n.length + 2);
  let off = 0;
  for (const l of labels) {
    if (l.length === 0 || l.length > 63) throw new Error(`bad label in DNS name '${name}'`);
    out[off++] = l.length;
    off += out.write(l, off, 'latin1');
  }
  out[off++] = 0;
  if (off > MAX_NAME_WIRE) throw new Error(`DNS name too long: '${name}'`);
  return out.subarray(0, off);
}

/** RFC 1035 §3.5 (in-addr.arpa) and RFC 3596 §2.5 (ip6.arpa) names for an address. */
export function reverseName(ip: string): string {
  const fam = isIP(ip);
  if (fam === 4) return ip.split('.').reverse().join('.') + '.in-addr.arpa';
  if (fam === 6) return expandIPv6(ip).replace(/:/g, '').split('').reverse().join('.') + '.ip6.arpa';
  throw new Error(`not an IP address: ${ip}`);
}

/** `fe80::1` → `fe80:0000:0000:0000:0000:0000:0000:0001`. */
export function expandIPv6(ip: string): string {
  let s = ip.toLowerCase();
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const b = v4[1]!.split('.').map(Number);
    s = s.slice(0, -v4[1]!.length) + ((b[0]! << 8) | b[1]!).toString(16) + ':' + ((b[2]! << 8) | b[3]!).toString(16);
  }
  const [head, tail] = s.includes('::') ? s.split('::') as [string, string] : [s, null];
  const h = head ? head.split(':') : [];
  const t = tail === null ? [] : tail ? tail.split(':') : [];
  const fill = tail === null ? [] : new Array<string>(8 - h.length - t.length).fill('0');
  return [...h, ...fill, ...t].map((g) => g.padStart(4, '0')).join(':');
}

/** 16 address octets of an IPv6 text address. */
export function ipv6Bytes(ip: string): Buffer {
  return Buffer.from(expandIPv6(ip).replace(/:/g, ''), 'hex');
}
