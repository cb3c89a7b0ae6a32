// HTTP Basic and Digest authentication for both sides (RFC 7616, RFC 2617, RFC 7617), written
// in-house (dependencies.md: no maintained npm package does RFC 7616 server-side well).
//   ACS side (CPE → ACS sessions): formatChallenge, parseAuthorization, verifyDigest, NonceManager.
//   Client side (ACS → CPE Connection Requests, simulator → ACS): parseChallenge,
//   buildAuthorization, basicAuthorization.
// tr069-protocol.md §6.1–§6.4 give the TR-069 rules this follows.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export type DigestAlgorithm = 'MD5' | 'MD5-sess' | 'SHA-256' | 'SHA-256-sess';

export interface DigestChallenge {
  scheme: 'Digest' | 'Basic';
  realm: string;
  /** '' for a Basic challenge. */
  nonce: string;
  opaque?: string;
  qop?: string[];
  algorithm?: DigestAlgorithm;
  stale?: boolean;
}

export type ParsedAuthorization =
  | { scheme: 'Digest'; params: Record<string, string> }
  | { scheme: 'Basic'; username: string; password: string };

const ALGORITHMS: Record<string, DigestAlgorithm> = {
  'md5': 'MD5', 'md5-sess': 'MD5-sess', 'sha-256': 'SHA-256', 'sha-256-sess': 'SHA-256-sess',
};

function normaliseAlgorithm(raw: string | undefined): DigestAlgorithm | undefined {
  return raw === undefined ? 'MD5' : ALGORITHMS[raw.trim().toLowerCase()]; // RFC 7616 §3.3: absent = MD5
}

// ---- header grammar (RFC 7235 §2.1, RFC 7616 §3.3–3.4), parsed tolerantly ---------------------

// RFC 7235 §2.1 token68 (e.g. Basic credentials), only when nothing but ',' or the end follows.
const TOKEN68 = /([A-Za-z0-9\-._~+/]+=*)[ \t]*(?:,|$)/y;

interface AuthItem { scheme: string; params: Record<string, string>; token68?: string }

/**
 * Split a (WWW-)Authorization header into schemes with their auth-params. Tolerant: quoted or
 * unquoted values, commas inside quotes, backslash escapes, case-insensitive keys, stray commas.
 */
function parseAuthItems(header: string): AuthItem[] {
  const out: AuthItem[] = [];
  const s = header;
  let i = 0;
  const skip = (chars: string): void => { while (i < s.length && chars.includes(s[i]!)) i++; };
  const token = (): string => {
    const start = i;
    while (i < s.length && !' \t\r\n,="'.includes(s[i]!)) i++;
    return s.slice(start, i);
  };
  let cur: AuthItem | undefined;
  while (i < s.length) {
    skip(' \t\r\n,');
    if (i >= s.length) break;
    const name = token();
    if (name === '') { i++; continue; } // stray '=' or '"': skip it
    skip(' \t\r\n');
    if (s[i] !== '=') { // a new scheme (possibly followed by a token68, e.g. Basic credentials)
      cur = { scheme: name, params: {} };
      out.push(cur);
      TOKEN68.lastIndex = i;
      const t68 = TOKEN68.exec(s);
      if (t68 !== null) {
        cur.token68 = t68[1];
        i += t68[1]!.length;
      }
      continue;
    }
    i++; // '='
    skip(' \t\r\n');
    let value: string;
    if (s[i] === '"') {
      i++;
      value = '';
      while (i < s.length && s[i] !== '"') {
        if (s[i] === '\\' && i + 1 < s.length) i++;
        value += s[i];
        i++;
      }
      i++; // closing quote (or end of input: tolerated)
    } else {
      const start = i;
      while (i < s.length && s[i] !== ',') i++;
      value = s.slice(start, i).trim();
    }
    if (cur === undefined) { cur = { scheme: '', params: {} }; out.push(cur); }
    cur.params[name.toLowerCase()] = value;
  }
  return out;
}

/** Parse an Authorization request header (Digest or Basic). null when neither or unparseable. */
export function parseAuthorization(header: string): ParsedAuthorization | null {
  const item = parseAuthItems(header.trim())[0];
  if (item === undefined) return null;
  const scheme = item.scheme.toLowerCase();
  if (scheme === 'digest') return { scheme: 'Digest', params: item.params };
  if (scheme === 'basic') {
    if (item.token68 === undefined) return null;
    const decoded = Buffer.from(item.token68, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon === -1) return null;
    return { scheme: 'Basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  return null;
}

/**
 * Parse a WWW-Authenticate header. When several challenges are offered the first Digest one with
 * an algorithm we support wins, else Basic (RFC 7616 §3.7: prefer the strongest we can do).
 */
export function parseChallenge(header: string): DigestChallenge | null {
  const items = parseAuthItems(header.trim());
  let basic: DigestChallenge | null = null;
  for (const it of items) {
    const scheme = it.scheme.toLowerCase();
    if (scheme === 'digest') {
      const algorithm = normaliseAlgorithm(it.params['algorithm']);
      if (algorithm === undefined || it.params['nonce'] === undefined) continue;
      const c: DigestChallenge = { scheme: 'Digest', realm: it.params['realm'] ?? '', nonce: it.params['nonce'] };
      if (it.params['algorithm'] !== undefined) c.algorithm = algorithm; // echoed only when sent (§6.4)
      if (it.params['opaque'] !== undefined) c.opaque = it.params['opaque'];
      if (it.params['qop'] !== undefined) c.qop = it.params['qop'].split(',').map((q) => q.trim()).filter((q) => q !== '');
      if (it.params['stale']?.trim().toLowerCase() === 'true') c.stale = true;
      return c;
    }
    if (scheme === 'basic' && basic === null) basic = { scheme: 'Basic', realm: it.params['realm'] ?? '', nonce: '' };
  }
  return basic;
}

const quote = (s: string): string => `"${s.replace(/["\\]/g, '\\$&')}"`;

/** WWW-Authenticate value. qop is sent as given (tr069-protocol.md §6.2: offer only "auth"). */
export function formatChallenge(c: DigestChallenge): string {
  if (c.scheme === 'Basic') return `Basic realm=${quote(c.realm)}`;
  const parts = [`realm=${quote(c.realm)}`];
  if (c.qop !== undefined && c.qop.length > 0) parts.push(`qop=${quote(c.qop.join(','))}`);
  parts.push(`nonce=${quote(c.nonce)}`);
  if (c.opaque !== undefined) parts.push(`opaque=${quote(c.opaque)}`);
  parts.push(`algorithm=${c.algorithm ?? 'MD5'}`);
  if (c.stale === true) parts.push('stale=true');
  return `Digest ${parts.join(', ')}`;
}

// ---- computation (RFC 7616 §3.4.1–3.4.3; RFC 2069 when no qop) --------------------------------

export interface DigestInput {
  algorithm?: DigestAlgorithm | string;
  username: string;
  realm: string;
  password: string;
  method: string;
  uri: string;
  nonce: string;
  /** 8 hex digits, required with qop. */
  nc?: string;
  cnonce?: string;
  qop?: string;
  /** Entity body for qop=auth-int (empty when absent). */
  body?: Buffer | string;
}

/** The `response` value (lower-case hex). Throws TypeError for an unsupported algorithm. */
export function computeDigest(o: DigestInput): string {
  const algorithm = normaliseAlgorithm(o.algorithm);
  if (algorithm === undefined) throw new TypeError(`unsupported digest algorithm ${o.algorithm}`);
  const hashName = algorithm.startsWith('SHA-256') ? 'sha256' : 'md5';
  const H = (s: string | Buffer): string => createHash(hashName).update(s).digest('hex');
  let ha1 = H(`${o.username}:${o.realm}:${o.password}`);
  if (algorithm.endsWith('-sess')) ha1 = H(`${ha1}:${o.nonce}:${o.cnonce ?? ''}`);
  const qop = o.qop?.trim().toLowerCase();
  const ha2 = qop === 'auth-int' ? H(`${o.method}:${o.uri}:${H(o.body ?? '')}`) : H(`${o.method}:${o.uri}`);
  if (qop === undefined || qop === '') return H(`${ha1}:${o.nonce}:${ha2}`);
  return H(`${ha1}:${o.nonce}:${o.nc ?? ''}:${o.cnonce ?? ''}:${qop}:${ha2}`);
}

/**
 * Client side: the Authorization value answering `challenge`. Picks qop=auth when offered (else
 * auth-int, else the RFC 2069 form), echoes opaque and algorithm; `uri` is used exactly as given
 * and must be the origin-form request target (tr069-protocol.md §6.4).
 */
export function buildAuthorization(challenge: DigestChallenge, o: {
  username: string; password: string; method: string; uri: string; nc?: number; cnonce?: string; body?: Buffer | string;
}): string {
  if (challenge.scheme === 'Basic') return basicAuthorization(o.username, o.password);
  const offered = (challenge.qop ?? []).map((q) => q.toLowerCase());
  const qop = offered.includes('auth') ? 'auth' : offered.includes('auth-int') ? 'auth-int' : undefined;
  const nc = (o.nc ?? 1).toString(16).padStart(8, '0');
  const cnonce = o.cnonce ?? randomBytes(8).toString('hex');
  const response = computeDigest({
    algorithm: challenge.algorithm ?? 'MD5', username: o.username, realm: challenge.realm, password: o.password,
    method: o.method, uri: o.uri, nonce: challenge.nonce, body: o.body, ...(qop === undefined ? {} : { qop, nc, cnonce }),
  });
  const parts = [`username=${quote(o.username)}`, `realm=${quote(challenge.realm)}`, `nonce=${quote(challenge.nonce)}`,
    `uri=${quote(o.uri)}`];
  if (challenge.algorithm !== undefined) parts.push(`algorithm=${challenge.algorithm}`);
  if (qop !== undefined) parts.push(`qop=${qop}`, `nc=${nc}`, `cnonce=${quote(cnonce)}`);
  parts.push(`response=${quote(response)}`);
  if (challenge.opaque !== undefined) parts.push(`opaque=${quote(challenge.opaque)}`);
  return `Digest ${parts.join(', ')}`;
}

/** Client side: `Basic <base64(user:password)>` (RFC 7617 §2, UTF-8). */
export function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

/**
 * Server side: does the Digest `params` (from parseAuthorization) prove knowledge of `password`?
 * Checks the realm and recomputes the response with the algorithm and qop the client used;
 * nonce freshness and nc replay are NonceManager's job. Constant-time comparison.
 */
export function verifyDigest(params: Record<string, string>, o: { password: string; method: string; realm: string; body?: Buffer | string }): boolean {
  const { username, realm, nonce, uri, response } = params;
  if (username === undefined || realm === undefined || nonce === undefined || uri === undefined || response === undefined) return false;
  if (realm !== o.realm) return false;
  const algorithm = normaliseAlgorithm(params['algorithm']);
  if (algorithm === undefined) return false;
  const qop = params['qop']?.trim().toLowerCase();
  if (qop !== undefined && qop !== 'auth' && !(qop === 'auth-int' && o.body !== undefined)) return false;
  if (qop !== undefined && (params['nc'] === undefined || params['cnonce'] === undefined)) return false;
  const expected = computeDigest({
    algorithm, username, realm, password: o.password, method: o.method, uri, nonce, body: o.body,
    ...(qop === undefined ? {} : { qop, nc: params['nc'], cnonce: params['cnonce'] }),
  });
  const got = Buffer.from(response.trim().toLowerCase(), 'utf8');
  const want = Buffer.from(expected, 'utf8');
  return got.length === want.length && timingSafeEqual(got, want);
}

export { NonceManager } from './nonce.ts';
