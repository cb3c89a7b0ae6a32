// Durability: Outpost runs as a child process (node src/main.ts serve --config FILE) in a
// namespace; a relay-agent driver DORAs phones in parallel; the server is killed with SIGKILL
// in the middle of the burst. Every lease whose ACK a phone received must be on disk, and after
// a restart every phone gets the same address again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { Topology, haveRoot, need, readLeases, sh, startOutpost, writeSiteConfig, type Child } from './harness.ts';

const ROOT = join(import.meta.dirname, '../..');
const DHCP = `  enabled: true
  listen: [10.77.5.1]
  leaseTime: 1h
  scopes:
    - name: kill9
      subnet: 10.77.6.0/24
      serverId: 10.77.5.1
      ranges: [{ start: 10.77.6.10, end: 10.77.6.250 }]
      router: [10.77.6.1]
`;

interface Ack { mac: string; ip: string }

/** Run the driver in the client namespace; onAck sees each ACK as it arrives. */
function drive(first: number, count: number, conc: number, onAck: (a: Ack) => void = () => {}): Promise<Ack[]> {
  const p = spawn('ip', ['netns', 'exec', 'opdh-kcli', join(ROOT, 'node_modules/.bin/node'), join(import.meta.dirname, 'fixtures/dora.ts'),
    '10.77.5.1', '10.77.6.1', String(first), String(count), String(conc)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const acks: Ack[] = [];
  let buf = '';
  p.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = JSON.parse(buf.slice(0, i)) as Ack & { done?: boolean };
      buf = buf.slice(i + 1);
      if (!line.done) { acks.push(line); onAck(line); }
    }
  });
  return new Promise((resolve) => p.on('exit', () => resolve(acks)));
}

test('kill -9 during a burst loses no ACKed lease; a restart serves the same addresses', { timeout: 60_000 }, async (t) => {
  if (!need(t, haveRoot(), 'root and ip netns')) return;
  const dir = mkdtempSync(join(tmpdir(), 'opdh-k9-'));
  const topo = new Topology();
  let server: Child | null = null;
  t.after(async () => { await server?.kill9().catch(() => {}); topo.destroy(); rmSync(dir, { recursive: true, force: true }); });
  topo.addNs('opdh-ksrv');
  topo.addNs('opdh-kcli');
  topo.link('opdh-ksrv', 'opdh-k1', '10.77.5.1/24', 'opdh-kcli', 'opdh-k2', '10.77.5.2/24');
  sh('ip -n opdh-kcli addr add 10.77.6.1/24 dev opdh-k2');
  sh('ip -n opdh-ksrv route add 10.77.6.0/24 via 10.77.5.2');
  const config = writeSiteConfig(dir, DHCP);

  server = await startOutpost('opdh-ksrv', config);
  const first = server;
  let killed = false;
  let seen = 0;
  const acks = await drive(0, 200, 40, () => {
    if (!killed && ++seen >= 80) { killed = true; void first.kill9(); }
  });
  assert.ok(killed, 'the server was killed mid-burst');
  assert.ok(acks.length >= 80 && acks.length < 200, `acks before the kill: ${acks.length}`);

  const rows = new Map(readLeases(dir).map((l) => [l.ip, l]));
  for (const a of acks) {
    const l = rows.get(a.ip);
    assert.ok(l && l.state === 'bound' && l.mac === a.mac, `ACKed lease ${a.ip} for ${a.mac} is on disk`);
    assert.equal(l.circuitId, 'sw-k/1');
  }

  server = await startOutpost('opdh-ksrv', config);
  const again = await drive(0, 200, 40);
  const byMac = new Map(again.map((a) => [a.mac, a.ip]));
  for (const a of acks) assert.equal(byMac.get(a.mac), a.ip, `${a.mac} keeps ${a.ip} after the restart`);
  assert.equal(again.length, 200, 'and the rest are served');
  const after = readLeases(dir).filter((l) => l.state === 'bound');
  assert.equal(new Set(after.map((l) => l.ip)).size, after.length);
  assert.equal(after.length, 200);
});
