// Real clients against Outpost (as a child process) in network namespaces:
//
//   opdh-cli1 [opdh-c1] ── [opdh-s1 10.77.1.1]  served directly (scope "voice", via the helper)
//   opdh-cli2 [opdh-c2] ── [opdh-s2 10.77.9.1]  a second interface of the box: NOT served
//                            opdh-srv
//                         [opdh-s3 10.77.3.1]  listen address for relays (scope "relayed")
//                                │
//   opdh-rly  [opdh-r3 10.77.3.2] dhcrelay -a [opdh-r2 10.77.2.1] ── [opdh-c3] opdh-cli3
//
// dhclient and busybox udhcpc get addresses and the exact option 43/66/125 bytes (checked on the
// wire with tcpdump and in the client's own view), renew, release and decline; the relayed client
// gets its reply through giaddr and its switch port (option 82 circuit-id) is recorded; the
// client on the unserved interface gets nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { decode, encodeCwmp43, encodeAnnexF, Opt, MessageType } from '../../src/protocols/dhcp/index.ts';
import {
  Topology, buildHelper, have, haveRoot, need, pcapUdpPayloads, readLeases, sh, startOutpost, until,
  writeSiteConfig, sleep, type Child,
} from './harness.ts';

const ACS = 'https://acs.site.test:7547/';
const OPT43 = encodeCwmp43({ acsUrl: ACS, provisioningCode: 'SITE-042', retryMinimumWaitInterval: 5, retryIntervalMultiplier: 2000 });
const OPT125 = encodeAnnexF({ oui: '00E0FC', serial: 'SITENODE0001', productClass: 'SiteNode' }, true);

function dhcpSection(helper: string): string {
  return `  enabled: true
  helper: ${helper}
  listen: [10.77.3.1]
  leaseTime: 1h
  acs: { provisioningCode: SITE-042, retryMinimumWaitInterval: 5, retryIntervalMultiplier: 2000 }
  gateway: { oui: 00E0FC, serial: SITENODE0001, productClass: SiteNode }
  scopes:
    - name: voice
      subnet: 10.77.1.0/24
      interface: opdh-s1
      serverId: 10.77.1.1
      ranges: [{ start: 10.77.1.10, end: 10.77.1.60 }]
      router: [10.77.1.1]
      dns: [10.77.1.1]
      ntp: [10.77.1.1]
      domain: site.test
      option66: acs.site.test
    - name: relayed
      subnet: 10.77.2.0/24
      serverId: 10.77.3.1
      ranges: [{ start: 10.77.2.100, end: 10.77.2.150 }]
      router: [10.77.2.1]
      dns: [10.77.3.1]
`;
}

class Bg {
  readonly procs: ChildProcess[] = [];
  run(cmd: string, env: Record<string, string> = {}): ChildProcess {
    const p = spawn('sh', ['-c', `exec ${cmd}`], { stdio: 'ignore', env: { ...process.env, ...env } });
    this.procs.push(p);
    return p;
  }
  async kill(p: ChildProcess, sig: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (p.exitCode !== null || p.signalCode !== null) return;
    const done = new Promise((r) => p.once('exit', r));
    p.kill(sig);
    await Promise.race([done, sleep(3000)]);
    if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  }
  async killAll(): Promise<void> {
    for (const p of this.procs) await this.kill(p, 'SIGKILL');
  }
}

function optionsInAcks(pcapFile: string): Map<number, Buffer>[] {
  const out: Map<number, Buffer>[] = [];
  for (const { payload } of pcapUdpPayloads(readFileSync(pcapFile))) {
    try {
      const p = decode(payload);
      if (p.options.messageType() === MessageType.ACK) out.push(new Map(p.options.entries()));
    } catch { /* not DHCP */ }
  }
  return out;
}

test('real DHCP clients in network namespaces', { timeout: 90_000 }, async (t) => {
  if (!need(t, haveRoot(), 'root and ip netns')) return;
  for (const c of ['dhclient', 'busybox', 'dhcrelay', 'tcpdump', 'cc']) if (!need(t, have(c), c)) return;
  const dir = mkdtempSync(join(tmpdir(), 'opdh-ns-'));
  chmodSync(dir, 0o755); // tcpdump drops privileges and writes its pcap here
  const topo = new Topology();
  const bg = new Bg();
  let server: Child | null = null;
  t.after(async () => {
    await bg.killAll();
    await server?.stop().catch(() => {});
    topo.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
  for (const ns of ['opdh-srv', 'opdh-cli1', 'opdh-cli2', 'opdh-cli3', 'opdh-rly']) topo.addNs(ns);
  topo.link('opdh-srv', 'opdh-s1', '10.77.1.1/24', 'opdh-cli1', 'opdh-c1', null);
  topo.link('opdh-srv', 'opdh-s2', '10.77.9.1/24', 'opdh-cli2', 'opdh-c2', null);
  topo.link('opdh-srv', 'opdh-s3', '10.77.3.1/24', 'opdh-rly', 'opdh-r3', '10.77.3.2/24');
  topo.link('opdh-rly', 'opdh-r2', '10.77.2.1/24', 'opdh-cli3', 'opdh-c3', null);
  sh('ip -n opdh-srv route add 10.77.2.0/24 via 10.77.3.2');
  sh('ip netns exec opdh-rly sysctl -qw net.ipv4.ip_forward=1');

  server = await startOutpost('opdh-srv', writeSiteConfig(dir, dhcpSection(buildHelper())));
  const leases = () => readLeases(dir);
  let udhcpcIp = '';

  const hook = join(dir, 'hook.sh');
  writeFileSync(hook, `#!/bin/sh
# dhclient passes $reason and new_*; udhcpc passes $1 and ip/opt*; both: record and configure
if [ -n "$reason" ]; then
  case "$reason" in BOUND|RENEW|REBOOT|REBIND)
    ip addr add "$new_ip_address/24" dev "$interface" 2>/dev/null
    env | grep -E '^new_' | sort > "${dir}/dhclient.$reason" ;; esac
else
  case "$1" in bound|renew)
    ip addr add "$ip/24" dev "$interface" 2>/dev/null
    env | grep -E '^(ip|opt[0-9]+|tftp|domain|dns|router|ntpsrv|serverid|lease)=' | sort > "$HOOK_OUT.$1" ;; esac
fi
exit 0
`, { mode: 0o755 });

  await t.test('dhclient gets an address and the exact option 43 and 66 bytes', async () => {
    const conf = join(dir, 'dhclient.conf');
    writeFileSync(conf, `send vendor-class-identifier "dslforum.org";
send host-name "dh-phone";
request subnet-mask, routers, domain-name-servers, ntp-servers, domain-name, vendor-encapsulated-options, tftp-server-name;
timeout 10; retry 1;
`);
    writeFileSync(join(dir, 'dh.leases'), '');
    const cap = bg.run(`ip netns exec opdh-cli1 tcpdump --immediate-mode -i opdh-c1 -U -s0 -w ${dir}/c1.pcap udp port 67 or udp port 68`);
    await until(() => existsSync(join(dir, 'c1.pcap')), 5000);
    await sleep(300);
    const dh = bg.run(`ip netns exec opdh-cli1 dhclient -4 -d -1 -cf ${conf} -lf ${dir}/dh.leases -pf ${dir}/dh.pid -sf ${hook} opdh-c1`);
    const env = await until(() => existsSync(join(dir, 'dhclient.BOUND')) && readFileSync(join(dir, 'dhclient.BOUND'), 'utf8'), 15_000);
    assert.ok(env, 'dhclient bound');
    assert.match(env, /^new_ip_address=10\.77\.1\.10$/m);
    assert.match(env, /^new_routers=10\.77\.1\.1$/m);
    assert.match(env, /^new_ntp_servers=10\.77\.1\.1$/m);
    assert.match(env, /^new_tftp_server_name=acs\.site\.test$/m);
    const v43 = /^new_vendor_encapsulated_options=(.*)$/m.exec(env)?.[1];
    assert.equal(Buffer.from(v43!.split(':').map((x) => parseInt(x, 16))).toString('hex'), OPT43.toString('hex'));
    await sleep(300);
    await bg.kill(dh);
    await bg.kill(cap);
    const acks = optionsInAcks(join(dir, 'c1.pcap'));
    assert.ok(acks.length >= 1, 'the ACK was seen on the wire');
    assert.deepEqual(acks[0]!.get(Opt.VENDOR_SPECIFIC), OPT43);
    assert.deepEqual(acks[0]!.get(Opt.TFTP_SERVER), Buffer.from('acs.site.test'));
    assert.deepEqual(acks[0]!.get(Opt.VI_VENDOR_SPECIFIC), OPT125);
    const row = leases().find((l) => l.ip === '10.77.1.10')!;
    assert.deepEqual([row.state, row.hostname, row.vendorClass], ['bound', 'dh-phone', 'dslforum.org']);
  });

  await t.test('dhclient INIT-REBOOT with its lease file is ACKed; dhclient -r releases', async () => {
    const conf = join(dir, 'dhclient.conf');
    const dh = bg.run(`ip netns exec opdh-cli1 dhclient -4 -d -1 -cf ${conf} -lf ${dir}/dh.leases -pf ${dir}/dh.pid -sf ${hook} opdh-c1`);
    const env = await until(() => existsSync(join(dir, 'dhclient.REBOOT')) && readFileSync(join(dir, 'dhclient.REBOOT'), 'utf8'), 15_000);
    assert.match(env || '', /^new_ip_address=10\.77\.1\.10$/m);
    await bg.kill(dh);
    sh(`ip netns exec opdh-cli1 timeout 10 dhclient -4 -r -cf ${conf} -lf ${dir}/dh.leases -pf ${dir}/dh.pid -sf ${hook} opdh-c1`);
    const released = await until(() => leases().find((l) => l.ip === '10.77.1.10' && l.state === 'released'), 5000);
    assert.ok(released, 'RELEASE recorded');
    sh('ip -n opdh-cli1 addr flush dev opdh-c1');
  });

  await t.test('udhcpc gets the exact 43/66/125 bytes, renews (SIGUSR1) and releases (SIGUSR2)', async () => {
    const out = join(dir, 'ud');
    const ud = bg.run(`ip netns exec opdh-cli1 busybox udhcpc -i opdh-c1 -f -t 5 -T 1 -V dslforum.org -x hostname:ud-phone -O 43 -O 66 -O 125 -s ${hook}`, { HOOK_OUT: out });
    const env = await until(() => existsSync(`${out}.bound`) && readFileSync(`${out}.bound`, 'utf8'), 15_000);
    assert.ok(env, 'udhcpc bound');
    const ip = /^ip=(.*)$/m.exec(env)![1]!;
    udhcpcIp = ip;
    assert.match(ip, /^10\.77\.1\.\d+$/);
    assert.match(env, new RegExp(`^opt43=${OPT43.toString('hex')}$`, 'm'));
    assert.match(env, new RegExp(`^opt125=${OPT125.toString('hex')}$`, 'm'));
    assert.match(env, /^tftp=acs\.site\.test$/m);
    const first = leases().find((l) => l.ip === ip)!;
    assert.equal(first.hostname, 'ud-phone');
    await sleep(1100);
    ud.kill('SIGUSR1'); // renew: unicast REQUEST with ciaddr to the server
    const renewed = await until(() => existsSync(`${out}.renew`) && readFileSync(`${out}.renew`, 'utf8'), 10_000);
    assert.match(renewed || '', new RegExp(`^ip=${ip.replace(/\./g, '\\.')}$`, 'm'));
    assert.ok(leases().find((l) => l.ip === ip)!.expiresAt > first.expiresAt, 'renewal extended the lease');
    ud.kill('SIGUSR2'); // release
    assert.ok(await until(() => leases().find((l) => l.ip === ip && l.state === 'released'), 5000), 'release recorded');
    await bg.kill(ud);
    sh('ip -n opdh-cli1 addr flush dev opdh-c1');
  });

  await t.test('udhcpc -a declines an address in use; it is quarantined and another one is given', async () => {
    // the address udhcpc held (and released) is offered to it again; make it answer ARP
    const taken = udhcpcIp;
    sh(`ip -n opdh-srv addr add ${taken}/32 dev opdh-s1`);
    const out = join(dir, 'decl');
    const ud = bg.run(`ip netns exec opdh-cli1 busybox udhcpc -i opdh-c1 -f -a -t 8 -T 1 -A 1 -V dslforum.org -s ${hook}`, { HOOK_OUT: out });
    try {
      const env = await until(() => existsSync(`${out}.bound`) && readFileSync(`${out}.bound`, 'utf8'), 25_000);
      assert.ok(env, 'udhcpc bound after declining');
      assert.doesNotMatch(env, new RegExp(`^ip=${taken.replace(/\./g, '\\.')}$`, 'm'));
      const d = leases().find((l) => l.ip === taken)!;
      assert.equal(d.state, 'declined');
      assert.ok(d.expiresAt > Date.now() + 30 * 60_000, 'quarantined for declineHold');
    } finally {
      await bg.kill(ud);
      sh(`ip -n opdh-srv addr del ${taken}/32 dev opdh-s1`);
      sh('ip -n opdh-cli1 addr flush dev opdh-c1');
    }
  });

  await t.test('the simulator client (test/sim/dhcp-client.ts, broadcast transport) gets the bootstrap options', async () => {
    sh('ip -n opdh-cli1 route add default dev opdh-c1'); // lets it send to 255.255.255.255
    try {
      const out = sh(`ip netns exec opdh-cli1 ${join(import.meta.dirname, '../../node_modules/.bin/node')} ${join(import.meta.dirname, 'fixtures/broadcast-dora.ts')} 02:00:00:77:aa:01`);
      const l = JSON.parse(out) as { ip: string; acs: { acsUrl: string; provisioningCode: string }; option66: string; dns: string[]; ntp: string[] };
      assert.match(l.ip, /^10\.77\.1\.\d+$/);
      assert.deepEqual([l.acs.acsUrl, l.acs.provisioningCode, l.option66, l.dns, l.ntp], [ACS, 'SITE-042', 'acs.site.test', ['10.77.1.1'], ['10.77.1.1']]);
      const row = leases().find((x) => x.ip === l.ip)!;
      assert.deepEqual([row.mac, row.serial, row.productClass], ['02:00:00:77:aa:01', 'SIM0001', 'T54W']);
    } finally {
      sh('ip -n opdh-cli1 route del default dev opdh-c1');
    }
  });

  await t.test('a relayed client (ISC dhcrelay, option 82) gets its reply via giaddr; its port is recorded', async () => {
    const relay = bg.run('ip netns exec opdh-rly dhcrelay -4 -d -q -a -i opdh-r2 -iu opdh-r3 10.77.3.1');
    await sleep(700);
    const out = join(dir, 'rl');
    const ud = bg.run(`ip netns exec opdh-cli3 busybox udhcpc -i opdh-c3 -f -q -t 6 -T 1 -V dslforum.org -O 43 -s ${hook}`, { HOOK_OUT: out });
    const env = await until(() => existsSync(`${out}.bound`) && readFileSync(`${out}.bound`, 'utf8'), 15_000);
    await bg.kill(ud);
    await bg.kill(relay);
    assert.ok(env, 'relayed udhcpc bound');
    const ip = /^ip=(.*)$/m.exec(env)![1]!;
    assert.match(ip, /^10\.77\.2\.1\d\d$/);
    assert.match(env, /^router=10\.77\.2\.1$/m);
    assert.match(env, new RegExp(`^opt43=${OPT43.toString('hex')}$`, 'm'));
    const row = leases().find((l) => l.ip === ip)!;
    assert.deepEqual([row.scope, row.giaddr, row.circuitId, row.state], ['relayed', '10.77.2.1', 'opdh-r2', 'bound']);
  });

  await t.test('a client on the second, unserved interface gets nothing', async () => {
    const out = join(dir, 'un');
    const cap = bg.run(`ip netns exec opdh-srv tcpdump --immediate-mode -i opdh-s2 -U -s0 -w ${dir}/s2.pcap udp port 67 or udp port 68`);
    await until(() => existsSync(join(dir, 's2.pcap')), 5000);
    await sleep(300);
    const r = sh(`ip netns exec opdh-cli2 busybox udhcpc -i opdh-c2 -f -q -n -t 3 -T 1 -V dslforum.org -s ${hook} 2>&1 || true`);
    await bg.kill(cap);
    assert.match(r, /no lease/);
    assert.ok(!existsSync(`${out}.bound`));
    const seen = pcapUdpPayloads(readFileSync(join(dir, 's2.pcap')));
    assert.ok(seen.some((p) => p.dst === '255.255.255.255'), 'the DISCOVERs did reach the box');
    assert.ok(!seen.some((p) => p.src.startsWith('10.77.')), 'and nothing was sent back');
    const c2mac = sh("ip -n opdh-cli2 -br link show opdh-c2 | awk '{print $3}'").trim();
    assert.ok(!leases().some((l) => l.mac === c2mac), 'no lease or offer recorded for it');
  });
});
