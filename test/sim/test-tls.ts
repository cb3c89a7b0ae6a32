// Site CA + 127.0.0.1 server certificate for the simulator's self-tests, made with the product's
// X.509 generator (no openssl needed). Generated once per test process.

import { issueCertificate } from '../../src/protocols/x509/cert.ts';

export interface TestTls { ca: string; cert: string; key: string }

let cached: TestTls | undefined;

export function testTls(): TestTls {
  if (!cached) {
    const ca = issueCertificate({ commonName: 'Outpost sim test CA', isCa: true, days: 2 });
    const srv = issueCertificate({ commonName: '127.0.0.1', isCa: false, altNames: ['127.0.0.1', 'localhost'], days: 2 },
      { certSubjectCn: 'Outpost sim test CA', keyPem: ca.keyPem });
    cached = { ca: ca.certPem, cert: srv.certPem, key: srv.keyPem };
  }
  return cached;
}
