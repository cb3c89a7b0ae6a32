// Central pull end to end: a real central on loopback, a real site (the composed app). A good
// bundle is applied in one transaction; tampered, wrong-key, replayed, equal-version, expired,
// other-site and content-invalid bundles are each refused with a clear error while the last
// good bundle stays in force; an expired bundle in force only raises a warning; a restart keeps it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startOutpost, type Running } from '../helpers/outpost.ts';
import { FakeClock } from '../../src/core/clock.ts';
import { ProvisioningRepo } from '../../src/store/provisioning.ts';
import { SyncRepo } from '../../src/store/sync.ts';
import { parseBundle, serializeBundle } from '../../src/protocols/bundle/index.ts';
import { startPhone } from '../sim/index.ts';
import { generateKeyPair, makeBundle, startTestCentral, syncSection, TEMPLATES, ZONES, type TestCentral } from './helpers.ts';

const DAY = 86_400_000;
const clock = new FakeClock(Date.UTC(2026, 2, 1));
const keys = generateKeyPair();
let central: TestCentral;
let site: Running;

interface SyncStatus {
  wan: { state: string; since: string; reason: string | null };
  bundle: { version: number; expired: boolean; source: string } | null;
  lastRejection: { code: string; message: string } | null;
  health: { code: string; severity: string; message: string }[];
}

const run = async () => (await site.api<SyncStatus & { finished: boolean }>('POST', '/api/v1/sync/run')).body;
/** A phone boots (BOOTSTRAP) and completes its session: the site serves phones. */
async function phoneServed(serial: string): Promise<void> {
  const phone = await startPhone({ model: 'tr181', serial, acsUrl: site.acsUrl, ...(site.ca ? { ca: site.ca } : {}), username: site.bootstrap.username, password: site.bootstrap.password });
  try {
    const s = await phone.boot();
    assert.ok(s.ok, s.error);
    assert.ok(s.events.includes('0 BOOTSTRAP'));
  } finally {
    await phone.stop();
  }
}

const proxyOf = () => new ProvisioningRepo(site.app.store).loadContent().templates.base?.values?.['sip.proxy'];

before(async () => {
  central = await startTestCentral();
  central.publish(makeBundle({ version: 1, keys, issuedAt: clock.now() }));
  site = await startOutpost({ clock, extra: syncSection({ url: central.url, token: central.siteToken, publicKey: keys.publicKey }) });
});
after(async () => {
  await site?.stop();
  await central?.stopAll();
});

test('the first pull applies version 1: content, parts, WAN up, central sees the site', async () => {
  const s = await run();
  assert.equal(s.finished, true);
  assert.equal(s.bundle?.version, 1);
  assert.equal(s.wan.state, 'up');
  assert.equal(proxyOf(), 'pbx-v1.example');
  assert.deepEqual(new ProvisioningRepo(site.app.store).info().source, { kind: 'bundle', version: 1 });
  assert.deepEqual(new SyncRepo(site.app.store).parts().map((p) => p.name), ['templates.yaml', 'zones.yaml']);
  const b = new SyncRepo(site.app.store).inForce()!;
  assert.ok(existsSync(join(site.stateDir, 'sync', b.file)), 'last good bundle kept on disk');
  assert.ok(!site.app.health.has('SYNC_NO_BUNDLE'));
  const sites = await central.admin<{ site: string; bundleVersion: number | null; lastContact: string | null }[]>('/v1/sites');
  assert.equal(sites[0]!.site, 'test');
  assert.ok(sites[0]!.lastContact);
});

test('an unchanged bundle costs a 304 (ETag stored) and changes nothing', async () => {
  const etag = new SyncRepo(site.app.store).etag();
  assert.match(etag ?? '', /^"[0-9a-f]{64}"$/);
  const s = await run();
  assert.equal(s.bundle?.version, 1);
  assert.equal(s.lastRejection, null);
});

async function refused(bytes: Buffer, code: string, re: RegExp, inForce: number): Promise<void> {
  central.publish(bytes);
  const s = await run();
  assert.equal(s.bundle?.version, inForce, 'the last good bundle stays in force');
  assert.equal(s.lastRejection?.code, code, s.lastRejection?.message);
  assert.match(s.lastRejection!.message, re);
  const h = s.health.find((c) => c.code === 'SYNC_BUNDLE_REJECTED');
  assert.ok(h, 'health names the refusal');
  assert.match(h.message, new RegExp(`version ${inForce} stays in force`));
  assert.equal(proxyOf(), `pbx-v${inForce}.example`, 'provisioning content untouched');
  assert.equal(s.wan.state, 'up', 'a refused bundle is not a WAN problem');
}

test('tampered part → SYNC_BUNDLE_HASH; version 1 stays', async () => {
  const good = makeBundle({ version: 2, keys, issuedAt: clock.now() });
  await refused(Buffer.from(good.toString('utf8').replace('pbx-v2.example', 'evil.example')), 'SYNC_BUNDLE_HASH', /templates\.yaml/, 1);
});

test('changed manifest → SYNC_BUNDLE_SIGNATURE', async () => {
  const doc = parseBundle(makeBundle({ version: 2, keys, issuedAt: clock.now() }));
  doc.manifest.expiresAt = new Date(clock.now() + 3650 * DAY).toISOString();
  await refused(serializeBundle(doc), 'SYNC_BUNDLE_SIGNATURE', /changed after signing/, 1);
});

test('signed with another key → SYNC_BUNDLE_SIGNATURE naming the trusted key', async () => {
  await refused(makeBundle({ version: 2, keys: generateKeyPair(), issuedAt: clock.now() }), 'SYNC_BUNDLE_SIGNATURE', new RegExp(`trusts key ${keys.keyId}`), 1);
});

test('for another site → SYNC_BUNDLE_SITE', async () => {
  await refused(makeBundle({ version: 2, site: 'tank-farm', keys, issuedAt: clock.now() }), 'SYNC_BUNDLE_SITE', /'tank-farm'/, 1);
});

test('content the provisioning model refuses → SYNC_BUNDLE_CONTENT naming file and line', async () => {
  const bad = makeBundle({ version: 2, keys, issuedAt: clock.now(), parts: { 'templates.yaml': 'templates:\n  base:\n    values:\n      sip.proxxy: x\n', 'zones.yaml': ZONES } });
  await refused(bad, 'SYNC_BUNDLE_CONTENT', /templates\.yaml.*line 4.*unknown intent 'sip\.proxxy'/, 1);
});

test('already expired → SYNC_BUNDLE_EXPIRED', async () => {
  await refused(makeBundle({ version: 2, keys, issuedAt: clock.now() - 10 * DAY, expiresAt: clock.now() - DAY }), 'SYNC_BUNDLE_EXPIRED', /version 2 expired/, 1);
});

test('a newer good bundle is applied and clears the refusal; the old one replayed → SYNC_BUNDLE_ROLLBACK', async () => {
  const v1 = makeBundle({ version: 1, keys, issuedAt: clock.now() - DAY });
  central.publish(makeBundle({ version: 2, keys, issuedAt: clock.now() }));
  const s = await run();
  assert.equal(s.bundle?.version, 2);
  assert.equal(proxyOf(), 'pbx-v2.example');
  assert.ok(!s.health.some((c) => c.code === 'SYNC_BUNDLE_REJECTED'));
  await refused(v1, 'SYNC_BUNDLE_ROLLBACK', /version 1 is not newer than version 2/, 2);
  await refused(makeBundle({ version: 2, keys, issuedAt: clock.now(), parts: { 'templates.yaml': TEMPLATES('other.example'), 'zones.yaml': ZONES } }), 'SYNC_BUNDLE_ROLLBACK', /version 2 is not newer/, 2);
  const rejections = (await site.api<{ code: string }[]>('GET', '/api/v1/sync/rejections')).body.map((r) => r.code);
  assert.deepEqual(rejections.slice(0, 2), ['SYNC_BUNDLE_ROLLBACK', 'SYNC_BUNDLE_ROLLBACK']);
});

test('the bundle in force expires: a warning, still in force, phones still served', async () => {
  central.publish(makeBundle({ version: 3, keys, issuedAt: clock.now(), expiresAt: clock.now() + 2 * DAY }));
  assert.equal((await run()).bundle?.version, 3);
  clock.advance(3 * DAY); // the hourly check sees it
  const h = site.app.health.list().find((c) => c.code === 'SYNC_BUNDLE_EXPIRED');
  assert.equal(h?.severity, 'warning');
  assert.match(h!.message, /version 3 expired .* phones are still served/);
  const s = (await site.api<SyncStatus>('GET', '/api/v1/sync')).body;
  assert.equal(s.bundle?.version, 3);
  assert.equal(s.bundle?.expired, true);
  assert.equal(proxyOf(), 'pbx-v3.example');
  await phoneServed('SIMEXPIRED1');
});

test('central unreachable: WAN degraded then down with since; bundle still in force', async () => {
  const saved = central.url;
  await central.close();
  let s = await run();
  assert.equal(s.wan.state, 'degraded');
  s = await run();
  s = await run();
  assert.equal(s.wan.state, 'down');
  assert.equal(s.wan.since, new Date(clock.now()).toISOString());
  assert.match(s.wan.reason ?? '', /ECONNREFUSED/);
  assert.equal(s.bundle?.version, 3);
  assert.ok(s.health.some((c) => c.code === 'SYNC_WAN_DOWN' && /phones are served/.test(c.message)));
  assert.ok(saved);
  await phoneServed('SIMWANDOWN1');
});

test('a restart keeps the last good bundle (database and file)', async () => {
  const stateDir = site.stateDir;
  await site.app.stop();
  const again = await startOutpost({ clock, stateDir, extra: syncSection({ url: 'http://127.0.0.1:9/', token: central.siteToken, publicKey: keys.publicKey }) });
  try {
    const s = (await again.api<SyncStatus>('GET', '/api/v1/sync')).body;
    assert.equal(s.bundle?.version, 3);
    assert.equal(new ProvisioningRepo(again.app.store).loadContent().templates.base?.values?.['sip.proxy'], 'pbx-v3.example');
  } finally {
    await again.app.stop();
  }
  site = { ...site, stop: async () => {} };
});
