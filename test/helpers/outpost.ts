// Boot a real Outpost (the composed app, real sockets on loopback port 0) from a config string,
// for service and end-to-end tests. Each call gets its own state directory and credentials.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseConfig } from '../../src/core/config/load.ts';
import { createApp, type App } from '../../src/app.ts';
import { memoryLogger } from '../../src/core/log.ts';
import type { Clock } from '../../src/core/clock.ts';

export interface Running {
  app: App;
  stateDir: string;
  acsUrl: string;
  acsPort: number;
  apiUrl: string;
  token: string;
  ca: string | null;
  bootstrap: { username: string; password: string };
  /** Call the management API with the bearer token. */
  api<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  logs: Record<string, unknown>[];
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Extra YAML appended under `acs:` (indented two spaces). */
  acs?: string;
  /** Extra YAML under `api:` (indented two spaces). */
  api?: string;
  /** Extra top-level YAML. */
  extra?: string;
  clock?: Clock;
  plainHttp?: boolean;
  stateDir?: string;
  acsPort?: number;
  apiPort?: number;
  logLevel?: string;
  /** Credential rotation after first contact (default on, as in production). */
  rotate?: boolean;
  /** Extra YAML under acs.auth (indented four spaces). */
  auth?: string;
}

export function configText(stateDir: string, bootstrap: { username: string; password: string }, o: StartOptions = {}): string {
  return `site: { id: test, domain: test.outpost.lan }
stateDir: ${JSON.stringify(stateDir)}
log: { level: ${o.logLevel ?? process.env.OUTPOST_TEST_LOG ?? 'warn'} }
api:
  listen: { host: 127.0.0.1, port: ${o.apiPort ?? 0} }
${o.api ?? ''}
${o.extra ?? ''}
acs:
  listen: { host: 127.0.0.1, port: ${o.acsPort ?? 0} }
  tls: { plainHttp: ${o.plainHttp ? 'true' : 'false'} }
  auth:
    bootstrap: { username: ${bootstrap.username}, password: ${JSON.stringify(bootstrap.password)} }
    rotateCredentials: ${o.rotate === false ? 'false' : 'true'}
${o.auth ?? ''}
${o.acs ?? ''}`;
}

export async function startOutpost(o: StartOptions = {}): Promise<Running> {
  const stateDir = o.stateDir ?? mkdtempSync(join(tmpdir(), 'outpost-test-'));
  const bootstrap = { username: 'site-bootstrap', password: randomBytes(12).toString('base64url') };
  const config = parseConfig(configText(stateDir, bootstrap, o), 'test config');
  const log = memoryLogger((process.env.OUTPOST_TEST_LOG as 'info' | undefined) ?? 'warn');
  const app = createApp({ config, log, ...(o.clock ? { clock: o.clock } : {}) });
  let acs = { url: '', port: 0, caFile: null as string | null };
  let api = { url: '', port: 0, tokenFile: '' };
  app.events.on('acs.listening', (a) => { acs = a; });
  app.events.on('api.listening', (a) => { api = a; });
  await app.start();
  const token = readFileSync(api.tokenFile, 'utf8').trim();
  const running: Running = {
    app, stateDir, acsUrl: acs.url, acsPort: acs.port, apiUrl: api.url, token, bootstrap, logs: log.records,
    ca: acs.caFile ? readFileSync(acs.caFile, 'utf8') : null,
    async api<T>(method: string, path: string, body?: unknown) {
      const res = await fetch(new URL(path, api.url), {
        method, headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
    },
    async stop() {
      await app.stop();
      if (!o.stateDir) rmSync(stateDir, { recursive: true, force: true });
    },
  };
  return running;
}
