// The DNS service inside the composed app (createApp + parseConfig, state in mkdtemp) on
// loopback port 0, driven with raw UDP and TCP queries — no root needed. The namespace tests
// (service.test.ts) do the same with dig and kdig.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/core/config/load.ts';
import { createApp, type App } from '../../src/app.ts';
import { FakeClock } from '../../src/core/clock.ts';
import { memoryLogger } from '../../src/core/log.ts';
import { LeaseRepo } from '../../src/store/leases.ts';
import { FakeUpstream } from './fake-upstream.ts';
import { decode, lease, query } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'opdn-app-'));
const upstream = new FakeUpstream();
const clock = new FakeClock(Date.now());
let app: App;
let port = 0;

before(async () => {
  const up = await upstream.listen('127.0.0.1', 0);
  app = createApp({
    clock, log: memoryLogger('warn'),
    config: parseConfig(`site: { id: opdn, domain: site.example }
stateDir: ${dir}
acs: { enabled: false, listen: { host: 127.0.0.1, port: 7547 } }
api: { enabled: false }
stun: { enabled: false }
dns:
  enabled: true
  listen: { host: 127.0.0.1, port: 0 }
  zone:
    sip: { servers: [{ name: sip1, addresses: 127.0.0.5 }] }
    reverse: [127.0.0.0/24]
  upstream: { servers: [{ host: 127.0.0.1, port: ${up} }] }
`),
  });
  const repo = new LeaseRepo(app.store);
  await app.store.commit(() => repo.save({ ...lease('127.0.0.20', 'desk-phone'), expiresAt: clock.now() + 3_600_000 }));
  app.events.on('dns.listening', (a) => { port = a.addresses[0]!.port; });
  await app.start();
});
after(async () => {
  await app.stop();
  upstream.close();
  rmSync(dir, { recursive: true, force: true });
});

function udp(msg: Buffer): Promise<Buffer> {
  const s = dgram.createSocket('udp4');
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => { s.close(); reject(new Error('no UDP answer')); }, 3000);
    s.on('message', (m) => { clearTimeout(t); s.close(); resolve(m); });
    s.send(msg, port, '127.0.0.1');
  });
}

function tcp(msgs: Buffer[]): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    let buf = Buffer.alloc(0);
    // Fail with what did arrive rather than hang: a missing answer once stalled this test for its
    // whole 300 s timeout under a loaded CI run.
    const got = () => out.map((b) => b.readUInt16BE(0)).join(',') || 'none';
    const t = setTimeout(() => { s.destroy(); reject(new Error(`TCP: ${out.length} of ${msgs.length} answers in 5 s (ids ${got()})`)); }, 5000);
    const s = net.connect({ host: '127.0.0.1', port }, () => {
      // Pipelined: all queries in one write (RFC 7766 §6.2.1.1).
      s.write(Buffer.concat(msgs.flatMap((m) => [Buffer.from([m.length >> 8, m.length & 255]), m])));
    });
    s.on('data', (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        out.push(buf.subarray(2, 2 + buf.readUInt16BE(0)));
        buf = buf.subarray(2 + buf.readUInt16BE(0));
      }
      if (out.length === msgs.length) { clearTimeout(t); s.end(); resolve(out); }
    });
    s.on('close', () => { clearTimeout(t); if (out.length < msgs.length) reject(new Error(`TCP: the server closed after ${out.length} of ${msgs.length} answers (ids ${got()})`)); });
    s.on('error', reject);
  });
}

const data = (b: Buffer) => (decode(b).answers ?? []).map((a) => (a as { data: unknown }).data);

test('the composed app answers local names, lease names and forwarded names over UDP and TCP', async () => {
  assert.ok(port > 0, 'dns.listening gave the port');
  assert.deepEqual(data(await udp(query('acs.site.example', 'A'))), ['127.0.0.1']);
  assert.deepEqual(data(await udp(query('desk-phone.site.example', 'A'))), ['127.0.0.20']);
  assert.deepEqual(data(await udp(query('20.0.0.127.in-addr.arpa', 'PTR'))), ['desk-phone.site.example']);
  assert.deepEqual(data(await udp(query('www.example.net', 'A'))), ['192.0.2.1']);
  const [a, srv, fwd, nx] = await tcp([
    query('acs.site.example', 'A', { id: 1 }), query('_sip._tcp.site.example', 'SRV', { id: 2 }),
    query('www.example.net', 'A', { id: 3 }), query('nope.site.example', 'A', { id: 4 }),
  ]).then((r) => r.sort((x, y) => x.readUInt16BE(0) - y.readUInt16BE(0)));
  assert.deepEqual(data(a!), ['127.0.0.1']);
  assert.deepEqual(data(srv!), [{ priority: 10, weight: 100, port: 5060, target: 'sip1.site.example' }]);
  assert.deepEqual(data(fwd!), ['192.0.2.1'], 'from the cache');
  assert.equal(decode(nx!).rcode, 'NXDOMAIN');
});

test('a dhcp.lease event brings a new phone name into the zone', async () => {
  const repo = new LeaseRepo(app.store);
  await app.store.commit(() => repo.save({ ...lease('127.0.0.21', 'muster-2'), expiresAt: clock.now() + 3_600_000 }));
  app.events.emit('dhcp.lease', { ip: '127.0.0.21', mac: '00:15:65:00:00:21', hostname: 'muster-2', state: 'bound' });
  clock.advance(600);
  assert.deepEqual(data(await udp(query('muster-2.site.example', 'A'))), ['127.0.0.21']);
});

test('metrics are pushed from the packet-path counters', () => {
  clock.advance(5000);
  assert.ok((app.metrics.value('outpost_dns_queries_total', { transport: 'udp' }) ?? 0) >= 5);
  assert.ok((app.metrics.value('outpost_dns_queries_total', { transport: 'tcp' }) ?? 0) >= 4);
  assert.ok((app.metrics.value('outpost_dns_responses_total', { rcode: 'NXDOMAIN' }) ?? 0) >= 1);
  assert.equal(app.metrics.value('outpost_dns_upstream_up'), 1);
  assert.ok((app.metrics.value('outpost_dns_cache_hits_total') ?? 0) >= 1);
});
