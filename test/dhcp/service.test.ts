// Service-level tests of the composed app on loopback, no root needed: the DHCP service runs
// in relayed mode on an unprivileged port and test/sim/dhcp-client.ts acts as a relay agent
// (giaddr 127.77.0.1, option 82), exactly like perfdhcp and a switch would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import Fastify from 'fastify';
import { FakeClock } from '../../src/core/clock.ts';
import { LeaseRepo } from '../../src/store/leases.ts';
import { encodeCwmp43, encodeAnnexF } from '../../src/protocols/dhcp/index.ts';
import leasesRoutes from '../../src/services/api/routes/leases.ts';
import { DhcpClient, DhcpTransport } from '../sim/dhcp-client.ts';
import { randomPort, startApp, sleep, type TestApp } from './harness.ts';
import type { EventMap } from '../../src/core/events.ts';

const mac = (i: number) => `02:00:00:77:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
const phone = { oui: '001565', serial: 'SN0001', productClass: 'T54W' };

function config(port: number, relayPort: number): string {
  return `  enabled: true
  port: ${port}
  relayPort: ${relayPort}
  listen: [127.0.0.1]
  leaseTime: 1h
  declineHold: 10m
  sweepInterval: 10s
  acs: { provisioningCode: SITE-042, retryMinimumWaitInterval: 5, retryIntervalMultiplier: 2000 }
  gateway: { oui: 00E0FC, serial: SITENODE0001, productClass: SiteNode }
  vendorClasses:
    - { match: dslforum.org, tr069: true }
    - { match: Cisco, option150: [127.77.0.2] }
  scopes:
    - name: voice
      subnet: 127.77.0.0/24
      serverId: 127.0.0.1
      ranges: [{ start: 127.77.0.10, end: 127.77.0.20 }]
      exclusions: [127.77.0.15]
      reservations: [{ mac: "02:00:00:00:00:aa", ip: 127.77.0.50, hostname: lobby }]
      router: [127.77.0.1]
      dns: [127.77.0.1]
      ntp: [127.77.0.1]
      domain: site.test
      option66: acs.site.test
`;
}

interface Ctx { t: TestApp; relay: DhcpTransport; clock: FakeClock; port: number }

async function setup(): Promise<Ctx> {
  const clock = new FakeClock(Date.now());
  for (let attempt = 0; ; attempt++) {
    const port = randomPort(), relayPort = randomPort();
    try {
      const t = await startApp(config(port, relayPort), { clock });
      const relay = await DhcpTransport.open({ mode: 'relay', giaddr: '127.77.0.1', server: '127.0.0.1', serverPort: port, relayPort, circuitId: 'sw1/0/7', remoteId: 'sw1' });
      return { t, relay, clock, port };
    } catch (e) { if (attempt > 3) throw e; }
  }
}

const client = (c: Ctx, i: number, extra: Partial<ConstructorParameters<typeof DhcpClient>[1]> = {}) =>
  new DhcpClient(c.relay, { mac: mac(i), hostname: `phone-${i}`, identity: phone, timeoutMs: 300, tries: 2, ...extra });

test('DHCP service on loopback (relayed mode)', async (t) => {
  const c = await setup();
  t.after(async () => { c.relay.close(); await c.t.close(); });
  const repo = new LeaseRepo(c.t.app.store);
  const events: EventMap['dhcp.lease'][] = [];
  c.t.app.events.on('dhcp.lease', (e) => events.push(e));

  await t.test('DORA gives an address with the exact TR-069 bootstrap options', async () => {
    const r = await client(c, 1).dora();
    assert.ok(r?.ok, 'ACK expected');
    const l = r.lease;
    assert.equal(l.ip, '127.77.0.10');
    assert.equal(l.serverId, '127.0.0.1');
    assert.equal(l.leaseSeconds, 3600);
    assert.equal(l.subnetMask, '255.255.255.0');
    assert.deepEqual([l.routers, l.dns, l.ntp, l.domain], [['127.77.0.1'], ['127.77.0.1'], ['127.77.0.1'], 'site.test']);
    assert.deepEqual(l.option43, encodeCwmp43({ acsUrl: 'https://acs.site.test:7547/', provisioningCode: 'SITE-042', retryMinimumWaitInterval: 5, retryIntervalMultiplier: 2000 }));
    assert.equal(l.acs?.acsUrl, 'https://acs.site.test:7547/');
    assert.equal(l.option66, 'acs.site.test');
    assert.deepEqual(l.option125, encodeAnnexF({ oui: '00E0FC', serial: 'SITENODE0001', productClass: 'SiteNode' }, true));
    // options the client listed in option 55 come in its order, after 53/54/51/58/59; 82 last
    const codes = l.packet.options.codes();
    assert.deepEqual(codes.slice(0, 5), [53, 54, 51, 58, 59]);
    assert.deepEqual(codes.slice(5, 12), [1, 3, 6, 15, 42, 43, 66]);
    assert.equal(codes.at(-1), 82);
    assert.equal(l.packet.giaddr, '127.77.0.1');
  });

  await t.test('the lease records identity and switch port, durable, with an event', async () => {
    const row = repo.findByIp('127.77.0.10');
    assert.ok(row);
    assert.equal(row.state, 'bound');
    assert.equal(row.mac, mac(1));
    assert.equal(row.clientId, '01' + mac(1).replace(/:/g, ''));
    assert.deepEqual([row.hostname, row.vendorClass, row.oui, row.serial, row.productClass], ['phone-1', 'dslforum.org', '001565', 'SN0001', 'T54W']);
    assert.deepEqual([row.circuitId, row.remoteId, row.giaddr], ['sw1/0/7', 'sw1', '127.77.0.1']);
    assert.deepEqual(repo.findByMac(mac(1)).map((l) => l.ip), ['127.77.0.10']);
    assert.deepEqual(repo.active(c.clock.now()).map((l) => l.ip), ['127.77.0.10']);
    assert.deepEqual(events.at(-1), { ip: '127.77.0.10', mac: mac(1), hostname: 'phone-1', state: 'bound' });
  });

  await t.test('API: GET /api/v1/leases and /api/v1/leases/:ip', async () => {
    const api = Fastify();
    await api.register(async (v1) => { await leasesRoutes(v1, { ...c.t.app, config: c.t.app.config.api, root: c.t.app.config, clock: c.clock } as never); }, { prefix: '/api/v1' });
    const list = await api.inject('/api/v1/leases?active=true');
    assert.equal(list.statusCode, 200);
    assert.equal(list.json()[0].circuitId, 'sw1/0/7');
    const one = await api.inject('/api/v1/leases/127.77.0.10');
    assert.equal(one.json().serial, 'SN0001');
    // (the API service maps OutpostError codes to statuses; a bare Fastify only shows it failed)
    assert.notEqual((await api.inject('/api/v1/leases/127.77.0.99')).statusCode, 200);
    assert.notEqual((await api.inject('/api/v1/leases/not-an-ip')).statusCode, 200);
    await api.close();
  });

  await t.test('the same client gets the same address; renew extends; REQUEST for another server is ignored', async () => {
    const cl = client(c, 1);
    const offer = await cl.discover();
    assert.equal(offer?.ip, '127.77.0.10');
    const before = repo.findByIp('127.77.0.10')!.expiresAt;
    c.clock.advance(60_000);
    const r = await cl.renew(offer!);
    assert.ok(r?.ok);
    assert.ok(repo.findByIp('127.77.0.10')!.expiresAt > before);
    // SELECTING with another server id: silence, and our offer to client 2 is withdrawn
    const c2 = client(c, 2);
    const o2 = await c2.discover();
    assert.equal(o2?.ip, '127.77.0.11');
    const other = await c2.request({ ...o2!, serverId: '127.0.0.9' });
    assert.equal(other, null);
  });

  await t.test('INIT-REBOOT: NAK on a wrong network or someone else\'s address, silence for an unknown client', async () => {
    const wrong = await client(c, 3).reboot('10.1.2.3');
    assert.deepEqual(wrong, { ok: false, nak: 'wrong network' });
    const taken = await client(c, 3).reboot('127.77.0.10');
    assert.equal(taken?.ok, false);
    const unknown = await client(c, 3).reboot('127.77.0.19');
    assert.equal(unknown, null);
    const mine = await client(c, 1).reboot('127.77.0.10');
    assert.ok(mine?.ok);
  });

  await t.test('RELEASE frees the lease and the client gets it back; DECLINE quarantines', async () => {
    const cl = client(c, 4);
    const r = await cl.dora();
    assert.ok(r?.ok);
    cl.release(r.lease);
    await sleep(100);
    assert.equal(repo.findByIp(r.lease.ip)!.state, 'released');
    const again = await cl.dora();
    assert.ok(again?.ok);
    assert.equal(again.lease.ip, r.lease.ip);
    cl.decline(again.lease);
    await sleep(100);
    assert.equal(repo.findByIp(r.lease.ip)!.state, 'declined');
    const after = await cl.dora();
    assert.ok(after?.ok);
    assert.notEqual(after.lease.ip, r.lease.ip);
    const other = await client(c, 5).discover(r.lease.ip);
    assert.notEqual(other?.ip, r.lease.ip, 'a declined address is not offered during its quarantine');
    const back = await cl.request({ ...r.lease, type: 'OFFER' });
    assert.deepEqual(back, { ok: false, nak: 'address not available' }, 'not even to the client that declined it');
  });

  await t.test('INFORM: configuration only, no lease time, no address, nothing recorded', async () => {
    const before = repo.list({}).length;
    const ack = await client(c, 9).inform('127.77.0.200');
    assert.ok(ack);
    assert.equal(ack.type, 'ACK');
    assert.equal(ack.ip, '0.0.0.0');
    assert.equal(ack.leaseSeconds, undefined);
    assert.equal(ack.acs?.acsUrl, 'https://acs.site.test:7547/');
    assert.equal(ack.packet.ciaddr, '127.77.0.200');
    assert.equal(repo.list({}).length, before);
  });

  await t.test('a REQUEST after the offer lapsed is granted when the address is still free', async () => {
    const cl = client(c, 8);
    const offer = await cl.discover();
    assert.ok(offer);
    c.clock.advance(120_000); // > offerHold (60 s): the sweep forgets the offer
    await sleep(20);
    const r = await cl.request(offer);
    assert.ok(r?.ok);
    assert.equal(r.lease.ip, offer.ip);
  });

  await t.test('reservation by MAC, exclusion never handed out, other vendor classes get their own options', async () => {
    const res = await new DhcpClient(c.relay, { mac: '02:00:00:00:00:aa', timeoutMs: 300 }).dora();
    assert.equal(res?.ok && res.lease.ip, '127.77.0.50');
    const cisco = await client(c, 6, { vendorClass: 'Cisco Systems, Inc. IP Phone CP-8845' }).dora();
    assert.ok(cisco?.ok);
    assert.equal(cisco.lease.option43, undefined);
    assert.equal(cisco.lease.option125, undefined);
    assert.deepEqual(cisco.lease.option150, ['127.77.0.2']);
    assert.equal(cisco.lease.option66, 'acs.site.test');
    const ips = repo.list({}).map((l) => l.ip);
    assert.ok(!ips.includes('127.77.0.15'));
  });

  await t.test('pool exhaustion: silence, a health condition and a metric; existing clients still renew', async () => {
    const got: string[] = [];
    for (let i = 0; i < 14; i++) {
      const r = await new DhcpClient(c.relay, { mac: `02:${randomBytes(5).toString('hex').match(/../g)!.join(':')}`, timeoutMs: 150, tries: 1 }).dora();
      if (r?.ok) got.push(r.lease.ip);
    }
    assert.ok(got.length < 14);
    assert.ok(c.t.app.health.has('DHCP_POOL_EXHAUSTED'));
    assert.ok((c.t.app.metrics.value('outpost_dhcp_pool_exhausted_total', { scope: 'voice' }) ?? 0) > 0);
    const r = await client(c, 1).renew({ ...(await client(c, 1).discover())! });
    assert.ok(r?.ok, 'a bound client renews while the pool is full');
  });

  await t.test('expiry: leases past their time are swept to expired and the pool recovers', async () => {
    c.clock.advance(2 * 3600_000);
    await sleep(50);
    const row = repo.findByIp('127.77.0.10')!;
    assert.equal(row.state, 'expired');
    assert.ok(events.some((e) => e.state === 'expired' && e.ip === '127.77.0.10'));
    const r = await client(c, 99).dora();
    assert.ok(r?.ok);
    assert.ok(!c.t.app.health.has('DHCP_POOL_EXHAUSTED'));
  });

  await t.test('unserved giaddr and malformed packets get nothing; the service keeps answering', async () => {
    const stranger = await DhcpTransport.open({ mode: 'relay', giaddr: '127.78.0.1', server: '127.0.0.1', serverPort: c.port, relayPort: randomPort() });
    t.after(() => stranger.close());
    assert.equal(await new DhcpClient(stranger, { mac: mac(7), timeoutMs: 200, tries: 1 }).discover(), null);
    const s = dgram.createSocket('udp4');
    for (let i = 0; i < 200; i++) s.send(randomBytes(i * 3), c.port, '127.0.0.1');
    await sleep(100);
    s.close();
    assert.ok((c.t.app.metrics.value('outpost_dhcp_dropped_total', { reason: 'malformed' }) ?? 0) > 100);
    const r = await client(c, 1).dora();
    assert.ok(r?.ok);
  });
});

test('a direct scope whose interface helper cannot start fails the start with DHCP_BIND', async () => {
  const yaml = `  enabled: true
  port: ${randomPort()}
  helper: /nonexistent/outpost-dhcp-ifsock
  scopes:
    - name: direct
      subnet: 127.77.2.0/24
      interface: lo
      serverId: 127.77.2.1
      ranges: [{ start: 127.77.2.10, end: 127.77.2.20 }]
`;
  await assert.rejects(startApp(yaml), (e: Error) => /dhcp: DHCP socket cannot be bound: interface helper/.test(e.message));
});

test('config errors name the field', async () => {
  const { parseConfig } = await import('../../src/core/config/load.ts');
  const bad = (dhcp: string) => { try { parseConfig(`site: { id: x, domain: x.test }\ndhcp:\n${dhcp}`); return ''; } catch (e) { return (e as Error).message; } };
  assert.match(bad('  enabled: true\n  scopes: []'), /dhcp\.scopes.*at least one scope/);
  assert.match(bad('  enabled: true\n  listen: [10.0.0.1]\n  scopes: [{ name: a, subnet: 10.0.0.0/24, ranges: [{ start: 10.0.1.1, end: 10.0.1.5 }] }]'), /10\.0\.1\.1 is outside 10\.0\.0\.0\/24/);
  assert.match(bad('  enabled: true\n  scopes: [{ name: a, subnet: 10.0.0.0/24, interface: eth1, serverId: 10.0.0.1, ranges: [{ start: 10.0.0.2, end: 10.0.0.5 }] }]'), /dhcp\.helper/);
  assert.equal(bad('  enabled: false'), '');
});
