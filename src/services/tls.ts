// TLS material for the HTTPS listeners (ACS, management API): PEM paths from the config, or a
// site CA generated once in <stateDir>/tls (keys 0600) issuing two certificates per listener —
// RSA 2048 (acs.pem: what every phone's TLS stack takes) and ECDSA P-256 (acs-ec.pem: served to
// clients that offer ECDSA; its handshake signature costs ~1/30 of RSA's, which counts in a boot
// storm) — re-issued when a wanted name is missing or one expires within 30 days.
// Phones validate the ACS certificate against the URL host (tr069-protocol.md §6.1), so
// acs.<site domain>, the listen address and any configured altNames are in it.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { issueCertificate } from '../protocols/x509/cert.ts';

export interface TlsMaterial {
  /** PEM; for a generated pair, the RSA and the ECDSA certificate (Node serves each client the one it can use). */
  cert: string | string[];
  key: string | string[];
  ca: string | null;
  caFile: string | null;
  generated: boolean;
}

// Modern TLS only (TLS 1.2+, AEAD suites with forward secrecy). TLS 1.3 suites are Node's defaults.
// ECDSA suites first: a TLS 1.2 client that offers them gets the ECDSA certificate.
export const TLS_CIPHERS = [
  'TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

/** Server options for node:https / Fastify `https`. */
export const TLS_OPTIONS = { minVersion: 'TLSv1.2' as const, ciphers: TLS_CIPHERS, honorCipherOrder: true };

export interface SiteCertRequest {
  stateDir: string;
  siteId: string;
  /** File stem of the listener's certificate: 'acs' → tls/acs.pem, tls/acs.key. */
  leaf: string;
  /** Names the certificate must cover; the first is its common name. */
  names: string[];
  /** Given PEM paths (then nothing is generated). */
  given?: { cert?: string | undefined; key?: string | undefined; ca?: string | undefined } | undefined;
}

/** Throws a plain Error naming the file; callers wrap it in their service's error code. */
export function loadOrIssueCertificate(r: SiteCertRequest): TlsMaterial {
  if (r.given?.cert && r.given.key) {
    return { cert: readFileSync(r.given.cert, 'utf8'), key: readFileSync(r.given.key, 'utf8'),
      ca: r.given.ca ? readFileSync(r.given.ca, 'utf8') : null, caFile: r.given.ca ?? null, generated: false };
  }
  const dir = join(r.stateDir, 'tls');
  const files = { ca: join(dir, 'ca.pem'), caKey: join(dir, 'ca.key') };
  const leaves = [{ cert: join(dir, `${r.leaf}.pem`), key: join(dir, `${r.leaf}.key`), keyType: 'rsa' as const }, { cert: join(dir, `${r.leaf}-ec.pem`), key: join(dir, `${r.leaf}-ec.key`), keyType: 'ec' as const }];
  const caName = `Outpost site CA ${r.siteId}`;
  if (!existsSync(files.ca) || !existsSync(files.caKey)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const ca = issueCertificate({ commonName: caName, organization: 'Outpost', isCa: true, days: 3650 });
    writeFileSync(files.caKey, ca.keyPem, { mode: 0o600 });
    writeFileSync(files.ca, ca.certPem, { mode: 0o644 });
  }
  const caPem = readFileSync(files.ca, 'utf8');
  let generated = false;
  for (const l of leaves) {
    if (existsSync(l.cert) && existsSync(l.key) && coversNames(readFileSync(l.cert, 'utf8'), r.names)) continue;
    const issued = issueCertificate({ commonName: r.names[0]!, isCa: false, days: 825, altNames: r.names, keyType: l.keyType },
      { certSubjectCn: caName, org: 'Outpost', keyPem: readFileSync(files.caKey, 'utf8') });
    writeFileSync(l.key, issued.keyPem, { mode: 0o600 });
    writeFileSync(l.cert, issued.certPem + caPem, { mode: 0o644 });
    generated = true;
  }
  return { cert: leaves.map((l) => readFileSync(l.cert, 'utf8')), key: leaves.map((l) => readFileSync(l.key, 'utf8')), ca: caPem, caFile: files.ca, generated };
}

/** Names for a listener: its own name(s), the listen address unless a wildcard, extras, loopback. */
export function listenerNames(own: string[], listenHost: string, extra: readonly string[]): string[] {
  const names = [...own];
  if (listenHost !== '0.0.0.0' && listenHost !== '::') names.push(listenHost);
  names.push(...extra, '127.0.0.1', 'localhost');
  return [...new Set(names)];
}

function coversNames(pem: string, names: string[]): boolean {
  try {
    const x = new X509Certificate(pem);
    if (new Date(x.validTo).getTime() < Date.now() + 30 * 86_400_000) return false;
    const san = x.subjectAltName ?? '';
    return names.every((n) => san.includes(`DNS:${n}`) || san.includes(`IP Address:${n}`));
  } catch {
    return false;
  }
}
