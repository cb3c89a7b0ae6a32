// Central over HTTPS with the site's own CA (sync.central.ca); a certificate from another CA
// is refused (the WAN is not "up" with a central we cannot authenticate); the site credential
// is never sent to another origin (a firmware image hosted elsewhere).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes, createHash } from 'node:crypto';
import { startOutpost, type Running } from '../helpers/outpost.ts';
import { issueCertificate } from '../../src/protocols/x509/cert.ts';
import { SyncRepo } from '../../src/store/sync.ts';
import { generateKeyPair, makeBundle, startTestCentral, syncSection, tempDir, TEMPLATES, ZONES, type TestCentral } from './helpers.ts';

const keys = generateKeyPair();
const dir = tempDir('tls');
let central: TestCentral;
let cdn: Server;
let cdnPort = 0;
const cdnHeaders: IncomingHttpHeaders[] = [];
const image = randomBytes(50_000);
const sites: Running[] = [];

function pki(name: string): { caFile: string; cert: string; key: string } {
  const ca = issueCertificate({ commonName: `${name} CA`, isCa: true, days: 2 });
  const leaf = issueCertificate({ commonName: '127.0.0.1', isCa: false, days: 2, altNames: ['127.0.0.1', 'localhost'] }, { certSubjectCn: `${name} CA`, keyPem: ca.keyPem });
  const files = { caFile: join(dir, `${name}-ca.pem`), cert: join(dir, `${name}-cert.pem`), key: join(dir, `${name}-key.pem`) };
  writeFileSync(files.caFile, ca.certPem);
  writeFileSync(files.cert, leaf.certPem);
  writeFileSync(files.key, leaf.keyPem);
  return files;
}
const good = pki('central');
const other = pki('other');

before(async () => {
  central = await startTestCentral({ tls: { cert: good.cert, key: good.key } });
  cdn = createServer((req, res) => { cdnHeaders.push(req.headers); res.writeHead(200, { 'content-length': image.length }).end(image); });
  await new Promise<void>((r) => cdn.listen(0, '127.0.0.1', r));
  cdnPort = (cdn.address() as { port: number }).port;
  const catalogue = `images:\n  - { file: cdn-image.bin, vendor: V, models: [M], version: '1', size: ${image.length}, sha256: ${createHash('sha256').update(image).digest('hex')}, url: 'http://127.0.0.1:${cdnPort}/images/cdn-image.bin' }\n`;
  central.publish(makeBundle({ version: 1, keys, parts: { 'templates.yaml': TEMPLATES('pbx.example'), 'zones.yaml': ZONES, 'firmware.yaml': catalogue } }));
});
after(async () => {
  for (const s of sites) await s.stop();
  await central.stopAll();
  await new Promise<void>((r) => cdn.close(() => r()));
});

const site = async (ca: string) => {
  const s = await startOutpost({ extra: syncSection({ url: central.url, token: central.siteToken, ca, publicKey: keys.publicKey }) });
  sites.push(s);
  return s;
};

test('HTTPS with the site CA: bundle applied; the image from another origin is fetched without the site credential', async () => {
  assert.match(central.url, /^https:/);
  const s = await site(good.caFile);
  const st = (await s.api<{ wan: { state: string }; bundle: { version: number } | null; firmware: { ready: number } }>('POST', '/api/v1/sync/run')).body;
  assert.equal(st.wan.state, 'up');
  assert.equal(st.bundle?.version, 1);
  assert.equal(st.firmware.ready, 1);
  assert.equal(new SyncRepo(s.app.store).firmware()[0]!.state, 'ready');
  assert.ok(cdnHeaders.length >= 1);
  assert.ok(cdnHeaders.every((h) => h.authorization === undefined), 'no Authorization to another origin');
});

test('a central certificate from another CA is refused: no bundle, the WAN is not up', async () => {
  const bad = startTestCentral({ tls: { cert: other.cert, key: other.key } });
  const c2 = await bad;
  try {
    c2.publish(makeBundle({ version: 1, keys }));
    const s = await startOutpost({ extra: syncSection({ url: c2.url, token: c2.siteToken, ca: good.caFile, publicKey: keys.publicKey }) });
    sites.push(s);
    const st = (await s.api<{ wan: { state: string; reason: string }; bundle: unknown }>('POST', '/api/v1/sync/run')).body;
    assert.notEqual(st.wan.state, 'up');
    assert.match(st.wan.reason, /CERT|certificate|SELF_SIGNED|UNABLE_TO_VERIFY/i);
    assert.equal(st.bundle, null);
  } finally {
    await c2.stopAll();
  }
});
