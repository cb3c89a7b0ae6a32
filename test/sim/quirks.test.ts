// Each quirk switch changes the phone's behaviour as quirks.ts documents it. The wire quirks of
// the first version are tested in session.test.ts, rpc.test.ts, transfer.test.ts and cr.test.ts;
// this file covers the rest and checks that no switch is left without a test.

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { FakeClock } from '../../src/core/clock.ts';
import type { AcsRequest, CpeResponse, Fault, GetParameterValuesResponse, TransferComplete } from '../../src/protocols/cwmp/types.ts';
import { FaultInjector } from './faults.ts';
import { startPhone, type SimPhone, type SimPhoneOptions } from './index.ts';
import { getModel } from './models/index.ts';
import { identityFrom } from './phone-support.ts';
import { QUIRKS, type Quirks } from './quirks.ts';
import { handleAcsRequest } from './rpc.ts';
import { SMALL_GPV_LIMIT } from './rpc-params.ts';
import { ScriptedAcs, type ScriptedAcsOptions } from './scripted-acs.ts';
import { PhoneState } from './state.ts';
import { firmwareImage } from './transfers.ts';
import { testTls } from './test-tls.ts';

const CREDS = { username: 'boot', password: 'strap' };

async function setup(t: TestContext, acsOpts: ScriptedAcsOptions = {}, phoneOpts: Partial<SimPhoneOptions> = {}): Promise<{ acs: ScriptedAcs; phone: SimPhone }> {
  const tls = testTls();
  const acs = await new ScriptedAcs({ tls, credentials: { [CREDS.username]: CREDS.password }, ...acsOpts }).start();
  t.after(() => acs.stop());
  const phone = await startPhone({ model: 'tr181', serial: 'Q0001', acsUrl: acs.url, ca: tls.ca, ...CREDS, ...phoneOpts });
  t.after(() => phone.stop());
  return { acs, phone };
}

function rpc(model: string, quirks: Quirks) {
  const m = getModel(model);
  const state = new PhoneState(m, identityFrom({ model, serial: 'Q1', acsUrl: 'https://acs.test/' }, m), new FakeClock(), '1.0');
  const host = { state, quirks, faults: new FaultInjector(), transfers: [], reboot: () => {}, factoryReset: () => {}, scheduleInform: () => {} };
  return { state, call: (req: AcsRequest): CpeResponse | Fault => handleAcsRequest(host, req) };
}

/** A firmware server for one image: GET /fw.bin. */
async function firmwareServer(t: TestContext, version: string): Promise<string> {
  const image = firmwareImage(version, 2048);
  const server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(req.url === '/fw.bin' ? 200 : 404, { 'Content-Length': String(req.url === '/fw.bin' ? image.length : 0) });
    res.end(req.url === '/fw.bin' ? image : undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/fw.bin`;
}

const download = (url: string, commandKey: string): AcsRequest => ({
  method: 'Download', commandKey, fileType: '1 Firmware Upgrade Image', url, username: '', password: '', fileSize: 0,
  targetFileName: '', delaySeconds: 0, successUrl: '', failureUrl: '',
});

test('dateTimeMillis: CurrentTime and dateTime values carry milliseconds on the wire', async (t) => {
  const { acs, phone } = await setup(t, { keepBodies: true }, { quirks: { dateTimeMillis: true } });
  acs.queue('Q0001', { method: 'GetParameterValues', parameterNames: ['Device.Time.CurrentLocalTime'] });
  assert.ok((await phone.boot()).ok);
  const bodies = acs.http.map((h) => h.body ?? '');
  assert.match(bodies.find((b) => b.includes('<cwmp:Inform>'))!, /<CurrentTime>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000(Z|[+-])/);
  assert.match(bodies.find((b) => b.includes('GetParameterValuesResponse'))!, /xsd:dateTime">[^<]+\.000Z</);
  const { acs: acs2, phone: plain } = await setup(t, { keepBodies: true }, { serial: 'Q0001' });
  assert.ok((await plain.boot()).ok);
  assert.doesNotMatch(acs2.http.map((h) => h.body ?? '').join(''), /<CurrentTime>[^<]+\.\d+/);
});

test('droppedParameterAfterUpgrade: after new firmware a GPV naming the dropped parameter faults 9005 for the whole call', async (t) => {
  const url = await firmwareServer(t, '2.0.0');
  const { acs, phone } = await setup(t, {}, { quirks: { droppedParameterAfterUpgrade: true } });
  const gpv: AcsRequest = { method: 'GetParameterValues', parameterNames: ['Device.Time.LocalTimeZone', 'Device.DeviceInfo.SoftwareVersion'] };
  acs.queue('Q0001', gpv, download(url, 'fw-2'));
  const from = phone.sessionCount;
  assert.ok((await phone.boot()).ok);
  assert.equal(acs.sessions[0]!.exchanges[0]!.response.method, 'GetParameterValuesResponse', 'present before the upgrade');
  await phone.waitForSession((s) => s.events.includes('7 TRANSFER COMPLETE'), 5000, from);
  assert.equal(phone.softwareVersion, '2.0.0');
  acs.queue('Q0001', gpv, { method: 'GetParameterValues', parameterNames: ['Device.DeviceInfo.SoftwareVersion'] });
  await phone.session();
  const last = acs.sessions.at(-1)!.exchanges;
  assert.equal((last[0]!.response as Fault).code, 9005);
  assert.equal(last[1]!.response.method, 'GetParameterValuesResponse', 'retry without it works');
  assert.equal(phone.get('Device.Time.LocalTimeZone'), undefined);
});

test('omitSingleInstance: names lose the number of single-instance tables; both forms are accepted', () => {
  const VP = 'Device.Services.VoiceService.1.VoiceProfile.1.';
  const { call } = rpc('unify', { omitSingleInstance: true });
  const r = call({ method: 'GetParameterValues', parameterNames: [`${VP}Line.1.SIP.AuthUserName`] }) as GetParameterValuesResponse;
  assert.deepEqual(r.parameters.map((p) => p.name), ['Device.Services.VoiceService.VoiceProfile.Line.SIP.AuthUserName']);
  const spv = call({ method: 'SetParameterValues', parameterKey: 'k', parameterList: [{ name: 'Device.Services.VoiceService.VoiceProfile.Line.SIP.AuthUserName', value: '2001', type: 'xsd:string' }] });
  assert.equal(spv.method, 'SetParameterValuesResponse');
  const again = call({ method: 'GetParameterValues', parameterNames: ['Device.Services.VoiceService.VoiceProfile.Line.SIP.AuthUserName'] }) as GetParameterValuesResponse;
  assert.equal(again.parameters[0]!.value, '2001');
  // Yealink has six profiles: their numbers stay, VoiceService's and Line's go.
  const y = rpc('yealink', { omitSingleInstance: true });
  const names = (y.call({ method: 'GetParameterNames', parameterPath: 'Device.Services.VoiceService.1.VoiceProfile.2.Line.', nextLevel: true }) as { parameters: { name: string }[] }).parameters;
  assert.deepEqual(names.map((p) => p.name), ['Device.Services.VoiceService.VoiceProfile.2.Line.']);
  const plain = rpc('unify', {}).call({ method: 'GetParameterValues', parameterNames: [`${VP}Line.1.SIP.AuthUserName`] }) as GetParameterValuesResponse;
  assert.equal(plain.parameters[0]!.name, `${VP}Line.1.SIP.AuthUserName`);
});

test('wrongWritable: GetParameterNames reports writable parameters as read-only, SPV still works', () => {
  const { call, state } = rpc('tr181', { wrongWritable: true });
  const gpn = call({ method: 'GetParameterNames', parameterPath: 'Device.ManagementServer.PeriodicInformInterval', nextLevel: false }) as { parameters: { writable: boolean }[] };
  assert.equal(gpn.parameters[0]!.writable, false);
  call({ method: 'SetParameterValues', parameterKey: '', parameterList: [{ name: 'Device.ManagementServer.PeriodicInformInterval', value: '77', type: 'xsd:unsignedInt' }] });
  assert.equal(state.get('Device.ManagementServer.PeriodicInformInterval'), '77');
  const ok = rpc('tr181', {}).call({ method: 'GetParameterNames', parameterPath: 'Device.ManagementServer.PeriodicInformInterval', nextLevel: false }) as { parameters: { writable: boolean }[] };
  assert.equal(ok.parameters[0]!.writable, true);
});

test('smallGpv: more than 16 names in one GetParameterValues → 9002', () => {
  const names = Array.from({ length: SMALL_GPV_LIMIT + 1 }, () => 'Device.DeviceInfo.SerialNumber');
  assert.equal((rpc('grandstream', { smallGpv: true }).call({ method: 'GetParameterValues', parameterNames: names }) as Fault).code, 9002);
  assert.equal(rpc('grandstream', { smallGpv: true }).call({ method: 'GetParameterValues', parameterNames: names.slice(1) }).method, 'GetParameterValuesResponse');
  assert.equal(rpc('grandstream', {}).call({ method: 'GetParameterValues', parameterNames: names }).method, 'GetParameterValuesResponse');
});

test('localDrift: a value the ACS set changes from the menu every driftIntervalS, with VALUE CHANGE when notified', async (t) => {
  const clock = new FakeClock();
  const { acs, phone } = await setup(t, {}, { model: 'unify', clock, quirks: { localDrift: true }, driftIntervalS: 60 });
  const path = 'Device.Services.VoiceService.1.VoiceProfile.1.SIP.ProxyServer';
  acs.queue('Q0001',
    { method: 'SetParameterValues', parameterKey: 'p1', parameterList: [{ name: path, value: 'pbx.site.test', type: 'xsd:string' }] },
    { method: 'SetParameterAttributes', parameterList: [{ name: path, notificationChange: true, notification: 2, accessListChange: false, accessList: [] }] });
  assert.ok((await phone.boot()).ok);
  assert.equal(phone.get(path), 'pbx.site.test');
  const from = phone.sessionCount;
  clock.advance(60_000);
  const s = await phone.waitForSession((x) => x.events.includes('4 VALUE CHANGE'), 5000, from);
  assert.ok(s.ok);
  assert.notEqual(phone.get(path), 'pbx.site.test');
  const changed = acs.sessions.at(-1)!.inform.parameters.find((p) => p.name === path);
  assert.equal(changed?.value, phone.get(path));
});

test('ignoreHoldRequests: TransferComplete is sent although the ACS holds requests', async (t) => {
  for (const quirk of [false, true]) {
    const { acs, phone } = await setup(t, { holdRequests: true }, { serial: quirk ? 'Q0001' : 'Q0002', quirks: { ignoreHoldRequests: quirk } });
    phone.injectTransferFault(9010);
    acs.queue(phone.serial, download('http://127.0.0.1:1/fw.bin', 'k1'));
    const from = phone.sessionCount;
    await phone.boot();
    await phone.waitForSession((s) => s.events.includes('7 TRANSFER COMPLETE'), 5000, from);
    const tc = acs.sessions.at(-1)!.cpeRequests;
    assert.equal(tc.length, quirk ? 1 : 0, `quirk ${quirk}`);
  }
});

test('transferFaultAfterSuccess: the new firmware runs, TransferComplete says 9010', async (t) => {
  const url = await firmwareServer(t, '3.0.0');
  const { acs, phone } = await setup(t, {}, { quirks: { transferFaultAfterSuccess: true } });
  acs.queue('Q0001', download(url, 'fw-3'));
  const from = phone.sessionCount;
  await phone.boot();
  const s = await phone.waitForSession((x) => x.events.includes('7 TRANSFER COMPLETE'), 5000, from);
  assert.ok(s.ok);
  assert.equal(phone.softwareVersion, '3.0.0');
  assert.equal((acs.sessions.at(-1)!.cpeRequests[0] as TransferComplete).fault.code, 9010);
});

test('requireXmlDeclaration and requireContentLength: the phone drops a session whose ACS breaks them', async (t) => {
  const cases: [ScriptedAcsOptions, Quirks, RegExp][] = [
    [{ noXmlDeclaration: true }, { requireXmlDeclaration: true }, /declaration/],
    [{ chunked: true }, { requireContentLength: true }, /Content-Length/],
  ];
  for (const [acsOpts, quirks, error] of cases) {
    const { phone } = await setup(t, acsOpts, { quirks });
    const bad = await phone.boot();
    assert.equal(bad.ok, false);
    assert.match(bad.error ?? '', error);
    const { phone: tolerant } = await setup(t, acsOpts);
    assert.ok((await tolerant.boot()).ok, 'without the quirk the same ACS is fine');
  }
});

test('every quirk switch has a test', () => {
  const dir = import.meta.dirname;
  const text = readdirSync(dir).filter((f) => f.endsWith('.test.ts')).map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
  const untested = Object.keys(QUIRKS).filter((q) => !new RegExp(`\\b${q}\\b`).test(text.replace(/Object\.keys\(QUIRKS\)/g, '')));
  assert.deepEqual(untested, []);
  assert.ok(Object.values(QUIRKS).every((q) => q.implemented), 'every quirk implemented');
});
