// Server processes for the benchmarks: Outpost as `node src/main.ts serve --config <tmp yaml>`
// (its state in a temporary directory, loopback ports picked free), and the bare HTTPS echo
// server, each optionally pinned to CPUs with taskset; helpers for the management API, the
// metrics endpoint and the server log.

import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface ServerProc {
  child: ChildProcess;
  pid: number;
  logFile: string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

/** Start `node <args>` (Node 24: the running binary), under taskset when cpus is given. */
export function startNode(args: string[], logFile: string, cpus: string | null, nodeFlags: string[] = []): ServerProc {
  const cmd = cpus ? 'taskset' : process.execPath;
  const argv = cpus ? ['-c', cpus, process.execPath, ...nodeFlags, ...args] : [...nodeFlags, ...args];
  const fd = openSync(logFile, 'a');
  const child = spawn(cmd, argv, { cwd: ROOT, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, pid: child.pid!, logFile, exited };
}

/** Wait until a TCP port accepts, or the process dies, or timeoutMs passes. */
export async function waitPort(p: ServerProc, port: number, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  let dead = false;
  void p.exited.then(() => { dead = true; });
  while (Date.now() < until && !dead) {
    const ok = await new Promise<boolean>((r) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => { s.destroy(); r(true); });
      s.once('error', () => r(false));
    });
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`process ${p.pid} ${dead ? 'exited' : 'did not listen'} on ${port}; log tail:\n${logTail(p.logFile)}`);
}

export async function stopProc(p: ServerProc, timeoutMs = 15_000): Promise<number | null> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return p.child.exitCode;
  p.child.kill('SIGTERM');
  const t = setTimeout(() => p.child.kill('SIGKILL'), timeoutMs);
  const code = await p.exited;
  clearTimeout(t);
  return code;
}

export function logTail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Outpost's config for the benchmark (see the header of acs-sessions.ts for why each value). */
export function outpostConfig(o: { stateDir: string; acsPort: number; apiPort: number; bootstrap: { username: string; password: string }; rotate: boolean }): string {
  return `site: { id: bench, domain: bench.outpost.lan }
stateDir: ${JSON.stringify(o.stateDir)}
log: { level: info }
api:
  listen: { host: 127.0.0.1, port: ${o.apiPort} }
acs:
  listen: { host: 127.0.0.1, port: ${o.acsPort} }
  maxSessions: 100000
  auth:
    bootstrap: { username: ${o.bootstrap.username}, password: ${JSON.stringify(o.bootstrap.password)} }
    rotateCredentials: ${o.rotate}
    lockoutFailures: 1000000
`;
}

export interface OutpostFiles { token: string; ca: string; certFile: string; keyFile: string }

export function outpostFiles(stateDir: string): OutpostFiles {
  return {
    token: readFileSync(join(stateDir, 'api-token'), 'utf8').trim(),
    ca: readFileSync(join(stateDir, 'tls', 'ca.pem'), 'utf8'),
    certFile: join(stateDir, 'tls', 'acs.pem'),
    keyFile: join(stateDir, 'tls', 'acs.key'),
  };
}

export function writeConfig(file: string, text: string): void {
  writeFileSync(file, text, { mode: 0o600 });
}

/** JSON call to the management API. */
export async function api<T>(apiPort: number, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`http://127.0.0.1:${apiPort}${path}`, {
    method, headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as T };
}

/** Prometheus text → { 'name{labels}': value } for the series whose name starts with prefix. */
export async function metrics(apiPort: number, token: string, prefix = 'outpost_acs_'): Promise<Record<string, number>> {
  const r = await api<string>(apiPort, token, 'GET', '/metrics');
  const out: Record<string, number> = {};
  for (const line of String(r.body).split('\n')) {
    if (!line.startsWith(prefix)) continue;
    const i = line.lastIndexOf(' ');
    out[line.slice(0, i)] = Number(line.slice(i + 1));
  }
  return out;
}

export interface LogScan { warn: number; error: number; messages: Record<string, number>; offset: number }

/** Count warn/error/fatal records in a JSON-lines log from byte `offset` on. */
export function scanLog(file: string, offset: number): LogScan {
  const out: LogScan = { warn: 0, error: 0, messages: {}, offset };
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return out;
  }
  if (size <= offset) return out;
  const text = readFileSync(file).subarray(offset, size).toString('utf8');
  out.offset = size;
  for (const line of text.split('\n')) {
    const lvl = /"level":"(warn|error|fatal)"/.exec(line)?.[1];
    if (!lvl && !/^\s*(Error|TypeError|RangeError|\s+at )/.test(line)) continue;
    if (lvl === 'warn') out.warn++;
    else out.error++;
    const msg = /"msg":"([^"]{0,120})/.exec(line)?.[1] ?? line.slice(0, 120);
    const key = `${lvl ?? 'stderr'}: ${msg}`;
    out.messages[key] = (out.messages[key] ?? 0) + 1;
  }
  return out;
}
