// UDP Connection Request (TR-069 Annex G, formerly TR-111 Part 2; tr069-protocol.md §8.9–§8.12):
// one datagram carrying an HTTP/1.1 GET with an absolute URI, empty path and the signed query
// ts/id/un/cn/sig, sig = hex HMAC-SHA1(key = ConnectionRequestPassword, ts‖id‖un‖cn).
// Pure text in/out: the ACS builds it, the STUN service sends it, a CPE verifies it.

import { createHmac, timingSafeEqual } from 'node:crypto';

export interface UdpConnectionRequestInput {
  /** The CPE's UDPConnectionRequestAddress host (IPv6 without brackets). */
  host: string;
  port: number;
  /** Seconds since the Unix epoch (§8.9: decimal seconds, never milliseconds). */
  ts: number;
  /** Message id: the same in every retransmission, new for each request. */
  id: number | string;
  /** ConnectionRequestUsername. */
  username: string;
  /** A random cnonce; keep it to [A-Za-z0-9._-] (§8.9). */
  cnonce: string;
  /** ConnectionRequestPassword. */
  password: string;
}

/** §8.9: lowercase hex HMAC-SHA1 of ts ‖ id ‖ un ‖ cn, no separators. */
export function udpCrSignature(ts: number | string, id: number | string, username: string, cnonce: string, password: string): string {
  return createHmac('sha1', password).update(`${ts}${id}${username}${cnonce}`, 'utf8').digest('hex');
}

function authority(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

// §8.9: several CPE parsers read the raw query without URL-decoding, so only characters outside
// the safe set are escaped (GenieACS escapes nothing, which breaks on '&').
const enc = (s: string): string => s.replace(/[^A-Za-z0-9._~-]/g, (c) => encodeURIComponent(c));

/** The datagram text, CRLF line ends, for §8.12's inputs exactly the 169-byte golden message. */
export function buildUdpConnectionRequest(p: UdpConnectionRequestInput): string {
  if (!Number.isInteger(p.ts) || p.ts < 0) throw new RangeError('ts must be whole seconds since the epoch');
  if (!/^\d+$/.test(String(p.id))) throw new RangeError('id must be an unsigned integer');
  if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535) throw new RangeError('port must be 1..65535');
  const auth = authority(p.host, p.port);
  const sig = udpCrSignature(p.ts, p.id, p.username, p.cnonce, p.password);
  const query = `ts=${p.ts}&id=${p.id}&un=${enc(p.username)}&cn=${enc(p.cnonce)}&sig=${sig}`;
  // §8.9: absolute URI, empty path; a Host header is harmless (GenieACS sends one).
  return `GET http://${auth}?${query} HTTP/1.1\r\nHost: ${auth}\r\n\r\n`;
}

export interface UdpConnectionRequest {
  ts: number;
  id: string;
  username: string;
  cnonce: string;
  sig: string;
}

export type UdpCrRejection = 'malformed' | 'missing-parameter' | 'wrong-username' | 'bad-signature' | 'stale-ts' | 'repeated-id';

export type UdpCrCheck =
  | ({ ok: true } & UdpConnectionRequest)
  | { ok: false; reason: UdpCrRejection; detail: string };

const reject = (reason: UdpCrRejection, detail: string): UdpCrCheck => ({ ok: false, reason, detail });

/** Parse the request line and query (no signature check). */
export function parseUdpConnectionRequest(message: string | Buffer): UdpConnectionRequest | { error: UdpCrRejection; detail: string } {
  const text = typeof message === 'string' ? message : message.toString('latin1');
  const eol = text.indexOf('\n');
  const line = (eol < 0 ? text : text.slice(0, eol)).replace(/\r$/, '');
  // §8.10 rule 1: `GET <absolute-URI> HTTP/1.1`. A path of '/' (FreeACS) is tolerated.
  const m = /^GET (http:\/\/[^\s?]+)\?(\S*) HTTP\/1\.1$/i.exec(line);
  if (!m) return { error: 'malformed', detail: 'not GET http://host:port?query HTTP/1.1' };
  const q = new URLSearchParams(m[2]!);
  const get = (k: string) => q.get(k);
  const ts = get('ts'), id = get('id'), un = get('un'), cn = get('cn'), sig = get('sig');
  if (ts === null || id === null || un === null || cn === null || sig === null) {
    return { error: 'missing-parameter', detail: 'ts, id, un, cn and sig are all required' };
  }
  if (!/^\d{1,15}$/.test(ts) || !/^\d{1,20}$/.test(id)) return { error: 'malformed', detail: 'ts and id must be unsigned integers' };
  if (!/^[0-9a-fA-F]{40}$/.test(sig)) return { error: 'malformed', detail: 'sig must be 40 hex characters' };
  return { ts: Number(ts), id, username: un, cnonce: cn, sig: sig.toLowerCase() };
}

export interface UdpCrExpectations {
  /** ConnectionRequestUsername the CPE expects (rule 4). */
  username?: string;
  /** ts of the last accepted request: a new one must be strictly greater (rule 2, icwmp). */
  lastTs?: number;
  /** id of the last accepted request: a repeat is a retransmission (rule 3). */
  lastId?: string;
}

/**
 * CPE side (§8.10): parse, check the signature with ConnectionRequestPassword and, when given,
 * the username and the replay rules. Signature hex is compared case-insensitively.
 */
export function verifyUdpConnectionRequest(message: string | Buffer, password: string, expect: UdpCrExpectations = {}): UdpCrCheck {
  const p = parseUdpConnectionRequest(message);
  if ('error' in p) return reject(p.error, p.detail);
  if (expect.username !== undefined && p.username !== expect.username) return reject('wrong-username', 'un does not match ConnectionRequestUsername');
  const want = Buffer.from(udpCrSignature(p.ts, p.id, p.username, p.cnonce, password), 'latin1');
  if (!timingSafeEqual(want, Buffer.from(p.sig, 'latin1'))) return reject('bad-signature', 'sig does not verify');
  if (expect.lastId !== undefined && p.id === expect.lastId) return reject('repeated-id', `id ${p.id} already accepted (retransmission)`);
  if (expect.lastTs !== undefined && !(p.ts > expect.lastTs)) return reject('stale-ts', `ts ${p.ts} is not newer than ${expect.lastTs}`);
  return { ok: true, ...p };
}
