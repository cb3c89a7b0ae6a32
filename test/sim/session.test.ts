// The simulator's CWMP sessions against a scripted ACS over HTTPS: Digest, cookies, IDs, CWMP
// dialects, the events of §2.2 (BOOTSTRAP, BOOT, M Reboot, SCHEDULED, VALUE CHANGE, PERIODIC),
// and the wire quirks.

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/core/clock.ts';
import type { AcsRequest } from '../../src/protocols/cwmp/types.ts';
import { startPhone, type SimPhone, type SimPhoneOptions } from './index.ts';
import { ScriptedAcs, type ScriptedAcsOptions } from './scripted-acs.ts';
import { testTls } from './test-tls.ts';

const CREDS = { username: 'boot', password: 'strap' };

async function setup(t: TestContext, acsOpts: ScriptedAcsOptions = {}, phoneOpts: Partial<SimPhoneOptions> = {}): Promise<{ acs: ScriptedAcs; phone: SimPhone }> {
  const tls = testTls();
  const acs = await new ScriptedAcs({ tls, credentials: { [CREDS.username]: CREDS.password }, ...acsOpts }).start();
  t.after(() => acs.stop());
  const phone = await startPhone({ model: 'tr181', serial: 'SIM0001', acsUrl: acs.url, ca: tls.ca, ...CREDS, ...phoneOpts });
  t.after(() => phone.stop());
  return { acs, phone };
}

/** Let the phone's follow-up work (reboots, transfers) start. */
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

test('tr181 boot over HTTPS: Digest, cookie echo, ID echo, CWMP 1.4 headers, BOOTSTRAP + BOOT', async (t) => {
  const { acs, phone } = await setup(t);
  acs.queue('SIM0001', { method: 'GetParameterValues', parameterNames: ['Device.DeviceInfo.SerialNumber'] }, { method: 'GetRPCMethods' });
  const rec = await phone.boot();
  assert.ok(rec.ok, rec.error);
  assert.deepEqual(rec.events, ['0 BOOTSTRAP', '1 BOOT']);
  assert.deepEqual(rec.acsMethods, ['GetParameterValues', 'GetRPCMethods']);
  assert.equal(rec.auth, 'digest');
  assert.equal(rec.connections, 1, 'one keep-alive TLS connection');
  assert.deepEqual(acs.http.map((h) => h.status), [401, 200, 200, 200, 204]);
  assert.ok(acs.http.slice(1).every((h) => h.authScheme === 'Digest'), 'Authorization on every POST after the challenge');
  const s = acs.sessions[0]!;
  assert.equal(s.namespace, 'urn:dslforum-org:cwmp-1-2');
  assert.equal(s.informHeader.sessionTimeout, 60);
  assert.deepEqual(s.informHeader.supportedVersions, ['1.0', '1.1', '1.2', '1.3', '1.4']);
  assert.ok(s.cookies.every((c) => c !== undefined && c === s.cookies[0]), 'cookie echoed on every POST');
  assert.deepEqual(s.exchanges.map((e) => e.id), ['acs-1', 'acs-2'], 'cwmp:ID echoed');
  assert.deepEqual(s.inform.deviceId, { manufacturer: 'Outpost Sim', oui: '00A1B2', productClass: 'SIMPHONE-181', serialNumber: 'SIM0001' });
  const params = Object.fromEntries(s.inform.parameters.map((p) => [p.name, p.value]));
  assert.equal(params['Device.ManagementServer.ConnectionRequestURL'], phone.connectionRequestUrl);
  assert.equal(params['Device.DeviceInfo.SoftwareVersion'], '1.2.3');
  assert.deepEqual(rec.transcript.map((e) => `${e.from}:${e.method}`), [
    'cpe:Inform', 'acs:HTTP 401', 'acs:InformResponse', 'cpe:empty', 'acs:GetParameterValues', 'cpe:GetParameterValuesResponse',
    'acs:GetRPCMethods', 'cpe:GetRPCMethodsResponse', 'acs:empty',
  ]);
  const second = await phone.powerCycle();
  assert.deepEqual(second.events, ['1 BOOT'], 'no BOOTSTRAP once bootstrapped');
});

test('tr098 speaks the cwmp-1-0 namespace without 1.3/1.4 headers', async (t) => {
  const { acs, phone } = await setup(t, {}, { model: 'tr098', serial: 'EX0001' });
  acs.queue('EX0001', { method: 'GetParameterValues', parameterNames: ['InternetGatewayDevice.Services.VoiceService.1.VoiceProfile.1.Line.1.SIP.AuthUserName'] });
  const rec = await phone.boot();
  assert.ok(rec.ok, rec.error);
  const s = acs.sessions[0]!;
  assert.equal(s.namespace, 'urn:dslforum-org:cwmp-1-0');
  assert.equal(s.informHeader.sessionTimeout, undefined);
  assert.equal(s.informHeader.supportedVersions, undefined);
  assert.ok(s.inform.parameters.some((p) => p.name === 'InternetGatewayDevice.DeviceSummary'));
  assert.equal(s.exchanges[0]!.response.method, 'GetParameterValuesResponse');
});

test('wrong credentials: the session fails after the second 401 and its events stay pending', async (t) => {
  const { acs, phone } = await setup(t, {}, { password: 'wrong' });
  const rec = await phone.boot();
  assert.equal(rec.ok, false);
  assert.match(rec.error ?? '', /401/);
  assert.deepEqual(acs.http.map((h) => h.status), [401, 401]);
  assert.equal(acs.sessions.length, 0);
  phone.state.set('Device.ManagementServer.Password', CREDS.password);
  const again = await phone.session();
  assert.ok(again.ok);
  assert.deepEqual(again.events, ['0 BOOTSTRAP', '1 BOOT']);
  assert.equal(acs.sessions[0]!.inform.retryCount, 1);
});

test('a Basic challenge is answered with Basic', async (t) => {
  const { acs, phone } = await setup(t, { auth: 'basic' });
  const rec = await phone.boot();
  assert.ok(rec.ok, rec.error);
  assert.equal(rec.auth, 'basic');
  assert.deepEqual(acs.http.map((h) => h.authScheme), [undefined, 'Basic', 'Basic']);
});

test('Reboot: BOOT + M Reboot with the CommandKey in the next session', async (t) => {
  const { acs, phone } = await setup(t);
  acs.queue('SIM0001', { method: 'Reboot', commandKey: 'rb-42' });
  const first = await phone.boot();
  assert.ok(first.ok);
  const next = await phone.waitForSession(() => true, 5000, 1);
  assert.deepEqual(next.events, ['1 BOOT', 'M Reboot']);
  assert.deepEqual(acs.sessions[1]!.inform.events, [{ code: '1 BOOT', commandKey: '' }, { code: 'M Reboot', commandKey: 'rb-42' }]);
});

test('FactoryReset: state back to factory, then BOOTSTRAP + BOOT', async (t) => {
  const { acs, phone } = await setup(t);
  acs.queue('SIM0001',
    { method: 'SetParameterValues', parameterKey: 'k', parameterList: [{ name: 'Device.ManagementServer.PeriodicInformInterval', value: '60', type: 'xsd:unsignedInt' }] },
    { method: 'FactoryReset' });
  await phone.boot();
  const next = await phone.waitForSession(() => true, 5000, 1);
  assert.deepEqual(next.events, ['0 BOOTSTRAP', '1 BOOT']);
  assert.equal(phone.get('Device.ManagementServer.PeriodicInformInterval'), '3600');
  assert.equal(phone.get('Device.ManagementServer.ParameterKey'), '');
});

test('ScheduleInform fires after DelaySeconds on the phone clock: 3 SCHEDULED + M ScheduleInform', async (t) => {
  const clock = new FakeClock();
  const { acs, phone } = await setup(t, {}, { clock });
  acs.queue('SIM0001', { method: 'ScheduleInform', delaySeconds: 120, commandKey: 'si-1' });
  await phone.boot();
  clock.advance(119_000);
  await tick();
  assert.equal(phone.sessionCount, 1);
  clock.advance(1000);
  const rec = await phone.waitForSession(() => true, 5000, 1);
  assert.deepEqual(rec.events, ['3 SCHEDULED', 'M ScheduleInform']);
  assert.equal(acs.sessions[1]!.inform.events[1]!.commandKey, 'si-1');
});

test('local edits: active notification starts a 4 VALUE CHANGE session, passive waits for the next Inform', async (t) => {
  const { acs, phone } = await setup(t);
  const user = 'Device.Services.VoiceService.1.SIP.Client.1.AuthUserName';
  const dn = 'Device.Services.VoiceService.1.CallControl.Line.1.DirectoryNumber';
  const attr = (name: string, notification: number) => ({ name, notificationChange: true, notification, accessListChange: false, accessList: [] });
  acs.queue('SIM0001', { method: 'SetParameterAttributes', parameterList: [attr(user, 2), attr(dn, 1)] });
  await phone.boot();
  phone.localEdit(dn, '4711'); // passive: no session
  await tick();
  assert.equal(phone.sessionCount, 1);
  phone.localEdit(user, '2001'); // active: a session now
  const rec = await phone.waitForSession(() => true, 5000, 1);
  assert.deepEqual(rec.events, ['4 VALUE CHANGE']);
  const sent = Object.fromEntries(acs.sessions[1]!.inform.parameters.map((p) => [p.name, p.value]));
  assert.equal(sent[user], '2001');
  assert.equal(sent[dn], '4711');
  phone.localEdit('Device.ManagementServer.PeriodicInformInterval', '600'); // notification off: nothing
  await tick();
  assert.equal(phone.sessionCount, 2);
});

test('a new ManagementServer.URL is used at once and announced with BOOTSTRAP', async (t) => {
  const { acs, phone } = await setup(t);
  const other = await new ScriptedAcs({ tls: testTls(), credentials: { [CREDS.username]: CREDS.password } }).start();
  t.after(() => other.stop());
  acs.queue('SIM0001', { method: 'SetParameterValues', parameterKey: '', parameterList: [{ name: 'Device.ManagementServer.URL', value: other.url, type: 'xsd:string' }] });
  await phone.boot();
  const rec = await phone.session('6 CONNECTION REQUEST');
  assert.ok(rec.ok, rec.error);
  assert.deepEqual(rec.events, ['0 BOOTSTRAP', '6 CONNECTION REQUEST']);
  assert.equal(other.sessions.length, 1);
});

test('periodic Informs and §1.6 retries run on the phone clock', async (t) => {
  const clock = new FakeClock();
  const { acs, phone } = await setup(t, {}, { clock, periodicInform: true, periodicInterval: 300, retry: true });
  await phone.boot();
  clock.advance(300_000);
  const periodic = await phone.waitForSession(() => true, 5000, 1);
  assert.deepEqual(periodic.events, ['2 PERIODIC']);
  phone.state.set('Device.ManagementServer.Password', 'changed-by-someone');
  const failed = await phone.session('6 CONNECTION REQUEST');
  assert.equal(failed.ok, false);
  phone.state.set('Device.ManagementServer.Password', CREDS.password);
  clock.advance(10_000); // first retry waits 5–10 s
  const retried = await phone.waitForSession(() => true, 5000, 3);
  assert.ok(retried.ok, retried.error);
  assert.equal(acs.sessions.at(-1)!.inform.retryCount, 1);
});

test('quirks on the wire: closesAfter401, basicBeforeDigest, newConnectionPerPost, noXmlDeclaration, chunkedBody, expect100Continue', async (t) => {
  const { acs, phone } = await setup(t, { acceptBasic: false }, {
    quirks: { closesAfter401: true, basicBeforeDigest: true, newConnectionPerPost: true, noXmlDeclaration: true, chunkedBody: true, expect100Continue: true },
  });
  acs.queue('SIM0001', { method: 'GetRPCMethods' });
  const rec = await phone.boot();
  assert.ok(rec.ok, rec.error);
  assert.equal(acs.http[0]!.authScheme, 'Basic', 'Basic sent pre-emptively');
  assert.equal(acs.http[0]!.status, 401);
  assert.equal(acs.http[1]!.authScheme, 'Digest');
  const sockets = acs.http.map((h) => h.socket);
  assert.equal(new Set(sockets).size, sockets.length, 'a new connection for every POST');
  assert.equal(rec.connections, acs.http.length);
  assert.ok(acs.http.every((h) => h.connection === 'close'));
  const withBody = acs.http.filter((h) => h.status !== 204 && h.expect !== undefined);
  assert.ok(withBody.length >= 2 && withBody.every((h) => h.chunked && !h.xmlDecl && h.expect === '100-continue'));
  assert.ok(acs.sessions[0]!.cookies.every((c) => c !== undefined), 'the cookie ties the connections together');
});

test('quirks: noCookies never sends Cookie; staleCookie sends the last session cookie with the Inform', async (t) => {
  const { acs, phone } = await setup(t, {}, { quirks: { noCookies: true } });
  await phone.boot();
  assert.ok(acs.http.every((h) => h.cookie === undefined));
  assert.ok(acs.sessions[0]!.cookies.every((c) => c === undefined));
  const stale = await setup(t, {}, { serial: 'SIM0002', quirks: { staleCookie: true } });
  await stale.phone.boot();
  const n = stale.acs.http.length;
  await stale.phone.session();
  const informPost = stale.acs.http[n]!;
  assert.match(informPost.cookie ?? '', /^sid=/, 'the previous session cookie rides on the new Inform');
});

test('quirk closesAfter401 alone: the POST after the 401 goes on a fresh connection, the rest stay on it', async (t) => {
  const { acs, phone } = await setup(t, {}, { quirks: { closesAfter401: true } });
  acs.queue('SIM0001', { method: 'GetRPCMethods' });
  const rec = await phone.boot();
  assert.ok(rec.ok, rec.error);
  assert.equal(rec.connections, 2);
  const [first, ...rest] = acs.http.map((h) => h.socket);
  assert.ok(rest.every((s) => s !== first && s === rest[0]));
});

test('without quirks the whole session stays on one connection even across the 401', async (t) => {
  const { acs, phone } = await setup(t);
  await phone.boot();
  assert.equal(new Set(acs.http.map((h) => h.socket)).size, 1);
});

test('an ACS RPC the phone does not know (GetAllQueuedTransfers) is answered with fault 9000', async (t) => {
  const { acs, phone } = await setup(t);
  acs.queue('SIM0001', { method: 'Unknown', name: 'GetAllQueuedTransfers' } as unknown as AcsRequest, { method: 'GetRPCMethods' });
  const rec = await phone.boot();
  assert.ok(rec.ok, rec.error);
  assert.deepEqual(rec.acsMethods, ['GetAllQueuedTransfers', 'GetRPCMethods']);
  const r = acs.sessions[0]!.exchanges[0]!.response;
  assert.ok(r.method === 'Fault' && r.code === 9000);
});
