// Ed25519 keys for bundle signatures (RFC 8032 via node:crypto). The central team keeps the
// private key (PKCS#8 PEM, mode 0600, never on a site); every site carries only the public key,
// written as `ed25519:<base64url of the 32 raw bytes>` so it fits on one line of the USB config.
// A PEM SPKI public key is accepted too. The key id (first 16 hex digits of SHA-256 over the raw
// public key) names a key in messages without showing it.

import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { OutpostError } from '../../core/errors.ts';

export const PUBLIC_KEY_PREFIX = 'ed25519:';

export interface KeyPair {
  /** `ed25519:<base64url>` */
  publicKey: string;
  /** PKCS#8 PEM */
  privateKeyPem: string;
  keyId: string;
}

function rawOf(key: KeyObject): Buffer {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') throw new OutpostError('SYNC_BUNDLE_KEY', 'not an Ed25519 key');
  return Buffer.from(jwk.x, 'base64url');
}

export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(rawOf(publicKey)).digest('hex').slice(0, 16);
}

export function generateKeyPair(): KeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    publicKey: PUBLIC_KEY_PREFIX + rawOf(publicKey).toString('base64url'),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    keyId: keyIdOf(publicKey),
  };
}

/** `ed25519:<base64url>` or a PEM SPKI public key → KeyObject. Throws SYNC_BUNDLE_KEY. */
export function parsePublicKey(text: string): KeyObject {
  const t = text.trim();
  try {
    if (t.startsWith(PUBLIC_KEY_PREFIX)) {
      const raw = Buffer.from(t.slice(PUBLIC_KEY_PREFIX.length), 'base64url');
      if (raw.length !== 32) throw new Error(`${raw.length} bytes, an Ed25519 public key has 32`);
      return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
    }
    if (t.startsWith('-----BEGIN PUBLIC KEY-----')) {
      const k = createPublicKey(t);
      if (k.asymmetricKeyType !== 'ed25519') throw new Error(`a ${k.asymmetricKeyType} key, not Ed25519`);
      return k;
    }
  } catch (err) {
    throw new OutpostError('SYNC_BUNDLE_KEY', `public key: ${(err as Error).message}`);
  }
  throw new OutpostError('SYNC_BUNDLE_KEY', `public key must be '${PUBLIC_KEY_PREFIX}<base64url>' or a PEM public key`);
}

/** A PKCS#8 PEM private key → KeyObject. Throws SYNC_BUNDLE_KEY (never echoes the key). */
export function parsePrivateKey(pem: string): KeyObject {
  let k: KeyObject;
  try {
    k = createPrivateKey(pem);
  } catch {
    throw new OutpostError('SYNC_BUNDLE_KEY', 'private key is not a PEM PKCS#8 key');
  }
  if (k.asymmetricKeyType !== 'ed25519') throw new OutpostError('SYNC_BUNDLE_KEY', `private key is ${k.asymmetricKeyType}, not Ed25519`);
  return k;
}

export function publicKeyString(key: KeyObject): string {
  return PUBLIC_KEY_PREFIX + rawOf(key.type === 'private' ? createPublicKey(key) : key).toString('base64url');
}

export function ed25519Sign(privateKey: KeyObject, message: Buffer): Buffer {
  return sign(null, message, privateKey); // RFC 8032 §5.1.6: Ed25519 takes no separate digest
}

export function ed25519Verify(publicKey: KeyObject, message: Buffer, signature: Buffer): boolean {
  if (signature.length !== 64) return false;
  try {
    return verify(null, message, publicKey, signature);
  } catch {
    return false;
  }
}
