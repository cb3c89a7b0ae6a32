// Transport addresses inside STUN attributes (RFC 3489 §11.2.1, RFC 5389 §15.1/§15.2) and the
// small IP text <-> bytes helpers they need (protocols import no sockets, so no node:net).

import { MAGIC_COOKIE } from './constants.ts';

export interface TransportAddress {
  family: 4 | 6;
  address: string;
  port: number;
}

/** '::ffff:192.0.2.1' (how a dual-stack socket reports IPv4 peers) → '192.0.2.1'. */
export function unmapIpv4(address: string): string {
  if (address.charCodeAt(0) !== 58 /* ':' */) return address; // fast path: plain IPv4 (packet path)
  const m = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return m ? m[1]! : address;
}

export function parseIpv4(s: string): Buffer | null {
  // Hand-rolled (no split/regex): this runs for every answered request.
  if (s.length < 7 || s.length > 15) return null;
  const out = Buffer.allocUnsafe(4);
  let part = 0, value = 0, digits = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 46;
    if (c === 46 /* '.' */) {
      if (digits === 0 || part > 3 || value > 255) return null;
      out[part++] = value;
      value = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57 && digits < 3) {
      value = value * 10 + (c - 48);
      digits++;
    } else {
      return null;
    }
  }
  return part === 4 ? out : null;
}

export function parseIpv6(s: string): Buffer | null {
  let text = s;
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  const words: number[] = [];
  let tail: number[] = [];
  const dbl = text.indexOf('::');
  if (dbl !== text.lastIndexOf('::')) return null;
  const parseGroups = (part: string): number[] | null => {
    if (part === '') return [];
    const out: number[] = [];
    const groups = part.split(':');
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i]!;
      if (i === groups.length - 1 && g.includes('.')) {
        const v4 = parseIpv4(g);
        if (!v4) return null;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
        out.push(parseInt(g, 16));
      }
    }
    return out;
  };
  if (dbl >= 0) {
    const head = parseGroups(text.slice(0, dbl));
    const rest = parseGroups(text.slice(dbl + 2));
    if (!head || !rest || head.length + rest.length > 7) return null;
    words.push(...head);
    tail = rest;
    while (words.length + tail.length < 8) words.push(0);
    words.push(...tail);
  } else {
    const all = parseGroups(text);
    if (!all || all.length !== 8) return null;
    words.push(...all);
  }
  const out = Buffer.allocUnsafe(16);
  words.forEach((w, i) => out.writeUInt16BE(w, i * 2));
  return out;
}

export function formatIp(bytes: Buffer): string {
  if (bytes.length === 4) return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
  const words: string[] = [];
  for (let i = 0; i < 16; i += 2) words.push(bytes.readUInt16BE(i).toString(16));
  // Compress the longest run of zero words (RFC 5952 §4.2).
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (words[i] !== '0') { i++; continue; }
    let j = i;
    while (j < 8 && words[j] === '0') j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  if (best < 0) return words.join(':');
  return `${words.slice(0, best).join(':')}::${words.slice(best + bestLen).join(':')}`;
}

/**
 * Value of a (XOR-)MAPPED-ADDRESS-style attribute. `xorKey` is the 16 bytes at offset 4 of the
 * message (magic cookie ‖ 96-bit transaction id): RFC 5389 §15.2 XORs the port with the top 16
 * bits of the cookie, IPv4 with the cookie, IPv6 with cookie ‖ transaction id.
 */
export function encodeAddressValue(address: string, port: number, xorKey?: Buffer): Buffer {
  const ip = unmapIpv4(address);
  const raw = parseIpv4(ip) ?? parseIpv6(ip);
  if (!raw) throw new RangeError(`not an IP address: ${address}`);
  const out = Buffer.allocUnsafe(4 + raw.length);
  out[0] = 0;
  out[1] = raw.length === 4 ? 0x01 : 0x02;
  out.writeUInt16BE(xorKey ? port ^ (MAGIC_COOKIE >>> 16) : port, 2);
  for (let i = 0; i < raw.length; i++) out[4 + i] = xorKey ? raw[i]! ^ xorKey[i]! : raw[i]!;
  return out;
}

export function decodeAddressValue(value: Buffer, xorKey?: Buffer): TransportAddress | null {
  if (value.length < 4) return null;
  const family = value[1];
  const size = family === 0x01 ? 4 : family === 0x02 ? 16 : 0;
  if (size === 0 || value.length < 4 + size) return null;
  let port = value.readUInt16BE(2);
  const raw = Buffer.from(value.subarray(4, 4 + size));
  if (xorKey) {
    port ^= MAGIC_COOKIE >>> 16;
    for (let i = 0; i < size; i++) raw[i] = raw[i]! ^ xorKey[i]!;
  }
  return { family: size === 4 ? 4 : 6, address: formatIp(raw), port };
}
