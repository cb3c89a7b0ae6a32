// Changes after onboarding, end to end: a template change reaches every affected phone by
// connection request and they re-register; a local edit is corrected in the session it causes
// (enforce) or reported and left (report-only); a factory reset is restored with no human, the
// bootstrap credential accepted only for that first contact.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSite, idOf, until, type Site } from './e2e-helpers.ts';
import { SITE_FILES } from './fixtures/site.ts';
import { RawCpe, inform } from '../helpers/raw-cpe.ts';
import type { SimPhone } from '../sim/index.ts';

let site: Site;
let muster: SimPhone;
let tank: SimPhone;
let legacy: SimPhone;
const PROXY = {
  tr181: 'Device.Services.VoiceService.1.SIP.Network.1.ProxyServer',
  tr098: 'InternetGatewayDevice.Services.VoiceService.1.VoiceProfile.1.SIP.ProxyServer',
};

before(async () => {
  site = await startSite({
    files: { 'more.yaml': 'positions:\n  TF-202:\n    zone: tank\n    match: { serial: TANKPHONE2 }\n    lines:\n      1: { number: "2202", authUser: "2202", password: tank2 }\n' },
    accounts: [{ user: '2301', password: 'muster-secret' }, { user: '2201', password: 'tank-secret' }, { user: '2202', password: 'tank2' }],
  });
  muster = await site.phone('tr181', 'MUSTER1');
  tank = await site.phone('tr098', 'TANKPHONE1');
  legacy = await site.phone('tr098', 'TANKPHONE2');
  for (const p of [muster, tank, legacy]) {
    const s = await p.boot();
    assert.ok(s.ok, s.error);
    assert.equal(site.row(p).state, 'compliant', site.row(p).reason);
    assert.ok(p.inService());
  }
});
after(async () => { await site.stop(); });

test('a template change reaches every affected phone by connection request, and they re-register', async () => {
  const before = new Map([muster, tank, legacy].map((p) => [p, p.sessionCount]));
  const files = { ...SITE_FILES, 'templates.yaml': SITE_FILES['templates.yaml']!.replace('sip.proxy: pbx.site.lan', 'sip.proxy: pbx2.site.lan') };
  const r = await site.o.api<{ revision: number }>('PUT', '/api/v1/templates', { files: { ...files, 'more.yaml': 'positions:\n  TF-202:\n    zone: tank\n    match: { serial: TANKPHONE2 }\n    lines:\n      1: { number: "2202", authUser: "2202", password: tank2 }\n' } });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  for (const p of [muster, tank, legacy]) {
    const s = await p.waitForSession((x) => x.events.includes('6 CONNECTION REQUEST'), 10_000, before.get(p));
    assert.ok(s.ok, s.error);
    assert.equal(p.get(p.model.family.name === 'tr181' ? PROXY.tr181 : PROXY.tr098), 'pbx2.site.lan');
    assert.equal(site.row(p).state, 'compliant', site.row(p).reason);
    assert.ok(p.inService(), 're-registered with the new proxy');
  }
});

test('enforce zone: a local edit is seen at once (active notification) and corrected in that session', async () => {
  const n = muster.sessionCount;
  muster.localEdit(PROXY.tr181, '10.9.9.9');
  const s = await muster.waitForSession((x) => x.events.includes('4 VALUE CHANGE'), 10_000, n);
  assert.ok(s.acsMethods.includes('SetParameterValues'), s.acsMethods.join());
  assert.equal(muster.get(PROXY.tr181), 'pbx2.site.lan');
  const row = site.row(muster);
  assert.equal(row.state, 'compliant');
  assert.deepEqual((row.detail as { driftCorrected: string[] }).driftCorrected, ['sip.proxy']);
});

test('report-only zone: the local edit is reported as drift with the reason, and left alone', async () => {
  const n = tank.sessionCount;
  tank.localEdit(PROXY.tr098, '10.9.9.9');
  const s = await tank.waitForSession((x) => x.events.includes('4 VALUE CHANGE'), 10_000, n);
  assert.ok(!s.acsMethods.includes('SetParameterValues'), s.acsMethods.join());
  assert.equal(tank.get(PROXY.tr098), '10.9.9.9');
  const row = site.row(tank);
  assert.equal(row.state, 'drifted');
  assert.equal(row.ne107, 'S');
  assert.match(row.reason, /report-only zone, not corrected: sip\.proxy is "10\.9\.9\.9" on the phone, template says "pbx2\.site\.lan"/);
  const api = await site.o.api<{ attention: { deviceId: string; state: string }[] }>('GET', '/api/v1/compliance');
  assert.ok(api.body.attention.some((a) => a.deviceId === idOf(tank) && a.state === 'drifted'));
});

test('factory reset during operation: restored with no human, bootstrap accepted only for that first contact', async () => {
  const s = await muster.factoryReset();
  assert.ok(s.ok, s.error);
  assert.ok(s.events.includes('0 BOOTSTRAP'));
  await until(() => site.row(muster).state === 'compliant', 5000, 'compliant after reset');
  assert.equal(muster.get(PROXY.tr181), 'pbx2.site.lan');
  assert.ok(muster.inService(), 'line registered again');
  assert.notEqual(muster.get('Device.ManagementServer.Password'), site.o.bootstrap.password, 'new unique credentials');
  const id = { oui: muster.state.identity.oui, productClass: muster.state.identity.productClass };
  // The bootstrap credential again, without a BOOTSTRAP: refused (no standing back door).
  const boot = new RawCpe(site.o.acsUrl, site.o.ca, site.o.bootstrap);
  assert.equal((await boot.send(inform('MUSTER1', ['1 BOOT'], { ...id, root: 'Device' }))).status, 401);
  boot.close();
  // A wrong password, even with BOOTSTRAP: refused.
  const wrong = new RawCpe(site.o.acsUrl, site.o.ca, { username: site.o.bootstrap.username, password: 'guess' });
  assert.equal((await wrong.send(inform('MUSTER1', ['0 BOOTSTRAP', '1 BOOT'], { ...id, root: 'Device' }))).status, 401);
  wrong.close();
  // The phone itself keeps working with its rotated credentials.
  const again = await muster.session();
  assert.ok(again.ok, again.error);
});
