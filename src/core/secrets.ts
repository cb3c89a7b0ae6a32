// Secrets at rest (DESIGN: "secrets encrypted at rest and never shown back"): AES-256-GCM with a
// per-box key kept in the state directory (mode 0600). Boxes are `v1:<iv>:<tag>:<ciphertext>`
// in base64url.

import { createCipheriv, createDecipheriv, createSecretKey, randomBytes } from 'node:crypto';

export interface SecretBox {
  seal(plain: string): string;
  open(box: string): string;
}

export function secretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new Error('secret key must be 32 bytes');
  // One KeyObject, made once: a raw Buffer key is converted on every call (~7 % of ACS CPU).
  const k = createSecretKey(key);
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', k, iv);
      const ct = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return ['v1', iv.toString('base64url'), c.getAuthTag().toString('base64url'), ct.toString('base64url')].join(':');
    },
    open(box) {
      const [v, iv, tag, ct] = box.split(':');
      if (v !== 'v1' || iv === undefined || tag === undefined || ct === undefined) throw new Error('not a secret box');
      const d = createDecipheriv('aes-256-gcm', k, Buffer.from(iv, 'base64url'));
      d.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([d.update(Buffer.from(ct, 'base64url')), d.final()]).toString('utf8');
    },
  };
}
