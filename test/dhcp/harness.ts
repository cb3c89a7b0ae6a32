// Shared pieces of the DHCP tests: boot the composed app from a YAML config in a temporary state
// directory, pick ports, and wrap namespace commands.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { createApp, type App } from '../../src/app.ts';
import { parseConfig } from '../../src/core/config/load.ts';
import { memoryLogger } from '../../src/core/log.ts';
import type { Clock } from '../../src/core/clock.ts';

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
  await app.start();
  return {
    app, dir, log,
    async close() {
      await app.stop();
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---- network namespaces (root only) ----

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

export function sh(cmd: string): string {
  return execFileSync('sh', ['-c', cmd], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

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
