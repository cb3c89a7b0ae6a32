// Shared pieces of the DHCP tests: boot the composed app from a YAML config in a temporary state
// directory, pick ports, and wrap namespace commands.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createApp, type App } from '../../src/app.ts';
import { parseConfig } from '../../src/core/config/load.ts';
import { memoryLogger } from '../../src/core/log.ts';
import { systemClock, type Clock } from '../../src/core/clock.ts';
import { openStore } from '../../src/store/index.ts';
import { secretBox } from '../../src/core/secrets.ts';
import { LeaseRepo, type Lease } from '../../src/store/leases.ts';
import { sh } from '../dns/lab.ts';

export function randomPort(): number {
  return 20000 + Math.floor(Math.random() * 40000);
}

export interface TestApp {
  app: App;
  dir: string;
  log: ReturnType<typeof memoryLogger>;
  close(): Promise<void>;
}

/** The whole site config around a dhcp section (indented YAML, 2 spaces). */
export function siteYaml(dir: string, dhcp: string): string {
  return `site: { id: opdh-test, domain: site.test }
stateDir: ${dir}
log: { level: warn }
acs: { enabled: false }
api: { enabled: false }
dhcp:
${dhcp}`;
}

export async function startApp(dhcp: string, opts: { clock?: Clock; dir?: string } = {}): Promise<TestApp> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'opdh-'));
  const config = parseConfig(siteYaml(dir, dhcp), 'test config');
  const log = memoryLogger('warn');
  const app = createApp({ config, log, ...(opts.clock ? { clock: opts.clock } : {}) });
  try {
    await app.start();
  } catch (e) {
    await app.stop();
    if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    app, dir, log,
    async close() {
      await app.stop();
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---- network namespaces (root only) ----

export { have, haveRoot, need, sh } from '../dns/lab.ts';

export function nsExec(ns: string, cmd: string): string {
  return sh(`ip netns exec ${ns} ${cmd}`);
}

/** Create namespaces and veth pairs; returns a cleanup that removes exactly those. */
export class Topology {
  readonly #ns: string[] = [];
  addNs(name: string): void {
    spawnSync('ip', ['netns', 'del', name]); // a leftover of a killed run of this test
    sh(`ip netns add ${name} && ip -n ${name} link set lo up`);
    this.#ns.push(name);
  }
  /** veth pair a (in nsA, with addrA or none) <-> b (in nsB, with addrB or none). */
  link(nsA: string, a: string, addrA: string | null, nsB: string, b: string, addrB: string | null): void {
    sh(`ip link add ${a} netns ${nsA} type veth peer name ${b} netns ${nsB}`);
    if (addrA) sh(`ip -n ${nsA} addr add ${addrA} dev ${a}`);
    if (addrB) sh(`ip -n ${nsB} addr add ${addrB} dev ${b}`);
    sh(`ip -n ${nsA} link set ${a} up && ip -n ${nsB} link set ${b} up`);
  }
  destroy(): void {
    for (const n of this.#ns.splice(0)) spawnSync('ip', ['netns', 'del', n]);
  }
}

/** Compile the interface helper once per test process. */
let helperPath: string | null = null;
export function buildHelper(): string {
  if (helperPath) return helperPath;
  const dir = mkdtempSync(join(tmpdir(), 'opdh-helper-'));
  const out = join(dir, 'outpost-dhcp-ifsock');
  execFileSync('cc', ['-O2', '-Wall', '-o', out, join(import.meta.dirname, '../../src/services/dhcp/native/ifsock.c')]);
  helperPath = out;
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return out;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** UDP payloads of a pcap file (Ethernet, IPv4), in order. */
export function pcapUdpPayloads(buf: Buffer): { src: string; dst: string; payload: Buffer }[] {
  const out: { src: string; dst: string; payload: Buffer }[] = [];
  let o = 24;
  while (o + 16 <= buf.length) {
    const incl = buf.readUInt32LE(o + 8);
    const pkt = buf.subarray(o + 16, o + 16 + incl);
    o += 16 + incl;
    if (pkt.length < 42 || pkt.readUInt16BE(12) !== 0x0800 || pkt[23] !== 17) continue;
    const ihl = (pkt[14]! & 15) * 4;
    const ip = (i: number) => `${pkt[i]}.${pkt[i + 1]}.${pkt[i + 2]}.${pkt[i + 3]}`;
    out.push({ src: ip(26), dst: ip(30), payload: pkt.subarray(14 + ihl + 8) });
  }
  return out;
}

/** Poll until fn returns a truthy value or the time is up. */
export async function until<T>(fn: () => T | undefined | null | false, ms: number, step = 50): Promise<T | undefined> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) return undefined;
    await sleep(step);
  }
}

// ---- Outpost as a child process (namespace tests, kill -9) ----


const ROOT = join(import.meta.dirname, '../..');

export interface Child {
  proc: ChildProcess;
  output(): string;
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

/** Run `node src/main.ts serve --config FILE` inside namespace ns; resolves when DHCP serves. */
export async function startOutpost(ns: string, configFile: string): Promise<Child> {
  const proc = spawn('ip', ['netns', 'exec', ns, join(ROOT, 'node_modules/.bin/node'), join(ROOT, 'src/main.ts'), 'serve', '--config', configFile],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  proc.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const ready = await until(() => out.includes('"dhcp serving"') || proc.exitCode !== null, 20_000);
  if (!ready || proc.exitCode !== null) { proc.kill('SIGKILL'); throw new Error(`outpost did not start:\n${out}`); }
  return {
    proc,
    output: () => out,
    async kill9() { proc.kill('SIGKILL'); await exited; },
    async stop() { if (proc.exitCode === null && proc.signalCode === null) { proc.kill('SIGTERM'); await exited; } },
  };
}

export function writeSiteConfig(dir: string, dhcp: string, level = 'info'): string {
  const file = join(dir, 'outpost.yaml');
  writeFileSync(file, siteYaml(dir, dhcp).replace('log: { level: warn }', `log: { level: ${level} }`));
  return file;
}

/** Read the leases of a state directory (WAL: safe while the server runs). */
export function readLeases(dir: string): Lease[] {
  const store = openStore({ file: join(dir, 'outpost.db'), clock: systemClock, secrets: secretBox(randomBytes(32)) });
  try { return new LeaseRepo(store).all(); } finally { store.close(); }
}
