// Secrets sealed for one box, so a USB stick with the site config can be lost without losing
// the site's credentials. Each box has an X25519 key pair (private half in its state directory);
// plant IT seals a value with the box's public key (`outpost config seal`), and only that box
// can open it at `outpost config import`. Construction (an ECIES in the style of RFC 9180's
// DHKEM(X25519) + HKDF-SHA256 + AES-256-GCM, without its full key schedule):
//   eph = X25519 key pair;  ss = X25519(eph.private, box.public)  (RFC 7748 §6.1)
//   key = HKDF-SHA256(ss, salt = eph.pub || box.pub, info = "outpost-sealed/1", 32)  (RFC 5869)
//   token = "sealed:v1:" b64u(eph.pub) ":" b64u(iv) ":" b64u(ciphertext || tag)

import { createCipheriv, createDecipheriv, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';
import { OutpostError } from '../../core/errors.ts';

export const SEALED_PREFIX = 'sealed:v1:';
/** A sealed token anywhere in a text (base64url fields separated by ':'). */
export const SEALED_TOKEN = /sealed:v1:[A-Za-z0-9_-]{43}:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]{22,}/g;
export const BOX_KEY_PREFIX = 'x25519:';
const INFO = Buffer.from('outpost-sealed/1');

function raw(key: KeyObject): Buffer {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return Buffer.from(pub.export({ format: 'jwk' }).x as string, 'base64url');
}

export function generateBoxKey(): { publicKey: string; privateKeyPem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('x25519');
  return { publicKey: BOX_KEY_PREFIX + raw(publicKey).toString('base64url'), privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string };
}

export function parseBoxPublicKey(text: string): KeyObject {
  const t = text.trim();
  const bytes = t.startsWith(BOX_KEY_PREFIX) ? Buffer.from(t.slice(BOX_KEY_PREFIX.length), 'base64url') : Buffer.alloc(0);
  if (bytes.length !== 32) throw new OutpostError('SYNC_SEALED', `a box key is '${BOX_KEY_PREFIX}' and 43 base64url characters (outpost config box-key prints it)`);
  return createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: bytes.toString('base64url') }, format: 'jwk' });
}

export function boxPublicKeyOf(privateKeyPem: string): string {
  return BOX_KEY_PREFIX + raw(createPrivateKey(privateKeyPem)).toString('base64url');
}

function kdf(shared: Buffer, ephPub: Buffer, boxPub: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', shared, Buffer.concat([ephPub, boxPub]), INFO, 32));
}

export function seal(plain: string, boxPublicKey: KeyObject): string {
  const eph = generateKeyPairSync('x25519');
  const ephPub = raw(eph.publicKey);
  const key = kdf(diffieHellman({ privateKey: eph.privateKey, publicKey: boxPublicKey }), ephPub, raw(boxPublicKey));
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  const ct = Buffer.concat([c.update(plain, 'utf8'), c.final(), c.getAuthTag()]);
  return `${SEALED_PREFIX}${ephPub.toString('base64url')}:${iv.toString('base64url')}:${ct.toString('base64url')}`;
}

/** Open a token with the box's private key. Throws SYNC_SEALED (never says anything about the plaintext). */
export function open(token: string, boxPrivateKey: KeyObject): string {
  const parts = token.startsWith(SEALED_PREFIX) ? token.slice(SEALED_PREFIX.length).split(':') : [];
  if (parts.length !== 3) throw new OutpostError('SYNC_SEALED', 'not a sealed:v1 value');
  const [e, i, c] = parts.map((p) => Buffer.from(p, 'base64url')) as [Buffer, Buffer, Buffer];
  if (e.length !== 32 || i.length !== 12 || c.length < 16) throw new OutpostError('SYNC_SEALED', 'sealed value is cut short or damaged');
  try {
    const ephPub = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: e.toString('base64url') }, format: 'jwk' });
    const key = kdf(diffieHellman({ privateKey: boxPrivateKey, publicKey: ephPub }), e, raw(boxPrivateKey));
    const d = createDecipheriv('aes-256-gcm', key, i);
    d.setAuthTag(c.subarray(c.length - 16));
    return Buffer.concat([d.update(c.subarray(0, c.length - 16)), d.final()]).toString('utf8');
  } catch {
    throw new OutpostError('SYNC_SEALED', 'sealed for another box, or damaged (this box cannot open it)');
  }
}
