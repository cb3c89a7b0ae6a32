// Golden UDP connection request from tr069-protocol.md §8.12, and the CPE-side rules of §8.10.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildUdpConnectionRequest, verifyUdpConnectionRequest, udpCrSignature, parseUdpConnectionRequest } from './udp-cr.ts';

const GOLDEN = 'GET http://203.0.113.7:40001?ts=1700000000&id=305419896&un=cpeuser&cn=8f2a1c9e0b7d4e61&sig=253b961f6be30b7830c879bbb8649ff2033f6b29 HTTP/1.1\r\n'
  + 'Host: 203.0.113.7:40001\r\n\r\n';
const INPUT = { host: '203.0.113.7', port: 40001, ts: 1700000000, id: 305419896, username: 'cpeuser', cnonce: '8f2a1c9e0b7d4e61', password: 'cr-secret' };

test('§8.12 golden UDP connection request, 169 bytes', () => {
  assert.equal(udpCrSignature(1700000000, 305419896, 'cpeuser', '8f2a1c9e0b7d4e61', 'cr-secret'), '253b961f6be30b7830c879bbb8649ff2033f6b29');
  const msg = buildUdpConnectionRequest(INPUT);
  assert.equal(msg, GOLDEN);
  assert.equal(Buffer.byteLength(msg), 169);
});

test('§8.10 CPE validation: signature, username, ts strictly newer, id new', () => {
  const ok = verifyUdpConnectionRequest(Buffer.from(GOLDEN, 'latin1'), 'cr-secret', { username: 'cpeuser' });
  assert.equal(ok.ok, true);
  if (ok.ok) assert.deepEqual([ok.ts, ok.id, ok.username, ok.cnonce], [1700000000, '305419896', 'cpeuser', '8f2a1c9e0b7d4e61']);
  const r = (m: string, pw: string, e = {}) => { const v = verifyUdpConnectionRequest(m, pw, e); return v.ok ? 'ok' : v.reason; };
  assert.equal(r(GOLDEN, 'wrong'), 'bad-signature');
  assert.equal(r(GOLDEN, 'cr-secret', { username: 'other' }), 'wrong-username');
  assert.equal(r(GOLDEN, 'cr-secret', { lastTs: 1700000000 }), 'stale-ts');
  assert.equal(r(GOLDEN, 'cr-secret', { lastTs: 1699999999 }), 'ok');
  assert.equal(r(GOLDEN, 'cr-secret', { lastId: '305419896', lastTs: 1699999999 }), 'repeated-id');
  // Uppercase hex (FreeACS) verifies; a tampered value does not.
  assert.equal(r(GOLDEN.replace('253b961f6be30b7830c879bbb8649ff2033f6b29', '253B961F6BE30B7830C879BBB8649FF2033F6B29'), 'cr-secret'), 'ok');
  assert.equal(r(GOLDEN.replace('ts=1700000000', 'ts=1700000001'), 'cr-secret'), 'bad-signature');
  assert.equal(r(GOLDEN.replace('&cn=8f2a1c9e0b7d4e61', ''), 'cr-secret'), 'missing-parameter');
  assert.equal(r('POST http://x:1?ts=1 HTTP/1.1\r\n\r\n', 'x'), 'malformed');
  assert.equal(r('\u0000\u0001garbage', 'x'), 'malformed');
  assert.equal(r(GOLDEN.replace('ts=1700000000', 'ts=17e8'), 'cr-secret'), 'malformed');
});

test('IPv6 authority in brackets, unsafe username characters escaped and signed decoded', () => {
  const msg = buildUdpConnectionRequest({ ...INPUT, host: '2001:db8::7', username: 'a&b c' });
  assert.match(msg, /^GET http:\/\/\[2001:db8::7\]:40001\?ts=1700000000&id=305419896&un=a%26b%20c&/);
  const p = parseUdpConnectionRequest(msg);
  assert.ok(!('error' in p));
  assert.equal(verifyUdpConnectionRequest(msg, 'cr-secret', { username: 'a&b c' }).ok, true);
  assert.throws(() => buildUdpConnectionRequest({ ...INPUT, ts: 1.5 }), /ts/);
  assert.throws(() => buildUdpConnectionRequest({ ...INPUT, id: '-1' }), /id/);
});
