// The simulator's TR-111 client (test/sim/stun-client.ts) against the real STUN service:
// 401 → MESSAGE-INTEGRITY, binding stored and announced, BINDING-CHANGE after discovery, UDP
// connection requests from the service validated per §8.10 (retransmissions and replays dropped).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StunClient, StunRequestError } from '../sim/stun-client.ts';
import { StunBindingRepo } from '../../src/store/stun-bindings.ts';
import { buildUdpConnectionRequest, STYLE_RFC5389 } from '../../src/protocols/stun/index.ts';
import type { EventMap } from '../../src/core/events.ts';
import '../../src/services/stun/events.ts';
import { bootApp, addDevice, until } from './helpers.ts';


test('TR-111 client: 401 then MESSAGE-INTEGRITY, binding in the store and the API, UDP connection requests validated', async (t) => {
  const b = await bootApp("  requireIntegrity: cr-binding\n  connectionRequest: { schedule: ['0s', '30ms', '60ms'] }\n", { api: true });
  const repo = new StunBindingRepo(b.app.store);
  addDevice(b.app, '00A0BC-Phone-SN42');
  await repo.setCredentials('00A0BC-Phone-SN42', 'phone42', 's3cret');
  const bindings: EventMap['stun.binding'][] = [];
  b.app.events.on('stun.binding', (e) => bindings.push(e));
  const crs: { id: string; ts: number }[] = [];
  const rejected: string[] = [];
  const client = await StunClient.create({
    server: { host: '127.0.0.1', port: b.port }, bind: { host: '127.0.0.1' }, username: 'phone42', password: 's3cret',
    keepAliveMs: 0, retransmit: [0, 100, 300], connectionRequest: { username: 'cr-user', password: 'cr-pass' },
    onConnectionRequest: (cr) => crs.push({ id: cr.id, ts: cr.ts }), onConnectionRequestRejected: (r) => rejected.push(r),
  });
  t.after(async () => { await client.stop(); await b.stop(); });

  const binding = await client.start();
  assert.deepEqual(binding, { address: '127.0.0.1', port: client.local.port });
  assert.equal(client.stats.unauthorized, 1, 'one 401 before MI');
  assert.equal(client.natDetected, false);
  await until(() => client.stats.responses >= 3); // 401, success, and the BINDING-CHANGE follow-up
  await until(() => repo.byUsername('phone42') !== null);
  const stored = repo.byUsername('phone42')!;
  assert.equal(stored.deviceId, '00A0BC-Phone-SN42');
  assert.equal(stored.authenticated, true);
  assert.equal(stored.protocol, 'rfc3489');
  assert.equal(bindings.length, 1);

  // The management API: the binding resource and the device's record.
  const one = await b.api('/stun/bindings/phone42');
  assert.equal(one.status, 200);
  assert.deepEqual({ ...(one.body as object), firstSeen: 0, lastSeen: 0, lastChange: 0 }, {
    username: 'phone42', deviceId: '00A0BC-Phone-SN42', address: '127.0.0.1', port: client.local.port, protocol: 'rfc3489',
    authenticated: true, firstSeen: 0, lastSeen: 0, lastChange: 0, changes: 0, expired: false,
  });
  const list = await b.api('/stun/bindings?active=true');
  assert.equal((list.body as unknown[]).length, 1);
  assert.equal((await b.api('/stun/bindings/nobody')).status, 404);
  assert.equal((await b.api('/stun/bindings?limit=0')).status, 400);
  const dev = await b.api('/devices/00A0BC-Phone-SN42');
  assert.equal(dev.status, 200);
  assert.equal((dev.body as { stunBinding: { port: number } }).stunBinding.port, client.local.port);

  // The ACS's side of a UDP connection request, through the service (sent from the STUN port).
  const send = (id: number, ts: number, password = 'cr-pass') => b.app.events.emit('stun.cr.send', {
    requestId: `req-${id}`, deviceId: '00A0BC-Phone-SN42', host: binding.address, port: binding.port,
    message: buildUdpConnectionRequest({ host: binding.address, port: binding.port, ts, id, username: 'cr-user', cnonce: `cn${id}`, password }),
  });
  send(1, 1700000000);
  await until(() => crs.length === 1 && rejected.length === 2); // 3 copies: one accepted, two retransmissions dropped
  assert.deepEqual(rejected, ['repeated-id', 'repeated-id']);
  send(2, 1700000000); // same second: §8.10 rule 2 drops it
  await until(() => rejected.length === 3);
  assert.equal(rejected[2], 'stale-ts');
  send(3, 1700000001, 'wrong');
  await until(() => rejected.length === 4);
  assert.equal(rejected[3], 'bad-signature');
  send(4, 1700000002);
  await until(() => crs.length === 2);
  assert.deepEqual(crs, [{ id: '1', ts: 1700000000 }, { id: '4', ts: 1700000002 }]);
});

test('TR-111 client: wrong STUN password is refused and nothing is recorded; NUL padding + unpadded HMAC accepted', async (t) => {
  const b = await bootApp('  requireIntegrity: cr-binding\n');
  const repo = new StunBindingRepo(b.app.store);
  addDevice(b.app, '00A0BC-Phone-SN43');
  await repo.setCredentials('00A0BC-Phone-SN43', 'phone43', 'right');
  const wrong = await StunClient.create({ server: { host: '127.0.0.1', port: b.port }, username: 'phone43', password: 'wrong', retransmit: [0, 100] });
  const other = await StunClient.create({
    server: { host: '127.0.0.1', port: b.port }, username: 'phone43', password: 'right', usernamePadding: 'nul',
    integrityStyle: STYLE_RFC5389, integrityFirst: true, retransmit: [0, 100],
  });
  t.after(async () => { await wrong.stop(); await other.stop(); await b.stop(); });
  await assert.rejects(wrong.start(), (e: unknown) => e instanceof StunRequestError && e.code === 431);
  await new Promise((r) => setTimeout(r, 150)); // longer than URGENT_MS: a write would have landed
  assert.equal(repo.byUsername('phone43'), null);
  const got = await other.start();
  assert.equal(got.port, other.local.port);
  assert.equal(other.stats.unauthorized, 0);
});
