// The connection-request listener of simulated phones (tr069-protocol.md §6.4, §7): HTTP GET on
// 127.0.0.1, Digest with the phone's ConnectionRequestUsername/Password (qop=auth, nonces from
// the product's NonceManager), 200 + empty body on success, then the phone starts a session.
// More than `maxPerWindow` requests to one phone within `windowMs` → 503 (icwmp: >50 in 5 s).
// One server can host many phones (one path each), so a 10,000-phone fleet needs one port.

import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../src/core/clock.ts';
import { NonceManager, formatChallenge, parseAuthorization, verifyDigest } from '../../src/protocols/http/digest.ts';

export interface CrTarget {
  /** Origin-form path, unique per phone (`/cr/<random>`). */
  path: string;
  /** Current ConnectionRequestUsername/Password. */
  credentials(): { username: string; password: string };
  /** A valid connection request was accepted (the phone decides how many sessions follow). */
  accepted(): void;
  /** Quirks of this phone's CR server. */
  closesAfter401?: boolean;
  /** A firewall/NAT between ACS and phone: the TCP connection is reset, no HTTP answer (§7.3 step 6). */
  blocked?: () => boolean;
}

export interface CrServerOptions {
  host?: string;
  port?: number;
  clock: Clock;
  realm?: string;
  maxPerWindow?: number;
  windowMs?: number;
}

export interface CrStats { accepted: number; unauthorized: number; throttled: number }

interface Entry { target: CrTarget; hits: number[]; stats: CrStats }

export class CrServer {
  readonly #server: http.Server;
  readonly #targets = new Map<string, Entry>();
  readonly #nonces: NonceManager;
  readonly #opts: Required<Omit<CrServerOptions, 'clock'>> & { clock: Clock };
  readonly #sockets = new Set<Socket>();
  #port = 0;

  constructor(opts: CrServerOptions) {
    this.#opts = { host: '127.0.0.1', port: 0, realm: 'SimPhone', maxPerWindow: 50, windowMs: 5000, ...opts };
    this.#nonces = new NonceManager({ secret: randomBytes(32), lifetimeMs: 300_000, clock: opts.clock, maxTracked: 20_000 });
    this.#server = http.createServer((req, res) => this.#handle(req, res));
    this.#server.on('connection', (s) => { this.#sockets.add(s); s.on('close', () => this.#sockets.delete(s)); });
    this.#server.keepAliveTimeout = 5000;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#opts.port, this.#opts.host, () => { this.#server.off('error', reject); resolve(); });
    });
    this.#port = (this.#server.address() as AddressInfo).port;
  }

  get port(): number { return this.#port; }

  /** ConnectionRequestURL for a path (IPv6 hosts in brackets, §7.1); `host` = the phone's own address. */
  url(path: string, host = this.#opts.host): string {
    const h = host.includes(':') ? `[${host}]` : host;
    return `http://${h}:${this.#port}${path}`;
  }

  add(target: CrTarget): void {
    this.#targets.set(target.path, { target, hits: [], stats: { accepted: 0, unauthorized: 0, throttled: 0 } });
  }

  remove(path: string): void {
    this.#targets.delete(path);
  }

  stats(path: string): CrStats | undefined {
    return this.#targets.get(path)?.stats;
  }

  get size(): number { return this.#targets.size; }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #challenge(stale = false): string {
    return formatChallenge({
      scheme: 'Digest', realm: this.#opts.realm, nonce: this.#nonces.issue(), qop: ['auth'], algorithm: 'MD5',
      opaque: randomBytes(8).toString('hex'), ...(stale ? { stale: true } : {}),
    });
  }

  #reply(res: http.ServerResponse, status: number, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'Content-Length': '0', ...headers });
    res.end();
  }

  #handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    req.resume(); // a CR carries no body (§7.2); drain whatever came
    const entry = this.#targets.get((req.url ?? '').split('?')[0] ?? '');
    if (!entry) { this.#reply(res, 404); return; }
    if (entry.target.blocked?.()) { req.socket.destroy(); return; }
    if (req.method !== 'GET') { this.#reply(res, 405, { Allow: 'GET' }); return; }
    const now = this.#opts.clock.now();
    entry.hits = entry.hits.filter((t) => now - t < this.#opts.windowMs);
    entry.hits.push(now);
    if (entry.hits.length > this.#opts.maxPerWindow) {
      entry.stats.throttled++;
      this.#reply(res, 503); // §7.2: too many in a short period
      return;
    }
    const verdict = this.#check(req, entry.target);
    if (verdict !== 'ok') {
      entry.stats.unauthorized++;
      const headers: Record<string, string> = { 'WWW-Authenticate': this.#challenge(verdict === 'stale') };
      if (entry.target.closesAfter401) {
        headers['Connection'] = 'close'; // easycwmp (§6.4): the ACS must reconnect
        res.on('finish', () => req.socket.destroy());
      }
      this.#reply(res, 401, headers);
      return;
    }
    entry.stats.accepted++;
    this.#reply(res, 200); // answer first, then start the session (§7.2)
    entry.target.accepted();
  }

  #check(req: http.IncomingMessage, target: CrTarget): 'ok' | 'stale' | 'bad' {
    const header = req.headers.authorization;
    if (!header) return 'bad';
    const auth = parseAuthorization(header);
    if (auth?.scheme !== 'Digest') return 'bad'; // §6.4: the CPE MUST use Digest
    const p = auth.params;
    const { username, password } = target.credentials();
    if (p['username'] !== username || p['uri'] !== req.url) return 'bad';
    if (!verifyDigest(p, { password, method: 'GET', realm: this.#opts.realm })) return 'bad';
    const nonce = this.#nonces.check(p['nonce'] ?? '');
    if (nonce !== 'ok') return nonce === 'stale' ? 'stale' : 'bad';
    if (p['qop'] !== undefined && !this.#nonces.acceptNc(p['nonce']!, p['nc'] ?? '')) return 'bad';
    return 'ok';
  }
}
