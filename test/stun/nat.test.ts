// Through a real NAT (TR-069 Annex G, tr069-protocol.md §8): three network namespaces made here,
// opst-acs (Outpost, "public" 10.79.1.1) — opst-nat (iptables MASQUERADE, random ports, inbound
// NEW connections dropped) — opst-ph (the phone, private 10.79.2.10). The phone's TR-111 client
// keeps a binding towards Outpost's STUN port; an HTTP connect to the phone's private address
// fails; a UDP connection request sent by the STUN service reaches the phone and validates; after
// the NAT's mapping is flushed and re-made on another port, Outpost notices the binding change and
// the next request uses the new mapping (the old one is dead).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, execFileSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const NS = { acs: 'opst-acs', nat: 'opst-nat', ph: 'opst-ph' } as const;
type Ev = Record<string, unknown> & { type: string };

function missing(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces)';
  for (const bin of ['ip', 'iptables', 'conntrack']) if (spawnSync('sh', ['-c', `command -v ${bin}`]).status !== 0) return `needs ${bin} (apt-get install iproute2 iptables conntrack)`;
  return null;
}

const sh = (...args: string[]) => execFileSync(args[0]!, args.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
const inNs = (ns: string, ...args: string[]) => sh('ip', 'netns', 'exec', ns, ...args);

function teardown(): void {
  for (const ns of Object.values(NS)) spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
}

function topology(): void {
  teardown();
  for (const ns of Object.values(NS)) { sh('ip', 'netns', 'add', ns); inNs(ns, 'ip', 'link', 'set', 'lo', 'up'); }
  sh('ip', 'link', 'add', 'opst-a0', 'netns', NS.acs, 'type', 'veth', 'peer', 'name', 'opst-a1', 'netns', NS.nat);
  sh('ip', 'link', 'add', 'opst-p0', 'netns', NS.ph, 'type', 'veth', 'peer', 'name', 'opst-p1', 'netns', NS.nat);
  inNs(NS.acs, 'ip', 'addr', 'add', '10.79.1.1/24', 'dev', 'opst-a0');
  inNs(NS.nat, 'ip', 'addr', 'add', '10.79.1.2/24', 'dev', 'opst-a1');
  inNs(NS.nat, 'ip', 'addr', 'add', '10.79.2.1/24', 'dev', 'opst-p1');
  inNs(NS.ph, 'ip', 'addr', 'add', '10.79.2.10/24', 'dev', 'opst-p0');
  for (const [ns, dev] of [[NS.acs, 'opst-a0'], [NS.nat, 'opst-a1'], [NS.nat, 'opst-p1'], [NS.ph, 'opst-p0']] as const) inNs(ns, 'ip', 'link', 'set', dev, 'up');
  inNs(NS.ph, 'ip', 'route', 'add', 'default', 'via', '10.79.2.1');
  // Outpost even has a route to the private subnet: only the NAT stands in the way.
  inNs(NS.acs, 'ip', 'route', 'add', '10.79.2.0/24', 'via', '10.79.1.2');
  inNs(NS.nat, 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
  // A home/customer router: masquerade with random ports (so a new mapping gets a new port)…
  inNs(NS.nat, 'iptables', '-t', 'nat', '-A', 'POSTROUTING', '-o', 'opst-a1', '-p', 'udp', '-j', 'MASQUERADE', '--to-ports', '20000-29999', '--random');
  inNs(NS.nat, 'iptables', '-t', 'nat', '-A', 'POSTROUTING', '-o', 'opst-a1', '-j', 'MASQUERADE');
  // …and nothing new gets in from outside.
  inNs(NS.nat, 'iptables', '-A', 'FORWARD', '-i', 'opst-a1', '-o', 'opst-p1', '-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'ACCEPT');
  inNs(NS.nat, 'iptables', '-A', 'FORWARD', '-i', 'opst-a1', '-o', 'opst-p1', '-j', 'DROP');
}

class Helper {
  readonly events: Ev[] = [];
  readonly proc: ChildProcessWithoutNullStreams;
  stderr = '';
  #waiters: { pred: (e: Ev) => boolean; resolve: (e: Ev) => void }[] = [];

  constructor(ns: string, script: string, arg: object) {
    this.proc = spawn('ip', ['netns', 'exec', ns, process.execPath, join(HERE, 'nat', script), JSON.stringify(arg)]);
    let buf = '';
    this.proc.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        let e: Ev;
        try { e = JSON.parse(line) as Ev; } catch { continue; }
        this.events.push(e);
        this.#waiters = this.#waiters.filter((w) => (w.pred(e) ? (w.resolve(e), false) : true));
      }
    });
    this.proc.stderr.on('data', (d: Buffer) => { this.stderr += d.toString(); });
  }

  send(cmd: object): void {
    this.proc.stdin.write(JSON.stringify(cmd) + '\n');
  }

  /** The first event (already seen from index `from`, or future) matching pred; null on timeout. */
  wait(pred: (e: Ev) => boolean, ms: number, from = 0): Promise<Ev | null> {
    const had = this.events.slice(from).find(pred);
    if (had) return Promise.resolve(had);
    return new Promise((resolve) => {
      const w = { pred, resolve: (e: Ev) => { clearTimeout(t); resolve(e); } };
      const t = setTimeout(() => { this.#waiters = this.#waiters.filter((x) => x !== w); resolve(null); }, ms);
      this.#waiters.push(w);
    });
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode !== null) return;
    const exited = new Promise<void>((r) => this.proc.once('exit', () => r()));
    this.proc.stdin.end();
    const t = setTimeout(() => this.proc.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(t);
  }
}

const CRED = { deviceId: 'OPST-Phone-NAT1', stunUsername: 'nat-phone', stunPassword: 'stun-pw', crUsername: 'cr-user', crPassword: 'cr-pw' };

/** Skip (or fail under CI) without prerequisites; else build the topology, cleaned up after. */
function prepare(t: TestContext): { stateDir: string; helpers: Helper[] } | null {
  const why = missing();
  if (why) {
    assert.notEqual(process.env.CI, 'true', `NAT test prerequisites missing under CI: ${why}`);
    t.skip(why);
    return null;
  }
  const stateDir = mkdtempSync(join(tmpdir(), 'opst-nat-'));
  const helpers: Helper[] = [];
  t.after(async () => {
    for (const h of helpers) await h.stop();
    teardown();
    rmSync(stateDir, { recursive: true, force: true });
  });
  topology();
  return { stateDir, helpers };
}

test('through a real NAT: HTTP connection request cannot reach the phone, the UDP one does; a NAT remap is noticed and used', async (t) => {
  const env = prepare(t);
  if (!env) return;
  const { stateDir, helpers } = env;

  const acs = new Helper(NS.acs, 'acs-side.ts', { ...CRED, host: '10.79.1.1', stateDir });
  helpers.push(acs);
  assert.ok(await acs.wait((e) => e.type === 'ready', 15_000), `Outpost did not start: ${acs.stderr}`);
  const phone = new Helper(NS.ph, 'phone-side.ts', { ...CRED, stunHost: '10.79.1.1', keepAliveMs: 300 });
  helpers.push(phone);
  assert.ok(await phone.wait((e) => e.type === 'ready', 15_000), `phone did not start: ${phone.stderr}`);

  // 1. The binding: the phone sees itself behind NAT; Outpost learns the NAT's public mapping.
  const pb = await phone.wait((e) => e.type === 'binding', 3000);
  assert.ok(pb, 'phone learned its binding');
  assert.equal(pb.nat, true, 'NATDetected');
  const first = await acs.wait((e) => e.type === 'binding', 3000);
  assert.ok(first, 'Outpost announced the binding');
  assert.equal(first.address, '10.79.1.2', 'public (NAT) address, not 10.79.2.10');
  assert.ok(Number(first.port) >= 20000 && Number(first.port) <= 29999, `NAT port ${String(first.port)}`);
  assert.equal(first.deviceId, CRED.deviceId);
  assert.equal(first.authenticated, true);
  assert.deepEqual(pb.binding, { address: first.address, port: first.port });

  // 2. HTTP connection request to the phone's private address: blocked by the NAT.
  acs.send({ cmd: 'http', host: '10.79.2.10', port: 7547, timeoutMs: 1000 });
  const httpTry = await acs.wait((e) => e.type === 'http', 3000);
  assert.equal(httpTry?.ok, false, 'HTTP connect must fail through the NAT');
  assert.equal(phone.events.some((e) => e.type === 'http-hit'), false);

  // 3. UDP connection request via the STUN service: arrives within a second and validates.
  const ts = Math.floor(Date.now() / 1000);
  const t0 = Date.now();
  acs.send({ cmd: 'cr', requestId: 'cr-1', ts, id: 1001 });
  const cr1 = await phone.wait((e) => e.type === 'cr' && e.id === '1001', 1000);
  assert.ok(cr1, 'UDP connection request reached the phone within 1 s');
  assert.deepEqual(cr1.from, { address: '10.79.1.1', port: 3478 }, 'sent from the STUN address and port (§8.7 step 6)');
  t.diagnostic(`UDP CR #1 validated after ${Date.now() - t0} ms`);
  assert.equal((await acs.wait((e) => e.type === 'cr-result' && e.requestId === 'cr-1', 2000))?.ok, true);

  // 4. NAT remap: flush the NAT's UDP mappings; the next keep-alive gets a new random port.
  let changed: Ev | null = null;
  for (let attempt = 0; attempt < 3 && !changed; attempt++) {
    const mark = acs.events.length;
    // Exit status 1 when nothing matched (entry already gone): not an error here.
    spawnSync('ip', ['netns', 'exec', NS.nat, 'conntrack', '-D', '-p', 'udp'], { stdio: 'ignore' });
    changed = await acs.wait((e) => e.type === 'binding' && e.changed === true, 3000, mark);
  }
  assert.ok(changed, 'Outpost noticed the binding change');
  assert.deepEqual(changed.previous, { address: first.address, port: first.port });
  assert.notEqual(changed.port, first.port);
  const phoneSaw = await phone.wait((e) => e.type === 'binding' && e.previous !== null, 2000);
  assert.ok(phoneSaw, 'the phone saw its new binding too (and sent BINDING-CHANGE)');
  assert.deepEqual(phoneSaw.binding, { address: changed.address, port: changed.port });
  acs.send({ cmd: 'stored' });
  await new Promise((r) => setTimeout(r, 200));
  acs.send({ cmd: 'stored' });
  const stored = await acs.wait((e) => e.type === 'stored' && (e.binding as { port: number } | null)?.port === changed!.port, 2000);
  assert.ok(stored, 'the stored binding has the new port');
  assert.ok((stored.binding as { changes: number }).changes >= 1);

  // 5. The old mapping is dead; the next request (to the stored, new mapping) arrives.
  acs.send({ cmd: 'cr', requestId: 'cr-old', ts: ts + 1, id: 1002, host: first.address, port: first.port });
  assert.equal(await phone.wait((e) => e.type === 'cr' && e.id === '1002', 700), null, 'nothing through the stale mapping');
  acs.send({ cmd: 'cr', requestId: 'cr-2', ts: ts + 2, id: 1003 });
  const cr2 = await phone.wait((e) => e.type === 'cr' && e.id === '1003', 1000);
  assert.ok(cr2, 'UDP connection request through the new mapping');
  // Retransmitted copies were dropped by id (§8.10 rule 3), nothing was rejected for another reason.
  const rejected = phone.events.filter((e) => e.type === 'cr-rejected').map((e) => e.reason);
  assert.ok(rejected.every((r) => r === 'repeated-id'), JSON.stringify(rejected));
});

test('through a real NAT with the ACS and a simulated phone: the ACS picks UDP, the phone opens a 6 CONNECTION REQUEST session within a second, also after a NAT remap', async (t) => {
  const env = prepare(t);
  if (!env) return;
  const { stateDir, helpers } = env;
  const boot = { bootstrapUser: 'site-bootstrap', bootstrapPassword: 'bootstrap-pw-0123' };
  const acs = new Helper(NS.acs, 'acs-side.ts', { host: '10.79.1.1', stateDir, stunUsername: 'sim-phone', stunPassword: 'sim-stun-pw', acs: boot });
  helpers.push(acs);
  const ready = await acs.wait((e) => e.type === 'ready', 20_000);
  assert.ok(ready?.caFile, `Outpost with ACS did not start: ${acs.stderr}`);
  const phone = new Helper(NS.ph, 'phone-side.ts', {
    stunHost: '10.79.1.1', stunUsername: 'sim-phone', stunPassword: 'sim-stun-pw', keepAliveMs: 300,
    sim: { acsUrl: ready.acsUrl, caFile: ready.caFile, ...boot, serial: 'NATSIM01' },
  });
  helpers.push(phone);
  assert.ok(await phone.wait((e) => e.type === 'ready', 20_000), `phone did not start: ${phone.stderr}`);

  // BOOTSTRAP through the NAT (the phone connects out; the ACS sees the NAT's address).
  phone.send({ cmd: 'boot' });
  const booted = await phone.wait((e) => e.type === 'session', 20_000);
  assert.equal(booted?.ok, true, `boot session: ${String(booted?.error)} ${phone.stderr}`);
  assert.match(String(booted.crUrl), /^http:\/\/10\.79\.2\.10:7547\//, 'the phone reports its private CR URL');
  const device = await acs.wait((e) => e.type === 'device', 5000);
  assert.ok(device, 'device identified and its STUN credentials stored');

  // The phone's own HTTP CR listener (its reported URL) cannot be reached through the NAT.
  acs.send({ cmd: 'http', host: '10.79.2.10', port: 7547, timeoutMs: 1000 });
  assert.equal((await acs.wait((e) => e.type === 'http', 3000))?.ok, false, 'HTTP connect to the CR URL must fail');

  phone.send({ cmd: 'stun-start' });
  assert.ok(await phone.wait((e) => e.type === 'stun-started', 5000), `STUN client: ${phone.stderr}`);
  const bound = await acs.wait((e) => e.type === 'binding' && e.deviceId === device.deviceId, 3000);
  assert.ok(bound, 'binding recorded for the device');
  assert.equal(bound.address, '10.79.1.2');

  const crSession = async (requestId: string, mark: number, phoneMark: number) => {
    acs.send({ cmd: 'acs-cr', requestId });
    const sent = await acs.wait((e) => e.type === 'acs-cr-sent', 2000, mark);
    const started = await acs.wait((e) => e.type === 'session-start' && e.deviceId === device.deviceId && (e.events as string[]).includes('6 CONNECTION REQUEST'), 5000, mark);
    assert.ok(sent && started, `no 6 CONNECTION REQUEST session: ${JSON.stringify(acs.events.slice(mark))} ${JSON.stringify(phone.events.slice(phoneMark))}`);
    const result = await acs.wait((e) => e.type === 'acs-cr-result' && e.requestId === requestId, 8000, mark);
    assert.equal(result?.ok, true, JSON.stringify(result));
    assert.equal(result.path, 'udp', 'behind NAT the ACS uses the UDP connection request');
    const ms = Number(started.at) - Number(sent.at);
    assert.ok(ms < 1000, `session started ${ms} ms after the request`);
    const session = await phone.wait((e) => e.type === 'session' && (e.events as string[] | undefined)?.includes('6 CONNECTION REQUEST') === true, 5000, phoneMark);
    assert.equal(session?.ok, true, JSON.stringify(session));
    return ms;
  };
  const ms1 = await crSession('acs-cr-1', acs.events.length, phone.events.length);
  t.diagnostic(`ACS connection request → 6 CONNECTION REQUEST session in ${ms1} ms (UDP via STUN)`);

  // NAT remap, then the ACS's next request goes to the new mapping (§8.10: next ts must be newer).
  let changed: Ev | null = null;
  for (let attempt = 0; attempt < 3 && !changed; attempt++) {
    const mark = acs.events.length;
    spawnSync('ip', ['netns', 'exec', NS.nat, 'conntrack', '-D', '-p', 'udp'], { stdio: 'ignore' });
    changed = await acs.wait((e) => e.type === 'binding' && e.changed === true, 3000, mark);
  }
  assert.ok(changed, 'binding change noticed');
  await new Promise((r) => setTimeout(r, 1100)); // the UDP CR ts is in seconds and must grow (§8.10 rule 2)
  const ms2 = await crSession('acs-cr-2', acs.events.length, phone.events.length);
  t.diagnostic(`after the NAT remap (${String((changed.previous as { port: number }).port)} → ${String(changed.port)}): session in ${ms2} ms`);
});
