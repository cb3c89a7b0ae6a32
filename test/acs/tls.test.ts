// The ACS's TLS as a phone sees it (tr069-protocol.md §6.1; DESIGN "modern TLS"): TLS 1.2+ with
// AEAD suites only; an RSA certificate for clients that only do RSA (older phone stacks) and an
// ECDSA one for the rest, both issued by the site CA for the ACS's names. Real TLS clients.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type ConnectionOptions } from 'node:tls';
import { startOutpost, type Running } from '../helpers/outpost.ts';

let o: Running;
before(async () => { o = await startOutpost(); });
after(() => o.stop());

interface Hello { protocol: string | null; cipher: string; keyType: string | undefined; authorized: boolean }

function hello(opts: ConnectionOptions): Promise<Hello> {
  const url = new URL(o.acsUrl);
  return new Promise((resolve, reject) => {
    const s = connect({ host: url.hostname, port: Number(url.port), ca: o.ca!, ...opts }, () => {
      resolve({ protocol: s.getProtocol(), cipher: s.getCipher().name, keyType: s.getPeerX509Certificate()?.publicKey.asymmetricKeyType, authorized: s.authorized });
      s.end();
    });
    s.once('error', reject);
  });
}

test('a client that offers ECDSA gets the ECDSA certificate (TLS 1.3 and 1.2), verified against the site CA', async () => {
  const t13 = await hello({});
  assert.deepEqual([t13.protocol, t13.keyType, t13.authorized], ['TLSv1.3', 'ec', true]);
  const t12 = await hello({ maxVersion: 'TLSv1.2' });
  assert.deepEqual([t12.protocol, t12.keyType, t12.authorized], ['TLSv1.2', 'ec', true]);
  assert.match(t12.cipher, /^ECDHE-ECDSA-.*(GCM|CHACHA20)/);
});

test('a client that only does RSA (an older phone stack) gets the RSA certificate', async () => {
  const h = await hello({ maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256', sigalgs: 'RSA-PSS+SHA256:RSA+SHA256' });
  assert.deepEqual([h.protocol, h.keyType, h.authorized, h.cipher], ['TLSv1.2', 'rsa', true, 'ECDHE-RSA-AES128-GCM-SHA256']);
});

test('TLS 1.0/1.1 and non-AEAD suites are refused by the server', async () => {
  await assert.rejects(hello({ minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' }), (e: NodeJS.ErrnoException) => /^ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION$/.test(e.code ?? ''));
  await assert.rejects(hello({ maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-SHA256:ECDHE-ECDSA-AES128-SHA256' }), (e: NodeJS.ErrnoException) => /ALERT_HANDSHAKE_FAILURE$/.test(e.code ?? ''));
});
