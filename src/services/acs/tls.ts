// TLS material for the ACS: given PEM paths from the config, or a site CA and an ACS
// certificate generated on first start in <stateDir>/tls (keys 0600). Phones validate the ACS
// certificate against the URL host (tr069-protocol.md §6.1), so acs.<site domain>, the listen
// address and any configured altNames are in the certificate.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { issueCertificate } from '../../protocols/x509/cert.ts';
import { OutpostError } from '../../core/errors.ts';
import type { AcsConfig, Config } from '../../core/config/schema.ts';

export interface TlsMaterial {
  cert: string;
  key: string;
  ca: string | null;
  caFile: string | null;
  generated: boolean;
}

// Modern TLS only (TLS 1.2+, AEAD suites with forward secrecy). TLS 1.3 suites are Node's defaults.
export const TLS_CIPHERS = [
  'TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-RSA-CHACHA20-POLY1305',
  'ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-CHACHA20-POLY1305',
].join(':');

export function loadOrGenerateTls(cfg: AcsConfig, root: Config, stateDir: string): TlsMaterial {
  try {
    if (cfg.tls.cert && cfg.tls.key) {
      return { cert: readFileSync(cfg.tls.cert, 'utf8'), key: readFileSync(cfg.tls.key, 'utf8'),
        ca: cfg.tls.ca ? readFileSync(cfg.tls.ca, 'utf8') : null, caFile: cfg.tls.ca ?? null, generated: false };
    }
    const dir = join(stateDir, 'tls');
    const files = { ca: join(dir, 'ca.pem'), caKey: join(dir, 'ca.key'), cert: join(dir, 'acs.pem'), key: join(dir, 'acs.key') };
    const names = wantedNames(cfg, root);
    if (!existsSync(files.ca) || !existsSync(files.caKey)) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const ca = issueCertificate({ commonName: `Outpost site CA ${root.site.id}`, organization: 'Outpost', isCa: true, days: 3650 });
      writeFileSync(files.caKey, ca.keyPem, { mode: 0o600 });
      writeFileSync(files.ca, ca.certPem, { mode: 0o644 });
    }
    const caPem = readFileSync(files.ca, 'utf8');
    let generated = false;
    if (!existsSync(files.cert) || !existsSync(files.key) || !coversNames(readFileSync(files.cert, 'utf8'), names)) {
      const issued = issueCertificate({ commonName: names[0]!, isCa: false, days: 825, altNames: names },
        { certSubjectCn: `Outpost site CA ${root.site.id}`, org: 'Outpost', keyPem: readFileSync(files.caKey, 'utf8') });
      writeFileSync(files.key, issued.keyPem, { mode: 0o600 });
      writeFileSync(files.cert, issued.certPem + caPem, { mode: 0o644 });
      generated = true;
    }
    return { cert: readFileSync(files.cert, 'utf8'), key: readFileSync(files.key, 'utf8'), ca: caPem, caFile: files.ca, generated };
  } catch (err) {
    throw new OutpostError('ACS_TLS', (err as Error).message, { cause: err });
  }
}

function wantedNames(cfg: AcsConfig, root: Config): string[] {
  const names = [`acs.${root.site.domain}`];
  if (cfg.url) names.push(new URL(cfg.url).hostname.replace(/^\[|\]$/g, ''));
  if (cfg.listen.host !== '0.0.0.0' && cfg.listen.host !== '::') names.push(cfg.listen.host);
  names.push(...cfg.tls.altNames, '127.0.0.1', 'localhost');
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
