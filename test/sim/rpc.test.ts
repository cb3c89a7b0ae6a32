// Every ACS RPC against a phone's state, without the network (tr069-protocol.md §3.1, §4.3).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/core/clock.ts';
import type { AcsRequest, CpeResponse, Fault } from '../../src/protocols/cwmp/types.ts';
import { FaultInjector } from './faults.ts';
import { getModel } from './models/index.ts';
import { identityFrom } from './phone-support.ts';
import type { Quirks } from './quirks.ts';
import { handleAcsRequest, type RpcHost } from './rpc.ts';
import { PhoneState } from './state.ts';

const VS = 'Device.Services.VoiceService.1.';

function host(model = 'tr181', quirks: Quirks = {}) {
  const m = getModel(model);
  const state = new PhoneState(m, identityFrom({ model, serial: 'SIM1', acsUrl: 'https://acs.test/' }, m), new FakeClock(), '1.0');
  const calls: string[] = [];
  const h: RpcHost = {
    state, quirks, faults: new FaultInjector(), transfers: [],
    reboot: (k) => calls.push(`reboot ${k}`), factoryReset: () => calls.push('factoryReset'),
    scheduleInform: (d, k) => calls.push(`scheduleInform ${d} ${k}`),
  };
  const call = (req: AcsRequest): CpeResponse | Fault => handleAcsRequest(h, req);
  return { h, state, calls, call };
}

function fault(r: CpeResponse | Fault): Fault {
  assert.equal(r.method, 'Fault', `expected a fault, got ${JSON.stringify(r)}`);
  return r as Fault;
}
function ok<M extends CpeResponse['method']>(r: CpeResponse | Fault, method: M): Extract<CpeResponse, { method: M }> {
  assert.equal(r.method, method, JSON.stringify(r));
  return r as Extract<CpeResponse, { method: M }>;
}

test('GetRPCMethods lists the family methods; a method the family lacks faults 9000', () => {
  const { call } = host('tr098');
  const methods = ok(call({ method: 'GetRPCMethods' }), 'GetRPCMethodsResponse').methods;
  assert.ok(methods.includes('AddObject') && !methods.includes('ScheduleDownload'));
  assert.equal(fault(call({ method: 'CancelTransfer', commandKey: 'x' })).code, 9000);
});

test('GetParameterNames: NextLevel semantics, instances, 9005 and 9003', () => {
  const { call } = host();
  const names = (path: string, nextLevel: boolean) =>
    ok(call({ method: 'GetParameterNames', parameterPath: path, nextLevel }), 'GetParameterNamesResponse').parameters;
  assert.deepEqual(names('', true), [{ name: 'Device.', writable: false }]);
  const top = names('Device.', true).map((p) => p.name);
  assert.ok(top.includes('Device.ManagementServer.') && top.includes('Device.RootDataModelVersion'));
  assert.ok(!top.some((n) => n.startsWith('Device.ManagementServer.URL')), 'only immediate children');
  assert.deepEqual(names(`${VS}SIP.Client.`, true), [{ name: `${VS}SIP.Client.1.`, writable: true }, { name: `${VS}SIP.Client.2.`, writable: true }]);
  const below = names(`${VS}SIP.Client.1.`, false);
  assert.deepEqual(below[0], { name: `${VS}SIP.Client.1.`, writable: true }, 'the object itself first');
  assert.ok(below.some((p) => p.name === `${VS}SIP.Client.1.AuthPassword` && p.writable));
  assert.deepEqual(names('Device.ManagementServer.ParameterKey', false), [{ name: 'Device.ManagementServer.ParameterKey', writable: false }]);
  assert.equal(fault(call({ method: 'GetParameterNames', parameterPath: 'Device.ManagementServer.URL', nextLevel: true })).code, 9003);
  assert.equal(fault(call({ method: 'GetParameterNames', parameterPath: 'Device.Nope.', nextLevel: true })).code, 9005);
  assert.equal(fault(call({ method: 'GetParameterNames', parameterPath: `${VS}SIP.Client.7.`, nextLevel: true })).code, 9005);
});

test('GetParameterValues: partial paths, hidden values read empty, one unknown name fails all', () => {
  const { call, state } = host();
  state.set(`${VS}SIP.Client.1.AuthPassword`, 'secret');
  const params = ok(call({ method: 'GetParameterValues', parameterNames: [`${VS}SIP.Client.1.`, 'Device.ManagementServer.PeriodicInformEnable'] }), 'GetParameterValuesResponse').parameters;
  assert.deepEqual(params.find((p) => p.name.endsWith('AuthPassword')), { name: `${VS}SIP.Client.1.AuthPassword`, value: '', type: 'xsd:string' });
  assert.deepEqual(params.at(-1), { name: 'Device.ManagementServer.PeriodicInformEnable', value: 'true', type: 'xsd:boolean' });
  assert.equal(fault(call({ method: 'GetParameterValues', parameterNames: ['Device.ManagementServer.URL', 'Device.Gone'] })).code, 9005);
});

test('SetParameterValues is atomic: per-parameter 9005/9006/9007/9008 under 9003, nothing applied', () => {
  const { call, state } = host();
  const f = fault(call({
    method: 'SetParameterValues', parameterKey: 'k1', parameterList: [
      { name: 'Device.ManagementServer.PeriodicInformInterval', value: '60', type: 'xsd:unsignedInt' },
      { name: 'Device.Nope', value: '1', type: 'xsd:string' },
      { name: 'Device.ManagementServer.PeriodicInformEnable', value: '1', type: 'xsd:string' },
      { name: `${VS}SIP.Network.1.ProxyServerPort`, value: '99999', type: 'xsd:unsignedInt' },
      { name: 'Device.DeviceInfo.SerialNumber', value: 'X', type: 'xsd:string' },
    ],
  }));
  assert.equal(f.code, 9003);
  assert.equal(f.faultCode, 'Client');
  assert.deepEqual(f.setParameterValuesFaults.map((x) => [x.name, x.code]), [
    ['Device.Nope', 9005], ['Device.ManagementServer.PeriodicInformEnable', 9006],
    [`${VS}SIP.Network.1.ProxyServerPort`, 9007], ['Device.DeviceInfo.SerialNumber', 9008],
  ]);
  assert.equal(state.get('Device.ManagementServer.PeriodicInformInterval'), '3600', 'nothing applied');
  assert.equal(state.get('Device.ManagementServer.ParameterKey'), '', 'ParameterKey only on success');
  const dup = { name: 'Device.ManagementServer.PeriodicInformInterval', value: '60', type: 'xsd:unsignedInt' };
  assert.equal(fault(call({ method: 'SetParameterValues', parameterKey: '', parameterList: [dup, dup] })).code, 9003);
});

test('SetParameterValues applies, stores ParameterKey; hidden values are kept but read empty', () => {
  const { call, state } = host();
  const r = ok(call({
    method: 'SetParameterValues', parameterKey: 'tmpl-17', parameterList: [
      { name: 'Device.ManagementServer.PeriodicInformInterval', value: '300', type: 'xsd:unsignedInt' },
      { name: `${VS}SIP.Client.1.AuthPassword`, value: 's3cret', type: 'xsd:string' },
      { name: `${VS}SIP.Client.1.Enable`, value: 'true', type: 'xsd:boolean' },
    ],
  }), 'SetParameterValuesResponse');
  assert.equal(r.status, 0);
  assert.equal(state.get('Device.ManagementServer.ParameterKey'), 'tmpl-17');
  assert.equal(state.get(`${VS}SIP.Client.1.AuthPassword`), 's3cret');
  const read = ok(call({ method: 'GetParameterValues', parameterNames: [`${VS}SIP.Client.1.AuthPassword`] }), 'GetParameterValuesResponse');
  assert.equal(read.parameters[0]!.value, '');
});

test('Get/SetParameterAttributes: notification stored, canDeny refuses active with 9009', () => {
  const { call, state } = host();
  const attrs = (name: string) => ok(call({ method: 'GetParameterAttributes', parameterNames: [name] }), 'GetParameterAttributesResponse').parameters;
  assert.deepEqual(attrs('Device.ManagementServer.ConnectionRequestURL'), [{ name: 'Device.ManagementServer.ConnectionRequestURL', notification: 2, accessList: [] }]);
  const set = (name: string, notification: number) => call({ method: 'SetParameterAttributes', parameterList: [{ name, notificationChange: true, notification, accessListChange: false, accessList: [] }] });
  ok(set(`${VS}SIP.Client.1.`, 2), 'SetParameterAttributesResponse');
  assert.ok(attrs(`${VS}SIP.Client.1.`).every((a) => a.notification === 2));
  assert.equal(fault(set('Device.ManagementServer.ParameterKey', 2)).code, 9009);
  ok(set('Device.ManagementServer.ParameterKey', 1), 'SetParameterAttributesResponse');
  assert.equal(fault(set('Device.Nope', 1)).code, 9005);
  assert.equal(fault(set('Device.ManagementServer.URL', 9)).code, 9003);
  assert.ok(state.stats().attributes > 0);
});

test('AddObject/DeleteObject: numbers never reused, fixed tables refuse, ParameterKey stored', () => {
  const { call, state } = host();
  const add = (objectName: string) => call({ method: 'AddObject', objectName, parameterKey: 'add' });
  assert.equal(ok(add(`${VS}SIP.Client.`), 'AddObjectResponse').instanceNumber, 3);
  assert.equal(state.get(`${VS}SIP.Client.3.Enable`), 'false', 'new instance holds defaults');
  assert.equal(state.get('Device.ManagementServer.ParameterKey'), 'add');
  ok(call({ method: 'DeleteObject', objectName: `${VS}SIP.Client.3.`, parameterKey: 'del' }), 'DeleteObjectResponse');
  assert.equal(ok(add(`${VS}SIP.Client.`), 'AddObjectResponse').instanceNumber, 4);
  assert.equal(fault(add(`${VS}Capabilities.Codec.`)).code, 9005, 'read-only table');
  assert.equal(fault(add('Device.ManagementServer.')).code, 9005, 'not a table');
  assert.equal(fault(call({ method: 'DeleteObject', objectName: `${VS}SIP.Client.3.`, parameterKey: '' })).code, 9005, 'already gone');
  assert.equal(fault(call({ method: 'DeleteObject', objectName: `${VS}Capabilities.Codec.1.`, parameterKey: '' })).code, 9005);
});

test('Reboot, FactoryReset and ScheduleInform are left to the phone', () => {
  const { call, calls } = host();
  ok(call({ method: 'Reboot', commandKey: 'rb-1' }), 'RebootResponse');
  ok(call({ method: 'FactoryReset' }), 'FactoryResetResponse');
  ok(call({ method: 'ScheduleInform', delaySeconds: 30, commandKey: 'si' }), 'ScheduleInformResponse');
  assert.deepEqual(calls, ['reboot rb-1', 'factoryReset', 'scheduleInform 30 si']);
});

test('Download/Upload queue a transfer (Status 1); bad protocol 9013; CancelTransfer 9021 when too late', () => {
  const { call, h } = host();
  const dl = { method: 'Download' as const, commandKey: 'fw', fileType: '1 Firmware Upgrade Image', url: 'http://127.0.0.1:1/fw.bin', username: '', password: '', fileSize: 0, targetFileName: '', delaySeconds: 0, successUrl: '', failureUrl: '' };
  const r = ok(call(dl), 'DownloadResponse');
  assert.deepEqual([r.status, r.startTime], [1, '0001-01-01T00:00:00Z']);
  assert.equal(fault(call({ ...dl, url: 'ftp://x/fw.bin' })).code, 9013);
  ok(call({ method: 'Upload', commandKey: 'up', fileType: '1 Vendor Configuration File', url: 'http://127.0.0.1:1/up', username: '', password: '', delaySeconds: 0 }), 'UploadResponse');
  assert.equal(h.transfers.length, 2);
  ok(call({ method: 'CancelTransfer', commandKey: 'up' }), 'CancelTransferResponse');
  assert.equal(h.transfers.length, 1);
  h.transfers[0]!.state = 'running';
  assert.equal(fault(call({ method: 'CancelTransfer', commandKey: 'fw' })).code, 9021);
  assert.equal(fault(call({ method: 'CancelTransfer', commandKey: 'unknown' })).code, 9021);
  const w = { windowStart: 10, windowEnd: 5, windowMode: '1 At Any Time', userMessage: '', maxRetries: 0 };
  assert.equal(fault(call({ method: 'ScheduleDownload', commandKey: 'sd', fileType: '1 Firmware Upgrade Image', url: 'http://x/f', username: '', password: '', fileSize: 0, targetFileName: '', timeWindows: [w] })).code, 9003);
});

test('injected faults answer instead of the method, the given number of times', () => {
  const { call, h } = host();
  h.faults.rpc('SetParameterValues', 9002);
  const spv = { method: 'SetParameterValues' as const, parameterKey: '', parameterList: [{ name: 'Device.ManagementServer.PeriodicInformInterval', value: '60', type: 'xsd:unsignedInt' }] };
  const f = fault(call(spv));
  assert.deepEqual([f.code, f.faultCode], [9002, 'Server']);
  ok(call(spv), 'SetParameterValuesResponse');
});

test('quirks: booleanAsInt, requireParameterKey, spvStatus1, noParameterKeyUpdate, rejectRootGpn', () => {
  const { call, state } = host('tr181', { booleanAsInt: true, requireParameterKey: true, spvStatus1: true, noParameterKeyUpdate: true, rejectRootGpn: true });
  const gpv = ok(call({ method: 'GetParameterValues', parameterNames: ['Device.ManagementServer.PeriodicInformEnable'] }), 'GetParameterValuesResponse');
  assert.equal(gpv.parameters[0]!.value, '1');
  const set = (value: string, parameterKey: string) => call({ method: 'SetParameterValues', parameterKey, parameterList: [{ name: 'Device.ManagementServer.PeriodicInformEnable', value, type: 'xsd:boolean' }] });
  assert.equal(fault(set('0', '')).code, 9003, 'ParameterKey required');
  assert.equal(fault(set('false', 'k')).setParameterValuesFaults[0]!.code, 9007, 'true/false refused');
  assert.equal(ok(set('0', 'k'), 'SetParameterValuesResponse').status, 1);
  assert.equal(state.get('Device.ManagementServer.PeriodicInformEnable'), 'false');
  assert.equal(state.get('Device.ManagementServer.ParameterKey'), '', 'key not stored');
  assert.equal(fault(call({ method: 'GetParameterNames', parameterPath: 'Device.', nextLevel: false })).code, 9002);
  ok(call({ method: 'GetParameterNames', parameterPath: 'Device.', nextLevel: true }), 'GetParameterNamesResponse');
});
