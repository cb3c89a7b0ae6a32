// Golden bytes from tr069-protocol.md §8.8 (derived and verified with a script there) and
// round trips for RFC 5389 (XOR-MAPPED-ADDRESS, FINGERPRINT).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Attr, MessageType, TR111_BINDING_VALUE, parseMessage, encodeMessage, findAttribute, attributeValue,
  usernameOf, hasConnectionRequestBinding, errorCodeValue, decodeErrorCode, decodeAddressValue,
  encodeAddressValue, verifyIntegrity, computeIntegrity, fingerprintValid, STYLE_RFC3489, STYLE_RFC5389,
  type StunMessage, type IntegrityStyle,
} from './index.ts';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const TID = hex('a1b2c3d4 e5f60718 293a4b5c 6d7e8f90');
const CRB = hex('c0 01 00 14 64 73 6c 66 6f 72 75 6d 2e 6f 72 67 2f 54 52 2d 31 31 31 20');
const BCH = hex('c0 02 00 00');
const USR = hex('00 06 00 08 73 74 75 6e 75 73 65 72');

// §8.8 (a)
const GOLDEN_A = Buffer.concat([hex('00 01 00 18'), TID, CRB]);
// §8.8 (b)
const GOLDEN_B = Buffer.concat([hex('00 01 00 28'), TID, CRB, BCH, USR]);
// §8.8 (c): key "stunpass", HMAC over the first 60 bytes (length 0x40) zero-padded to 64
const GOLDEN_C = Buffer.concat([hex('00 01 00 40'), TID, CRB, BCH, USR,
  hex('00 08 00 14 aa 0a 06 21 eb d3 55 d2 86 1c 12 0a 1e 4b 1b aa 01 83 a4 9b')]);
const UNPADDED_MAC = hex('56ed1df847393498535364aa8bce372f9845a929');
// §8.8 (d)
const GOLDEN_D = Buffer.concat([hex('01 11 00 14'), TID, hex('00 09 00 10 00 00 04 01 55 6e 61 75 74 68 6f 72 69 7a 65 64')]);
// §8.8 (e)
const GOLDEN_E = Buffer.concat([hex('01 01 00 24'), TID,
  hex('00 01 00 08 00 01 9c 41 cb 00 71 07'), hex('00 04 00 08 00 01 0d 96 c6 33 64 01'), hex('00 05 00 08 00 01 0d 96 c6 33 64 01')]);

function parsed(buf: Buffer): StunMessage {
  const r = parseMessage(buf);
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.message;
}

test('§8.8 (a) classic Binding Request with CONNECTION-REQUEST-BINDING parses and re-encodes byte for byte', () => {
  assert.equal(GOLDEN_A.length, 44);
  const m = parsed(GOLDEN_A);
  assert.equal(m.type, MessageType.BindingRequest);
  assert.equal(m.rfc5389, false);
  assert.deepEqual(m.transactionId, TID);
  assert.ok(hasConnectionRequestBinding(m));
  assert.equal(findAttribute(m, Attr.BINDING_CHANGE), undefined);
  const out = encodeMessage(MessageType.BindingRequest, TID, [{ type: Attr.CONNECTION_REQUEST_BINDING, value: Buffer.from(TR111_BINDING_VALUE) }]);
  assert.deepEqual(out, GOLDEN_A);
});

test('§8.8 (b) BINDING-CHANGE and USERNAME', () => {
  assert.equal(GOLDEN_B.length, 60);
  const m = parsed(GOLDEN_B);
  assert.ok(findAttribute(m, Attr.BINDING_CHANGE));
  assert.equal(usernameOf(m), 'stunuser');
  const out = encodeMessage(MessageType.BindingRequest, TID, [
    { type: Attr.CONNECTION_REQUEST_BINDING, value: Buffer.from(TR111_BINDING_VALUE) },
    { type: Attr.BINDING_CHANGE, value: Buffer.alloc(0) },
    { type: Attr.USERNAME, value: Buffer.from('stunuser') },
  ]);
  assert.deepEqual(out, GOLDEN_B);
});

test('§8.8 (c) MESSAGE-INTEGRITY: encoder reproduces the golden bytes; verifier accepts both padding styles', () => {
  assert.equal(GOLDEN_C.length, 84);
  const out = encodeMessage(MessageType.BindingRequest, TID, [
    { type: Attr.CONNECTION_REQUEST_BINDING, value: Buffer.from(TR111_BINDING_VALUE) },
    { type: Attr.BINDING_CHANGE, value: Buffer.alloc(0) },
    { type: Attr.USERNAME, value: Buffer.from('stunuser') },
  ], { integrity: { key: 'stunpass', style: STYLE_RFC3489 } });
  assert.deepEqual(out, GOLDEN_C);
  const m = parsed(GOLDEN_C);
  assert.equal(m.integrityOffset, 60);
  assert.deepEqual(verifyIntegrity(m, 'stunpass'), STYLE_RFC3489);
  assert.equal(verifyIntegrity(m, 'wrongpass'), null);
  // The non-padding agents' form (Works Systems, Tecom): same bytes, the unpadded MAC.
  assert.deepEqual(computeIntegrity(GOLDEN_C, 60, 'stunpass', STYLE_RFC5389), UNPADDED_MAC);
  const unpadded = Buffer.concat([GOLDEN_C.subarray(0, 64), UNPADDED_MAC]);
  assert.deepEqual(verifyIntegrity(parsed(unpadded), 'stunpass'), STYLE_RFC5389);
});

test('MESSAGE-INTEGRITY: USERNAME padded with NULs or spaces, and MI computed before the length was updated', () => {
  for (const pad of ['\0', ' ']) {
    for (const style of [STYLE_RFC3489, STYLE_RFC5389, { length: 'before-mi', pad64: true }, { length: 'before-mi', pad64: false }] as IntegrityStyle[]) {
      const buf = encodeMessage(MessageType.BindingRequest, TID, [
        { type: Attr.USERNAME, value: Buffer.from(`phone${pad}${pad}${pad}`) },
        { type: Attr.CONNECTION_REQUEST_BINDING, value: Buffer.from(TR111_BINDING_VALUE) },
      ], { integrity: { key: 'pw', style } });
      const m = parsed(buf);
      assert.equal(usernameOf(m), 'phone');
      assert.deepEqual(verifyIntegrity(m, 'pw'), style, `style ${JSON.stringify(style)}`);
      // One flipped bit anywhere before MI breaks it.
      const bad = Buffer.from(buf);
      bad[25] = bad[25]! ^ 0x01;
      assert.equal(verifyIntegrity(parsed(bad), 'pw'), null);
    }
  }
});

test('§8.8 (d) Binding Error Response 401', () => {
  const out = encodeMessage(MessageType.BindingErrorResponse, TID, [{ type: Attr.ERROR_CODE, value: errorCodeValue(401) }]);
  assert.deepEqual(out, GOLDEN_D);
  const m = parsed(GOLDEN_D);
  assert.deepEqual(decodeErrorCode(attributeValue(m, findAttribute(m, Attr.ERROR_CODE)!)), { code: 401, reason: 'Unauthorized' });
  // Reasons are space-padded to a multiple of 4 (RFC 3489 §11.2.9).
  assert.equal(errorCodeValue(400).length, 4 + 12);
  assert.deepEqual(decodeErrorCode(errorCodeValue(431)), { code: 431, reason: 'Integrity Check Failure' });
});

test('§8.8 (e) classic Binding Response and the RFC 5389 XOR-MAPPED-ADDRESS of the same binding', () => {
  const out = encodeMessage(MessageType.BindingResponse, TID, [
    { type: Attr.MAPPED_ADDRESS, address: '203.0.113.7', port: 40001 },
    { type: Attr.SOURCE_ADDRESS, address: '198.51.100.1', port: 3478 },
    { type: Attr.CHANGED_ADDRESS, address: '198.51.100.1', port: 3478 },
  ]);
  assert.deepEqual(out, GOLDEN_E);
  const m = parsed(GOLDEN_E);
  assert.deepEqual(decodeAddressValue(attributeValue(m, findAttribute(m, Attr.MAPPED_ADDRESS)!)), { family: 4, address: '203.0.113.7', port: 40001 });
  const cookieTid = Buffer.concat([hex('2112a442'), TID.subarray(4)]);
  const xor = encodeAddressValue('203.0.113.7', 40001, cookieTid);
  assert.deepEqual(Buffer.concat([hex('00 20 00 08'), xor]), hex('00 20 00 08 00 01 bd 53 ea 12 d5 45'));
  assert.deepEqual(decodeAddressValue(xor, cookieTid), { family: 4, address: '203.0.113.7', port: 40001 });
});

test('RFC 5389: cookie detection, IPv6 XOR address, FINGERPRINT, MI then FINGERPRINT', () => {
  const tid = Buffer.concat([hex('2112a442'), Buffer.from('0123456789ab')]);
  const buf = encodeMessage(MessageType.BindingResponse, tid, [
    { type: Attr.XOR_MAPPED_ADDRESS, address: '2001:db8::5', port: 5060, xor: true },
    { type: Attr.MAPPED_ADDRESS, address: '::ffff:192.0.2.9', port: 5060 },
  ], { integrity: { key: 'k', style: STYLE_RFC5389 }, fingerprint: true });
  const m = parsed(buf);
  assert.equal(m.rfc5389, true);
  assert.ok(fingerprintValid(m));
  assert.deepEqual(verifyIntegrity(m, 'k'), STYLE_RFC5389);
  assert.deepEqual(decodeAddressValue(attributeValue(m, findAttribute(m, Attr.XOR_MAPPED_ADDRESS)!), m.transactionId), { family: 6, address: '2001:db8::5', port: 5060 });
  assert.deepEqual(decodeAddressValue(attributeValue(m, findAttribute(m, Attr.MAPPED_ADDRESS)!)), { family: 4, address: '192.0.2.9', port: 5060 });
  const bad = Buffer.from(buf);
  bad[bad.length - 1] = bad[bad.length - 1]! ^ 0xff;
  assert.equal(fingerprintValid(parsed(bad)), false);
});

test('parser: RFC 5389 real-length padding, missing last padding, attributes after MI ignored, trailing bytes cut', () => {
  // SOFTWARE of 5 bytes: length 5, 3 bytes of padding.
  const tid = Buffer.concat([hex('2112a442'), Buffer.alloc(12, 7)]);
  const sw = encodeMessage(MessageType.BindingRequest, tid, [{ type: Attr.SOFTWARE, value: Buffer.from('abcde') }, { type: 0x8055, value: Buffer.alloc(0) }]);
  const m = parsed(sw);
  assert.deepEqual(m.attributes.map((a) => [a.type, a.length]), [[Attr.SOFTWARE, 5], [0x8055, 0]]);
  // Last attribute without its padding bytes (header length counts only the real length).
  const short = Buffer.concat([hex('0001 0009'), tid, hex('8022 0005'), Buffer.from('abcde')]);
  assert.equal(parsed(short).attributes.length, 1);
  // Something after MESSAGE-INTEGRITY other than FINGERPRINT is ignored (RFC 5389 §15.4).
  const withMi = encodeMessage(MessageType.BindingRequest, tid, [], { integrity: { key: 'k', style: STYLE_RFC5389 } });
  const after = Buffer.concat([withMi, hex('0006 0004 61626364')]);
  after.writeUInt16BE(after.length - 20, 2);
  assert.deepEqual(parsed(after).attributes.map((a) => a.type), [Attr.MESSAGE_INTEGRITY]);
  // Datagram longer than the header says: the extra bytes are not part of the message.
  assert.equal(parsed(Buffer.concat([GOLDEN_A, Buffer.alloc(9)])).buf.length, 44);
});

test('parser rejects malformed messages with a reason', () => {
  const cases: [Buffer, RegExp][] = [
    [Buffer.alloc(19), /shorter than/],
    [Buffer.concat([hex('c001 0000'), TID]), /top bits/],
    [Buffer.concat([hex('0001 0008'), TID, hex('0006')]), /exceeds/],
    [Buffer.concat([hex('0001 0002'), TID, hex('0006')]), /truncated attribute/],
    [Buffer.concat([hex('0001 0006'), TID, hex('0006 0010 6162')]), /overruns/],
    [Buffer.concat([hex('0001 0104'), TID, Buffer.alloc(260)]), /more than 64/],
  ];
  for (const [buf, re] of cases) {
    const r = parseMessage(buf);
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.error, re);
  }
});

test('CONNECTION-REQUEST-BINDING accepted with or without padding, other values refused', () => {
  for (const [v, ok] of [['dslforum.org/TR-111 ', true], ['dslforum.org/TR-111\0', true], ['dslforum.org/TR-111', true], ['dslforum.org/TR-069 ', false]] as const) {
    const m = parsed(encodeMessage(1, TID, [{ type: Attr.CONNECTION_REQUEST_BINDING, value: Buffer.from(v) }]));
    assert.equal(hasConnectionRequestBinding(m), ok, v);
  }
});

test('fuzz: 100 000 mutated messages never make the parser or verifier throw', () => {
  const seeds = [GOLDEN_A, GOLDEN_B, GOLDEN_C, GOLDEN_D, GOLDEN_E];
  let s = 0x12345678;
  const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) >>> 8);
  let ok = 0;
  for (let i = 0; i < 100_000; i++) {
    const seed = seeds[i % seeds.length]!;
    const buf = Buffer.from(seed.subarray(0, rnd() % 4 === 0 ? rnd() % (seed.length + 1) : seed.length));
    const flips = 1 + (rnd() % 4);
    for (let f = 0; f < flips && buf.length > 0; f++) buf[rnd() % buf.length] = rnd() & 0xff;
    const r = parseMessage(buf);
    if (!r.ok) continue;
    ok++;
    verifyIntegrity(r.message, 'stunpass');
    fingerprintValid(r.message);
    usernameOf(r.message);
    hasConnectionRequestBinding(r.message);
    for (const a of r.message.attributes) decodeAddressValue(attributeValue(r.message, a), r.message.transactionId);
  }
  assert.ok(ok > 1000, `some mutations still parse (${ok})`);
});

test('IP text helpers: IPv4 strictness, IPv6 forms, IPv4-mapped addresses', async () => {
  const { parseIpv4, parseIpv6, formatIp, unmapIpv4 } = await import('./address.ts');
  assert.deepEqual(parseIpv4('203.0.113.7'), Buffer.from([203, 0, 113, 7]));
  for (const bad of ['1.2.3', '1.2.3.4.5', '256.1.1.1', '1..2.3', '1.2.3.a', ' 1.2.3.4', '1.2.3.4 ', '1234.1.1.1', '']) assert.equal(parseIpv4(bad), null, bad);
  assert.equal(formatIp(parseIpv6('2001:db8::5')!), '2001:db8::5');
  assert.equal(formatIp(parseIpv6('::ffff:192.0.2.1')!), '::ffff:c000:201');
  assert.equal(formatIp(parseIpv6('fe80::1%eth0')!), 'fe80::1');
  assert.equal(parseIpv6('1::2::3'), null);
  assert.equal(unmapIpv4('::ffff:192.0.2.1'), '192.0.2.1');
  assert.equal(unmapIpv4('10.0.0.1'), '10.0.0.1');
});
