// Parser golden tests: realistic CPE messages (testdata/golden/*.xml → *.json), a 200 KB
// GetParameterValuesResponse generated from the TR-104 model, and the helpers.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { detectCharset, isEmptyBody, parseEnvelope, type CwmpEnvelope, type Inform } from './index.ts';
import { bigGpvResponse } from './testdata/generate.ts';

const GOLDEN = new URL('./testdata/golden/', import.meta.url);
const golden = (name: string): Buffer => readFileSync(new URL(name, GOLDEN));
const expected = (name: string): CwmpEnvelope => JSON.parse(readFileSync(new URL(name.replace(/\.xml$/, '.json'), GOLDEN), 'utf8'));

test('golden messages parse to their recorded envelopes', () => {
  const files = readdirSync(GOLDEN).filter((f) => f.endsWith('.xml'));
  assert.ok(files.length >= 7);
  for (const f of files) assert.deepEqual(parseEnvelope(golden(f)), expected(f), f);
});

test('TR-098 Inform with BOOTSTRAP + BOOT (cwmp-1-0, SOAP-ENV prefixes, encodingStyle)', () => {
  const env = parseEnvelope(golden('inform-tr098-bootstrap.xml')) as CwmpEnvelope<Inform>;
  assert.equal(env.namespace, 'urn:dslforum-org:cwmp-1-0');
  assert.deepEqual(env.header, { id: '5058' });
  assert.deepEqual(env.body.events.map((e) => e.code), ['0 BOOTSTRAP', '1 BOOT']);
  assert.deepEqual(env.body.deviceId, { manufacturer: 'ExPhone Industrial', oui: '00A0F4', productClass: 'EXT-IP-1', serialNumber: 'EX20250001' });
  const p = Object.fromEntries(env.body.parameters.map((x) => [x.name, x]));
  assert.equal(p['InternetGatewayDevice.ManagementServer.ConnectionRequestURL']?.value, 'http://10.20.0.57:7547/tr069?sn=EX20250001&k=1');
  assert.deepEqual(p['InternetGatewayDevice.ManagementServer.PeriodicInformInterval'],
    { name: 'InternetGatewayDevice.ManagementServer.PeriodicInformInterval', value: '86400', type: 'xsd:unsignedInt' });
  assert.equal(p['InternetGatewayDevice.DeviceInfo.ProvisioningCode']?.value, '');
});

test('TR-181 Inform, CWMP 1.4 headers: SessionTimeout + SupportedCWMPVersions with spaces', () => {
  const env = parseEnvelope(golden('inform-tr181-1-4.xml')) as CwmpEnvelope<Inform>;
  assert.deepEqual(env.header, { id: '1742', sessionTimeout: 60, supportedVersions: ['1.0', '1.1', '1.2', '1.3', '1.4'] });
  assert.equal(env.body.retryCount, 2);
  assert.equal(env.body.currentTime, '2025-05-01T10:00:00.431+02:00', 'received dateTimes are kept as sent');
  assert.deepEqual(env.body.events[2], { code: 'M Download', commandKey: 'fw-2025-05' });
  assert.equal(env.body.parameters.find((x) => x.name.endsWith('AliasBasedAddressing'))?.type, 'xsd:boolean');
});

test('Yealink-like Inform: no XML declaration, lower-case serial, character reference', () => {
  const env = parseEnvelope(golden('inform-yealink.xml')) as CwmpEnvelope<Inform>;
  assert.equal(env.header.id, 'ID:intrnl.unset.id.Inform1746093600');
  assert.equal(env.body.deviceId.serialNumber, '00156546699d');
  assert.equal(env.body.parameters.at(-1)?.value, 'Português');
  assert.deepEqual(env.body.events[1], { code: 'M Reboot', commandKey: 'rb-7' });
});

test('Grandstream-like Inform: cwmp namespace declared on Body and on the header element, padded ID, arrayType [0011]', () => {
  const env = parseEnvelope(golden('inform-grandstream.xml')) as CwmpEnvelope<Inform>;
  assert.equal(env.namespace, 'urn:dslforum-org:cwmp-1-2');
  assert.equal(env.header.id, '2017');
  assert.equal(env.body.parameters.length, 11);
  assert.equal(env.body.parameters[9]?.value, 'Gate <North> 1234');
  assert.equal(env.body.currentTime, '2025-05-01T12:30:05');
});

test('faults: 9002, 9005 (SOAP-ENV:Client), 9003 with several SetParameterValuesFault', () => {
  const f2 = parseEnvelope(golden('fault-9002-big-gpv.xml')).body;
  assert.deepEqual(f2, { method: 'Fault', faultCode: 'Server', faultString: 'CWMP fault', code: 9002, string: 'Internal error', setParameterValuesFaults: [] });
  const f5 = parseEnvelope(golden('fault-9005.xml')).body;
  assert.equal(f5.method === 'Fault' && f5.faultCode, 'Client');
  assert.equal(f5.method === 'Fault' && f5.code, 9005);
  const spv = parseEnvelope(golden('fault-spv.xml')).body;
  assert.ok(spv.method === 'Fault');
  assert.equal(spv.code, 9003);
  assert.deepEqual(spv.setParameterValuesFaults.map((x) => [x.code, x.string]),
    [[9007, 'Invalid parameter value'], [9008, 'Attempt to set a non-writable parameter'], [9006, '']]);
});

test('200 KB GetParameterValuesResponse generated from the TR-104 model parses exactly, in a few ms', () => {
  const { xml, expected: want } = bigGpvResponse(200 * 1024);
  assert.ok(xml.length >= 200 * 1024);
  const buf = Buffer.from(xml);
  assert.deepEqual(parseEnvelope(buf), want);
  for (let i = 0; i < 10; i++) parseEnvelope(buf); // warm-up
  const runs = 20;
  const start = performance.now();
  for (let i = 0; i < runs; i++) parseEnvelope(buf);
  const ms = (performance.now() - start) / runs;
  assert.ok(ms < 25, `parse took ${ms.toFixed(2)} ms/op (bench: scripts/bench/cwmp-parse.ts)`); // generous for slow CI
});

test('isEmptyBody: empty, whitespace and newline-only bodies are an empty POST (§1.4, §11.2)', () => {
  for (const b of ['', ' ', '\r\n', ' \t\n ', Buffer.alloc(0), Buffer.from(' \r\n\t'), undefined, null]) assert.equal(isEmptyBody(b), true, JSON.stringify(b));
  for (const b of ['<a/>', ' x ', Buffer.from(' <')]) assert.equal(isEmptyBody(b), false);
});

test('detectCharset: Content-Type charset, else XML declaration, else utf-8 (§11.1)', () => {
  const body = Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><a/>');
  assert.equal(detectCharset('text/xml; charset="UTF-8"', body), 'utf-8');
  assert.equal(detectCharset('text/xml;charset=iso-8859-1', Buffer.from('<a/>')), 'iso-8859-1');
  assert.equal(detectCharset('text/xml', body), 'iso-8859-1');
  assert.equal(detectCharset(undefined, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body])), 'iso-8859-1');
  assert.equal(detectCharset(undefined, Buffer.from("<?xml version='1.0' encoding='windows-1252'?>")), 'windows-1252');
  assert.equal(detectCharset('text/xml', Buffer.from('<a/>')), 'utf-8');
  assert.equal(detectCharset(undefined, Buffer.alloc(0)), 'utf-8');
});
