// Connection requests to simulated phones (tr069-protocol.md §6.4, §7): Digest with the CR
// credentials the ACS set, 200 then a `6 CONNECTION REQUEST` session, one session for a burst,
// 503 when flooded, and the CR quirks.

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { FakeClock } from '../../src/core/clock.ts';
import { buildAuthorization, parseChallenge } from '../../src/protocols/http/digest.ts';
import { CrServer } from './cr-server.ts';
import { startPhone, type SimPhone, type SimPhoneOptions } from './index.ts';
import { ScriptedAcs } from './scripted-acs.ts';
import { testTls } from './test-tls.ts';

interface CrResult { status: number; statuses: number[]; closedAfter401: boolean }

function get(url: URL, headers: Record<string, string>, agent: http.Agent): Promise<{ status: number; headers: http.IncomingHttpHeaders; socketClosed: Promise<boolean> }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers, agent }, (res) => {
      res.resume();
      const socketClosed = new Promise<boolean>((r) => { res.socket.once('close', () => r(true)); setTimeout(() => r(false), 200); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, socketClosed }));
    });
    req.on('error', reject);
  });
}

/** What the ACS does (§7.3): GET, on 401 answer the Digest challenge once (reconnecting if closed). */
async function connectionRequest(urlText: string, username: string, password: string): Promise<CrResult> {
  const url = new URL(urlText);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const first = await get(url, {}, agent);
    if (first.status !== 401) return { status: first.status, statuses: [first.status], closedAfter401: false };
    const closedAfter401 = first.headers.connection === 'close' && await first.socketClosed;
    const challenge = parseChallenge(String(first.headers['www-authenticate']));
    assert.ok(challenge);
    const authorization = buildAuthorization(challenge, { username, password, method: 'GET', uri: `${url.pathname}${url.search}` });
    const second = await get(url, { Authorization: authorization }, agent);
    return { status: second.status, statuses: [401, second.status], closedAfter401 };
  } finally {
    agent.destroy();
  }
}

async function setup(t: TestContext, phoneOpts: Partial<SimPhoneOptions> = {}): Promise<{ acs: ScriptedAcs; phone: SimPhone }> {
  const tls = testTls();
  const acs = await new ScriptedAcs({ tls, credentials: { boot: 'strap' } }).start();
  t.after(() => acs.stop());
  const phone = await startPhone({ model: 'tr181', serial: 'SIM0001', acsUrl: acs.url, ca: tls.ca, username: 'boot', password: 'strap', ...phoneOpts });
  t.after(() => phone.stop());
  acs.queue('SIM0001', {
    method: 'SetParameterValues', parameterKey: 'cr', parameterList: [
      { name: 'Device.ManagementServer.ConnectionRequestUsername', value: 'cr-user', type: 'xsd:string' },
      { name: 'Device.ManagementServer.ConnectionRequestPassword', value: 'cr-pass', type: 'xsd:string' },
    ],
  });
  await phone.boot();
  return { acs, phone };
}

test('CR with the credentials the ACS set: 200, then a 6 CONNECTION REQUEST session', async (t) => {
  const { acs, phone } = await setup(t);
  const before = phone.sessionCount;
  const r = await connectionRequest(phone.connectionRequestUrl, 'cr-user', 'cr-pass');
  assert.deepEqual(r.statuses, [401, 200]);
  const rec = await phone.waitForSession(() => true, 5000, before);
  assert.deepEqual(rec.events, ['6 CONNECTION REQUEST']);
  assert.equal(acs.sessions.at(-1)!.inform.events[0]!.code, '6 CONNECTION REQUEST');
});

test('CR with wrong credentials or without any: 401 and no session', async (t) => {
  const { phone } = await setup(t);
  assert.deepEqual((await connectionRequest(phone.connectionRequestUrl, 'cr-user', 'nope')).statuses, [401, 401]);
  assert.deepEqual((await connectionRequest(phone.connectionRequestUrl, 'someone', 'cr-pass')).statuses, [401, 401]);
  const url = new URL(phone.connectionRequestUrl);
  const agent = new http.Agent();
  t.after(() => agent.destroy());
  assert.equal((await get(new URL('/cr/unknown', url), {}, agent)).status, 404);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(phone.sessionCount, 1);
});

test('a burst of CRs before the session starts gives one session', async (t) => {
  const { phone } = await setup(t);
  const before = phone.sessionCount;
  const results = await Promise.all([1, 2, 3].map(() => connectionRequest(phone.connectionRequestUrl, 'cr-user', 'cr-pass')));
  assert.ok(results.every((r) => r.status === 200));
  await phone.waitForSession(() => true, 5000, before);
  await new Promise((r) => setTimeout(r, 100));
  assert.ok(phone.sessionCount - before <= 2, `${phone.sessionCount - before} sessions for 3 CRs`);
});

test('more than maxPerWindow CRs in the window: 503', async () => {
  const clock = new FakeClock();
  const server = new CrServer({ clock, maxPerWindow: 3, windowMs: 5000 });
  await server.listen();
  let accepted = 0;
  server.add({ path: '/cr/x', credentials: () => ({ username: 'u', password: 'p' }), accepted: () => { accepted++; } });
  try {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await connectionRequest(server.url('/cr/x'), 'u', 'p')).status);
    assert.deepEqual(statuses, [200, 503, 503], 'each authenticated CR costs two requests (401 + retry)');
    clock.advance(5001);
    assert.equal((await connectionRequest(server.url('/cr/x'), 'u', 'p')).status, 200);
    assert.equal(accepted, 2);
    assert.deepEqual(server.stats('/cr/x'), { accepted: 2, unauthorized: 3, throttled: 2 });
  } finally {
    await server.close();
  }
});

test('CR quirks: crClosesAfter401 drops the connection after the 401; crRandomCredentials never accepts', async (t) => {
  const closing = await setup(t, { quirks: { crClosesAfter401: true } });
  const r = await connectionRequest(closing.phone.connectionRequestUrl, 'cr-user', 'cr-pass');
  assert.equal(r.closedAfter401, true);
  assert.equal(r.status, 200, 'the ACS reconnects and succeeds');
  const random = await setup(t, { serial: 'SIM0002', quirks: { crRandomCredentials: true } });
  assert.deepEqual((await connectionRequest(random.phone.connectionRequestUrl, 'cr-user', 'cr-pass')).statuses, [401, 401]);
});

test('one CR server can host many phones (fleet mode)', async (t) => {
  const tls = testTls();
  const acs = await new ScriptedAcs({ tls, credentials: { boot: 'strap' } }).start();
  t.after(() => acs.stop());
  const shared = new CrServer({ clock: new FakeClock() });
  await shared.listen();
  t.after(() => shared.close());
  const phones = await Promise.all([1, 2, 3].map((i) => startPhone({
    model: 'tr181', serial: `FLEET${i}`, acsUrl: acs.url, ca: tls.ca, username: 'boot', password: 'strap', crServer: shared, crUsername: 'u', crPassword: `p${i}`,
  })));
  t.after(() => Promise.all(phones.map((p) => p.stop())));
  assert.equal(shared.size, 3);
  assert.equal(new Set(phones.map((p) => new URL(p.connectionRequestUrl).port)).size, 1);
  await Promise.all(phones.map((p) => p.boot()));
  const r = await connectionRequest(phones[1]!.connectionRequestUrl, 'u', 'p2');
  assert.equal(r.status, 200);
  const rec = await phones[1]!.waitForSession(() => true, 5000, 1);
  assert.deepEqual(rec.events, ['6 CONNECTION REQUEST']);
  assert.equal((await connectionRequest(phones[0]!.connectionRequestUrl, 'u', 'p2')).status, 401, 'each phone its own credentials');
});
