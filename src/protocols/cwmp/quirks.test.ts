// The interoperability quirks of tr069-protocol.md §11.1 (and the §11.3 ones that touch the
// codec), one test each: lenient in what we accept.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isOutpostError } from '../../core/errors.ts';
import { parseEnvelope, type CwmpEnvelope, type GetParameterValuesResponse, type Inform, type ParameterValue } from './index.ts';

const SOAP = 'http://schemas.xmlsoap.org/soap/envelope/';
const NS0 = 'urn:dslforum-org:cwmp-1-0';
const DECLS = `xmlns:soap="${SOAP}" xmlns:soap-enc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"`;

function env(body: string, header = '<cwmp:ID soap:mustUnderstand="1">1</cwmp:ID>', ns = NS0): string {
  return `<soap:Envelope ${DECLS} xmlns:cwmp="${ns}"><soap:Header>${header}</soap:Header><soap:Body>${body}</soap:Body></soap:Envelope>`;
}
function gpvr(structs: string): string {
  return env(`<cwmp:GetParameterValuesResponse><ParameterList soap-enc:arrayType="cwmp:ParameterValueStruct[1]">${structs}</ParameterList></cwmp:GetParameterValuesResponse>`);
}
function params(xml: string | Buffer, opts?: Parameters<typeof parseEnvelope>[1]): ParameterValue[] {
  return (parseEnvelope(xml, opts) as CwmpEnvelope<GetParameterValuesResponse>).body.parameters;
}
const pvs = (value: string, type = ' xsi:type="xsd:string"'): string =>
  `<ParameterValueStruct><Name>Device.X</Name><Value${type}>${value}</Value></ParameterValueStruct>`;
const one = (value: string, type?: string): ParameterValue => params(gpvr(pvs(value, type)))[0]!;
const INFORM_BODY = '<DeviceId><Manufacturer>M</Manufacturer><OUI>00A1B2</OUI><ProductClass>P</ProductClass><SerialNumber>S</SerialNumber></DeviceId>'
  + '<Event soap-enc:arrayType="cwmp:EventStruct[1]"><EventStruct><EventCode>1 BOOT</EventCode><CommandKey></CommandKey></EventStruct></Event>'
  + '<MaxEnvelopes>1</MaxEnvelopes><CurrentTime>2025-05-01T10:00:00Z</CurrentTime><RetryCount>0</RetryCount>'
  + '<ParameterList soap-enc:arrayType="cwmp:ParameterValueStruct[0]"></ParameterList>';

test('any envelope prefix, or the default namespace; any CWMP prefix, or none', () => {
  for (const p of ['SOAP-ENV', 'soapenv', 'soap_env', 's', 'soap-env']) {
    const xml = `<${p}:Envelope xmlns:${p}="${SOAP}" xmlns:ns1="${NS0}"><${p}:Body><ns1:Reboot><CommandKey>k</CommandKey></ns1:Reboot></${p}:Body></${p}:Envelope>`;
    assert.deepEqual(parseEnvelope(xml).body, { method: 'Reboot', commandKey: 'k' }, p);
  }
  const dflt = `<Envelope xmlns="${SOAP}"><Header><ID xmlns="${NS0}"> 9 </ID></Header><Body><Reboot xmlns="${NS0}"><CommandKey>k</CommandKey></Reboot></Body></Envelope>`;
  assert.deepEqual(parseEnvelope(dflt), { namespace: NS0, header: { id: '9' }, body: { method: 'Reboot', commandKey: 'k' } });
  // Method unqualified, CWMP namespace only known from the header (lenient fallback).
  const unq = `<s:Envelope xmlns:s="${SOAP}" xmlns:c="${NS0}"><s:Header><c:ID>1</c:ID></s:Header><s:Body><RebootResponse/></s:Body></s:Envelope>`;
  assert.equal(parseEnvelope(unq).body.method, 'RebootResponse');
  // Arguments qualified with the cwmp prefix are accepted too.
  assert.deepEqual(parseEnvelope(env('<cwmp:Reboot><cwmp:CommandKey>q</cwmp:CommandKey></cwmp:Reboot>')).body, { method: 'Reboot', commandKey: 'q' });
});

test('CWMP namespace declared on Body, on the method element, inner redeclaration wins', () => {
  const onMethod = `<soap:Envelope xmlns:soap="${SOAP}"><soap:Body><c:Reboot xmlns:c="urn:dslforum-org:cwmp-1-1"><CommandKey/></c:Reboot></soap:Body></soap:Envelope>`;
  assert.equal(parseEnvelope(onMethod).namespace, 'urn:dslforum-org:cwmp-1-1');
  const shadow = `<soap:Envelope xmlns:soap="${SOAP}" xmlns:c="urn:other"><soap:Body xmlns:c="urn:dslforum-org:cwmp-1-2"><c:FactoryReset/></soap:Body></soap:Envelope>`;
  assert.equal(parseEnvelope(shadow).namespace, 'urn:dslforum-org:cwmp-1-2');
});

test('all five CWMP namespaces accepted, including non-standard cwmp-1-3 / cwmp-1-4; others refused', () => {
  for (const v of ['0', '1', '2', '3', '4']) {
    const ns = `urn:dslforum-org:cwmp-1-${v}`;
    assert.equal(parseEnvelope(env('<cwmp:GetRPCMethods/>', '', ns)).namespace, ns);
  }
  assert.throws(() => parseEnvelope(env('<cwmp:GetRPCMethods/>', '', 'urn:dslforum-org:cwmp-1-9')), (e) => isOutpostError(e, 'ACS_NOT_SOAP'));
  assert.throws(() => parseEnvelope(env('<x:Get xmlns:x="urn:foo"/>')), (e) => isOutpostError(e, 'ACS_NOT_SOAP'));
});

test('arrayType is never trusted: leading zeros, wrong count, attribute absent, SOAP-ENC:Array typing', () => {
  const two = pvs('a') + pvs('b');
  for (const attr of ['soap-enc:arrayType="cwmp:ParameterValueStruct[0008]"', 'soap-enc:arrayType="xsd:string[1]"', '',
    'xsi:type="soap-enc:Array" soap-enc:arrayType="cwmp:ParameterValueStruct[2]"']) {
    const xml = env(`<cwmp:GetParameterValuesResponse><ParameterList ${attr}>${two}</ParameterList></cwmp:GetParameterValuesResponse>`);
    assert.deepEqual(params(xml).map((p) => p.value), ['a', 'b'], attr);
  }
});

test('empty Event array (Adtran) and self-closing Event', () => {
  for (const ev of ['<Event soap-enc:arrayType="cwmp:EventStruct[0]"></Event>', '<Event/>', '']) {
    const xml = env(`<cwmp:Inform>${INFORM_BODY.replace(/<Event .*<\/Event>/, ev)}</cwmp:Inform>`);
    assert.deepEqual((parseEnvelope(xml).body as Inform).events, [], ev);
  }
});

test('xsi:type missing, empty, wrong case or unprefixed → normalised (Sphairon, AudioCodes)', () => {
  assert.equal(one('v', '').type, 'xsd:string');
  assert.equal(one('v', ' xsi:type="xsd:"').type, 'xsd:string');
  assert.equal(one('v', ' xsi:type="xsd:String"').type, 'xsd:string');
  assert.equal(one('v', ' xsi:type="string"').type, 'xsd:string');
  assert.equal(one('7', ' xsi:type="xs:UNSIGNEDINT"').type, 'xsd:unsignedInt');
  assert.equal(one('7', ' xsi:type="xsd:unsignedlong"').type, 'xsd:unsignedLong');
  assert.equal(one('1', ' xsi:type="XSD:Boolean"').type, 'xsd:boolean');
  assert.equal(one('x', ' xsi:type="xsd:datetime"').type, 'xsd:dateTime');
  assert.equal(one('AA==', ' xsi:type="xsd:base64"').type, 'xsd:base64');
  assert.equal(one('1', ' xsi:type="xsd:unsignedByte"').type, 'xsd:unsignedByte', 'unknown types are kept');
  // xsi:type used without declaring the xsi prefix (tolerated)
  const undeclared = `<s:Envelope xmlns:s="${SOAP}" xmlns:c="${NS0}"><s:Body><c:GetParameterValuesResponse><ParameterList>${pvs('3', ' xsi:type="xsd:int"')}</ParameterList></c:GetParameterValuesResponse></s:Body></s:Envelope>`;
  assert.equal(params(undeclared)[0]?.type, 'xsd:int');
});

test('missing Value element → empty string; Fault without Header; stray encodingStyle attributes (Cisco SPA122)', () => {
  assert.deepEqual(params(gpvr('<ParameterValueStruct><Name>Device.X</Name></ParameterValueStruct>'))[0], { name: 'Device.X', value: '', type: 'xsd:string' });
  const xml = `<soap:Envelope xmlns:soap="${SOAP}" soap:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><soap:Body soap:encodingStyle="x"><soap:Fault><faultcode>soap:Server</faultcode><faultstring>Internal error</faultstring></soap:Fault></soap:Body></soap:Envelope>`;
  const e = parseEnvelope(xml);
  assert.deepEqual(e.header, {});
  assert.deepEqual(e.body, { method: 'Fault', faultCode: 'Server', faultString: 'Internal error', code: 9002, string: 'Internal error', setParameterValuesFaults: [] });
});

test('pretty-printed values: non-strings trimmed, strings only lose newline+indent wrapping (GenieACS #301)', () => {
  assert.equal(one('\n        5\n      ', ' xsi:type="xsd:unsignedInt"').value, '5');
  assert.equal(one('  true ', ' xsi:type="xsd:boolean"').value, 'true');
  assert.equal(one('\n        Gate 1\n      ').value, 'Gate 1');
  assert.equal(one('\r\n\tGate 1\r\n').value, 'Gate 1');
  assert.equal(one('  two spaces  ').value, '  two spaces  ', 'significant whitespace is kept');
  assert.equal(one('line1\nline2').value, 'line1\nline2');
  const gpn = env('<cwmp:GetParameterNamesResponse><ParameterList><ParameterInfoStruct>\n  <Name>\n    Device.A.\n  </Name>\n  <Writable>\n 1 \n</Writable>\n</ParameterInfoStruct></ParameterList></cwmp:GetParameterNamesResponse>');
  assert.deepEqual(parseEnvelope(gpn).body, { method: 'GetParameterNamesResponse', parameters: [{ name: 'Device.A.', writable: true }] });
});

test('cwmp:ID missing, empty, non-numeric or padded; echoed trimmed (AMIT, Sagem)', () => {
  assert.equal(parseEnvelope(env('<cwmp:GetRPCMethods/>', '')).header.id, undefined);
  assert.equal(parseEnvelope(env('<cwmp:GetRPCMethods/>', '<cwmp:ID/>')).header.id, '');
  assert.equal(parseEnvelope(env('<cwmp:GetRPCMethods/>', '<cwmp:ID soap:mustUnderstand="1">\n   SAGEM_ID_7589\n </cwmp:ID>')).header.id, 'SAGEM_ID_7589');
  assert.equal(parseEnvelope(env('<cwmp:GetRPCMethods/>', '<cwmp:ID>inform</cwmp:ID>')).header.id, 'inform');
});

test('header elements case-insensitive; HoldRequests, NoMoreRequests, UseCWMPVersion', () => {
  const h = parseEnvelope(env('<cwmp:GetRPCMethods/>', '<cwmp:sessionTimeout> 45 </cwmp:sessionTimeout><cwmp:NoMoreRequests>1</cwmp:NoMoreRequests>'
    + '<cwmp:HoldRequests soap:mustUnderstand="1"> TRUE </cwmp:HoldRequests><cwmp:UseCWMPVersion>1.4</cwmp:UseCWMPVersion>'
    + '<cwmp:SupportedCWMPVersions> 1.0 ,1.1,, 1.4 </cwmp:SupportedCWMPVersions>')).header;
  assert.deepEqual(h, { sessionTimeout: 45, holdRequests: true, useVersion: '1.4', supportedVersions: ['1.0', '1.1', '1.4'] });
  assert.equal(parseEnvelope(env('<cwmp:GetRPCMethods/>', '<cwmp:HoldRequests>0</cwmp:HoldRequests>')).header.holdRequests, false);
  assert.equal(parseEnvelope(env('<cwmp:GetRPCMethods/>', '<cwmp:SessionTimeout>soon</cwmp:SessionTimeout>')).header.sessionTimeout, undefined);
});

test('booleans: 0/1/true/false, any case, trimmed', () => {
  const gpn = (w: string): boolean => {
    const b = parseEnvelope(env(`<cwmp:GetParameterNamesResponse><ParameterList><ParameterInfoStruct><Name>a</Name><Writable>${w}</Writable></ParameterInfoStruct></ParameterList></cwmp:GetParameterNamesResponse>`)).body;
    return b.method === 'GetParameterNamesResponse' && b.parameters[0]!.writable;
  };
  for (const t of ['1', 'true', 'TRUE', ' True ', '\n1\n']) assert.equal(gpn(t), true, t);
  for (const f of ['0', 'false', 'FALSE', ' 0 ', '', 'yes']) assert.equal(gpn(f), false, f);
});

test('CDATA sections in values (GenieACS refuses them) and comments/PIs anywhere', () => {
  assert.equal(one('<![CDATA[a<b>&c]]>').value, 'a<b>&c');
  assert.equal(one('x<![CDATA[]]>y<!-- c --><?pi z?>').value, 'xy');
  const xml = `<?xml version="1.0"?><!-- lead --><?vendor x?>${gpvr(pvs('v'))}<!-- trail -->`;
  assert.equal(params(xml)[0]?.value, 'v');
});

test('UTF-8 BOM stripped (Buffer and string); ISO-8859-1 bodies decoded with the given charset (Thomson)', () => {
  const xml = gpvr(pvs('Zürich'));
  assert.equal(params(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(xml)]))[0]?.value, 'Zürich');
  assert.equal(params(`\uFEFF${xml}`)[0]?.value, 'Zürich');
  const latin1 = Buffer.from(`<?xml version="1.0" encoding="ISO-8859-1"?>${gpvr(pvs('Z\u00fcrich \u00e9t\u00e9'))}`, 'latin1');
  assert.equal(params(latin1, { charset: 'iso-8859-1' })[0]?.value, 'Zürich été');
  assert.equal(params(latin1, { charset: 'ISO-8859-1' })[0]?.value, 'Zürich été');
  assert.equal(params(Buffer.from(gpvr(pvs('\u20ac')), 'utf8'), { charset: 'no-such-charset' })[0]?.value, '€', 'unknown charset → utf-8');
});

test('XML-1.0-illegal control characters are stripped, raw or as references (GenieACS #76)', () => {
  assert.equal(one('a\u0000b\u001bc\u0007d').value, 'abcd');
  assert.equal(one('a&#x1B;b&#0;c&#9;d&#10;e').value, 'abc\td\ne');
});

test('unescaped & kept literally in lenient mode (default); refused with strict: true', () => {
  assert.equal(one('AT&T & co &foo; &#xZZ; &').value, 'AT&T & co &foo; &#xZZ; &');
  assert.equal(one('a &amp; b &lt;&gt;&quot;&apos; &#65;&#x42;&#X43;').value, 'a & b <>"\' AB&#X43;');
  assert.throws(() => parseEnvelope(gpvr(pvs('AT&T')), { strict: true }), (e) => isOutpostError(e, 'ACS_XML_MALFORMED'));
});

test('several envelopes in one body: the first only (§11.3)', () => {
  const xml = env('<cwmp:Reboot><CommandKey>first</CommandKey></cwmp:Reboot>') + env('<cwmp:Reboot><CommandKey>second</CommandKey></cwmp:Reboot>');
  assert.deepEqual(parseEnvelope(xml).body, { method: 'Reboot', commandKey: 'first' });
});

test('unknown CPE methods become { method: Unknown, name }, even names of Object.prototype', () => {
  assert.deepEqual(parseEnvelope(env('<cwmp:Kicked><Command>x</Command></cwmp:Kicked>')).body, { method: 'Unknown', name: 'Kicked' });
  for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
    assert.deepEqual(parseEnvelope(env(`<cwmp:${name}/>`)).body, { method: 'Unknown', name });
  }
});

test('CRLF line ends normalised inside values (XML 1.0 §2.11)', () => {
  assert.equal(one('a\r\nb\rc').value, 'a\nb\nc');
  assert.equal(one('a&#13;b').value, 'a\rb', 'an escaped CR survives');
});

test('not SOAP: wrong root, no Body, empty Body', () => {
  for (const xml of ['<html><body/></html>', `<soap:Envelope xmlns:soap="${SOAP}"/>`, `<soap:Envelope xmlns:soap="${SOAP}"><soap:Body>  </soap:Body></soap:Envelope>`,
    `<Envelope><Body><Reboot/></Body></Envelope>`]) {
    assert.throws(() => parseEnvelope(xml), (e) => isOutpostError(e, 'ACS_NOT_SOAP'), xml);
  }
});
