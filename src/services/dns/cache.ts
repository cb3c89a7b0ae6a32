// Answers from the upstream resolvers, kept as wire bytes and aged in place: positive answers
// for their smallest TTL, NXDOMAIN/NODATA for the SOA's negative TTL (RFC 2308 §5), both capped;
// bounded in size (the oldest insert goes first).

import { FLAG, HEADER_SIZE, RCODE, inspectResponse, type ResponseLayout } from '../../protocols/dns/index.ts';

export interface CacheEntry {
  /** The upstream response without its OPT record, id 0. */
  bytes: Buffer;
  ttlOffsets: number[];
  ttls: number[];
  rcode: number;
  storedAt: number;
  expiresAt: number;
}

export interface CacheLimits {
  maxTtlMs: number;
  maxNegativeTtlMs: number;
}

/** How long an upstream answer may be reused (0 = not at all). */
function lifetimeMs(l: ResponseLayout, limits: CacheLimits): number {
  if (l.flags & FLAG.TC) return 0;
  if (l.rcode === RCODE.NOERROR && l.ancount > 0) return Math.min(l.minAnswerTtl * 1000, limits.maxTtlMs);
  if (l.rcode === RCODE.NXDOMAIN || (l.rcode === RCODE.NOERROR && l.ancount === 0)) {
    return l.negativeTtl === null ? 0 : Math.min(l.negativeTtl * 1000, limits.maxNegativeTtlMs);
  }
  return 0; // SERVFAIL, REFUSED…: passed on once, never kept
}

/** Normalize an upstream response into an entry; null when it is malformed. */
export function entryFromUpstream(buf: Buffer, now: number, limits: CacheLimits): CacheEntry | null {
  const l = inspectResponse(buf);
  if (!l) return null;
  let bytes: Buffer;
  let offsets = l.ttlOffsets;
  if (l.optStart >= 0) {
    // Strip the OPT: the client gets our own (or none, RFC 6891 §7).
    const cut = l.optEnd - l.optStart;
    bytes = Buffer.concat([buf.subarray(0, l.optStart), buf.subarray(l.optEnd)]);
    bytes.writeUInt16BE(bytes.readUInt16BE(10) - 1, 10);
    offsets = offsets.map((o) => (o > l.optStart ? o - cut : o));
  } else {
    bytes = Buffer.from(buf);
  }
  bytes.writeUInt16BE(0, 0);
  return {
    bytes, ttlOffsets: offsets, ttls: offsets.map((o) => bytes.readUInt32BE(o)), rcode: l.rcode,
    storedAt: now, expiresAt: now + lifetimeMs(l, limits),
  };
}

const OPT_LEN = 11;

/** Header + question (+ OPT) with TC set: the client retries over TCP (RFC 7766 §5). */
export function truncatedReply(query: Buffer, questionEnd: number, flags: number, ednsSize: number | null): Buffer {
  const out = Buffer.alloc(questionEnd + (ednsSize !== null ? OPT_LEN : 0));
  query.copy(out, 0, 0, questionEnd);
  out.writeUInt16BE((flags | FLAG.QR | FLAG.TC) & 0xffff, 2);
  out.writeUInt32BE(0, 6);
  out.writeUInt16BE(ednsSize !== null ? 1 : 0, 10);
  if (ednsSize !== null) writeOpt(out, questionEnd, ednsSize);
  return out;
}

function writeOpt(out: Buffer, off: number, size: number): void {
  out[off] = 0; out.writeUInt16BE(41, off + 1); out.writeUInt16BE(size, off + 3);
  out.writeUInt32BE(0, off + 5); out.writeUInt16BE(0, off + 9);
}

/**
 * The client's response from an entry: its id, RD and CD, its question's case, TTLs aged by the
 * time in cache, our OPT when it sent one; TC when it does not fit `limit`.
 */
export function renderEntry(e: CacheEntry, query: Buffer, questionEnd: number, ednsSize: number | null, limit: number, now: number): Buffer {
  const flags = FLAG.QR | FLAG.RA | (query[2]! & 0x01) << 8 | (query[3]! & 0x10) | (e.rcode & 0xf);
  const size = e.bytes.length + (ednsSize !== null ? OPT_LEN : 0);
  if (size > limit) return truncatedReply(query, questionEnd, flags, ednsSize);
  const out = Buffer.allocUnsafe(size);
  e.bytes.copy(out, 0);
  out[0] = query[0]!; out[1] = query[1]!;
  out.writeUInt16BE(flags, 2);
  query.copy(out, HEADER_SIZE, HEADER_SIZE, questionEnd - 4);
  const age = Math.floor((now - e.storedAt) / 1000);
  if (age > 0) for (let i = 0; i < e.ttlOffsets.length; i++) out.writeUInt32BE(Math.max(0, e.ttls[i]! - age), e.ttlOffsets[i]!);
  if (ednsSize !== null) {
    writeOpt(out, e.bytes.length, ednsSize);
    out.writeUInt16BE(out.readUInt16BE(10) + 1, 10);
  }
  return out;
}

export class ResponseCache {
  readonly #map = new Map<string, CacheEntry>();
  readonly #max: number;

  constructor(maxEntries: number) {
    this.#max = maxEntries;
  }

  get size(): number {
    return this.#map.size;
  }

  get(key: string, now: number): CacheEntry | null {
    const e = this.#map.get(key);
    if (!e) return null;
    if (e.expiresAt <= now) {
      this.#map.delete(key);
      return null;
    }
    return e;
  }

  set(key: string, e: CacheEntry): void {
    if (this.#max === 0 || e.expiresAt <= e.storedAt) return;
    if (this.#map.has(key)) this.#map.delete(key);
    else if (this.#map.size >= this.#max) this.#map.delete(this.#map.keys().next().value!);
    this.#map.set(key, e);
  }

  clear(): void {
    this.#map.clear();
  }
}
