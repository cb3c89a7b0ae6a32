// CPE authentication (tr069-protocol.md §6): the Inform is parsed first to learn who claims to
// be talking (§6.3), then the credential is checked against that device's own credential, or
// against the site's bootstrap credential where that is allowed. Digest (MD5 and SHA-256,
// qop=auth, stateless HMAC nonces valid across TCP connections, nc replay check, stale=true)
// always; Basic only over TLS (TR-069 §3.4.4) unless explicitly allowed for broken CPEs.
// Repeated failures from one source address lock that source out for a while.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../core/clock.ts';
import { Lockout } from '../../core/lockout.ts';
import type { AcsConfig } from '../../core/config/schema.ts';
import { NonceManager, formatChallenge, parseAuthorization, verifyDigest } from '../../protocols/http/digest.ts';

export interface Candidate {
  username: string;
  password: string;
  /** device: its active credential; pending: rotated but unconfirmed; bootstrap: the site's first-contact one. */
  kind: 'device' | 'pending' | 'bootstrap';
}

export type AuthOutcome =
  | { ok: true; username: string; kind: Candidate['kind']; scheme: 'Digest' | 'Basic' }
  | { ok: false; status: 401 | 403; headers: Record<string, string>; reason: string; close: boolean; failure: boolean };

export class Authenticator {
  readonly #cfg: AcsConfig['auth'];
  readonly #nonces: NonceManager;
  readonly #lockout: Lockout;

  constructor(cfg: AcsConfig['auth'], clock: Clock, secret: Buffer = randomBytes(32)) {
    this.#cfg = cfg;
    this.#lockout = new Lockout({ failures: cfg.lockoutFailures, window: cfg.lockoutWindow, duration: cfg.lockoutDuration }, clock);
    this.#nonces = new NonceManager({ secret, lifetimeMs: cfg.nonceLifetime, clock });
  }

  isLockedOut(ip: string): boolean {
    return this.#lockout.lockedFor(ip) > 0;
  }

  /** Check the Authorization header of a request against the acceptable credentials. */
  check(req: { authorization: string | undefined; method: string; remoteIp: string; encrypted: boolean }, candidates: Candidate[]): AuthOutcome {
    if (this.isLockedOut(req.remoteIp)) {
      return { ok: false, status: 403, headers: {}, reason: 'locked out', close: true, failure: false };
    }
    const auth = req.authorization ? parseAuthorization(req.authorization) : null;
    if (!auth) return this.#challenge('no credentials', false, false);
    if (auth.scheme === 'Basic') {
      const basicAllowed = this.#cfg.allowBasic && (req.encrypted || this.#cfg.allowBasicOverHttp);
      // Basic over plain HTTP is forbidden (TR-069 §3.4.4): answer with a Digest challenge.
      if (!basicAllowed) return this.#challenge('Basic not allowed on this connection', false, false);
      const c = candidates.find((k) => safeEqual(k.username, auth.username) && safeEqual(k.password, auth.password));
      if (c) return this.#success(req.remoteIp, c, 'Basic');
      return this.#fail(req.remoteIp, 'wrong Basic credentials');
    }
    const p = auth.params;
    const nonceState = this.#nonces.check(p.nonce ?? '');
    if (nonceState === 'invalid') return this.#fail(req.remoteIp, 'unknown nonce');
    const named = candidates.filter((k) => k.username === p.username);
    const c = named.find((k) => verifyDigest(p, { password: k.password, method: req.method, realm: this.#cfg.realm }));
    if (!c) return this.#fail(req.remoteIp, named.length > 0 ? 'wrong digest response' : 'unknown username');
    // A correct digest over an expired nonce: ask again without counting a failure (RFC 7616 §3.3).
    if (nonceState === 'stale') return this.#challenge('stale nonce', true, false);
    // Replay protection: nc must grow for each use of a nonce (RFC 7616 §3.4).
    if (p.qop && !this.#nonces.acceptNc(p.nonce!, p.nc ?? '')) return this.#fail(req.remoteIp, 'replayed nonce count');
    return this.#success(req.remoteIp, c, 'Digest');
  }

  #success(ip: string, c: Candidate, scheme: 'Digest' | 'Basic'): AuthOutcome {
    this.#lockout.succeed(ip);
    return { ok: true, username: c.username, kind: c.kind, scheme };
  }

  #fail(ip: string, reason: string): AuthOutcome {
    const { recent } = this.#lockout.fail(ip);
    // After a second consecutive failure on a connection GenieACS closes it (§6.2); we close
    // whenever the source has failed more than once in the window.
    return this.#challenge(reason, false, true, recent > 1);
  }

  #challenge(reason: string, stale: boolean, failure: boolean, close = false): AuthOutcome {
    const nonce = this.#nonces.issue();
    const opaque = randomBytes(8).toString('hex');
    const headers = { 'www-authenticate': formatChallenge({ scheme: 'Digest', realm: this.#cfg.realm, nonce, opaque, qop: ['auth'], algorithm: this.#cfg.challengeAlgorithm, ...(stale ? { stale: true } : {}) }) };
    return { ok: false, status: 401, headers, reason, close, failure };
  }

}

function safeEqual(a: string, b: string): boolean {
  // Compare fixed-length hashes so neither the content nor the length leaks through timing.
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}
