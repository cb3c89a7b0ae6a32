// Boot storm (DESIGN "Performance targets"; docs/benchmarks.md "Provisioning"): N simulated
// phones power on together, WAN down, and each goes DHCP → DNS → HTTPS + Digest Inform →
// credential rotation → the site template (≈45 values through its model profile) → compliant.
// Reported per scale: time until every phone is compliant, per-phone time to compliance
// p50/p95/p99, phase times, failures, and Outpost's peak memory (VmHWM of its process).
//
// Network mode (default as root): two network namespaces joined by a veth pair, Outpost in one
// (DHCP on the veth through the interface helper, DNS for storm.lan, ACS, API) and the phones in
// the other (scripts/bench/lib/storm-fleet.ts, one process, every phone with its own MAC and
// leased address). Addresses 10.66.0.0/16 exist only inside these namespaces (names oppv-*).
// Loopback mode (--no-network, or not root): phones go straight to https://127.0.0.1 (no DHCP/DNS).
// Outpost is pinned to CPU 0 and the fleet to CPU 1 (2-core machine) unless --no-pin.
//
// Run: node_modules/.bin/node scripts/bench/storm.ts --phones 500,2000 [--no-network] [--models …] [--md FILE]

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, createWriteStream, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { cpuSeconds, noiseMark, noiseSince, statusKb, waitQuiet } from './lib/proc.ts';
import { freePort, ROOT, stopProc, waitPort, logTail, type ServerProc } from './lib/servers.ts';

const { values: v } = parseArgs({
  options: {
    phones: { type: 'string', default: '500,2000' }, models: { type: 'string', default: 'tr181,tr098,yealink,grandstream,aastra,unify,ex' },
    'no-network': { type: 'boolean', default: false }, 'no-pin': { type: 'boolean', default: false }, timeout: { type: 'string', default: '300' },
    md: { type: 'string' }, json: { type: 'string' }, 'outpost-flags': { type: 'string', default: '' }, 'outpost-env': { type: 'string', default: '' }, 'acs-yaml': { type: 'string', default: '' },
    'raise-neigh': { type: 'boolean', default: false }, 'quiet-max': { type: 'string', default: '20' }, keep: { type: 'boolean', default: false }, 'log-level': { type: 'string', default: 'info' },
  },
});

const NS = { srv: 'oppv-srv', cli: 'oppv-cli', vs: 'oppv-s', vc: 'oppv-c' };
const network = !v['no-network'] && process.getuid?.() === 0;
const sh = (cmd: string) => execFileSync('sh', ['-c', cmd], { stdio: 'pipe' });

function netUp(): void {
  netDown();
  sh(`ip netns add ${NS.srv} && ip netns add ${NS.cli} && ip -n ${NS.srv} link set lo up && ip -n ${NS.cli} link set lo up`);
  sh(`ip link add ${NS.vs} netns ${NS.srv} type veth peer name ${NS.vc} netns ${NS.cli}`);
  sh(`ip -n ${NS.srv} addr add 10.66.0.1/16 dev ${NS.vs} && ip -n ${NS.srv} link set ${NS.vs} up && ip -n ${NS.cli} link set ${NS.vc} up`);
  // The fleet's own address (API calls); phones add their leased addresses next to it.
  sh(`ip -n ${NS.cli} addr add 10.66.0.2/16 dev ${NS.vc}`);
}

function netDown(): void {
  for (const n of [NS.srv, NS.cli]) spawnSync('ip', ['netns', 'del', n], { stdio: 'ignore' });
}

function config(o: { stateDir: string; siteDir: string; acsHost: string; acsPort: number; apiHost: string; apiPort: number; helper: string | null; boot: { username: string; password: string } }): string {
  const dhcpDns = network ? `dhcp:
  enabled: true
  helper: ${JSON.stringify(o.helper)}
  serverId: 10.66.0.1
  leaseTime: 12h
  acs: { url: "https://acs.storm.lan:7547/" }
  scopes:
    - name: voice
      subnet: 10.66.0.0/16
      interface: ${NS.vs}
      ranges: [{ start: 10.66.1.1, end: 10.66.63.254 }]
      dns: [10.66.0.1]
      domain: storm.lan
dns:
  enabled: true
  listen: [{ host: 10.66.0.1, port: 53 }]
  zone: { acs: 10.66.0.1 }
` : '';
  return `site: { id: storm, domain: storm.lan }
stateDir: ${JSON.stringify(o.stateDir)}
log: { level: ${v['log-level']} }
api:
  listen: { host: ${o.apiHost}, port: ${o.apiPort} }
  tls: { mode: off }     # the fleet polls compliance over plain HTTP inside the benchmark's namespaces
  maxBodyBytes: 16777216
acs:
  listen: { host: ${o.acsHost}, port: ${o.acsPort} }
  url: ${network ? 'https://acs.storm.lan:7547/' : `https://127.0.0.1:${o.acsPort}/`}
  tls: { altNames: [acs.storm.lan] }
  maxSessions: 20000
${v['acs-yaml'] ? `  ${v['acs-yaml']}\n` : ''}  auth:
    bootstrap: { username: ${o.boot.username}, password: ${JSON.stringify(o.boot.password)} }
    lockoutFailures: 1000000
provisioning:
  directory: ${JSON.stringify(o.siteDir)}
  defaultZone: process-unit
${dhcpDns}`;
}

interface Row { phones: number; fleet: Record<string, unknown> | null; peakMB: number; cpuS: number; fleetCpuS: number; othersPct: number; error: string | null }

async function runOne(n: number, base: string): Promise<Row> {
  const dir = join(base, `n${n}`);
  const stateDir = join(dir, 'state');
  const siteDir = join(dir, 'site');
  mkdirSync(stateDir, { recursive: true });
  cpSync(join(ROOT, 'examples/site'), siteDir, { recursive: true, filter: (f) => !f.endsWith('.csv') });
  let helper: string | null = null;
  if (network) {
    helper = join(dir, 'outpost-dhcp-ifsock');
    execFileSync('cc', ['-O2', '-Wall', '-o', helper, join(ROOT, 'src/services/dhcp/native/ifsock.c')]);
    netUp();
  }
  const boot = { username: 'storm-bootstrap', password: randomBytes(9).toString('base64url') };
  const acsPort = network ? 7547 : await freePort();
  const apiPort = network ? 8080 : await freePort();
  const host = network ? '10.66.0.1' : '127.0.0.1';
  const cfgFile = join(dir, 'outpost.yaml');
  writeFileSync(cfgFile, config({ stateDir, siteDir, acsHost: host, acsPort, apiHost: host, apiPort, helper, boot }), { mode: 0o600 });
  const pin = (cpu: string) => (v['no-pin'] ? [] : ['taskset', '-c', cpu]);
  const node = process.execPath;
  const logFile = join(dir, 'outpost.log');
  const cmd0 = network ? ['ip', 'netns', 'exec', NS.srv, ...pin('0'), node] : [...pin('0'), node];
  const log = createWriteStream(logFile);
  const flags = v['outpost-flags']!.split(' ').filter(Boolean);
  const env = { ...process.env, ...Object.fromEntries(v['outpost-env']!.split(' ').filter(Boolean).map((kv) => kv.split('=', 2) as [string, string])) };
  const child = spawn(cmd0[0]!, [...cmd0.slice(1), ...flags, 'src/main.ts', 'serve', '--config', cfgFile], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  const outpost: ServerProc = { child, pid: child.pid!, logFile, exited: new Promise((r) => child.once('exit', (c) => r(c))) };
  if (!network) await waitPort(outpost, acsPort);
  const row: Row = { phones: n, fleet: null, peakMB: NaN, cpuS: NaN, fleetCpuS: NaN, othersPct: NaN, error: null };
  try {
    // `ip netns exec` and taskset exec into node: the child pid is Outpost's node process.
    const tokenFile = join(stateDir, 'api-token');
    for (let i = 0; i < 600 && spawnSync('test', ['-s', tokenFile]).status !== 0; i++) await new Promise((r) => setTimeout(r, 100));
    const token = readFileSync(tokenFile, 'utf8').trim();
    const fleetArgs = ['scripts/bench/lib/storm-fleet.ts', '--phones', String(n), '--models', v.models!, '--acs', network ? 'https://acs.storm.lan:7547/' : `https://127.0.0.1:${acsPort}/`,
      '--api', `http://${host}:${apiPort}/`, `--token=${token}`, '--ca', join(stateDir, 'tls', 'ca.pem'), '--username', boot.username, `--password=${boot.password}`,
      '--timeout', v.timeout!, ...(network ? ['--iface', NS.vc] : [])];
    const cmd = network ? ['ip', 'netns', 'exec', NS.cli, ...pin('1'), node, ...fleetArgs] : [...pin('1'), node, ...fleetArgs];
    const fleet = spawn(cmd[0]!, cmd.slice(1), { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    let fleetCpu = NaN;
    fleet.stdout!.on('data', (d: Buffer) => { stdout += d.toString(); });
    // The fleet prints its result, then stops its phones: its CPU time is read at the result.
    const cpuPoll = setInterval(() => { const c = cpuSeconds(fleet.pid!); if (Number.isFinite(c)) fleetCpu = c; }, 250);
    const mine = new Set([outpost.pid, fleet.pid!]);
    const mark = noiseMark(mine);
    const code = await new Promise<number | null>((r) => fleet.once('exit', (c) => r(c)));
    clearInterval(cpuPoll);
    row.othersPct = Math.round(noiseSince(mark, mine).othersPct);
    row.fleetCpuS = +fleetCpu.toFixed(1);
    row.peakMB = Math.round(statusKb(outpost.pid, 'VmHWM') / 1024);
    row.cpuS = +cpuSeconds(outpost.pid).toFixed(1);
    if (code !== 0) throw new Error(`fleet exited ${code}`);
    row.fleet = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
  } catch (err) {
    row.error = `${(err as Error).message}\n${logTail(outpost.logFile, 10)}`;
  } finally {
    await stopProc(outpost);
    if (network) netDown();
  }
  return row;
}

function markdown(rows: Row[]): string {
  const s = (x: unknown) => (typeof x === 'number' ? (Number.isFinite(x) ? (x / 1000).toFixed(1) : '—') : '—');
  const lines = ['| phones | all compliant | per phone p50 / p95 / p99 | DHCP p99 | DNS p99 | first InformResponse p99 | not compliant | first-try failures | Outpost peak RSS | Outpost CPU | fleet CPU | other CPU |', '|---|---|---|---|---|---|---|---|---|---|---|---|'];
  for (const r of rows) {
    const f = r.fleet as { compliant: number; allCompliantMs: number | null; perPhoneMs: Record<string, number>; phases: Record<string, { p99: number }> } | null;
    if (!f) { lines.push(`| ${r.phones} | failed: ${r.error?.split('\n')[0]} | | | | | | | ${r.peakMB} MB | ${r.cpuS} s | ${r.fleetCpuS} s | ${r.othersPct} % |`); continue; }
    const retried = Object.entries((r.fleet as { firstSessionFailures: Record<string, number> }).firstSessionFailures).map(([k, x]) => `${x} × ${k}`).join('; ') || '0';
    lines.push(`| ${r.phones} | ${f.allCompliantMs === null ? `not all (${f.compliant})` : `${s(f.allCompliantMs)} s`} | ${s(f.perPhoneMs.p50)} / ${s(f.perPhoneMs.p95)} / ${s(f.perPhoneMs.p99)} s | ${network ? s(f.phases.dhcp!.p99) + ' s' : 'n/a'} | ${network ? s(f.phases.dns!.p99) + ' s' : 'n/a'} | ${s(f.phases.informed!.p99)} s | ${r.phones - f.compliant} | ${retried} | ${r.peakMB} MB | ${r.cpuS} s | ${r.fleetCpuS} s | ${r.othersPct} % |`);
  }
  return lines.join('\n');
}

const NEIGH = ['gc_thresh1', 'gc_thresh2', 'gc_thresh3'].map((k) => `net.ipv4.neigh.default.${k}`);

/**
 * Thousands of phones on one segment overflow the default neighbour table (gc_thresh3 = 1024:
 * "neighbour table overflow", replies to the other phones dropped). The thresholds are global
 * (not per namespace): --raise-neigh raises them for the run and restores them after. A site box
 * with more than ~1000 phones on its voice VLAN needs the same setting (docs/benchmarks.md).
 */
function raiseNeigh(): () => void {
  const before = NEIGH.map((k) => execFileSync('sysctl', ['-n', k], { encoding: 'utf8' }).trim());
  execFileSync('sysctl', ['-q', '-w', `${NEIGH[0]}=16384`, `${NEIGH[1]}=32768`, `${NEIGH[2]}=65536`]);
  return () => execFileSync('sysctl', ['-q', '-w', ...NEIGH.map((k, i) => `${k}=${before[i]}`)]);
}

async function main(): Promise<void> {
  const base = mkdtempSync(join(tmpdir(), 'oppv-storm-'));
  const restore = network && v['raise-neigh'] ? raiseNeigh() : () => {};
  const rows: Row[] = [];
  process.on('SIGINT', () => { if (network) netDown(); process.exit(130); });
  try {
    for (const n of v.phones!.split(',').map(Number)) {
      const busy = await waitQuiet(Number(v['quiet-max']), 120_000);
      process.stderr.write(`storm: ${n} phones, ${network ? 'network mode (DHCP, DNS, HTTPS)' : 'loopback (HTTPS only)'}, machine ${busy.toFixed(0)} % busy before\n`);
      const r = await runOne(n, base);
      rows.push(r);
      process.stderr.write(`${JSON.stringify(r)}\n`);
    }
  } finally {
    restore();
    if (!v.keep) rmSync(base, { recursive: true, force: true });
  }
  const md = markdown(rows);
  process.stdout.write(`${md}\n`);
  if (v.md) writeFileSync(v.md, `${md}\n`);
  if (v.json) writeFileSync(v.json, JSON.stringify(rows, null, 1));
}

void main();
