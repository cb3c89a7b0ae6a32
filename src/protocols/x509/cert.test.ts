import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueCertificate } from './cert.ts';

test('site CA and ACS certificate verify with node:crypto and openssl', () => {
  const ca = issueCertificate({ commonName: 'Outpost site CA lab', organization: 'Outpost', isCa: true, days: 3650 });
  const acs = issueCertificate({ commonName: 'acs.lab.test', isCa: false, days: 825, altNames: ['acs.lab.test', '127.0.0.1', '::1'] },
    { certSubjectCn: 'Outpost site CA lab', org: 'Outpost', keyPem: ca.keyPem });
  const caX = new X509Certificate(ca.certPem);
  const acsX = new X509Certificate(acs.certPem);
  assert.equal(caX.ca, true);
  assert.equal(acsX.ca, false);
  assert.ok(acsX.verify(caX.publicKey), 'ACS cert signed by CA');
  assert.ok(caX.verify(caX.publicKey), 'CA self-signed');
  assert.equal(acsX.checkHost('acs.lab.test'), 'acs.lab.test');
  assert.equal(acsX.checkIP('127.0.0.1'), '127.0.0.1');
  assert.equal(acsX.checkIP('::1'), '::1');
  assert.equal(acsX.checkHost('other.test'), undefined);
  assert.ok(acsX.checkIssued(caX));
  const dir = mkdtempSync(join(tmpdir(), 'op-x509-'));
  try {
    writeFileSync(join(dir, 'ca.pem'), ca.certPem);
    writeFileSync(join(dir, 'acs.pem'), acs.certPem);
    const out = execFileSync('openssl', ['verify', '-CAfile', join(dir, 'ca.pem'), '-purpose', 'sslserver', join(dir, 'acs.pem')], { encoding: 'utf8' });
    assert.match(out, /OK/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
