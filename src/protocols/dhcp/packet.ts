// DHCPv4 message codec: the BOOTP header (RFC 2131 §2), the magic cookie, options with PAD/END
// (RFC 2132 §3), long options (RFC 3396) and option overload into file/sname (RFC 2132 §9.3).
// Pure: Buffer in, typed object out, and back.

import {
  HEADER_LEN, COOKIE, OPTIONS_OFFSET, BOOTP_MIN_LEN, DEFAULT_MAX_MESSAGE, SNAME_OFFSET, SNAME_LEN,
  FILE_OFFSET, FILE_LEN, Opt,
} from './constants.ts';
import { DhcpDecodeError, DhcpOptions, parseTlvs, tlv, bufToIp, ipToBuf } from './options.ts';

export interface DhcpPacket {
  op: number;
  htype: number;
  hlen: number;
  hops: number;
  xid: number;
  secs: number;
  flags: number;
  ciaddr: string;
  yiaddr: string;
  siaddr: string;
  giaddr: string;
  /** Always 16 bytes; the hardware address is the first `hlen`. */
  chaddr: Buffer;
  /** Raw 64/128-byte fields; when they carried options (overload) the options are in `options`. */
  sname: Buffer;
  file: Buffer;
  options: DhcpOptions;
  /** Option 52 value seen on decode (0 = none). */
  overload: number;
}

export interface EncodeOptions {
  /** Largest DHCP message the client accepts (option 57), default 548 (RFC 2131 §2). */
  maxSize?: number;
}

export function decode(buf: Buffer): DhcpPacket {
  if (buf.length < OPTIONS_OFFSET) throw new DhcpDecodeError(`message of ${buf.length} bytes is shorter than ${OPTIONS_OFFSET}`);
  if (buf.readUInt32BE(HEADER_LEN) !== COOKIE) throw new DhcpDecodeError('no DHCP magic cookie (plain BOOTP is not served)');
  const hlen = buf[2]!;
  if (hlen > 16) throw new DhcpDecodeError(`hlen ${hlen} exceeds 16`);
  const parts = new Map<number, Buffer[]>();
  const order: number[] = [];
  parseTlvs(buf.subarray(OPTIONS_OFFSET), parts, order);
  // RFC 2131 §4.1: option 52 is only honoured in the options field, so file/sname cannot point
  // at each other (no loops); file is read before sname (RFC 3396 §7, RFC 2132 §9.3).
  const ov = parts.get(Opt.OVERLOAD);
  const overload = ov && ov.length === 1 && ov[0]!.length === 1 ? ov[0]![0]! : 0;
  const sname = Buffer.from(buf.subarray(SNAME_OFFSET, SNAME_OFFSET + SNAME_LEN));
  const file = Buffer.from(buf.subarray(FILE_OFFSET, FILE_OFFSET + FILE_LEN));
  if (overload === 1 || overload === 3) parseTlvs(file, parts, order);
  if (overload === 2 || overload === 3) parseTlvs(sname, parts, order);
  const options = DhcpOptions.fromParts(parts, order);
  options.delete(Opt.OVERLOAD); // a codec detail, not content
  return {
    op: buf[0]!,
    htype: buf[1]!,
    hlen,
    hops: buf[3]!,
    xid: buf.readUInt32BE(4),
    secs: buf.readUInt16BE(8),
    flags: buf.readUInt16BE(10),
    ciaddr: bufToIp(buf, 12),
    yiaddr: bufToIp(buf, 16),
    siaddr: bufToIp(buf, 20),
    giaddr: bufToIp(buf, 24),
    chaddr: Buffer.from(buf.subarray(28, 44)),
    sname,
    file,
    options,
    overload,
  };
}

/** Hardware address as aa:bb:cc:dd:ee:ff (the first hlen bytes of chaddr). */
export function hwAddress(p: Pick<DhcpPacket, 'chaddr' | 'hlen'>): string {
  const n = Math.min(p.hlen, 16);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(p.chaddr[i]!.toString(16).padStart(2, '0'));
  return parts.join(':');
}

/** Instances of every option as TLVs, in order; 82 is kept apart so it can be placed last. */
function instancesOf(options: DhcpOptions): { list: Buffer[]; relay: Buffer | null } {
  const list: Buffer[] = [];
  let relay: Buffer | null = null;
  for (const [code, data] of options.entries()) {
    if (code === Opt.OVERLOAD) continue;
    if (code === Opt.RELAY_AGENT) { relay = tlv(code, data); continue; }
    const all = tlv(code, data);
    // split the serialized option back into instances so overload can move whole instances
    for (let i = 0; i < all.length; i += 2 + all[i + 1]!) list.push(all.subarray(i, i + 2 + all[i + 1]!));
  }
  return { list, relay };
}

/** Place instances into options / file / sname areas (RFC 2132 §9.3, RFC 3396 §6). */
function layout(options: DhcpOptions, maxSize: number): { main: Buffer; file: Buffer | null; sname: Buffer | null } {
  const { list, relay } = instancesOf(options);
  const relayLen = relay?.length ?? 0;
  const total = list.reduce((n, b) => n + b.length, 0) + relayLen + 1;
  if (OPTIONS_OFFSET + total <= maxSize) {
    return { main: Buffer.concat([...list, ...(relay ? [relay] : []), Buffer.from([Opt.END])]), file: null, sname: null };
  }
  // Overload: main area keeps room for option 52 (3 bytes), option 82 and END.
  const areas = [
    { cap: maxSize - OPTIONS_OFFSET - 3 - relayLen - 1, used: [] as Buffer[], size: 0 },
    { cap: FILE_LEN - 1, used: [] as Buffer[], size: 0 },
    { cap: SNAME_LEN - 1, used: [] as Buffer[], size: 0 },
  ];
  let a = 0;
  for (const inst of list) {
    while (a < areas.length && areas[a]!.size + inst.length > areas[a]!.cap) a++;
    if (a >= areas.length) throw new RangeError(`options do not fit in ${maxSize} bytes even with overload`);
    areas[a]!.used.push(inst);
    areas[a]!.size += inst.length;
  }
  const [m, f, s] = areas as [typeof areas[0], typeof areas[0], typeof areas[0]];
  const ovVal = (f.size > 0 ? 1 : 0) | (s.size > 0 ? 2 : 0);
  const end = Buffer.from([Opt.END]);
  const main = Buffer.concat([Buffer.from([Opt.OVERLOAD, 1, ovVal]), ...m.used, ...(relay ? [relay] : []), end]);
  const pad = (bufs: Buffer[], len: number) => { const b = Buffer.alloc(len); Buffer.concat([...bufs, end]).copy(b); return b; };
  return { main, file: f.size > 0 ? pad(f.used, FILE_LEN) : null, sname: s.size > 0 ? pad(s.used, SNAME_LEN) : null };
}

/** Encode; replies are padded to the 300-byte BOOTP minimum (RFC 1542 §3.5). */
export function encode(p: DhcpPacket, opts: EncodeOptions = {}): Buffer {
  const maxSize = Math.max(DEFAULT_MAX_MESSAGE, opts.maxSize ?? DEFAULT_MAX_MESSAGE);
  const { main, file, sname } = layout(p.options, maxSize);
  const out = Buffer.alloc(Math.max(BOOTP_MIN_LEN, OPTIONS_OFFSET + main.length));
  out[0] = p.op;
  out[1] = p.htype;
  out[2] = p.hlen;
  out[3] = p.hops;
  out.writeUInt32BE(p.xid >>> 0, 4);
  out.writeUInt16BE(p.secs & 0xffff, 8);
  out.writeUInt16BE(p.flags & 0xffff, 10);
  ipToBuf(p.ciaddr).copy(out, 12);
  ipToBuf(p.yiaddr).copy(out, 16);
  ipToBuf(p.siaddr).copy(out, 20);
  ipToBuf(p.giaddr).copy(out, 24);
  p.chaddr.copy(out, 28, 0, 16);
  (sname ?? p.sname).copy(out, SNAME_OFFSET, 0, SNAME_LEN);
  (file ?? p.file).copy(out, FILE_OFFSET, 0, FILE_LEN);
  out.writeUInt32BE(COOKIE, HEADER_LEN);
  main.copy(out, OPTIONS_OFFSET);
  return out;
}

/** An empty packet with zeroed fields, for building requests and replies. */
export function emptyPacket(op: number): DhcpPacket {
  return {
    op, htype: 1, hlen: 6, hops: 0, xid: 0, secs: 0, flags: 0,
    ciaddr: '0.0.0.0', yiaddr: '0.0.0.0', siaddr: '0.0.0.0', giaddr: '0.0.0.0',
    chaddr: Buffer.alloc(16), sname: Buffer.alloc(SNAME_LEN), file: Buffer.alloc(FILE_LEN),
    options: new DhcpOptions(), overload: 0,
  };
}

/** aa:bb:cc:dd:ee:ff → 16-byte chaddr. */
export function chaddrOf(mac: string): Buffer {
  const b = Buffer.alloc(16);
  Buffer.from(mac.replace(/[:-]/g, ''), 'hex').copy(b);
  return b;
}
