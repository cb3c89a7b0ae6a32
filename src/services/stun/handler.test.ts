// handler.ts without sockets: RESPONSE-ADDRESS (RFC 3489 §9.2, honoured only towards the
// requester's own IP), IPv4-mapped sources, and what a binding observation carries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { handleDatagram, type HandlerDeps } from './handler.ts';
import { Attr, MessageType, TR111_BINDING_VALUE, encodeMessage, parseMessage, findAttribute, attributeValue, decodeAddressValue } from '../../protocols/stun/index.ts';

const deps: HandlerDeps = { policy: 'never', lookup: (u) => (u === 'known' ? { password: 'pw', deviceId: 'DEV' } : null), source: { address: '198.51.100.1', port: 3478 }, changed: null, software: null };
const TID = Buffer.alloc(16, 0x33);

test('RESPONSE-ADDRESS: same IP → sent there with REFLECTED-FROM; another IP → ignored (no reflector)', () => {
  const req = (ip: string) => encodeMessage(MessageType.BindingRequest, TID, [{ type: Attr.RESPONSE_ADDRESS, address: ip, port: 40999 }]);
  const same = handleDatagram(req('203.0.113.7'), { address: '203.0.113.7', port: 40001 }, deps);
  assert.deepEqual([same.reply?.address, same.reply?.port], ['203.0.113.7', 40999]);
  const m = parseMessage(same.reply!.data);
  assert.ok(m.ok);
  if (m.ok) assert.deepEqual(decodeAddressValue(attributeValue(m.message, findAttribute(m.message, Attr.REFLECTED_FROM)!)), { family: 4, address: '203.0.113.7', port: 40001 });
  const other = handleDatagram(req('192.0.2.99'), { address: '203.0.113.7', port: 40001 }, deps);
  assert.deepEqual([other.reply?.address, other.reply?.port], ['203.0.113.7', 40001]);
});

test('binding observation: IPv4-mapped source unmapped, USERNAME without MI informative under never, BINDING-CHANGE flagged', () => {
  const req = encodeMessage(MessageType.BindingRequest, TID, [
    { type: Attr.USERNAME, value: Buffer.from('known   ') },
    { type: Attr.CONNECTION_REQUEST_BINDING, value: Buffer.from(TR111_BINDING_VALUE) },
    { type: Attr.BINDING_CHANGE, value: Buffer.alloc(0) },
  ]);
  const r = handleDatagram(req, { address: '::ffff:203.0.113.7', port: 40001 }, deps);
  assert.equal(r.outcome, 'answered');
  assert.deepEqual(r.binding, { username: 'known', deviceId: 'DEV', address: '203.0.113.7', port: 40001, protocol: 'rfc3489', authenticated: false, bindingChange: true });
  const plain = handleDatagram(encodeMessage(MessageType.BindingRequest, TID, []), { address: '203.0.113.7', port: 1 }, deps);
  assert.equal(plain.binding, null, 'ordinary STUN traffic is not a binding');
});
