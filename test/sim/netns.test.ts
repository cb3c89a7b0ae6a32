// Network mode end to end, in network namespaces (root):
//
//   opsm-ph  [opsm-p0: the fleet adds each phone's leased address]  ──  [opsm-s0 10.91.0.1]  opsm-srv
//            npm run sim -- --network opsm-p0 …                          Outpost: DHCP, DNS, ACS, STUN
//
// Every phone sends its own DISCOVER/REQUEST (own MAC in chaddr and option 61, option 60
// dslforum.org, option 125 with OUI/serial/class), learns the ACS URL from option 43 and the DNS
// server from option 6, resolves acs.site.test there, boots over HTTPS from its leased address
// (so the ACS sees one address per phone and a ConnectionRequestURL on it), and renews at T1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { systemClock } from '../../src/core/clock.ts';
import { secretBox } from '../../src/core/secrets.ts';
import { openStore } from '../../src/store/index.ts';
import { DeviceRepo } from '../../src/store/devices.ts';
import { Topology, buildHelper, have, haveRoot, need, readLeases, startOutpost, until, type Child } from '../dhcp/harness.ts';
import type { FleetSummary } from './fleet.ts';

const PHONES = 24;

function siteConfig(dir: string, helper: string): string {
  return `site: { id: opsm-test, domain: site.test }
stateDir: ${dir}
log: { level: info }
dhcp:
  enabled: true
  helper: ${helper}
  leaseTime: 4s
  scopes:
    - name: voice
      subnet: 10.91.0.0/24
      interface: opsm-s0
      serverId: 10.91.0.1
      ranges: [{ start: 10.91.0.100, end: 10.91.0.200 }]
      router: [10.91.0.1]
      dns: [10.91.0.1]
      ntp: [10.91.0.1]
      domain: site.test
acs:
  listen: { host: 10.91.0.1, port: 7547 }
  auth:
    bootstrap: { username: site-boot, password: boot-secret }
api: { enabled: false }
dns:
  enabled: true
  listen: [{ host: 10.91.0.1, port: 53 }]
stun:
  enabled: true
  listen: { host: 10.91.0.1, port: 3478 }
`;
}

test('network mode: DHCP per phone (own MAC, lease, options 60/61/125), DNS from option 6, HTTPS from the leased address, renewal', { timeout: 90_000 }, async (t) => {
  if (!need(t, haveRoot(), 'root and ip netns')) return;
  if (!need(t, have('cc'), 'cc (the DHCP interface helper)')) return;
  const dir = mkdtempSync(join(tmpdir(), 'opsm-ns-'));
  chmodSync(dir, 0o755);
  const topo = new Topology();
  let server: Child | null = null;
  t.after(async () => {
    await server?.stop().catch(() => {});
    topo.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
  topo.addNs('opsm-srv');
  topo.addNs('opsm-ph');
  topo.link('opsm-srv', 'opsm-s0', '10.91.0.1/24', 'opsm-ph', 'opsm-p0', null);
  const config = join(dir, 'outpost.yaml');
  writeFileSync(config, siteConfig(dir, buildHelper()));
  server = await startOutpost('opsm-srv', config);
  const ca = join(dir, 'tls', 'ca.pem');
  // startOutpost returns once DHCP serves; the ACS (which generates the site CA) starts after it.
  assert.ok(await until(() => existsSync(ca) && /ACS listening|acs.*listening/i.test(server!.output()), 15_000), `ACS up: ${server.output()}`);

  const summaryFile = join(dir, 'summary.json');
  const root = join(import.meta.dirname, '../..');
  const cli = spawn('ip', ['netns', 'exec', 'opsm-ph', join(root, 'node_modules/.bin/node'), join(root, 'test/sim/cli.ts'),
    '--acs', 'https://not-used.invalid/', '--ca', ca, '--network', 'opsm-p0', '--phones', String(PHONES),
    '--model', 'yealink:1,grandstream:1,ex:1,tr181:1', '--username', 'site-boot', '--password', 'boot-secret',
    '--serial-prefix', 'NET', '--duration', '7', '--json', summaryFile], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  cli.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  const code = await new Promise<number | null>((r) => cli.on('exit', (c) => r(c)));
  assert.equal(code, 0, err);
  const s = JSON.parse(readFileSync(summaryFile, 'utf8')) as FleetSummary;
  assert.equal(s.counts.compliant, PHONES, `${JSON.stringify(s.counts)} ${JSON.stringify(s.errors)}\n${err}`);
  assert.equal(s.phases.dhcp.n, PHONES, 'every phone got a lease');
  assert.equal(s.phases.dns.n, PHONES, 'every phone resolved the ACS name');
  t.diagnostic(`phases (ms): ${JSON.stringify(s.phases)}`);

  const leases = readLeases(dir).filter((l) => l.scope === 'voice');
  const bound = leases.filter((l) => l.state === 'bound');
  assert.equal(bound.length, PHONES, JSON.stringify(leases.map((l) => [l.mac, l.state])));
  assert.equal(new Set(bound.map((l) => l.mac)).size, PHONES, 'one MAC per phone');
  assert.equal(new Set(bound.map((l) => l.ip)).size, PHONES, 'one address per phone');
  for (const l of bound) {
    assert.equal(l.vendorClass, 'dslforum.org');
    assert.equal(l.clientId, `01${l.mac.replace(/:/g, '')}`, 'option 61 = 01 + MAC');
    assert.ok(l.oui && l.serial && l.productClass, 'option 125 identity');
    // Leases of 4 s, the run lasted 7 s: still bound only because every phone renewed at T1.
    assert.ok(l.expiresAt > Date.now() - 4000, `renewed: ${l.ip} expires ${new Date(l.expiresAt).toISOString()}`);
  }
  const store = openStore({ file: join(dir, 'outpost.db'), clock: systemClock, secrets: secretBox(randomBytes(32)) });
  try {
    const devices = new DeviceRepo(store).list({ limit: 1000, offset: 0 }).items;
    assert.equal(devices.length, PHONES);
    for (const d of devices) {
      const lease = bound.find((l) => l.serial === d.serial);
      assert.ok(lease, `a lease for ${d.serial}`);
      assert.equal(d.remoteIp, lease.ip, 'the ACS saw the phone at its own leased address');
    }
  } finally {
    store.close();
  }
});
