// Phone behaviour across its life against a scripted ACS: BOOTSTRAP on first start and after a
// factory reset, BOOT after a reboot, periodic Informs at the interval the ACS sets, state that
// survives reboots but not factory resets, TR-069 switched on at the menu (Ex family), and the
// family identities (Yealink serial = MAC, vendor leaves).

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/core/clock.ts';
import { startPhone, type SimPhone, type SimPhoneOptions } from './index.ts';
import { ScriptedAcs } from './scripted-acs.ts';
import { testTls } from './test-tls.ts';

async function setup(t: TestContext, phoneOpts: Partial<SimPhoneOptions> & { model: string }): Promise<{ acs: ScriptedAcs; phone: SimPhone }> {
  const tls = testTls();
  const acs = await new ScriptedAcs({ tls, credentials: { boot: 'strap' } }).start();
  t.after(() => acs.stop());
  const phone = await startPhone({ serial: 'B0001', acsUrl: acs.url, ca: tls.ca, username: 'boot', password: 'strap', ...phoneOpts });
  t.after(() => phone.stop());
  return { acs, phone };
}

test('Ex phone: TR-069 off at the factory, switched on at the menu → BOOTSTRAP; a factory reset switches it off again', async (t) => {
  const { acs, phone } = await setup(t, { model: 'ex' });
  const enable = 'InternetGatewayDevice.ManagementServer.EnableCWMP';
  const off = await phone.boot();
  assert.equal(off.ok, false);
  assert.match(off.error ?? '', /EnableCWMP/);
  assert.equal(acs.http.length, 0, 'not a single packet to the ACS');
  const from = phone.sessionCount;
  phone.localEdit(enable, 'true'); // the technician on site
  const first = await phone.waitForSession((s) => s.ok, 5000, from);
  assert.deepEqual(first.events, ['0 BOOTSTRAP', '1 BOOT']);
  assert.equal(acs.sessions[0]!.namespace, 'urn:dslforum-org:cwmp-1-0');
  const again = await phone.factoryReset();
  assert.equal(again.ok, false, 'factory state: TR-069 off');
  assert.equal(phone.get(enable), 'false');
});

test('site settings survive a reboot, not a factory reset; ACS values likewise', async (t) => {
  const path = 'InternetGatewayDevice.ManagementServer.EnableCWMP';
  const { acs, phone } = await setup(t, { model: 'ex', settings: { [path]: 'true' } });
  const ntp = 'InternetGatewayDevice.Time.NTPServer1';
  acs.queue('B0001', { method: 'SetParameterValues', parameterKey: 'k1', parameterList: [{ name: ntp, value: 'ntp.site.test', type: 'xsd:string' }] });
  assert.deepEqual((await phone.boot()).events, ['0 BOOTSTRAP', '1 BOOT']);
  const reboot = await phone.powerCycle();
  assert.deepEqual(reboot.events, ['1 BOOT']);
  assert.equal(phone.get(ntp), 'ntp.site.test', 'kept in flash across the reboot');
  assert.equal(phone.get('InternetGatewayDevice.ManagementServer.ParameterKey'), 'k1');
  await phone.factoryReset();
  assert.equal(phone.get(ntp), '');
  assert.equal(phone.get(path), 'false');
});

test('periodic Informs follow the PeriodicInformInterval the ACS sets', async (t) => {
  const clock = new FakeClock();
  const { acs, phone } = await setup(t, { model: 'tr181', clock, periodicInform: true, periodicInterval: 3600 });
  acs.queue('B0001', { method: 'SetParameterValues', parameterKey: '', parameterList: [{ name: 'Device.ManagementServer.PeriodicInformInterval', value: '60', type: 'xsd:unsignedInt' }] });
  assert.ok((await phone.boot()).ok);
  for (let i = 0; i < 3; i++) {
    const from = phone.sessionCount;
    clock.advance(60_000);
    const s = await phone.waitForSession((x) => x.events.includes('2 PERIODIC'), 5000, from);
    assert.ok(s.ok);
  }
  assert.equal(acs.sessions.filter((s) => s.inform.events.some((e) => e.code === '2 PERIODIC')).length, 3);
});

test('Yealink-like identity: OUI 001565, serial = MAC, X_001565_ leaves, six accounts with one line each', async (t) => {
  const { acs, phone } = await setup(t, { model: 'yealink', mac: '00:15:65:46:69:9d' });
  assert.equal(phone.serial, '00156546699d');
  assert.ok((await phone.boot()).ok);
  assert.deepEqual(acs.sessions[0]!.inform.deviceId, { manufacturer: 'Yealink', oui: '001565', productClass: 'SIP-T46U', serialNumber: '00156546699d' });
  assert.equal(phone.get('Device.LAN.MACAddress'), '00:15:65:46:69:9d');
  assert.equal(phone.get('Device.UserInterface.X_001565_Language.X_001565_GUILanguage'), 'English');
  assert.equal(phone.get('Device.Services.VoiceService.1.VoiceProfile.6.Line.1.Enable'), 'Disabled', 'enable flags are strings');
  assert.deepEqual(phone.lines().map((l) => l.path.replace('Device.Services.VoiceService.1.', '')), [1, 2, 3, 4, 5, 6].map((n) => `VoiceProfile.${n}.Line.1.`));
});

test('Grandstream-like: account labels in VoiceProfile.N.Name, X_GRANDSTREAM_ leaves; Unify-like: one fixed line, limited RPCs', async (t) => {
  const { phone: gs } = await setup(t, { model: 'grandstream' });
  assert.equal(gs.get('Device.Services.VoiceService.1.VoiceProfile.2.Name'), 'Account 2');
  assert.equal(gs.get('Device.X_GRANDSTREAM_Upgrade.UpgradeVia'), 'HTTP');
  assert.equal(gs.state.resolve('Device.Services.VoiceService.1.VoiceProfile.1.Line.1.SIP.X_GRANDSTREAM_DisplayName')?.kind, 'param');
  const { phone: un } = await setup(t, { model: 'unify' });
  assert.deepEqual(un.model.family.rpcMethods.includes('AddObject') || un.model.family.rpcMethods.includes('Upload'), false);
  assert.equal(un.lines().length, 1);
  const vp = un.state.resolve('Device.Services.VoiceService.1.VoiceProfile.');
  assert.ok(vp?.kind === 'table' && !vp.def.writable, 'read-only profile table');
});
