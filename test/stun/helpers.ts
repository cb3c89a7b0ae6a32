// Shared helpers for the STUN tests: boot the composed app from a config string with a fresh
// state directory, learn the STUN port it bound, and a tiny UDP client.
import dgram from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createApp, type App } from '../../src/app.ts';
import { parseConfig } from '../../src/core/config/load.ts';
import { memoryLogger } from '../../src/core/log.ts';
import type { Clock } from '../../src/core/clock.ts';
import { parseMessage, type StunMessage } from '../../src/protocols/stun/index.ts';

export interface Booted {
  app: App;
  port: number;
  /** GET an /api/v1 path with the API token (when booted with api: true). */
  api(path: string): Promise<{ status: number; body: unknown }>;
  records: Record<string, unknown>[];
  stop(): Promise<void>;
}

/** `stunYaml` is the body of the `stun:` section, indented by two spaces. */
export async function bootApp(stunYaml: string, opts: { clock?: Clock; api?: boolean } = {}): Promise<Booted> {
  const dir = mkdtempSync(join(tmpdir(), 'opst-stun-'));
  const text = `site: { id: stun-test, domain: stun.test }\nstateDir: ${dir}\nlog: { level: debug }\n`
    + `acs: { enabled: false }\napi: { enabled: ${opts.api === true}, listen: { host: 127.0.0.1, port: 0 } }\ndhcp: { enabled: false }\ndns: { enabled: false }\n`
    + `stun:\n  enabled: true\n  listen: { host: 127.0.0.1, port: 0 }\n${stunYaml}`;
  const log = memoryLogger('debug');
  const app = createApp({ config: parseConfig(text, 'test'), log, ...(opts.clock ? { clock: opts.clock } : {}) });
  let apiAt: { url: string; tokenFile: string } | null = null;
  app.events.on('api.listening', (e) => { apiAt = { url: e.url, tokenFile: e.tokenFile }; });
  await app.start();
  const rec = log.records.find((r) => r.msg === 'STUN listening');
  if (!rec) { await app.stop(); throw new Error('STUN did not bind: ' + JSON.stringify(log.records.filter((r) => r.level === 'error'))); }
  const api = async (path: string) => {
    const at = apiAt as { url: string; tokenFile: string } | null;
    if (!at) throw new Error('API not enabled');
    const token = readFileSync(at.tokenFile, 'utf8').trim();
    const res = await fetch(new URL(`api/v1${path}`, at.url), { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: await res.json() as unknown };
  };
  return {
    app, port: rec.port as number, records: log.records, api,
    async stop() { await app.stop(); rmSync(dir, { recursive: true, force: true }); },
  };
}

export const COOKIE = Buffer.from('2112a442', 'hex');
export const classicTid = (): Buffer => { const t = randomBytes(16); if (t.readUInt32BE(0) === 0x2112a442) t[0] = 0; return t; };
export const rfc5389Tid = (): Buffer => Buffer.concat([COOKIE, randomBytes(12)]);

export class UdpClient {
  readonly socket: dgram.Socket;
  readonly #queue: { msg: Buffer; from: dgram.RemoteInfo }[] = [];
  #waiters: ((m: { msg: Buffer; from: dgram.RemoteInfo }) => void)[] = [];

  private constructor(socket: dgram.Socket) {
    this.socket = socket;
    socket.on('message', (msg, from) => {
      const w = this.#waiters.shift();
      if (w) w({ msg, from }); else this.#queue.push({ msg, from });
    });
  }

  static async open(port = 0, host = '127.0.0.1'): Promise<UdpClient> {
    const s = dgram.createSocket('udp4');
    await new Promise<void>((res) => s.bind(port, host, () => res()));
    return new UdpClient(s);
  }

  get port(): number {
    return this.socket.address().port;
  }

  send(buf: Buffer, port: number, host = '127.0.0.1'): Promise<void> {
    return new Promise((res, rej) => this.socket.send(buf, port, host, (e) => (e ? rej(e) : res())));
  }

  /** Next datagram, or null after `ms`. */
  next(ms = 1000): Promise<{ msg: Buffer; from: dgram.RemoteInfo } | null> {
    const q = this.#queue.shift();
    if (q) return Promise.resolve(q);
    return new Promise((res) => {
      const w = (m: { msg: Buffer; from: dgram.RemoteInfo }) => { clearTimeout(t); res(m); };
      const t = setTimeout(() => { this.#waiters = this.#waiters.filter((x) => x !== w); res(null); }, ms);
      this.#waiters.push(w);
    });
  }

  /** Send and wait for the answer with the same transaction id (late answers to earlier requests are skipped). */
  async request(buf: Buffer, port: number, ms = 1000): Promise<StunMessage> {
    await this.send(buf, port);
    const tid = buf.subarray(4, 20);
    const deadline = Date.now() + ms;
    for (;;) {
      const r = await this.next(Math.max(1, deadline - Date.now()));
      if (!r) throw new Error('no STUN answer');
      if (r.msg.length >= 20 && !r.msg.subarray(4, 20).equals(tid)) continue;
      const p = parseMessage(r.msg);
      if (!p.ok) throw new Error('bad STUN answer: ' + p.error);
      return p.message;
    }
  }

  close(): void {
    this.socket.close();
  }
}

/** Insert a minimal device row (stun_credentials references devices). */
export function addDevice(app: App, id: string): void {
  app.store.db.prepare('INSERT INTO devices (id, oui, product_class, serial, first_seen) VALUES (?, ?, ?, ?, ?)')
    .run(id, id.split('-')[0], 'Phone', id.split('-').pop(), new Date().toISOString());
}

/** Poll until `cond` holds (bindings are written within the tracker's URGENT_MS, not at once). */
export async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
