// Run Outpost as a real child process (for kill -9 and restart tests).
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';
import dgram from 'node:dgram';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

/** A UDP port free on loopback now (bound, read, released). */
export async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const { port } = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export interface Child {
  proc: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Start `outpost serve --config <stateDir>/site.yaml` and wait until the API is listening. */
export async function startChild(stateDir: string, configYaml: string, timeoutMs = 20_000): Promise<Child> {
  const file = join(stateDir, 'site.yaml');
  writeFileSync(file, configYaml);
  const proc = spawn(process.execPath, ['src/main.ts', 'serve', '--config', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  proc.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const t0 = Date.now();
  while (!/management API listening/.test(out)) {
    if (proc.exitCode !== null) throw new Error(`outpost exited early:\n${out}`);
    if (Date.now() - t0 > timeoutMs) { proc.kill('SIGKILL'); throw new Error(`outpost did not start:\n${out}`); }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { proc, output: () => out, exited };
}

export function readToken(stateDir: string): string {
  return readFileSync(join(stateDir, 'api-token'), 'utf8').trim();
}
