import { test } from 'node:test';
import assert from 'node:assert/strict';
import { offlinePhone, plannerFor, runPlan } from './helpers.ts';
import { verdict } from '../../src/provisioning/compliance.ts';
import { TR181_I2 } from '../../src/provisioning/profiles.ts';
import { ParamTree } from '../../src/provisioning/tree.ts';

const SITE = {
  'inform.enable': 'true', 'inform.interval': '300', 'sip.proxy': 'pbx.site.lan', 'sip.proxyPort': '5060', 'sip.transport': 'UDP',
  'sip.registrar': 'pbx.site.lan', 'sip.domain': 'site.lan', 'qos.sipDscp': '26', 'qos.rtpDscp': '46', 'vlan.voice': '20',
  'ntp.server': 'ntp.site.lan', 'timezone': 'CET-1CEST,M3.5.0/2,M10.5.0/3', 'dtmf.method': 'RFC4733', 'syslog.server': 'log.site.lan',
  'line[1].enable': 'true', 'line[1].authUser': '2101', 'line[1].password': 'pw-2101', 'line[1].number': '2101',
};
const ctx = { assigned: true, assignmentReason: '', intentErrors: [], interrupted: null };

for (const [model, root, prefix] of [['tr181', 'Device.', 'Device.Services.VoiceService.1.SIP.Client.1.'], ['tr098', 'InternetGatewayDevice.', 'InternetGatewayDevice.Services.VoiceService.1.VoiceProfile.1.Line.1.SIP.']] as const) {
  test(`${model}: a factory phone is discovered, configured, verified and its line registers`, () => {
    const { phone, host } = offlinePhone(model);
    const pl = plannerFor(root, SITE);
    const methods = runPlan(pl, host);
    assert.equal(methods[0], 'GetRPCMethods');
    assert.ok(methods.includes('SetParameterValues') && methods.includes('SetParameterAttributes'), methods.join());
    assert.equal(phone.get(`${prefix}AuthUserName`), '2101');
    assert.equal(phone.get(`${prefix}AuthPassword`), 'pw-2101');
    const r = pl.result();
    const v = verdict(r, ctx);
    assert.equal(v.state, 'compliant', `${v.reason} ${JSON.stringify(r.params.filter((p) => p.status !== 'ok'))}`);
    assert.equal(r.params.find((p) => p.intent === 'line[1].password')!.want, '••••••');
    if (model === 'tr098') assert.ok(r.unsupported.includes('syslog.server'), 'TR-098 has no standard syslog');
    // A second session with what the store now knows: nothing to write.
    const known = new Map(r.params.filter((p) => !p.secret && p.have !== null && !p.checkOnly).map((p) => [p.path, p.have!]));
    const again = plannerFor(root, SITE, { tree: pl.tree.clone(), rpcMethods: pl.rpcMethods, known, notified: new Set(r.params.map((p) => p.path)),
      secretsSet: new Map([[r.params.find((p) => p.secret)!.path, 'pw-2101']]) });
    const m2 = runPlan(again, host);
    assert.deepEqual(m2, ['GetParameterValues'], 'only line status is read');
    assert.equal(verdict(again.result(), ctx).state, 'compliant');
  });
}

test('RPC sequence for a factory TR-181 phone is short', () => {
  const { host } = offlinePhone('tr181');
  const first = plannerFor('Device.', SITE);
  const methods = runPlan(first, host);
  const plannerTree = first.baseTree!;
  assert.deepEqual(methods, ['GetRPCMethods', ...Array(5).fill('GetParameterNames'), 'GetParameterValues', 'SetParameterValues', 'SetParameterAttributes', 'GetParameterValues']);
  const again = runPlan(plannerFor('Device.', SITE, { tree: ParamTree.fromJSON(plannerTree.toJSON()) }), offlinePhone('tr181').host);
  assert.deepEqual(again, ['GetParameterValues', 'SetParameterValues', 'SetParameterAttributes', 'GetParameterValues'], 'next phone of the model: no discovery');
});

test('a third line is created with AddObject and linked (TR-104 issue 2 §10.6)', () => {
  const { phone, host } = offlinePhone('tr181');
  const values = { ...SITE, 'line[3].enable': 'true', 'line[3].authUser': '2103', 'line[3].password': 'x', 'line[3].number': '2103' };
  const pl = plannerFor('Device.', values);
  const methods = runPlan(pl, host);
  assert.equal(methods.filter((m) => m === 'AddObject').length, 2, methods.join());
  const vs = 'Device.Services.VoiceService.1.';
  assert.deepEqual(phone.state.instances(`${vs}SIP.Client.`), [1, 2, 3]);
  assert.equal(phone.get(`${vs}SIP.Client.3.AuthUserName`), '2103');
  assert.equal(phone.get(`${vs}SIP.Client.3.Network`), `${vs}SIP.Network.1`);
  assert.equal(phone.get(`${vs}CallControl.Line.3.Provider`), `${vs}SIP.Client.3`);
  assert.equal(verdict(pl.result(), ctx).state, 'compliant', verdict(pl.result(), ctx).reason);
});

test('booleans as 1/0 only (9007 on true/false): learned and retried', () => {
  const { phone, host } = offlinePhone('tr181', { booleanAsInt: true });
  const pl = plannerFor('Device.', SITE);
  runPlan(pl, host);
  assert.equal(pl.boolDigits, true);
  assert.equal(phone.get('Device.Services.VoiceService.1.SIP.Client.1.Enable'), 'true');
  assert.equal(verdict(pl.result(), ctx).state, 'compliant', verdict(pl.result(), ctx).reason);
});

test('ParameterKey required: always sent, so SPV works', () => {
  const { host } = offlinePhone('tr098', { requireParameterKey: true });
  const pl = plannerFor('InternetGatewayDevice.', SITE);
  runPlan(pl, host);
  assert.equal(verdict(pl.result(), ctx).state, 'compliant', verdict(pl.result(), ctx).reason);
});

test('a transient SPV fault is retried; a value the phone refuses is a clear failure', () => {
  const { host } = offlinePhone('tr181');
  host.faults.rpc('SetParameterValues', 9002, 1);
  const pl = plannerFor('Device.', SITE);
  runPlan(pl, host);
  assert.equal(verdict(pl.result(), ctx).state, 'compliant');
  const { host: h2 } = offlinePhone('tr181');
  const bad = plannerFor('Device.', { ...SITE, 'timezone': 'x'.repeat(300) });
  runPlan(bad, h2);
  const v = verdict(bad.result(), ctx);
  assert.equal(v.state, 'failed');
  assert.match(v.reason, /timezone \(Device\.Time\.LocalTimeZone\): 9007/);
  assert.equal(bad.result().params.find((p) => p.intent === 'sip.proxy')!.status, 'ok', 'the rest was applied');
});

test('a parameter the firmware dropped (GPV 9005 for the whole call) is isolated and the rest applied', () => {
  const { host } = offlinePhone('tr181');
  // The model was discovered before an upgrade: its tree and profile still have X_GONE.
  const profile = { ...TR181_I2, intents: { ...TR181_I2.intents, 'ntp.server2': [{ path: 'Device.Time.X_GONE', type: 'xsd:string' as const }] } };
  const first = plannerFor('Device.', SITE);
  runPlan(first, offlinePhone('tr181').host);
  const tree = first.tree.clone();
  tree.add('Device.Time.X_GONE', true);
  const pl = plannerFor('Device.', { ...SITE, 'ntp.server2': 'ntp2.site.lan' }, { tree, rpcMethods: first.rpcMethods, profiles: [profile] });
  const methods = runPlan(pl, host);
  assert.ok(methods.filter((m) => m === 'GetParameterValues').length >= 3, `bisected: ${methods.join()}`);
  const r = pl.result();
  assert.deepEqual(r.dropped, ['Device.Time.X_GONE']);
  const v = verdict(r, ctx);
  assert.equal(v.state, 'compliant', v.reason);
  assert.equal(v.ne107, 'M');
  assert.match(v.reason, /X_GONE/);
});

test('report-only: a drifted value is reported, not written', () => {
  const { phone, host } = offlinePhone('tr181');
  const first = plannerFor('Device.', SITE);
  runPlan(first, host);
  phone.state.set('Device.Services.VoiceService.1.SIP.Network.1.ProxyServer', '10.9.9.9');
  const r0 = first.result();
  const known = new Map(r0.params.filter((p) => !p.secret && p.have !== null).map((p) => [p.path, p.have!]));
  known.set('Device.Services.VoiceService.1.SIP.Network.1.ProxyServer', '10.9.9.9'); // as a VALUE CHANGE Inform reports it
  const pl = plannerFor('Device.', SITE, { tree: first.tree.clone(), rpcMethods: first.rpcMethods, known, writeDrift: false,
    notified: new Set(r0.params.map((p) => p.path)), secretsSet: new Map([['Device.Services.VoiceService.1.SIP.Client.1.AuthPassword', 'pw-2101']]) });
  const methods = runPlan(pl, host);
  assert.ok(!methods.includes('SetParameterValues'), methods.join());
  const v = verdict(pl.result(), ctx);
  assert.equal(v.state, 'drifted');
  assert.equal(v.ne107, 'S');
  assert.match(v.reason, /sip\.proxy is "10\.9\.9\.9" on the phone/);
});
