// Signing and verification of bundles. Verification order is chosen so the error names the
// real problem: structure → signature (a changed manifest) → site → part hashes (changed
// content) → version (no rollback) → expiry. Every refusal is an OutpostError with a SYNC_BUNDLE_*
// code and a message a central team member can act on.

import type { KeyObject } from 'node:crypto';
import { OutpostError } from '../../core/errors.ts';
import { parseBundle, sha256Hex, signedMessage, type BundleDocument } from './format.ts';
import { ed25519Sign, ed25519Verify, keyIdOf } from './keys.ts';

export function signBundle(doc: BundleDocument, privateKey: KeyObject): BundleDocument {
  const value = ed25519Sign(privateKey, signedMessage(doc.manifest)).toString('base64');
  return { ...doc, signature: { alg: 'Ed25519', keyId: keyIdOf(privateKey), value } };
}

export interface VerifyOptions {
  publicKey: KeyObject;
  /** The site this box is; a bundle for another site is refused. */
  site: string;
  /** Epoch ms. */
  now: number;
  /** Version in force, or null when none: the candidate must be strictly greater (no rollback). */
  currentVersion: number | null;
  maxBytes?: number;
  /** Accept a bundle past its expiry (only when nothing is in force: see services/sync/apply.ts). */
  allowExpired?: boolean;
}

export interface VerifiedBundle {
  doc: BundleDocument;
  /** SHA-256 of the bundle file as received. */
  sha256: string;
  expired: boolean;
}

/** Check signature, site and hashes only (what `outpost bundle verify` and central do). */
export function verifyIntegrity(doc: BundleDocument, publicKey: KeyObject): void {
  const sig = doc.signature;
  if (!sig) throw new OutpostError('SYNC_BUNDLE_SIGNATURE', 'the bundle is not signed (run outpost bundle sign)');
  const trusted = keyIdOf(publicKey);
  if (sig.keyId !== trusted) {
    throw new OutpostError('SYNC_BUNDLE_SIGNATURE', `signed with key ${sig.keyId}, but this site trusts key ${trusted}`);
  }
  if (!ed25519Verify(publicKey, signedMessage(doc.manifest), Buffer.from(sig.value, 'base64'))) {
    throw new OutpostError('SYNC_BUNDLE_SIGNATURE', `signature does not match the manifest (version ${doc.manifest.version}): the manifest was changed after signing`);
  }
  const listed = new Map(doc.manifest.parts.map((p) => [p.name, p]));
  for (const name of Object.keys(doc.parts)) {
    if (!listed.has(name)) throw new OutpostError('SYNC_BUNDLE_HASH', `part ${name} is not in the signed manifest`);
  }
  for (const p of doc.manifest.parts) {
    const text = doc.parts[p.name];
    if (text === undefined) throw new OutpostError('SYNC_BUNDLE_HASH', `part ${p.name} is missing`);
    const bytes = Buffer.from(text, 'utf8');
    if (bytes.length !== p.size || sha256Hex(bytes) !== p.sha256) {
      throw new OutpostError('SYNC_BUNDLE_HASH', `part ${p.name} does not match its SHA-256 in the signed manifest`);
    }
  }
}

export function isExpired(doc: BundleDocument, now: number): boolean {
  return Date.parse(doc.manifest.expiresAt) <= now;
}

/** Everything a site checks before applying a bundle. Throws SYNC_BUNDLE_*. */
export function verifyBundle(bytes: Buffer, o: VerifyOptions): VerifiedBundle {
  const doc = parseBundle(bytes, o.maxBytes);
  verifyIntegrity(doc, o.publicKey);
  const m = doc.manifest;
  if (m.site !== o.site) throw new OutpostError('SYNC_BUNDLE_SITE', `bundle is for site '${m.site}', this is site '${o.site}'`);
  if (o.currentVersion !== null && m.version <= o.currentVersion) {
    throw new OutpostError('SYNC_BUNDLE_ROLLBACK', `version ${m.version} is not newer than version ${o.currentVersion} in force`);
  }
  const expired = isExpired(doc, o.now);
  if (expired && !o.allowExpired) {
    throw new OutpostError('SYNC_BUNDLE_EXPIRED', `version ${m.version} expired at ${m.expiresAt}`);
  }
  return { doc, sha256: sha256Hex(bytes), expired };
}
