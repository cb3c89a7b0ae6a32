// Unit tests of the XML tokenizer/tree builder (xml.ts).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseXml } from './xml.ts';

test('namespaces resolve per element scope: prefixes, default namespace, undeclaring, xml prefix', () => {
  const root = parseXml('<r xmlns="urn:d" xmlns:p="urn:p"><p:a><b/><c xmlns="urn:c"><d/></c><e xmlns=""/></p:a><p:f xmlns:p="urn:q"/></r>');
  assert.equal(root.ns, 'urn:d');
  const a = root.children[0]!;
  assert.deepEqual([a.ns, a.prefix, a.local], ['urn:p', 'p', 'a']);
  assert.equal(a.children[0]!.ns, 'urn:d', 'default namespace inherited');
  assert.equal(a.children[1]!.ns, 'urn:c');
  assert.equal(a.children[1]!.children[0]!.ns, 'urn:c');
  assert.equal(a.children[2]!.ns, '', 'xmlns="" undeclares the default');
  assert.equal(root.children[1]!.ns, 'urn:q', 'redeclared prefix on the element itself');
  const x = parseXml('<a xml:lang="en" xmlns:p="urn:p" p:x="1" y="2"/>');
  assert.deepEqual(x.attrs, [
    { ns: 'http://www.w3.org/XML/1998/namespace', prefix: 'xml', local: 'lang', value: 'en' },
    { ns: 'urn:p', prefix: 'p', local: 'x', value: '1' },
    { ns: '', prefix: '', local: 'y', value: '2' },
  ]);
  assert.equal(parseXml('<a p:x="1"/>').attrs[0]?.ns, '', 'undeclared attribute prefix tolerated');
});

test('text: entities, character references, CDATA, comments and PIs skipped, attribute quoting', () => {
  const r = parseXml(`<a k='x"y' j="a&amp;b&#x3C;">1 &lt;2&gt; &quot;&apos;&#65;&#x1F600;<!-- no --><?pi x?><![CDATA[<&>]]>z</a>`);
  assert.equal(r.text, `1 <2> "'A\u{1F600}<&>z`);
  assert.deepEqual(r.attrs.map((a) => a.value), ['x"y', 'a&b<']);
  assert.equal(parseXml('<a>x<b>y</b>z</a>').text, 'xz', 'direct text only');
  assert.equal(parseXml('<a/>').text, '');
  assert.equal(parseXml('<a >< b/></a>'.replace('< b', '<b')).children.length, 1);
  assert.equal(parseXml('<a\n\tx = "1"\n/>').attrs[0]?.value, '1');
});

test('BOM, XML declaration and trailing content after the root', () => {
  assert.equal(parseXml(Buffer.from([0xef, 0xbb, 0xbf, ...Buffer.from('<?xml version="1.0"?>\n<a>é</a>')])).text, 'é');
  assert.equal(parseXml('<a>1</a><b>ignored</b> junk <').text, '1');
});

test('charset decoding: utf-8 default, latin1 family, TextDecoder labels', () => {
  const latin = Buffer.from('<a>\u00e9\u00e8</a>', 'latin1');
  assert.equal(parseXml(latin, { charset: 'ISO-8859-1' }).text, 'éè');
  assert.equal(parseXml(latin, { charset: 'latin1' }).text, 'éè');
  assert.equal(parseXml(Buffer.from('<a>\u0080</a>', 'latin1'), { charset: 'windows-1252' }).text, '€');
  assert.equal(parseXml(latin).text, '\uFFFD\uFFFD', 'invalid UTF-8 becomes U+FFFD, never an exception');
});
