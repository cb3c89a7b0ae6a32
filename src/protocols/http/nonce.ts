// Stateless, HMAC-signed Digest nonces with bounded replay tracking (tr069-protocol.md §6.2).
// A nonce carries its own issue time and a MAC over it, so any process instance holding the
// secret can check it and a CPE may retry on a new TCP connection (GenieACS binds nonces to the
// socket and fails such CPEs). Replays are refused by requiring nc to grow per nonce.

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface NonceManagerOptions {
  secret: Buffer;
  /** How long an issued nonce is accepted ('stale' afterwards, RFC 7616 §3.3 stale=true). */
  lifetimeMs: number;
  clock: { now(): number };
  /** Nonces whose nc is remembered; the least recently used is forgotten first. Default 100 000. */
  maxTracked?: number;
}

// Layout (32 bytes, sent as 64 lower-case hex chars — plain hex suits every CPE's parser):
//   0..7   issue time, ms since epoch, big-endian
//   8..15  random
//   16..31 HMAC-SHA256(secret, bytes 0..15) truncated to 128 bits
const BODY = 16;
const MAC = 16;
/** Clock skew tolerated for nonces that appear to come from the future (another instance). */
const FUTURE_SKEW_MS = 60_000;

export class NonceManager {
  readonly #secret: Buffer;
  readonly #lifetimeMs: number;
  readonly #clock: { now(): number };
  readonly #max: number;
  /** nonce → highest nc accepted; Map iteration order doubles as the LRU order. */
  readonly #nc = new Map<string, number>();

  constructor(opts: NonceManagerOptions) {
    if (opts.secret.length < 16) throw new TypeError('NonceManager secret must be at least 16 bytes');
    this.#secret = opts.secret;
    this.#lifetimeMs = opts.lifetimeMs;
    this.#clock = opts.clock;
    this.#max = opts.maxTracked ?? 100_000;
  }

  #mac(body: Buffer): Buffer {
    return createHmac('sha256', this.#secret).update(body).digest().subarray(0, MAC);
  }

  /** A fresh nonce (≥128 random-looking bits, §6.2). */
  issue(): string {
    const body = Buffer.alloc(BODY);
    body.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(this.#clock.now()))), 0);
    randomBytes(8).copy(body, 8);
    return Buffer.concat([body, this.#mac(body)]).toString('hex');
  }

  /** 'ok', 'stale' (ours but expired: answer 401 with stale=true), or 'invalid' (not ours). */
  check(nonce: string): 'ok' | 'stale' | 'invalid' {
    if (!/^[0-9a-fA-F]{64}$/.test(nonce)) return 'invalid';
    const raw = Buffer.from(nonce, 'hex');
    const body = raw.subarray(0, BODY);
    if (!timingSafeEqual(raw.subarray(BODY), this.#mac(body))) return 'invalid';
    const issued = Number(body.readBigUInt64BE(0));
    const now = this.#clock.now();
    if (issued > now + FUTURE_SKEW_MS) return 'invalid';
    return now - issued > this.#lifetimeMs ? 'stale' : 'ok';
  }

  /**
   * Replay protection: accept `nc` (hex, RFC 7616 §3.4) only if it is greater than every nc
   * accepted before for this nonce. Call after check() returned 'ok'. Memory is bounded: past
   * maxTracked nonces the least recently used is forgotten — by then it is normally stale.
   */
  acceptNc(nonce: string, nc: string): boolean {
    if (!/^[0-9a-fA-F]{1,8}$/.test(nc)) return false;
    const value = parseInt(nc, 16);
    if (value === 0) return false; // nc counts from 00000001 (RFC 7616 §3.4)
    const key = nonce.toLowerCase();
    const last = this.#nc.get(key);
    if (last !== undefined && value <= last) return false;
    this.#nc.delete(key);
    this.#nc.set(key, value);
    if (this.#nc.size > this.#max) {
      const oldest = this.#nc.keys().next().value;
      if (oldest !== undefined) this.#nc.delete(oldest);
    }
    return true;
  }

  /** Number of nonces whose nc is tracked (for tests and metrics). */
  get tracked(): number {
    return this.#nc.size;
  }
}
