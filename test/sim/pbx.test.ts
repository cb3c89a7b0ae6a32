// Functional truth: a line registers with the site PBX only when the phone's SIP server, port,
// transport and credentials match it; on every family, whatever its data model. A registration
// change is a value change of the line's Status (VALUE CHANGE when the ACS asked for it).

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/core/clock.ts';
import type { AcsRequest } from '../../src/protocols/cwmp/types.ts';
import { FaultInjector } from './faults.ts';
import { startPhone } from './index.ts';
import { lineSpv, phoneLines, type LineConfig } from './models/lines.ts';
import { FAMILIES, getModel } from './models/index.ts';
import { SitePbx } from './pbx.ts';
import { identityFrom } from './phone-support.ts';
import { handleAcsRequest } from './rpc.ts';
import { ScriptedAcs } from './scripted-acs.ts';
import { PhoneState } from './state.ts';
import { testTls } from './test-tls.ts';

function sitePbx(): SitePbx {
  return new SitePbx({
    domain: 'site.test', proxy: 'sip.site.test', proxyPort: 5060, transport: 'UDP', aliases: ['10.20.0.5'],
    accounts: [{ user: '2001', password: 'pw2001', serial: 'P1', line: 1 }, { user: '2002', password: 'pw2002', serial: 'P1', line: 2 }],
  });
}

function phone(model: string, pbx = sitePbx()) {
  const m = getModel(model);
  const state = new PhoneState(m, identityFrom({ model, serial: 'P1', acsUrl: 'https://acs.test/' }, m), new FakeClock(), '1.0');
  state.runtime.pbx = pbx;
  const reader = { read: (p: string) => state.get(p) ?? '', instances: (t: string) => state.instances(t), pbx };
  const host = { state, quirks: {}, faults: new FaultInjector(), transfers: [], reboot: () => {}, factoryReset: () => {}, scheduleInform: () => {} };
  const spv = (list: { name: string; value: string; type: string }[]) => {
    const r = handleAcsRequest(host, { method: 'SetParameterValues', parameterKey: 't', parameterList: list });
    assert.equal(r.method, 'SetParameterValuesResponse', JSON.stringify(r));
  };
  const configure = (index: number, c: LineConfig) => spv(lineSpv(reader, m.family.voice, index, c));
  const status = (index: number) => state.get(phoneLines(reader, m.family.voice)[index]!.statusPath);
  const lines = () => phoneLines(reader, m.family.voice);
  return { state, spv, configure, status, lines, host };
}

const GOOD: LineConfig = { proxy: 'sip.site.test', port: 5060, transport: 'UDP', user: '2001', password: 'pw2001' };

test('every family: a line is Up only with the PBX server, port, transport and an account of it', () => {
  for (const model of Object.keys(FAMILIES)) {
    const cases: [Partial<LineConfig>, string][] = [
      [{ proxy: 'other.site.test' }, 'wrong server'], [{ port: 5070 }, 'wrong port'], [{ transport: 'TCP' }, 'wrong transport'],
      [{ password: 'nope' }, 'wrong password'], [{ user: '9999', password: 'pw2001' }, 'unknown user'],
    ];
    for (const [bad, why] of cases) {
      const p = phone(model);
      p.configure(0, { ...GOOD, ...bad });
      assert.equal(p.status(0), 'Error', `${model}: ${why}`);
      assert.equal(p.lines()[0]!.verdict.registered, false, `${model}: ${why}`);
      p.configure(0, GOOD); // the template fixed: registers at once
      assert.equal(p.status(0), 'Up', `${model}: fixed after ${why}`);
    }
    const alias = phone(model);
    alias.configure(0, { ...GOOD, proxy: '10.20.0.5' });
    assert.equal(alias.status(0), 'Up', `${model}: the PBX's IP address is as good as its name`);
  }
});

test('TR-104 issue 2: SIP.Client.Status says why (Error_Network, Error_Registration, Error_Misconfigured)', () => {
  const p = phone('tr181');
  const client = 'Device.Services.VoiceService.1.SIP.Client.1.Status';
  p.configure(0, { ...GOOD, transport: 'TLS' });
  assert.equal(p.state.get(client), 'Error_Network');
  p.configure(0, { ...GOOD, password: 'x' });
  assert.equal(p.state.get(client), 'Error_Registration');
  p.configure(0, { ...GOOD, user: '' });
  assert.equal(p.state.get(client), 'Error_Misconfigured');
  p.configure(0, GOOD);
  assert.equal(p.state.get(client), 'Up');
  p.spv([{ name: 'Device.Services.VoiceService.1.SIP.Network.1.Enable', value: 'false', type: 'xsd:boolean' }]);
  assert.equal(p.state.get(client), 'Disabled');
  assert.equal(p.state.get('Device.Services.VoiceService.1.CallControl.Line.1.Status'), 'Error', 'a disabled network takes the line down');
});

test('Aastra: profiles with empty servers use X_Aastra_GlobalVoiceProfile; deleting a profile restores the line', () => {
  const p = phone('aastra');
  const G = 'Device.VoiceService.X_Aastra_GlobalVoiceProfile.SIP.';
  const L = 'Device.VoiceService.VoiceProfile.3.Line.1.';
  p.spv([
    { name: `${G}ProxyServer`, value: 'sip.site.test', type: 'xsd:string' },
    { name: `${L}SIP.AuthUserName`, value: '2001', type: 'xsd:string' }, { name: `${L}SIP.AuthPassword`, value: 'pw2001', type: 'xsd:string' },
    { name: `${L}Enable`, value: 'Enabled', type: 'xsd:string' },
  ]);
  assert.equal(p.state.get(`${L}Status`), 'Up', 'registered through the global profile');
  const del = handleAcsRequest(p.host, { method: 'DeleteObject', objectName: 'Device.VoiceService.VoiceProfile.3.', parameterKey: '' });
  assert.equal(del.method, 'DeleteObjectResponse');
  assert.deepEqual(p.state.instances('Device.VoiceService.VoiceProfile.'), [1, 2, 3, 4, 5, 6, 7, 8, 9], 'the profile stays');
  assert.equal(p.state.get(`${L}SIP.AuthUserName`), '', 'back to defaults');
  assert.equal(p.state.get(`${L}Status`), 'Disabled');
  const add = handleAcsRequest(p.host, { method: 'AddObject', objectName: 'Device.VoiceService.VoiceProfile.', parameterKey: '' });
  assert.equal(add.method === 'Fault' && add.code, 9004, 'nine profiles, no more');
});

test('in service: every account the PBX assigns to the phone registered', async (t) => {
  const pbx = sitePbx();
  const tls = testTls();
  const acs = await new ScriptedAcs({ tls, credentials: { boot: 'strap' } }).start();
  t.after(() => acs.stop());
  const yl = await startPhone({ model: 'yealink', serial: 'P1', acsUrl: acs.url, ca: tls.ca, username: 'boot', password: 'strap', pbx });
  t.after(() => yl.stop());
  assert.equal(yl.inService(), false, 'factory phone: nothing registered');
  const reader = { read: (p: string) => yl.get(p) ?? '', instances: (x: string) => yl.state.instances(x), pbx };
  const serial = yl.serial; // serial = MAC on this family: the assignment above was for 'P1'
  pbx.addAccount({ user: '3001', password: 'pw3001', serial, line: 1 });
  acs.queue(serial, { method: 'SetParameterValues', parameterKey: 'a', parameterList: lineSpv(reader, yl.model.family.voice, 0, { ...GOOD, user: '3001', password: 'pw3001' }) });
  assert.ok((await yl.boot()).ok);
  assert.equal(yl.inService(), true);
  pbx.addAccount({ user: '3002', password: 'pw3002', serial, line: 2 });
  assert.equal(yl.inService(), false, 'a second assigned account not yet on the phone');
});

test('a registration change is a VALUE CHANGE of the line Status when the ACS set notification on it', async (t: TestContext) => {
  const tls = testTls();
  const acs = await new ScriptedAcs({ tls, credentials: { boot: 'strap' } }).start();
  t.after(() => acs.stop());
  const ph = await startPhone({ model: 'ex', serial: 'EX1', acsUrl: acs.url, ca: tls.ca, username: 'boot', password: 'strap', pbx: sitePbx(),
    settings: { 'InternetGatewayDevice.ManagementServer.EnableCWMP': 'true' } });
  t.after(() => ph.stop());
  const status = 'InternetGatewayDevice.Services.VoiceService.1.VoiceProfile.1.Line.1.Status';
  const reader = { read: (p: string) => ph.get(p) ?? '', instances: (x: string) => ph.state.instances(x), pbx: sitePbx() };
  const spa: AcsRequest = { method: 'SetParameterAttributes', parameterList: [{ name: status, notificationChange: true, notification: 2, accessListChange: false, accessList: [] }] };
  acs.queue('EX1', spa);
  assert.ok((await ph.boot()).ok);
  assert.equal(ph.get(status), 'Error');
  const from = ph.sessionCount;
  acs.queue('EX1', { method: 'SetParameterValues', parameterKey: 'tmpl-1', parameterList: lineSpv(reader, ph.model.family.voice, 0, GOOD) });
  await ph.session();
  const vc = await ph.waitForSession((s) => s.events.includes('4 VALUE CHANGE'), 5000, from);
  assert.ok(vc.ok);
  const reported = acs.sessions.at(-1)!.inform.parameters.find((p) => p.name === status);
  assert.equal(reported?.value, 'Up', 'the ACS hears the line came up');
});
