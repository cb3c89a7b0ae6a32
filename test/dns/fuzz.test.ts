// 50 000 mutated queries over UDP (and 500 frames over TCP) against the composed app in a
// namespace, with forwarding on; afterwards the process is alive and a normal query answers.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DnsLab, have, haveRoot, need, parseDig, SERVER } from './lab.ts';

const lab = new DnsLab();
after(() => lab.down());

test('fuzz: 50 000 mutated queries over UDP without a crash, then a normal query still answers', async (t) => {
  if (!need(t, haveRoot() && have('dig'), 'root, ip netns and dig (bind9-dnsutils)')) return;
  await lab.up();
  await lab.boot(`  enabled: true
  listen: { host: ${SERVER}, port: 53 }
  allow: [10.78.1.0/24]
  zone:
    hosts: { big: [${Array.from({ length: 40 }, (_, i) => `10.78.3.${i + 1}`).join(', ')}] }
    sip: { servers: [{ name: sip1, addresses: 10.78.1.5 }] }
    reverse: [10.78.1.0/24]
  upstream: { servers: [10.78.2.2] }`, [['10.78.1.100', 'phone']]);
  const r = lab.client([process.execPath, join(import.meta.dirname, 'fuzz-client.ts'), SERVER, '53', '50000', '20261122'], 60_000);
  assert.equal(r.status, 0, r.stdout);
  const stats = JSON.parse(r.stdout.trim().split('\n').pop()!) as { sent: number; received: number; tcpFrames: number };
  t.diagnostic(JSON.stringify(stats));
  assert.equal(stats.sent, 50_000);
  assert.ok(stats.received > 10_000, `answers to the parseable part: ${stats.received}`);
  assert.ok(lab.outpostAlive, 'Outpost still running');
  for (const tcp of ['+notcp', '+tcp']) {
    const d = lab.client(['dig', `@${SERVER}`, '+tries=1', '+time=3', tcp, 'acs.site.example']);
    const a = parseDig(d.stdout, d.ms);
    assert.equal(a.status, 'NOERROR', d.stdout);
    assert.equal(a.answers.length, 1);
  }
  const ptr = lab.client(['dig', `@${SERVER}`, '+short', '-x', '10.78.1.100']).stdout.trim();
  assert.equal(ptr, 'phone.site.example.');
});
