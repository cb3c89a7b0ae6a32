// DHCP options kept as raw TLVs (code → bytes) with typed accessors. Instances of one code are
// concatenated on decode and split on encode (RFC 3396 §5–§7), so a caller never sees the
// 255-byte limit. Accessors never throw on wrong lengths: they return undefined.

import { Opt } from './constants.ts';

export class DhcpDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DhcpDecodeError';
  }
}

export interface SubOption {
  code: number;
  data: Buffer;
}

/**
 * Parse a TLV area (options field, or file/sname when overloaded) into `into`, appending to
 * values already there (RFC 3396 §7: instances are concatenated in the order they appear).
 * Stops at END; PAD is skipped (RFC 2132 §3.1, §3.2). Returns the option codes in wire order.
 */
export function parseTlvs(buf: Buffer, into: Map<number, Buffer[]>, order: number[]): void {
  let i = 0;
  while (i < buf.length) {
    const code = buf[i]!;
    if (code === Opt.PAD) { i++; continue; }
    if (code === Opt.END) return;
    if (i + 1 >= buf.length) throw new DhcpDecodeError(`option ${code} has no length byte`);
    const len = buf[i + 1]!;
    if (i + 2 + len > buf.length) throw new DhcpDecodeError(`option ${code} length ${len} runs past the end`);
    const parts = into.get(code);
    if (parts) parts.push(buf.subarray(i + 2, i + 2 + len));
    else { into.set(code, [buf.subarray(i + 2, i + 2 + len)]); order.push(code); }
    i += 2 + len;
  }
  // RFC 2131 §4.1 requires END, but dhclient/udhcpc always send it and a missing END after a
  // complete last option is harmless: accept it (lenient in what we accept).
}

/** Serialize one option, split into ≤255-byte instances (RFC 3396 §5). Zero-length stays one. */
export function tlv(code: number, data: Buffer): Buffer {
  if (data.length <= 255) return Buffer.concat([Buffer.from([code, data.length]), data]);
  const parts: Buffer[] = [];
  for (let i = 0; i < data.length; i += 255) {
    const chunk = data.subarray(i, Math.min(i + 255, data.length));
    parts.push(Buffer.from([code, chunk.length]), chunk);
  }
  return Buffer.concat(parts);
}

/** Encapsulated sub-options with one-byte code and length (options 43, 82, 125 inner). */
export function parseSubOptions(buf: Buffer): SubOption[] | undefined {
  const out: SubOption[] = [];
  let i = 0;
  while (i < buf.length) {
    const code = buf[i]!;
    // Vendor-specific areas may carry PAD/END like the main area (RFC 2132 §8.4).
    if (code === 0) { i++; continue; }
    if (code === 255) break;
    if (i + 1 >= buf.length) return undefined;
    const len = buf[i + 1]!;
    if (i + 2 + len > buf.length) return undefined;
    out.push({ code, data: buf.subarray(i + 2, i + 2 + len) });
    i += 2 + len;
  }
  return out;
}

export function encodeSubOptions(subs: readonly SubOption[]): Buffer {
  const parts: Buffer[] = [];
  for (const s of subs) {
    if (s.data.length > 255) throw new RangeError(`sub-option ${s.code} longer than 255 bytes`);
    parts.push(Buffer.from([s.code, s.data.length]), s.data);
  }
  return Buffer.concat(parts);
}

/** RFC 3925 §4 option 125: per enterprise, a data-len byte then sub-options. */
export function parseViVendor(buf: Buffer): Map<number, SubOption[]> | undefined {
  const out = new Map<number, SubOption[]>();
  let i = 0;
  while (i < buf.length) {
    if (i + 5 > buf.length) return undefined;
    const enterprise = buf.readUInt32BE(i);
    const len = buf[i + 4]!;
    if (i + 5 + len > buf.length) return undefined;
    const subs = parseSubOptions(buf.subarray(i + 5, i + 5 + len));
    if (!subs) return undefined;
    out.set(enterprise, [...(out.get(enterprise) ?? []), ...subs]);
    i += 5 + len;
  }
  return out;
}

export function encodeViVendor(enterprise: number, subs: readonly SubOption[]): Buffer {
  const data = encodeSubOptions(subs);
  if (data.length > 255) throw new RangeError('option 125 data for one enterprise longer than 255 bytes');
  const head = Buffer.alloc(5);
  head.writeUInt32BE(enterprise, 0);
  head[4] = data.length;
  return Buffer.concat([head, data]);
}

/** RFC 3925 §3 option 124: per enterprise, a data-len byte then length-prefixed class strings. */
export function parseViVendorClass(buf: Buffer): Map<number, string[]> | undefined {
  const out = new Map<number, string[]>();
  let i = 0;
  while (i < buf.length) {
    if (i + 5 > buf.length) return undefined;
    const enterprise = buf.readUInt32BE(i);
    const end = i + 5 + buf[i + 4]!;
    if (end > buf.length) return undefined;
    const list = out.get(enterprise) ?? [];
    for (let j = i + 5; j < end;) {
      const l = buf[j]!;
      if (j + 1 + l > end) return undefined;
      list.push(buf.subarray(j + 1, j + 1 + l).toString('latin1'));
      j += 1 + l;
    }
    out.set(enterprise, list);
    i = end;
  }
  return out;
}

export function ipToBuf(ip: string): Buffer {
  const p = ip.split('.');
  return Buffer.from([Number(p[0]), Number(p[1]), Number(p[2]), Number(p[3])]);
}

export function bufToIp(b: Buffer, off = 0): string {
  return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
}

/**
 * The options of one message: raw bytes per code (already concatenated per RFC 3396), in wire
 * order. Setting a value replaces it; order of `set` calls is the order on encode.
 */
export class DhcpOptions {
  readonly #values = new Map<number, Buffer>();

  static fromParts(parts: Map<number, Buffer[]>, order: readonly number[]): DhcpOptions {
    const o = new DhcpOptions();
    for (const code of order) o.#values.set(code, Buffer.concat(parts.get(code)!));
    return o;
  }

  get(code: number): Buffer | undefined {
    return this.#values.get(code);
  }
  has(code: number): boolean {
    return this.#values.has(code);
  }
  set(code: number, data: Buffer): this {
    if (code === Opt.PAD || code === Opt.END) throw new RangeError('PAD and END are not options');
    this.#values.delete(code); // re-setting moves it to the end
    this.#values.set(code, data);
    return this;
  }
  delete(code: number): void {
    this.#values.delete(code);
  }
  codes(): number[] {
    return [...this.#values.keys()];
  }
  entries(): [number, Buffer][] {
    return [...this.#values.entries()];
  }

  u8(code: number): number | undefined {
    const b = this.get(code);
    return b && b.length === 1 ? b[0] : undefined;
  }
  u16(code: number): number | undefined {
    const b = this.get(code);
    return b && b.length === 2 ? b.readUInt16BE(0) : undefined;
  }
  u32(code: number): number | undefined {
    const b = this.get(code);
    return b && b.length === 4 ? b.readUInt32BE(0) : undefined;
  }
  ip(code: number): string | undefined {
    const b = this.get(code);
    return b && b.length === 4 ? bufToIp(b) : undefined;
  }
  ips(code: number): string[] | undefined {
    const b = this.get(code);
    if (!b || b.length === 0 || b.length % 4 !== 0) return undefined;
    const out: string[] = [];
    for (let i = 0; i < b.length; i += 4) out.push(bufToIp(b, i));
    return out;
  }
  /** Text option: latin1 so any byte round-trips; trailing NULs (dnsmasq, old clients) dropped. */
  text(code: number): string | undefined {
    const b = this.get(code);
    return b === undefined ? undefined : b.toString('latin1').replace(/\0+$/, '');
  }

  messageType(): number | undefined {
    return this.u8(Opt.MESSAGE_TYPE);
  }
  requestedIp(): string | undefined {
    return this.ip(Opt.REQUESTED_IP);
  }
  serverId(): string | undefined {
    return this.ip(Opt.SERVER_ID);
  }
  paramRequestList(): number[] {
    return [...(this.get(Opt.PARAM_REQUEST_LIST) ?? [])];
  }
  /** RFC 2132 §9.10; values below 576 are invalid and ignored. */
  maxMessageSize(): number | undefined {
    const v = this.u16(Opt.MAX_MESSAGE_SIZE);
    return v !== undefined && v >= 576 ? v : undefined;
  }
  clientId(): Buffer | undefined {
    const b = this.get(Opt.CLIENT_ID);
    return b && b.length >= 2 ? b : undefined; // RFC 2132 §9.14: minimum length 2
  }
  vendorClass(): string | undefined {
    return this.text(Opt.VENDOR_CLASS);
  }
  hostname(): string | undefined {
    return this.text(Opt.HOSTNAME);
  }
  /** RFC 3046 option 82 sub-options, or undefined when absent or malformed. */
  relayAgent(): SubOption[] | undefined {
    const b = this.get(Opt.RELAY_AGENT);
    return b ? parseSubOptions(b) : undefined;
  }
  /** RFC 3925 option 125 by enterprise. */
  viVendor(): Map<number, SubOption[]> | undefined {
    const b = this.get(Opt.VI_VENDOR_SPECIFIC);
    return b ? parseViVendor(b) : undefined;
  }
  viVendorClass(): Map<number, string[]> | undefined {
    const b = this.get(Opt.VI_VENDOR_CLASS);
    return b ? parseViVendorClass(b) : undefined;
  }
}
