// Limited and quirky models end to end: a clear failure with the reason where the model cannot
// do what the template asks (Unify-like: no AddObject), compliance despite a ParameterKey
// requirement or 1/0 booleans, and a parameter a firmware upgrade dropped (9005 on the whole
// GetParameterValues) isolated — compliant, with "maintenance required" saying which.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSite, idOf, until, type Site } from './e2e-helpers.ts';

let site: Site;
const POS = (id: string, serial: string, n: string, extra = '') =>
  `  ${id}:\n    zone: process\n    match: { serial: ${serial} }\n    lines:\n      1: { number: "${n}", authUser: "${n}", password: pw${n} }\n${extra}`;

before(async () => {
  site = await startSite({
    files: {
      'quirks.yaml': `positions:\n${POS('Q-UNIFY', 'UNIFY2L', '4001', '      2: { number: "4002", authUser: "4002", password: pw4002 }\n')}${POS('Q-PK', 'PKREQ1', '4101')}${POS('Q-BOOL', 'BOOL01', '4201', '    values: { ntp.enable: false }\n')}${POS('Q-DROP', 'DROP01', '4301')}${POS('Q-OMIT', 'OMIT01', '4401')}`,
    },
    accounts: ['4001', '4002', '4101', '4201', '4301', '4401'].map((u) => ({ user: u, password: `pw${u}` })),
  });
});
after(async () => { await site.stop(); });

test('Unify-like (no AddObject, one fixed line): a second line is a clear failure, the first still registers', async () => {
  const p = await site.phone('unify', 'UNIFY2L');
  const s = await p.boot();
  assert.ok(!s.acsMethods.includes('AddObject'), s.acsMethods.join());
  const row = site.row(p);
  assert.equal(row.state, 'failed');
  assert.equal(row.ne107, 'F');
  assert.match(row.reason, /AddObject/);
  assert.ok(p.lines()[0]!.verdict.registered, 'line 1 provisioned and registered');
});

test('ParameterKey required by the phone: always sent, compliant', async () => {
  const p = await site.phone('tr181', 'PKREQ1', { quirks: { requireParameterKey: true } });
  assert.ok((await p.boot()).ok);
  assert.equal(site.row(p).state, 'compliant', site.row(p).reason);
  assert.match(p.get('Device.ManagementServer.ParameterKey') ?? '', /^op-[0-9a-f]{12}$/);
});

test('booleans only as 1/0: learned from 9007 and recorded in the readiness report', async () => {
  const p = await site.phone('tr098', 'BOOL01', { quirks: { booleanAsInt: true }, productClass: 'BOOLPHONE' });
  assert.ok((await p.boot()).ok);
  assert.equal(site.row(p).state, 'compliant', site.row(p).reason);
  const r = await site.o.api<{ checks: { booleanLiteral: { result: string; detail: string } } }>('GET', `/api/v1/readiness/${p.state.identity.oui}-BOOLPHONE`);
  assert.deepEqual([r.body.checks.booleanLiteral.result, r.body.checks.booleanLiteral.detail], ['ok', '1/0']);
  assert.equal(p.get('InternetGatewayDevice.Time.Enable'), 'false');
});

test('a parameter dropped by a firmware upgrade (9005): isolated, the rest verified, maintenance required', async () => {
  const p = await site.phone('tr181', 'DROP01', { quirks: { droppedParameterAfterUpgrade: true }, productClass: 'DROPPHONE' });
  assert.ok((await p.boot()).ok);
  assert.equal(site.row(p).state, 'compliant');
  const dir = join(site.o.stateDir, 'firmware');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'drop-2.0.0.bin'), `version=2.0.0\n${'x'.repeat(1000)}\n`);
  const from = p.sessionCount;
  const t = await site.o.api('POST', `/api/v1/devices/${encodeURIComponent(idOf(p))}/tasks`,
    { method: 'Download', args: { commandKey: 'fw-2', fileType: '1 Firmware Upgrade Image', file: 'drop-2.0.0.bin' }, connectionRequest: true });
  assert.equal(t.status, 201, JSON.stringify(t.body));
  await p.waitForSession((s) => s.events.includes('7 TRANSFER COMPLETE'), 15_000, from);
  assert.equal(p.softwareVersion, '2.0.0');
  const row = await until(() => { const r = site.row(p); return r.state === 'compliant' && r.ne107 === 'M' ? r : null; }, 5000, 'compliant with M');
  assert.match(row.reason, /firmware no longer has Device\.Time\.LocalTimeZone/);
  assert.ok(p.inService());
  const r = await site.o.api<{ checks: { firmwareDownload: { result: string } } }>('GET', `/api/v1/readiness/${p.state.identity.oui}-DROPPHONE`);
  assert.equal(r.body.checks.firmwareDownload.result, 'ok');
});

test('instance numbers of single-instance tables left out by the phone: recognised, compliant, and stable', async () => {
  const p = await site.phone('unify', 'OMIT01', { quirks: { omitSingleInstance: true }, productClass: 'OMITPHONE' });
  assert.ok((await p.boot()).ok);
  assert.equal(site.row(p).state, 'compliant', site.row(p).reason);
  assert.ok(p.inService());
  const again = await p.session();
  assert.ok(!again.acsMethods.includes('SetParameterValues'), `nothing to write the next time: ${again.acsMethods.join()}`);
  assert.equal(site.row(p).state, 'compliant');
});
