// Passwords of management-plane users (DESIGN "Management plane": strong password hashing).
// scrypt (RFC 7914) from node:crypto — memory-hard, no dependency — stored as a self-describing
// string `scrypt$<log2 N>$<r>$<p>$<salt b64url>$<hash b64url>` so the cost can be raised later
// and old hashes still verify. Verification is constant-time; hashing runs on libuv's pool.

import { randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';

// N = 2^15, r = 8, p = 3: one of OWASP's equivalent scrypt settings (Password Storage Cheat
// Sheet), chosen for its 32 MiB per hash rather than 128 MiB on a small box.
const LOG_N = 15;
const R = 8;
const P = 3;
const KEYLEN = 32;
const MAXMEM = 128 * 1024 * 1024;
const FORMAT = /^scrypt\$(\d{1,2})\$(\d{1,2})\$(\d{1,2})\$([A-Za-z0-9_-]{16,})\$([A-Za-z0-9_-]{32,})$/;

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 1024;

/** Passwords that ship as defaults somewhere; refused whatever their length. */
const WELL_KNOWN = new Set(['password', 'admin', 'administrator', 'changeme', 'changeit', 'outpost', 'root', 'default', 'letmein', 'welcome', '123456', '12345678', '123456789', '1234567890', 'qwerty', 'passw0rd', 'password1', 'password123', 'admin123', 'adminadmin']);

/** Why a new password is not acceptable, or null. Never echoes the password. */
export function passwordProblem(password: string, username?: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `must be at most ${MAX_PASSWORD_LENGTH} characters`;
  const lower = password.toLowerCase();
  // 'Password1234!' is 'password' with decoration: judge the word without trailing digits and symbols.
  const word = lower.replace(/[^a-z]+$/, '');
  if (WELL_KNOWN.has(lower) || WELL_KNOWN.has(word) || /^(.)\1+$/.test(password) || /^\d+$/.test(password)) return 'is a well-known or trivial password';
  if (username && lower.includes(username.toLowerCase())) return 'must not contain the user name';
  return null;
}

export function isPasswordHash(s: string): boolean {
  const m = FORMAT.exec(s);
  if (!m) return false;
  const logN = Number(m[1]);
  return logN >= 14 && logN <= 20 && Number(m[2]) >= 8 && Number(m[3]) >= 1;
}

function format(logN: number, r: number, p: number, salt: Buffer, hash: Buffer): string {
  return `scrypt$${logN}$${r}$${p}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

function params(stored: string): { N: number; r: number; p: number; salt: Buffer; hash: Buffer } {
  if (!isPasswordHash(stored)) throw new Error('not an Outpost password hash (scrypt$…)');
  const m = FORMAT.exec(stored)!;
  return { N: 2 ** Number(m[1]), r: Number(m[2]), p: Number(m[3]), salt: Buffer.from(m[4]!, 'base64url'), hash: Buffer.from(m[5]!, 'base64url') };
}

export function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEYLEN, { N: 2 ** LOG_N, r: R, p: P, maxmem: MAXMEM }, (err, key) => {
      if (err) reject(err);
      else resolve(format(LOG_N, R, P, salt, key));
    });
  });
}

/** For CLIs (config import, users hash-password), where blocking is fine. */
export function hashPasswordSync(password: string): string {
  const salt = randomBytes(16);
  return format(LOG_N, R, P, salt, scryptSync(password.normalize('NFC'), salt, KEYLEN, { N: 2 ** LOG_N, r: R, p: P, maxmem: MAXMEM }));
}

/** For CLIs (config import). */
export function verifyPasswordSync(password: string, stored: string): boolean {
  const p = params(stored);
  return timingSafeEqual(scryptSync(password.normalize('NFC'), p.salt, p.hash.length, { N: p.N, r: p.r, p: p.p, maxmem: MAXMEM }), p.hash);
}

export function verifyPassword(password: string, stored: string): Promise<boolean> {
  const p = params(stored);
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), p.salt, p.hash.length, { N: p.N, r: p.r, p: p.p, maxmem: MAXMEM }, (err, key) => {
      if (err) reject(err);
      else resolve(timingSafeEqual(key, p.hash));
    });
  });
}

/** A hash nobody's password matches: verified against when the user does not exist, so an unknown
 *  name costs the same time as a wrong password (no user enumeration by timing). */
let dummy: Promise<string> | null = null;
export function dummyHash(): Promise<string> {
  return (dummy ??= hashPassword(randomBytes(24).toString('base64url')));
}
