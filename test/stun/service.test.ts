// Service level: the composed app (createApp + parseConfig) with STUN on a loopback port,
// driven by real UDP datagrams.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../src/app.ts';
import { parseConfig } from '../../src/core/config/load.ts';
import { memoryLogger } from '../../src/core/log.ts';
import {
  Attr, MessageType, TR111_BINDING_VALUE, encodeMessage, findAttribute, attributeValue, decodeAddressValue,
  decodeErrorCode, fingerprintValid, verifyIntegrity, STYLE_RFC3489, STYLE_RFC5389, buildUdpConnectionRequest,
  type StunMessage, type OutAttribute, type IntegrityStyle,
} from '../../src/protocols/stun/index.ts';
import { StunBindingRepo } from '../../src/store/stun-bindings.ts';
import type { EventMap } from '../../src/core/events.ts';
import '../../src/services/stun/events.ts';
import { bootApp, UdpClient, classicTid, rfc5389Tid, addDevice, until } from './helpers.ts';

const addr = (m: StunMessage, type: number, xor = false) => {
  const a = findAttribute(m, type);
  return a ? decodeAddressValue(attributeValue(m, a), xor ? m.transactionId : undefined) : null;
};
const errorOf = (m: StunMessage) => decodeErrorCode(attributeValue(m, findAttribute(m, Attr.ERROR_CODE)!))?.code;
const CRB: OutAttribute = { type: Attr.CONNECTION_REQUEST_BINDING, value: Buffer.from(TR111_BINDING_VALUE) };
const BCH: OutAttribute = { type: Attr.BINDING_CHANGE, value: Buffer.alloc(0) };
const user = (u: string, pad = ' '): OutAttribute => ({ type: Attr.USERNAME, value: Buffer.from(u.padEnd(Math.ceil(u.length / 4) * 4, pad)) });
const tr111 = (tid: Buffer, attrs: OutAttribute[], key?: string, style: IntegrityStyle = STYLE_RFC3489) =>
  encodeMessage(MessageType.BindingRequest, tid, attrs, key ? { integrity: { key, style } } : {});

test('STUN service: RFC 5389 and RFC 3489 Binding Requests, unknown attributes, wrong FINGERPRINT', async (t) => {
  const b = await bootApp('  requireIntegrity: cr-binding\n  software: outpost-test\n');
  const c = await UdpClient.open();
  t.after(async () => { c.close(); await b.stop(); });

  const tid5 = rfc5389Tid();
  const r5 = await c.request(encodeMessage(MessageType.BindingRequest, tid5, [{ type: 0x8055, value: Buffer.from('ignored!') }], { fingerprint: true }), b.port);
  assert.equal(r5.type, MessageType.BindingResponse);
  assert.deepEqual(r5.transactionId, tid5);
  assert.deepEqual(addr(r5, Attr.XOR_MAPPED_ADDRESS, true), { family: 4, address: '127.0.0.1', port: c.port });
  assert.deepEqual(addr(r5, Attr.MAPPED_ADDRESS), { family: 4, address: '127.0.0.1', port: c.port });
  assert.equal(attributeValue(r5, findAttribute(r5, Attr.SOFTWARE)!).toString(), 'outpost-test');
  assert.ok(r5.fingerprintOffset > 0 && fingerprintValid(r5));

  const tid3 = classicTid();
  const r3 = await c.request(encodeMessage(MessageType.BindingRequest, tid3, []), b.port);
  assert.deepEqual(r3.transactionId, tid3, 'all 16 bytes of a classic id echoed');
  assert.equal(r3.rfc5389, false);
  assert.deepEqual(addr(r3, Attr.MAPPED_ADDRESS), { family: 4, address: '127.0.0.1', port: c.port });
  assert.deepEqual(addr(r3, Attr.SOURCE_ADDRESS), { family: 4, address: '127.0.0.1', port: b.port });
  assert.deepEqual(addr(r3, Attr.CHANGED_ADDRESS), { family: 4, address: '127.0.0.1', port: b.port });
  assert.equal(findAttribute(r3, Attr.XOR_MAPPED_ADDRESS), undefined);

  // Unknown comprehension-required attribute → 420 listing it.
  const r420 = await c.request(encodeMessage(MessageType.BindingRequest, rfc5389Tid(), [{ type: 0x0033, value: Buffer.alloc(4) }]), b.port);
  assert.equal(r420.type, MessageType.BindingErrorResponse);
  assert.equal(errorOf(r420), 420);
  assert.equal(attributeValue(r420, findAttribute(r420, Attr.UNKNOWN_ATTRIBUTES)!).readUInt16BE(0), 0x0033);
  // CHANGE-REQUEST asking for another address: a single socket cannot (RFC 5780 §7.2) → 420; flags 0 → answered.
  const cr4 = await c.request(encodeMessage(MessageType.BindingRequest, classicTid(), [{ type: Attr.CHANGE_REQUEST, value: Buffer.from('00000006', 'hex') }]), b.port);
  assert.equal(errorOf(cr4), 420);
  const cr0 = await c.request(encodeMessage(MessageType.BindingRequest, classicTid(), [{ type: Attr.CHANGE_REQUEST, value: Buffer.alloc(4) }]), b.port);
  assert.equal(cr0.type, MessageType.BindingResponse);

  // Wrong FINGERPRINT, a response, an indication: no answer at all.
  const badFp = encodeMessage(MessageType.BindingRequest, rfc5389Tid(), [], { fingerprint: true });
  badFp[badFp.length - 1] = badFp[badFp.length - 1]! ^ 1;
  await c.send(badFp, b.port);
  await c.send(encodeMessage(MessageType.BindingResponse, rfc5389Tid(), []), b.port);
  await c.send(encodeMessage(MessageType.BindingIndication, rfc5389Tid(), []), b.port);
  assert.equal(await c.next(300), null);
});

test('STUN service: TR-111 binding requests need MESSAGE-INTEGRITY (401), both padding styles verify, wrong MI refused, binding stored and announced', async (t) => {
  const b = await bootApp('  requireIntegrity: cr-binding\n');
  const c = await UdpClient.open();
  t.after(async () => { c.close(); await b.stop(); });
  const repo = new StunBindingRepo(b.app.store);
  addDevice(b.app, '001565-Phone-SN0001');
  await repo.setCredentials('001565-Phone-SN0001', 'stunuser', 'stunpass');
  const seen: EventMap['stun.binding'][] = [];
  b.app.events.on('stun.binding', (e) => seen.push(e));

  // §8.5: first request without MI → 401 with the same transaction id.
  const tid = classicTid();
  const r401 = await c.request(tr111(tid, [CRB, user('stunuser')]), b.port);
  assert.equal(r401.type, MessageType.BindingErrorResponse);
  assert.deepEqual(r401.transactionId, tid);
  assert.equal(errorOf(r401), 401);
  assert.equal(seen.length, 0);

  // Resent with USERNAME + MI (icwmp: 64-byte padding, USERNAME space-padded).
  const ok = await c.request(tr111(classicTid(), [user('stunuser'), CRB], 'stunpass', STYLE_RFC3489), b.port);
  assert.equal(ok.type, MessageType.BindingResponse);
  assert.deepEqual(addr(ok, Attr.MAPPED_ADDRESS), { family: 4, address: '127.0.0.1', port: c.port });
  assert.deepEqual(verifyIntegrity(ok, 'stunpass'), STYLE_RFC3489, 'response MI in the style of the request');
  // Unpadded HMAC, NUL-padded USERNAME (Works Systems / Tecom style).
  const ok2 = await c.request(tr111(classicTid(), [CRB, user('stunuser', '\0')], 'stunpass', STYLE_RFC5389), b.port);
  assert.equal(ok2.type, MessageType.BindingResponse);
  assert.deepEqual(verifyIntegrity(ok2, 'stunpass'), STYLE_RFC5389);

  // Wrong password → 431 (RFC 3489), unknown user → 430, MI without USERNAME → 432; RFC 5389 form → 401.
  assert.equal(errorOf(await c.request(tr111(classicTid(), [CRB, user('stunuser')], 'wrongpass'), b.port)), 431);
  assert.equal(errorOf(await c.request(tr111(classicTid(), [CRB, user('nobody')], 'stunpass'), b.port)), 430);
  assert.equal(errorOf(await c.request(tr111(classicTid(), [CRB], 'stunpass'), b.port)), 432);
  assert.equal(errorOf(await c.request(tr111(rfc5389Tid(), [CRB, user('stunuser')], 'wrongpass', STYLE_RFC5389), b.port)), 401);

  // A plain STUN client (no CONNECTION-REQUEST-BINDING) still gets answers under cr-binding.
  assert.equal((await c.request(encodeMessage(MessageType.BindingRequest, classicTid(), []), b.port)).type, MessageType.BindingResponse);

  await until(() => repo.byUsername('stunuser') !== null);
  assert.equal(seen.length, 1, 'announced once (new); refreshes are not events');
  assert.deepEqual(seen[0], { username: 'stunuser', deviceId: '001565-Phone-SN0001', address: '127.0.0.1', port: c.port, changed: false, previous: null, authenticated: true, protocol: 'rfc3489' });
  const stored = repo.byUsername('stunuser')!;
  assert.equal(stored.deviceId, '001565-Phone-SN0001');
  assert.equal(stored.port, c.port);
  assert.equal(stored.changes, 0);
  assert.deepEqual(repo.byDevice('001565-Phone-SN0001')?.key, 'u:stunuser');

  // NAT remap: the same USERNAME from another source port, with BINDING-CHANGE → changed.
  const c2 = await UdpClient.open();
  t.after(() => c2.close());
  const moved = await c2.request(tr111(classicTid(), [CRB, BCH, user('stunuser')], 'stunpass'), b.port);
  assert.equal(moved.type, MessageType.BindingResponse);
  await until(() => repo.byUsername('stunuser')?.port === c2.port);
  // Announced at most once a second per binding: this remap follows the first announcement closely.
  await until(() => seen.length === 2);
  assert.equal(seen[1]!.changed, true);
  assert.deepEqual(seen[1]!.previous, { address: '127.0.0.1', port: c.port });
  assert.equal(seen[1]!.port, c2.port);
  assert.equal(repo.byUsername('stunuser')!.changes, 1);
  assert.equal(repo.byUsername('stunuser')!.port, c2.port);
});

test('STUN service: requireIntegrity never records bindings as unauthenticated, config credentials verify; always refuses plain clients', async (t) => {
  const never = await bootApp('  requireIntegrity: never\n  credentials: [{ username: labphone, password: labpass, deviceId: LAB-1 }]\n');
  const always = await bootApp('  requireIntegrity: always\n');
  const c = await UdpClient.open();
  t.after(async () => { c.close(); await never.stop(); await always.stop(); });
  const r = await c.request(tr111(classicTid(), [CRB]), never.port);
  assert.equal(r.type, MessageType.BindingResponse);
  const r2 = await c.request(tr111(classicTid(), [CRB, user('labphone')], 'labpass'), never.port);
  assert.ok(verifyIntegrity(r2, 'labpass'), 'config credentials verify');
  const repo = new StunBindingRepo(never.app.store);
  await until(() => repo.byUsername('labphone') !== null && repo.get('ip:127.0.0.1') !== null);
  assert.equal(repo.get('ip:127.0.0.1')?.authenticated, false);
  assert.equal(repo.byUsername('labphone')?.deviceId, 'LAB-1');
  assert.equal(errorOf(await c.request(encodeMessage(MessageType.BindingRequest, rfc5389Tid(), []), always.port)), 401);
});

test('STUN service: UDP connection request sent from the STUN port, retransmitted, result reported', async (t) => {
  const b = await bootApp("  connectionRequest: { schedule: ['0s', '50ms', '120ms'] }\n");
  const cpe = await UdpClient.open();
  t.after(async () => { cpe.close(); await b.stop(); });
  const results: EventMap['stun.cr.result'][] = [];
  b.app.events.on('stun.cr.result', (r) => results.push(r));
  const message = buildUdpConnectionRequest({ host: '127.0.0.1', port: cpe.port, ts: 1700000000, id: 7, username: 'cpe', cnonce: 'abc', password: 'pw' });
  b.app.events.emit('stun.cr.send', { requestId: 'r1', deviceId: 'D1', host: '127.0.0.1', port: cpe.port, message });
  const copies = [];
  for (let i = 0; i < 3; i++) copies.push(await cpe.next(1000));
  assert.ok(copies.every((x) => x && x.msg.toString() === message), 'three identical copies');
  assert.ok(copies.every((x) => x!.from.port === b.port), 'sent from the STUN port (§8.7 step 6)');
  assert.equal(await cpe.next(200), null);
  assert.deepEqual(results[0]?.requestId, 'r1');
  assert.equal(results[0]?.ok, true);
  assert.equal(results.length, 1);

  b.app.events.emit('stun.cr.send', { requestId: 'r2', deviceId: 'D1', host: 'phone.example', port: cpe.port, message });
  b.app.events.emit('stun.cr.send', { requestId: 'r3', deviceId: 'D1', host: '127.0.0.1', port: 0, message });
  b.app.events.emit('stun.cr.send', { requestId: 'r4', deviceId: 'D1', host: '127.0.0.1', port: cpe.port, message: 'hello' });
  assert.deepEqual(results.slice(1).map((r) => [r.requestId, r.ok]), [['r2', false], ['r3', false], ['r4', false]]);
});

test('STUN service: 50 000 mutated datagrams do not crash it; a valid request still answers', async (t) => {
  const b = await bootApp('  requireIntegrity: cr-binding\n');
  const c = await UdpClient.open();
  t.after(async () => { c.close(); await b.stop(); });
  const seeds = [
    tr111(classicTid(), [CRB, BCH, user('stunuser')], 'stunpass'),
    encodeMessage(MessageType.BindingRequest, rfc5389Tid(), [{ type: Attr.SOFTWARE, value: Buffer.from('fuzz') }], { integrity: { key: 'k', style: STYLE_RFC5389 }, fingerprint: true }),
    encodeMessage(MessageType.BindingRequest, classicTid(), [{ type: Attr.RESPONSE_ADDRESS, address: '127.0.0.1', port: 9 }, { type: Attr.CHANGE_REQUEST, value: Buffer.alloc(4) }]),
  ];
  let s = 0xdecafbad;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 8);
  for (let i = 0; i < 50_000; i++) {
    const seed = seeds[i % seeds.length]!;
    let buf = Buffer.from(seed);
    const mode = rnd() % 5;
    if (mode === 0) buf = buf.subarray(0, rnd() % (buf.length + 1));
    else if (mode === 1) buf = Buffer.concat([buf, Buffer.alloc(rnd() % 64, rnd() & 0xff)]);
    else if (mode === 2) buf.writeUInt16BE(rnd() & 0xffff, 2 + 0 * (rnd() % 2));
    const flips = 1 + (rnd() % 3);
    for (let f = 0; f < flips && buf.length > 0; f++) buf[rnd() % buf.length] = rnd() & 0xff;
    c.socket.send(buf, b.port, '127.0.0.1');
    if (i % 200 === 199) await new Promise((r) => setImmediate(r)); // bounded pace: no kernel-queue overflow needed
  }
  await new Promise((r) => setTimeout(r, 300));
  // Drain whatever was answered, then ask properly.
  let answered = 0;
  while (await c.next(20)) answered++;
  assert.ok(answered > 0, 'some mutants are still valid requests and were answered');
  assert.ok(b.records.some((r) => r.code === 'STUN_PACKET_MALFORMED'), 'malformed datagrams were seen and logged (rate-limited)');
  const tid = rfc5389Tid();
  const r = await c.request(encodeMessage(MessageType.BindingRequest, tid, []), b.port, 2000);
  assert.equal(r.type, MessageType.BindingResponse);
  assert.deepEqual(r.transactionId, tid);
});

test('STUN service: a port already in use raises STUN_BIND, the rest of the node starts, a UDP CR gets a failed result', async (t) => {
  const busy = await UdpClient.open();
  const dir = mkdtempSync(join(tmpdir(), 'opst-stun-'));
  const app = createApp({ log: memoryLogger('silent'), config: parseConfig(`site: { id: t, domain: t.test }\nstateDir: ${dir}\nacs: { enabled: false }\napi: { enabled: false }\nstun: { enabled: true, listen: { host: 127.0.0.1, port: ${busy.port} } }\n`) });
  t.after(async () => { await app.stop(); busy.close(); rmSync(dir, { recursive: true, force: true }); });
  await app.start();
  assert.equal(app.health.has('STUN_BIND'), true);
  assert.equal(app.health.status(), 'failing');
  const results: EventMap['stun.cr.result'][] = [];
  app.events.on('stun.cr.result', (r) => results.push(r));
  app.events.emit('stun.cr.send', { requestId: 'x', deviceId: 'D', host: '127.0.0.1', port: 9, message: 'GET http://127.0.0.1:9?ts=1 HTTP/1.1\r\n\r\n' });
  assert.deepEqual(results.map((r) => [r.ok, r.detail]), [[false, 'STUN socket is not bound']]);
});
