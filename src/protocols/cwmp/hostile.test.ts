// Hostile inputs must fail fast with the right OutpostError code: DTDs and entities (XXE,
// billion laughs), deep nesting, oversized bodies, and inputs built to make a naive parser
// quadratic.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isOutpostError, type ErrorCode } from '../../core/errors.ts';
import { parseEnvelope, parseXml } from './index.ts';

const SOAP = 'http://schemas.xmlsoap.org/soap/envelope/';
const NS = 'urn:dslforum-org:cwmp-1-0';

function rejects(input: string | Buffer, code: ErrorCode, opts?: Parameters<typeof parseEnvelope>[1], maxMs = 200): void {
  const start = performance.now();
  assert.throws(() => parseEnvelope(input, opts), (e) => isOutpostError(e, code), `expected ${code}`);
  const ms = performance.now() - start;
  assert.ok(ms < maxMs, `${code} took ${ms.toFixed(1)} ms`);
}

function envelopeWith(value: string): string {
  return `<s:Envelope xmlns:s="${SOAP}" xmlns:c="${NS}"><s:Body><c:GetParameterValuesResponse><ParameterList>`
    + `<ParameterValueStruct><Name>a</Name><Value>${value}</Value></ParameterValueStruct>`
    + '</ParameterList></c:GetParameterValuesResponse></s:Body></s:Envelope>';
}

test('DOCTYPE is refused in any case and position (XXE)', () => {
  rejects(`<?xml version="1.0"?><!DOCTYPE s:Envelope SYSTEM "file:///etc/passwd"><s:Envelope xmlns:s="${SOAP}"/>`, 'ACS_XML_FORBIDDEN');
  rejects(`<!doctype x [<!ENTITY e SYSTEM "http://10.0.0.1/">]><x>&e;</x>`, 'ACS_XML_FORBIDDEN');
  rejects(`<!-- c --><!DocType x><x/>`, 'ACS_XML_FORBIDDEN');
});

test('ENTITY (and other DTD declarations) refused even inside the document', () => {
  rejects(`<s:Envelope xmlns:s="${SOAP}"><!ENTITY x "y"><s:Body/></s:Envelope>`, 'ACS_XML_FORBIDDEN');
  rejects(`<a><!ELEMENT a ANY></a>`, 'ACS_XML_FORBIDDEN');
  rejects(`<a><!ATTLIST a b CDATA #IMPLIED></a>`, 'ACS_XML_FORBIDDEN');
});

test('billion laughs fails at the DOCTYPE, immediately', () => {
  let dtd = '<!DOCTYPE lolz [<!ENTITY lol "lol">';
  for (let i = 1; i < 10; i++) dtd += `<!ENTITY lol${i} "${`&lol${i === 1 ? '' : i - 1};`.repeat(10)}">`;
  rejects(`<?xml version="1.0"?>${dtd}]><lolz>&lol9;</lolz>`, 'ACS_XML_FORBIDDEN', undefined, 20);
  // Without the DTD the reference is just an unknown entity: literal (lenient) or malformed (strict).
  rejects(envelopeWith('&lol9;'), 'ACS_XML_MALFORMED', { strict: true }, 20);
});

test('10 000-deep nesting stops at the depth cap (default 64, configurable)', () => {
  const deep = `${'<a>'.repeat(10_000)}${'</a>'.repeat(10_000)}`;
  rejects(deep, 'ACS_XML_TOO_DEEP', undefined, 50);
  const env20 = `<s:Envelope xmlns:s="${SOAP}" xmlns:c="${NS}"><s:Body><c:X>${'<a>'.repeat(20)}${'</a>'.repeat(20)}</c:X></s:Body></s:Envelope>`;
  assert.equal(parseEnvelope(env20).body.method, 'Unknown');
  rejects(env20, 'ACS_XML_TOO_DEEP', { maxDepth: 10 });
  assert.throws(() => parseXml('<a><b/></a>', { maxDepth: 1 }), (e) => isOutpostError(e, 'ACS_XML_TOO_DEEP'));
  assert.equal(parseXml('<a><b/></a>', { maxDepth: 2 }).children[0]?.local, 'b');
});

test('a 10 MB body is refused by size before any parsing (Buffer and string), default cap 4 MiB', () => {
  const big = Buffer.alloc(10 * 1024 * 1024, 0x61);
  rejects(big, 'ACS_BODY_TOO_LARGE', { maxBytes: 1024 * 1024 }, 20);
  rejects(big, 'ACS_BODY_TOO_LARGE', undefined, 20);
  rejects('x'.repeat(10 * 1024 * 1024), 'ACS_BODY_TOO_LARGE', { maxBytes: 1024 * 1024 }, 20);
  // multi-byte characters count as bytes, not as UTF-16 units
  rejects('é'.repeat(600), 'ACS_BODY_TOO_LARGE', { maxBytes: 1000 });
  assert.throws(() => parseEnvelope(envelopeWith('ok'), { maxBytes: 10 }), (e) => isOutpostError(e, 'ACS_BODY_TOO_LARGE'));
  assert.equal(parseEnvelope(envelopeWith('ok'), { maxBytes: 10_000 }).body.method, 'GetParameterValuesResponse');
});

test('malformed XML → ACS_XML_MALFORMED with line and column', () => {
  const cases = ['<a>', '<a></b>', '<a b="1></a>', '<a b=1/>', 'text<a/>', '', '   ', '<a><!-- x</a>', '<a><![CDATA[x</a>',
    '</a>', '<a b="<"/>', '<1a/>', '<a:b:c/>', '<x:a/>', '<a b="1"c="2"/>', '<a><?pi</a>', '<a>&#xD800;</a>', '<a>&#1114112;</a>'];
  for (const c of cases) {
    assert.throws(() => parseXml(c), (e) => isOutpostError(e, 'ACS_XML_MALFORMED') && /line \d+ column \d+/.test(e.message), JSON.stringify(c));
  }
  try {
    parseXml('<a>\n  <b>\n</a>');
    assert.fail('no error');
  } catch (e) {
    assert.ok(isOutpostError(e, 'ACS_XML_MALFORMED'));
    assert.match(e.message, /<\/a> does not close <b> at line 3 column 1/);
  }
});

test('inputs that are quadratic for naive parsers stay linear', () => {
  const n = 1_000_000;
  const cases: [string, string][] = [
    ['many unescaped &', envelopeWith('&'.repeat(n))],
    ['many & without ;', envelopeWith('&amp'.repeat(n / 4))],
    ['long whitespace runs in a string', envelopeWith(`x${'\n '.repeat(n / 2)}y`)],
    ['many attributes', `<s:Envelope xmlns:s="${SOAP}"><s:Body><a ${Array.from({ length: 20_000 }, (_, i) => `a${i}="v"`).join(' ')}/></s:Body></s:Envelope>`],
    ['many siblings', envelopeWith('<b/>'.repeat(n / 4))],
    ['many comments', envelopeWith('<!---->'.repeat(n / 7))],
  ];
  for (const [label, xml] of cases) {
    const start = performance.now();
    try { parseEnvelope(xml, { maxBytes: 16 * 1024 * 1024 }); } catch (e) { assert.ok(isOutpostError(e), label); }
    const ms = performance.now() - start;
    assert.ok(ms < 1000, `${label}: ${ms.toFixed(0)} ms`);
  }
});
