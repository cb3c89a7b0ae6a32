// The DNS end-to-end lab: three network namespaces of our own (prefix opdn), private addresses
// only inside them, removed afterwards (also on failure).
//
//   client ns  10.78.1.2/24 (allowed) + 10.78.9.2/24 (not allowed)  — dig, kdig, the fuzzer
//     │ veth
//   server ns  10.78.1.1/24 + 10.78.9.1/24 — Outpost (test/dns/boot.ts, the composed app), port 53
//     │ veth ("WAN")
//   upstream ns 10.78.2.2/24 — test/dns/fake-upstream.ts (our own resolver, never a real one)

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

const NODE = process.execPath;
const HERE = import.meta.dirname;

export const SERVER = '10.78.1.1';
export const CLIENT = '10.78.1.2';
export const OUTSIDE = '10.78.9.2';
export const UPSTREAM = '10.78.2.2';

// Prerequisites and shell helpers of every namespace test (test/dhcp/harness.ts re-exports them:
// this file imports only node built-ins, the harness the whole app).

export function haveRoot(): boolean {
  return process.getuid?.() === 0 && spawnSync('ip', ['netns', 'list']).status === 0;
}

export function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

/** Skip (or, under CI=true, fail) when a prerequisite is missing. */
export function need(t: { skip(m: string): void }, ok: boolean, what: string): boolean {
  if (ok) return true;
  if (process.env.CI === 'true') throw new Error(`missing prerequisite under CI: ${what}`);
  t.skip(`needs ${what}`);
  return false;
}

/** A shell command's stdout; throws on a non-zero exit (with stderr in the error). */
export function sh(cmd: string): string {
  return execFileSync('sh', ['-c', cmd], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

interface Proc {
  child: ChildProcess;
  lines: string[];
  waiters: { match: (l: string) => boolean; resolve: (l: string) => void }[];
}

function start(ns: string, args: string[]): Proc {
  const child = spawn('ip', ['netns', 'exec', ns, NODE, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const p: Proc = { child, lines: [], waiters: [] };
  createInterface({ input: child.stdout! }).on('line', (l) => {
    p.lines.push(l);
    for (const w of p.waiters.filter((x) => x.match(l))) { p.waiters.splice(p.waiters.indexOf(w), 1); w.resolve(l); }
  });
  child.stderr!.on('data', (d: Buffer) => { if (process.env.OUTPOST_TEST_LOG) process.stderr.write(d); });
  return p;
}

function waitLine(p: Proc, match: (l: string) => boolean, ms = 15_000): Promise<string> {
  const seen = p.lines.find(match);
  if (seen) return Promise.resolve(seen);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for a line from ${p.child.spawnargs.join(' ')}`)), ms);
    p.waiters.push({ match, resolve: (l) => { clearTimeout(timer); resolve(l); } });
    p.child.once('exit', (code) => reject(new Error(`process exited (${code}) before the expected line`)));
  });
}

export class DnsLab {
  readonly id = `${process.pid % 100000}`;
  readonly ns = { client: `opdn${this.id}c`, server: `opdn${this.id}s`, upstream: `opdn${this.id}u` };
  readonly dir = mkdtempSync(join(tmpdir(), 'opdn-'));
  #made: string[] = [];
  #outpost: Proc | null = null;
  #upstream: Proc | null = null;

  /** Namespaces and links; the fake upstream resolver. */
  async up(): Promise<void> {
    const { client: c, server: s, upstream: u } = this.ns;
    for (const n of [c, s, u]) {
      spawnSync('ip', ['netns', 'del', n]); // a leftover of a killed run of this very test process id
      sh(`ip netns add ${n} && ip -n ${n} link set lo up`);
      this.#made.push(n);
    }
    const v = `opdn${this.id}`;
    sh(`ip link add ${v}a netns ${s} type veth peer name ${v}b netns ${c}`);
    sh(`ip -n ${s} addr add ${SERVER}/24 dev ${v}a && ip -n ${s} addr add 10.78.9.1/24 dev ${v}a && ip -n ${s} link set ${v}a up`);
    sh(`ip -n ${c} addr add ${CLIENT}/24 dev ${v}b && ip -n ${c} addr add ${OUTSIDE}/24 dev ${v}b && ip -n ${c} link set ${v}b up`);
    sh(`ip link add ${v}w netns ${s} type veth peer name ${v}u netns ${u}`);
    sh(`ip -n ${s} addr add 10.78.2.1/24 dev ${v}w && ip -n ${s} link set ${v}w up`);
    sh(`ip -n ${u} addr add ${UPSTREAM}/24 dev ${v}u && ip -n ${u} link set ${v}u up`);
    this.#upstream = start(u, [join(HERE, 'fake-upstream.ts'), UPSTREAM, '53']);
    await waitLine(this.#upstream, (l) => l.startsWith('READY'));
  }

  /** Boot Outpost in the server namespace with this `dns:` section (indented two spaces). */
  async boot(dns: string, leases: [string, string][] = []): Promise<void> {
    const cfg = join(this.dir, 'outpost.yaml');
    writeFileSync(cfg, `site: { id: opdn, domain: site.example }
stateDir: ${join(this.dir, 'state')}
log: { level: ${process.env.OUTPOST_TEST_LOG ?? 'warn'} }
acs: { enabled: false, listen: { host: ${SERVER}, port: 7547 } }
api: { enabled: false }
stun: { enabled: false }
dns:
${dns}
`);
    const args = [join(HERE, 'boot.ts'), cfg];
    if (leases.length > 0) {
      writeFileSync(join(this.dir, 'leases.json'), JSON.stringify(leases));
      args.push(join(this.dir, 'leases.json'));
    }
    this.#outpost = start(this.ns.server, args);
    await waitLine(this.#outpost, (l) => l.includes('"event":"ready"'));
  }

  get outpostAlive(): boolean {
    return this.#outpost !== null && this.#outpost.child.exitCode === null && this.#outpost.child.signalCode === null;
  }

  /** Send a command to the boot fixture and wait for a line matching `reply`. */
  async command(cmd: string, reply: (l: string) => boolean): Promise<string> {
    const p = this.#outpost!;
    const before = p.lines.length;
    p.child.stdin!.write(cmd + '\n');
    return waitLine({ ...p, lines: p.lines.slice(before), waiters: p.waiters } as Proc, reply);
  }

  /** The next health line whose codes satisfy `pred`. */
  waitHealth(pred: (codes: string[]) => boolean, ms = 10_000): Promise<string> {
    return waitLine(this.#outpost!, (l) => l.includes('"event":"health"') && pred((JSON.parse(l) as { codes: string[] }).codes), ms);
  }

  /** Run a command in the client namespace; returns stdout (and does not throw on a non-zero exit). */
  client(cmd: string[], timeoutMs = 20_000): { stdout: string; status: number | null; ms: number } {
    const t0 = performance.now();
    const r = spawnSync('ip', ['netns', 'exec', this.ns.client, ...cmd], { encoding: 'utf8', timeout: timeoutMs });
    return { stdout: r.stdout + r.stderr, status: r.status, ms: performance.now() - t0 };
  }

  /** The WAN link, seen from the upstream side: down drops every packet to the resolver. */
  wan(up: boolean): void {
    sh(`ip -n ${this.ns.upstream} link set opdn${this.id}u ${up ? 'up' : 'down'}`);
  }

  async down(): Promise<void> {
    for (const p of [this.#outpost, this.#upstream]) {
      if (!p || p.child.exitCode !== null) continue;
      const exited = new Promise((r) => p.child.once('exit', r));
      p.child.kill('SIGTERM');
      const t = setTimeout(() => p.child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    }
    for (const n of this.#made.splice(0)) spawnSync('ip', ['netns', 'del', n]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface DigResult {
  status: string;
  flags: string[];
  answers: string[];
  authority: string[];
  additional: string[];
  msgSize: number;
  ms: number;
  raw: string;
}

/** Parse dig's default output (bind9-dnsutils 9.18). */
export function parseDig(out: string, ms: number): DigResult {
  const section = (name: string) => {
    const m = new RegExp(`;; ${name} SECTION:\\n([\\s\\S]*?)(?:\\n\\n|$)`).exec(out);
    return m ? m[1]!.split('\n').filter((l) => l && !l.startsWith(';')).map((l) => l.replace(/\s+/g, ' ').trim()) : [];
  };
  return {
    status: /status: ([A-Z]+)/.exec(out)?.[1] ?? 'NONE',
    flags: (/;; flags: ([a-z ]+);/.exec(out)?.[1] ?? '').trim().split(' ').filter(Boolean),
    answers: section('ANSWER'),
    authority: section('AUTHORITY'),
    additional: section('ADDITIONAL'),
    msgSize: Number(/MSG SIZE\s+rcvd: (\d+)/.exec(out)?.[1] ?? 0),
    ms, raw: out,
  };
}
