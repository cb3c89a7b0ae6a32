// DNS wire constants (RFC 1035 §3.2, §4.1.1; RFC 6891 §6.1; IANA DNS parameters).

export const TYPE = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  NAPTR: 35,
  OPT: 41,
  IXFR: 251,
  AXFR: 252,
  ANY: 255,
} as const;

export const CLASS = { IN: 1, CH: 3, ANY: 255 } as const;

export const RCODE = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  /** Extended rcode (RFC 6891 §6.1.3): upper 8 bits go in the OPT TTL, lower 4 in the header. */
  BADVERS: 16,
} as const;

export const OPCODE_QUERY = 0;

/** Header flag bits, as a 16-bit word (RFC 1035 §4.1.1). */
export const FLAG = {
  QR: 0x8000,
  AA: 0x0400,
  TC: 0x0200,
  RD: 0x0100,
  RA: 0x0080,
  AD: 0x0020,
  CD: 0x0010,
} as const;

/** RFC 1035 §2.3.4 / §4.2.1: UDP messages without EDNS are limited to 512 octets. */
export const CLASSIC_UDP_SIZE = 512;
export const HEADER_SIZE = 12;
/** RFC 1035 §2.3.4. */
export const MAX_NAME_WIRE = 255;

const TYPE_NAMES = new Map<number, string>(Object.entries(TYPE).map(([k, v]) => [v, k]));
export function typeName(t: number): string {
  return TYPE_NAMES.get(t) ?? `TYPE${t}`;
}

const RCODE_NAMES = new Map<number, string>(Object.entries(RCODE).map(([k, v]) => [v, k]));
export function rcodeName(r: number): string {
  return RCODE_NAMES.get(r) ?? `RCODE${r}`;
}
