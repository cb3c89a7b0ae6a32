// Robustness of the running service (composed app, loopback, relayed mode): 100,000 malformed
// and mutated packets, then pool exhaustion with random MACs. No crash, no corruption (SQLite
// integrity, every bound lease inside the pool, no address bound twice), and the service keeps
// answering.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { encode, emptyPacket, chaddrOf, Opt, BOOTREQUEST, ipToBuf } from '../../src/protocols/dhcp/index.ts';
import { mutate, rng } from '../../src/protocols/dhcp/testdata/mutate.ts';
import * as golden from '../../src/protocols/dhcp/testdata/golden.ts';
import { LeaseRepo, ipNum } from '../../src/store/leases.ts';
import { DhcpClient, DhcpTransport } from '../sim/dhcp-client.ts';
import { randomPort, startApp, sleep, until } from './harness.ts';

const POOL = { start: '127.77.1.10', end: '127.77.1.73' }; // 64 addresses

function dhcpYaml(port: number, relayPort: number): string {
  return `  enabled: true
  port: ${port}
  relayPort: ${relayPort}
  listen: [127.0.0.1]
  leaseTime: 1h
  scopes:
    - name: robust
      subnet: 127.77.1.0/24
      serverId: 127.0.0.1
      ranges: [{ start: ${POOL.start}, end: ${POOL.end} }]
      router: [127.77.1.1]
`;
}

/** Valid requests of every type, relayed from 127.77.1.1, as mutation bases. */
function bases(): Buffer[] {
  const out: Buffer[] = [...Object.values(golden)];
  for (const type of [1, 3, 4, 7, 8]) {
    const p = emptyPacket(BOOTREQUEST);
    p.xid = type;
    p.giaddr = '127.77.1.1';
    p.chaddr = chaddrOf('02:00:00:99:00:0' + type);
    if (type === 7 || type === 8) p.ciaddr = '127.77.1.20';
    p.options.set(Opt.MESSAGE_TYPE, Buffer.from([type]))
      .set(Opt.REQUESTED_IP, ipToBuf('127.77.1.12')).set(Opt.SERVER_ID, ipToBuf('127.0.0.1'))
      .set(Opt.VENDOR_CLASS, Buffer.from('dslforum.org')).set(Opt.PARAM_REQUEST_LIST, Buffer.from([1, 3, 43, 66, 125]))
      .set(Opt.RELAY_AGENT, Buffer.from('0103616263', 'hex'));
    out.push(encode(p));
  }
  return out;
}

test('100,000 mutated packets and pool exhaustion: no crash, no corruption, service continues', { timeout: 60_000 }, async (t) => {
  const port = randomPort(), relayPort = randomPort();
  const app = await startApp(dhcpYaml(port, relayPort));
  const relay = await DhcpTransport.open({ mode: 'relay', giaddr: '127.77.1.1', server: '127.0.0.1', serverPort: port, relayPort });
  t.after(async () => { relay.close(); await app.close(); });
  const repo = new LeaseRepo(app.app.store);

  const m = app.app.metrics;
  const sum = (name: string) => m.render().split('\n').filter((l) => l.startsWith(name + '{') || l.startsWith(name + ' '))
    .reduce((s, l) => s + Number(l.split(' ').at(-1)), 0);
  const malformed = () => m.value('outpost_dhcp_dropped_total', { reason: 'malformed' }) ?? 0;
  const seen = () => malformed() + sum('outpost_dhcp_received_total');
  const sock = dgram.createSocket('udp4');
  const r = rng(7);
  const b = bases();
  const base = seen();
  for (let i = 0; i < 100_000; i++) {
    let pkt = mutate(b[i % b.length]!, r);
    if (r() < 0.1 && pkt.length > 44) { pkt = Buffer.from(pkt); pkt[Math.floor(r() * 44)] = Math.floor(r() * 256); } // header fields
    sock.send(pkt, port, '127.0.0.1');
    // flow control (bounded): let the service catch up every 250 packets
    if (i % 250 === 249) await until(() => seen() - base >= i - 50, 2000, 1);
  }
  await until(() => seen() - base >= 99_900, 2000, 5);
  sock.close();
  assert.equal(m.value('outpost_dhcp_dropped_total', { reason: 'internal' }) ?? 0, 0, 'no request hit a bug');
  assert.ok(seen() - base > 99_000, `packets seen by the service: ${seen() - base} (malformed ${malformed()})`);
  assert.ok(malformed() > 30_000);

  // pool exhaustion with random MACs: 3× the pool
  let granted = 0;
  for (let i = 0; i < 192; i += 32) {
    const res = await Promise.all(Array.from({ length: 32 }, () => new DhcpClient(relay, {
      mac: '02:' + randomBytes(5).toString('hex').match(/../g)!.join(':'), timeoutMs: 200, tries: 1,
    }).dora()));
    granted += res.filter((x) => x?.ok).length;
  }
  assert.ok(granted <= 64 && granted > 0, `granted ${granted} of a 64-address pool`);
  assert.ok(app.app.health.has('DHCP_POOL_EXHAUSTED'));
  assert.ok((m.value('outpost_dhcp_pool_exhausted_total', { scope: 'robust' }) ?? 0) > 0);

  // no corruption
  assert.equal(app.app.store.db.pragma('integrity_check', { simple: true }), 'ok');
  const bound = repo.list({ state: 'bound' });
  const lo = ipNum(POOL.start), hi = ipNum(POOL.end);
  for (const l of bound) assert.ok(ipNum(l.ip) >= lo && ipNum(l.ip) <= hi, `${l.ip} inside the pool`);
  assert.equal(new Set(bound.map((l) => l.ip)).size, bound.length);

  // the service continues: a bound client renews, and releasing frees an address for a newcomer
  const some = bound.find((l) => l.mac.startsWith('02:') && l.clientId)!;
  const owner = new DhcpClient(relay, { mac: some.mac, clientId: Buffer.from(some.clientId!, 'hex'), timeoutMs: 300 });
  const renewed = await owner.renew({ ip: some.ip, serverId: '127.0.0.1' } as never);
  assert.ok(renewed?.ok, 'renewal while exhausted');
  owner.release(renewed.lease);
  await sleep(100);
  const newcomer = await new DhcpClient(relay, { mac: '02:aa:bb:cc:dd:ee', timeoutMs: 300 }).dora();
  assert.equal(newcomer?.ok && newcomer.lease.ip, some.ip);
  assert.ok(!app.app.health.has('DHCP_POOL_EXHAUSTED'));
});
