// The simulator's data-model layer: families compile from the copied CSVs, values follow the
// CWMP type rules, and a phone's state is factory values + its own overrides.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/core/clock.ts';
import { parseConstraints } from './models/build.ts';
import { parseCsv } from './models/csv.ts';
import { FAMILIES, getModel } from './models/index.ts';
import { canonicalValue, typeMatches } from './models/values.ts';
import { identityFrom } from './phone-support.ts';
import { PhoneState } from './state.ts';

function phoneState(model: string, serial = 'SIM0001'): PhoneState {
  const m = getModel(model);
  return new PhoneState(m, identityFrom({ model, serial, acsUrl: 'https://acs.test/', username: 'u', password: 'p' }, m), new FakeClock(), '1.0.0');
}

test('csv: quotes, doubled quotes, comments', () => {
  assert.deepEqual(parseCsv('# note\na,b\n"x,1","say ""hi"""\n'), [['a', 'b'], ['x,1', 'say "hi"']]);
});

test('constraints: enum values with spaces, several ranges, pathRef', () => {
  assert.deepEqual(parseConstraints('maxLength=64 enum=A|Comfort Noise|B pathRef'), { maxLength: 64, enumValues: ['A', 'Comfort Noise', 'B'] });
  assert.deepEqual(parseConstraints('range=10:10 range=20:'), { ranges: [[10, 10], [20, null]] });
});

test('every family compiles, and its engine paths, forced-inform list and factory instances exist', () => {
  for (const name of Object.keys(FAMILIES)) {
    const s = phoneState(name);
    const fam = s.model.family;
    for (const [k, path] of Object.entries(fam.paths)) assert.equal(s.resolve(path)?.kind, 'param', `${name} paths.${k} = ${path}`);
    for (const path of fam.forcedInform) assert.equal(s.resolve(path)?.kind, 'param', `${name} forced ${path}`);
    for (const inst of fam.instances) assert.equal(s.resolve(inst)?.kind, 'object', `${name} instance ${inst}`);
    for (const path of Object.keys(fam.factory)) assert.equal(s.resolve(path)?.kind, 'param', `${name} factory ${path}`);
    assert.ok(s.model.size > 300, `${name}: ${s.model.size} parameters`);
  }
});

test('tr181: TR-104 issue 2 lines with empty credentials, hidden passwords, forced active notification', () => {
  const s = phoneState('tr181');
  const vs = 'Device.Services.VoiceService.1.';
  assert.deepEqual(s.instances(`${vs}SIP.Client.`), [1, 2]);
  assert.deepEqual(s.instances(`${vs}CallControl.Line.`), [1, 2]);
  assert.equal(s.get(`${vs}SIP.Client.1.AuthUserName`), '');
  assert.equal(s.get(`${vs}SIP.Client.1.Status`), 'Disabled');
  assert.equal(s.get(`${vs}SIP.ClientNumberOfEntries`), '2');
  assert.equal(s.get('Device.DeviceInfo.SerialNumber'), 'SIM0001');
  assert.equal(s.get('Device.DeviceInfo.ManufacturerOUI'), '00A1B2');
  assert.equal(s.get('Device.ManagementServer.Password'), 'p');
  const pw = s.resolve('Device.ManagementServer.Password');
  assert.ok(pw?.kind === 'param' && pw.def.hidden);
  const cru = s.resolve('Device.ManagementServer.ConnectionRequestURL');
  assert.ok(cru?.kind === 'param' && cru.def.notify === 2 && !cru.def.writable);
  const pk = s.resolve('Device.ManagementServer.ParameterKey');
  assert.ok(pk?.kind === 'param' && pk.def.canDeny);
});

test('tr181: a line registers (Status Up) once enabled with a user and a server', () => {
  const s = phoneState('tr181');
  const vs = 'Device.Services.VoiceService.1.';
  s.set(`${vs}SIP.Client.1.Enable`, 'true');
  assert.equal(s.get(`${vs}SIP.Client.1.Status`), 'Error_Misconfigured');
  s.set(`${vs}SIP.Client.1.AuthUserName`, '2001');
  s.set(`${vs}SIP.Network.1.ProxyServer`, 'sip.site.test');
  assert.equal(s.get(`${vs}SIP.Client.1.Status`), 'Up');
  s.set(`${vs}CallControl.Line.1.Enable`, 'true');
  assert.equal(s.get(`${vs}CallControl.Line.1.Status`), 'Up');
});

test('tr098: InternetGatewayDevice root, TR-104 issue 1 string enable flags and line status', () => {
  const s = phoneState('tr098');
  const vp = 'InternetGatewayDevice.Services.VoiceService.1.VoiceProfile.1.';
  assert.equal(s.get(`${vp}Line.1.SIP.AuthUserName`), '');
  assert.equal(s.get(`${vp}Line.1.Status`), 'Disabled');
  assert.equal(s.get(`${vp}NumberOfLines`), '2');
  const en = s.resolve(`${vp}Line.1.Enable`);
  assert.ok(en?.kind === 'param' && en.def.type === 'string' && en.def.enumValues?.includes('Enabled'));
  s.set(`${vp}Line.1.Enable`, 'Enabled');
  s.set(`${vp}Line.1.SIP.AuthUserName`, '3001');
  s.set(`${vp}SIP.RegistrarServer`, 'sip.site.test');
  assert.equal(s.get(`${vp}Line.1.Status`), 'Up');
  assert.equal(s.get('InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANIPConnection.1.ExternalIPAddress'), '127.0.0.1');
  assert.equal(s.model.family.cwmp.namespace, 'urn:dslforum-org:cwmp-1-0');
});

test('values: types, facets and the boolean literal quirk', () => {
  const s = phoneState('tr181');
  const def = (p: string) => { const r = s.resolve(p); assert.ok(r?.kind === 'param'); return r.def; };
  const port = def('Device.Services.VoiceService.1.SIP.Network.1.ProxyServerPort');
  assert.equal(canonicalValue(port, '5061'), '5061');
  assert.equal(canonicalValue(port, '70000'), null);
  assert.equal(canonicalValue(port, '-1'), null);
  const vlan = def('Device.Services.VoiceService.1.SIP.Network.1.VLANIDMark');
  assert.equal(canonicalValue(vlan, '-1'), '-1');
  assert.equal(canonicalValue(vlan, '-2'), null);
  const transport = def('Device.Services.VoiceService.1.SIP.Network.1.ProxyServerTransport');
  assert.equal(canonicalValue(transport, 'TLS'), 'TLS');
  assert.equal(canonicalValue(transport, 'tls'), null);
  const en = def('Device.ManagementServer.PeriodicInformEnable');
  assert.equal(canonicalValue(en, 'true'), 'true');
  assert.equal(canonicalValue(en, '0'), 'false');
  assert.equal(canonicalValue(en, 'true', { booleanAsInt: true }), null);
  assert.equal(canonicalValue(en, 'yes'), null);
  assert.ok(typeMatches(en, 'xsd:boolean'));
  assert.ok(!typeMatches(en, 'xsd:string'));
  assert.equal(canonicalValue(def('Device.ManagementServer.PeriodicInformTime'), '2026-01-01T00:00:00Z'), '2026-01-01T00:00:00Z');
  assert.equal(canonicalValue(def('Device.ManagementServer.PeriodicInformTime'), 'tomorrow'), null);
});

test('state: instance numbers are never reused, not even after a factory reset', () => {
  const s = phoneState('tr181');
  const t = 'Device.Services.VoiceService.1.SIP.Client.';
  assert.equal(s.addInstance(t), 3);
  s.set(`${t}3.AuthUserName`, 'x');
  s.deleteInstance(`${t}3.`);
  assert.equal(s.resolve(`${t}3.AuthUserName`), undefined);
  assert.equal(s.addInstance(t), 4);
  s.factoryReset();
  assert.deepEqual(s.instances(t), [1, 2]);
  assert.equal(s.addInstance(t), 5);
});

test('state: overrides only where a value differs from the factory', () => {
  const s = phoneState('tr181');
  assert.equal(s.stats().values, 0);
  assert.equal(s.stats().attributes, 0);
  s.set('Device.ManagementServer.PeriodicInformInterval', '300');
  assert.equal(s.stats().values, 1);
  s.set('Device.ManagementServer.PeriodicInformInterval', '3600'); // the factory value again
  assert.equal(s.stats().values, 0);
  assert.equal(s.resolve('Device.Services.VoiceService.1.SIP.Client.01.'), undefined, 'leading zeros are not instance numbers');
  assert.equal(s.resolve('Device.Services.VoiceService.1.SIP.Client.9.'), undefined);
  assert.equal(s.resolve('Device.ManagementServer.URL.'), undefined);
  assert.equal(s.resolve('Device.ManagementServer'), undefined);
});
