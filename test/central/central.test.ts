// The reference central on loopback: per-site authentication, conditional bundle GETs, firmware
// with Range/If-Range, report batches stored once per (site, stream, seq), invalid records kept
// and acknowledged, the site list with compliance totals, and the config file's errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPair, makeBundle, startTestCentral, type TestCentral } from '../sync/helpers.ts';
import { parseCentralConfig } from '../../src/central/config.ts';
import { isOutpostError } from '../../src/core/errors.ts';

let c: TestCentral;
const keys = generateKeyPair();
const image = randomBytes(100_000);
const stream = randomBytes(16).toString('hex');

before(async () => {
  c = await startTestCentral({ sites: ['test', 'tank-farm', 'jetty'] });
  c.publish(makeBundle({ version: 3, keys }));
  c.addFirmware('phone-1.2.bin', image);
});
after(async () => { await c.stopAll(); });

const get = (path: string, headers: Record<string, string> = {}, token: string | null = c.siteToken) =>
  fetch(new URL(path, c.url), { headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });
const post = (path: string, body: unknown, token = c.siteToken) =>
  fetch(new URL(path, c.url), { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

test('site authentication: no token, a wrong token, or a token for an unknown site → 401', async () => {
  assert.equal((await get('/v1/sites/test/bundle', {}, null)).status, 401);
  assert.equal((await get('/v1/sites/test/bundle', {}, 'x'.repeat(32))).status, 401);
  const r = await get('/v1/sites/nowhere/bundle');
  assert.equal(r.status, 401);
  assert.equal(((await r.json()) as { code: string }).code, 'CENTRAL_UNAUTHORIZED');
  assert.equal((await get('/v1/sites', {}, c.siteToken)).status, 401, 'a site token is not an admin token');
});

test('bundle: strong ETag; If-None-Match → 304; a site without a bundle → 404', async () => {
  const r = await get('/v1/sites/test/bundle', { 'x-outpost-bundle-version': '2' });
  assert.equal(r.status, 200);
  const etag = r.headers.get('etag')!;
  assert.match(etag, /^"[0-9a-f]{64}"$/);
  assert.equal((await r.text()).length > 100, true);
  assert.equal((await get('/v1/sites/test/bundle', { 'if-none-match': etag })).status, 304);
  c.publish(makeBundle({ version: 4, keys }));
  const r2 = await get('/v1/sites/test/bundle', { 'if-none-match': etag });
  assert.equal(r2.status, 200, 'a new bundle changes the ETag');
  assert.equal((await get('/v1/sites/tank-farm/bundle')).status, 404);
});

test('firmware: whole, ranges (206), unsatisfiable (416), If-Range mismatch → whole (200), bad names → 404', async () => {
  const whole = await get('/v1/sites/test/firmware/phone-1.2.bin');
  assert.equal(whole.status, 200);
  assert.deepEqual(Buffer.from(await whole.arrayBuffer()), image);
  const etag = whole.headers.get('etag')!;
  const part = await get('/v1/sites/test/firmware/phone-1.2.bin', { range: 'bytes=60000-', 'if-range': etag });
  assert.equal(part.status, 206);
  assert.equal(part.headers.get('content-range'), `bytes 60000-99999/100000`);
  assert.deepEqual(Buffer.from(await part.arrayBuffer()), image.subarray(60000));
  assert.equal((await get('/v1/sites/test/firmware/phone-1.2.bin', { range: 'bytes=100000-' })).status, 416);
  const changed = await get('/v1/sites/test/firmware/phone-1.2.bin', { range: 'bytes=10-', 'if-range': '"stale"' });
  assert.equal(changed.status, 200);
  await changed.arrayBuffer();
  for (const bad of ['..%2Fcentral.db', '.hidden', 'nope.bin']) assert.equal((await get(`/v1/sites/test/firmware/${bad}`)).status, 404, bad);
});

const batch = (records: { seq: number; kind: string; payload: unknown }[], over: Record<string, unknown> = {}) =>
  ({ site: 'test', stream, dropped: 0, bundleVersion: 4, records: records.map((r) => ({ ...r, at: new Date().toISOString() })), ...over });

test('reports: stored once per (site, stream, seq); a resent batch is all duplicates; totals follow the latest state', async () => {
  const records = [
    { seq: 1, kind: 'inventory', payload: { deviceId: 'D1', serial: 'S1' } },
    { seq: 2, kind: 'compliance', payload: { deviceId: 'D1', state: 'provisioning' } },
    { seq: 3, kind: 'compliance', payload: { deviceId: 'D2', state: 'drifted' } },
    { seq: 4, kind: 'event', payload: { type: 'device.bootstrap', deviceId: 'D1' } },
    { seq: 5, kind: 'audit', payload: { actor: 'admin', action: 'login', result: 'ok' } },
    { seq: 6, kind: 'compliance', payload: { deviceId: 'D1', state: 'compliant' } },
  ];
  const r = await post('/v1/sites/test/reports', batch(records));
  assert.equal(r.status, 200);
  assert.deepEqual(await r.json(), { ackedThrough: 6, accepted: 6, duplicates: 0 });
  assert.deepEqual(await (await post('/v1/sites/test/reports', batch(records))).json(), { ackedThrough: 6, accepted: 0, duplicates: 6 });
  const s = c.repo.site('test')!;
  assert.equal(s.records, 6);
  assert.equal(s.duplicates, 6);
  assert.equal(s.events, 1);
  assert.equal(s.audit, 1);
  assert.equal(s.devices, 2);
  assert.equal(s.compliance.compliant, 1);
  assert.equal(s.compliance.drifted, 1);
});

test('reports: a record central does not understand is stored and acknowledged (counted invalid), never blocking', async () => {
  const r = await post('/v1/sites/test/reports', batch([
    { seq: 7, kind: 'compliance', payload: { deviceId: 'D3', state: 'on fire' } },
    { seq: 8, kind: 'thermal', payload: { celsius: 71 } },
  ]));
  assert.deepEqual(await r.json(), { ackedThrough: 8, accepted: 2, duplicates: 0 });
  assert.equal(c.repo.site('test')!.invalid, 1, 'a bad compliance state is invalid; an unknown kind passes through');
});

test('reports: malformed batches → 400 naming the field; a batch for another site → 400', async () => {
  const bad = async (body: unknown, re: RegExp) => {
    const r = await post('/v1/sites/test/reports', body);
    assert.equal(r.status, 400);
    const j = (await r.json()) as { code: string; message: string };
    assert.equal(j.code, 'CENTRAL_BAD_REPORT');
    assert.match(j.message, re);
  };
  await bad(batch([{ seq: 2, kind: 'event', payload: { type: 'x' } }, { seq: 1, kind: 'event', payload: { type: 'y' } }]), /increasing seq/);
  await bad(batch([], { stream: 'nope' }), /stream/);
  await bad(batch([{ seq: 0, kind: 'event', payload: {} }]), /records\.0\.seq/);
  await bad(batch([], { site: 'tank-farm' }), /batch is for site tank-farm/);
  const r = await fetch(new URL('/v1/sites/test/reports', c.url), { method: 'POST', headers: { authorization: `Bearer ${c.siteToken}`, 'content-type': 'application/json' }, body: '{not json' });
  assert.equal(r.status, 400);
});

test('the site list: last contact, bundle version, totals; configured sites with no contact yet appear too', async () => {
  const sites = await c.admin<{ site: string; lastContact: string | null; bundleVersion: number | null; devices: number; compliance: Record<string, number> }[]>('/v1/sites');
  assert.deepEqual(sites.map((s) => s.site), ['jetty', 'tank-farm', 'test']);
  const t = sites.find((s) => s.site === 'test')!;
  assert.equal(t.bundleVersion, 4);
  assert.ok(t.lastContact);
  assert.equal(t.devices, 2, 'D3 came only with an invalid record');
  assert.equal(sites[0]!.lastContact, null, 'jetty never called');
});

test('outpost central sites (CLI) prints the same list', () => {
  const cfg = join(c.dir, 'central.yaml');
  writeFileSync(cfg, `bundleDir: bundles\ndatabase: central.db\nadminTokenSha256: ${'a'.repeat(64)}\n`);
  const r = spawnSync(process.execPath, ['src/main.ts', 'central', 'sites', '--config', cfg, '--json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const sites = JSON.parse(r.stdout) as { site: string; records: number }[];
  assert.equal(sites.find((s) => s.site === 'test')?.records, 8);
});

test('central config errors name the field and line', () => {
  const e = (text: string, re: RegExp) => assert.throws(() => parseCentralConfig(text, 'central.yaml'), (x: unknown) => isOutpostError(x) && re.test(x.message));
  e('bundleDir: b\ndatabase: d\nadminTokenSha256: abc\n', /adminTokenSha256 \(line 3\): must be the SHA-256/);
  e(`bundleDir: b\ndatabase: d\nadminTokenSha256: ${'a'.repeat(64)}\ncolour: red\n`, /unknown key 'colour'/);
  e(`bundleDir: b\ndatabase: d\nadminTokenSha256: ${'a'.repeat(64)}\nsites:\n  - { id: A_B, tokenSha256: ${'a'.repeat(64)} }\n`, /sites\.0\.id \(line 5\)/);
  e('bundleDir: [\n', /line/);
});
