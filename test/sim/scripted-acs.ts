// A tiny scripted ACS that lives with the simulator's own tests (a fake peer is right here: the
// thing under test is the simulator). It speaks real CWMP over HTTP(S) with the product's codec
// and Digest module: challenges, a session cookie, InformResponse, TransferCompleteResponse, then
// whatever ACS requests a test queued for that serial, then 204. It records everything it sees.

import http from 'node:http';
import https from 'node:https';
import { randomBytes } from 'node:crypto';
import type { AddressInfo, Socket } from 'node:net';
import {
  ACS_RPC_METHODS, isEmptyBody, parseEnvelope, serializeEnvelope,
  type AcsRequest, type CpeRequest, type CpeResponse, type CwmpBody, type CwmpEnvelope, type CwmpHeader, type CwmpNamespace, type Fault, type Inform,
} from '../../src/protocols/cwmp/index.ts';
import { NonceManager, formatChallenge, parseAuthorization, verifyDigest } from '../../src/protocols/http/digest.ts';

export interface AcsSession {
  serial: string;
  inform: Inform;
  informHeader: CwmpHeader;
  namespace: CwmpNamespace;
  /** CPE requests after the Inform (TransferComplete …). */
  cpeRequests: CpeRequest[];
  exchanges: { request: AcsRequest; response: CpeResponse | Fault; id?: string }[];
  /** Cookie header of each POST after the Inform (undefined = none sent). */
  cookies: (string | undefined)[];
  /** Socket ids used by the POSTs of this session. */
  sockets: Set<number>;
  ended: boolean;
}

export interface HttpLogEntry {
  status: number;
  socket: number;
  authScheme?: string;
  connection?: string;
  chunked: boolean;
  expect?: string;
  /** The body started with an `<?xml` declaration. */
  xmlDecl: boolean;
  cookie?: string;
  /** The raw request body (only with ScriptedAcsOptions.keepBodies). */
  body?: string;
}

export interface ScriptedAcsOptions {
  tls?: { cert: string; key: string };
  /** 'digest' (default), 'basic' (Basic challenge) or 'none'. */
  auth?: 'digest' | 'basic' | 'none';
  /** Accept Basic credentials even when challenging with Digest. Default true. */
  acceptBasic?: boolean;
  /** username → password. */
  credentials?: Record<string, string>;
  /** HoldRequests=1 on InformResponse. */
  holdRequests?: boolean;
  realm?: string;
  /** Envelopes without the `<?xml ...?>` declaration (an ACS the requireXmlDeclaration quirk refuses). */
  noXmlDeclaration?: boolean;
  /** Bodies sent chunked, without Content-Length (an ACS the requireContentLength quirk refuses). */
  chunked?: boolean;
  /** Keep raw request bodies in the HTTP log (wire-level assertions). */
  keepBodies?: boolean;
  /** An automatic provisioner: requests to send in a session, decided from its Inform (after queued ones). */
  provision?: (inform: Inform) => AcsRequest[];
}

interface Live { session: AcsSession; pending: AcsRequest[]; sent?: { request: AcsRequest; id: string } }

const ACS_METHODS: ReadonlySet<string> = new Set(ACS_RPC_METHODS);

export class ScriptedAcs {
  readonly sessions: AcsSession[] = [];
  /** HTTP-level log: status codes answered, Authorization schemes seen, raw Authorization headers. */
  readonly http: HttpLogEntry[] = [];
  url = '';
  readonly #opts: ScriptedAcsOptions;
  readonly #server: http.Server;
  readonly #nonces = new NonceManager({ secret: randomBytes(32), lifetimeMs: 300_000, clock: { now: () => Date.now() } });
  readonly #queues = new Map<string, AcsRequest[]>();
  readonly #byCookie = new Map<string, Live>();
  readonly #bySocket = new Map<number, Live>();
  readonly #socketIds = new WeakMap<Socket, number>();
  readonly #sockets = new Set<Socket>();
  readonly #waiters = new Set<() => void>();
  #nextSocket = 1;
  #nextId = 1;

  constructor(opts: ScriptedAcsOptions = {}) {
    this.#opts = opts;
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => { void this.#handle(req, res); };
    this.#server = opts.tls ? https.createServer({ cert: opts.tls.cert, key: opts.tls.key }, handler) : http.createServer(handler);
    this.#server.on(opts.tls ? 'secureConnection' : 'connection', (s: Socket) => {
      this.#socketIds.set(s, this.#nextSocket++);
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.#server.listen(0, '127.0.0.1', r));
    this.url = `${this.#opts.tls ? 'https' : 'http'}://127.0.0.1:${(this.#server.address() as AddressInfo).port}/acs`;
    return this;
  }

  async stop(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((r) => this.#server.close(() => r()));
  }

  /** Drop everything recorded so far (memory measurements of the phones in the same process). */
  forget(): void {
    this.sessions.length = 0;
    this.http.length = 0;
    this.#byCookie.clear();
    this.#bySocket.clear();
  }

  /** ACS requests for the next session(s) of this serial, sent after its empty POST. */
  queue(serial: string, ...requests: AcsRequest[]): void {
    this.#queues.set(serial, [...(this.#queues.get(serial) ?? []), ...requests]);
  }

  /** Resolves once at least `n` sessions have ended. */
  async waitForEnded(n: number, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.sessions.filter((s) => s.ended).length < n) {
      if (Date.now() > deadline) throw new Error(`only ${this.sessions.filter((s) => s.ended).length} of ${n} sessions ended`);
      await new Promise<void>((r) => { this.#waiters.add(r); setTimeout(r, 50); });
    }
  }

  #send(res: http.ServerResponse, status: number, body?: string, headers: Record<string, string> = {}): void {
    const chunked = this.#opts.chunked === true && body !== undefined;
    const h: Record<string, string> = { ...(chunked ? {} : { 'Content-Length': String(body ? Buffer.byteLength(body) : 0) }), ...headers };
    if (body) h['Content-Type'] = 'text/xml; charset="utf-8"';
    res.writeHead(status, h);
    if (chunked) { res.write(body); res.end(); } else res.end(body);
  }

  #authorized(req: http.IncomingMessage): boolean {
    const mode = this.#opts.auth ?? 'digest';
    if (mode === 'none') return true;
    const header = req.headers.authorization;
    const auth = header ? parseAuthorization(header) : null;
    if (!auth) return false;
    const creds = this.#opts.credentials ?? {};
    if (auth.scheme === 'Basic') return (mode === 'basic' || this.#opts.acceptBasic !== false) && creds[auth.username] === auth.password;
    const p = auth.params;
    const password = creds[p['username'] ?? ''];
    if (password === undefined || this.#nonces.check(p['nonce'] ?? '') !== 'ok') return false;
    return verifyDigest(p, { password, method: 'POST', realm: this.#opts.realm ?? 'outpost-test' })
      && this.#nonces.acceptNc(p['nonce']!, p['nc'] ?? '1');
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const socket = this.#socketIds.get(req.socket) ?? 0;
    const scheme = req.headers.authorization?.split(' ')[0];
    const h = req.headers;
    const log = (status: number): void => {
      this.http.push({
        status, socket, chunked: h['transfer-encoding'] === 'chunked', xmlDecl: body.subarray(0, 5).toString() === '<?xml',
        ...(scheme ? { authScheme: scheme } : {}), ...(h.connection ? { connection: h.connection } : {}),
        ...(h.expect ? { expect: h.expect } : {}), ...(h.cookie ? { cookie: h.cookie } : {}),
        ...(this.#opts.keepBodies ? { body: body.toString('utf8') } : {}),
      });
    };
    if (!this.#authorized(req)) {
      log(401);
      const realm = this.#opts.realm ?? 'outpost-test';
      const challenge = this.#opts.auth === 'basic' ? formatChallenge({ scheme: 'Basic', realm, nonce: '' })
        : formatChallenge({ scheme: 'Digest', realm, nonce: this.#nonces.issue(), qop: ['auth'], algorithm: 'MD5', opaque: 'op' });
      this.#send(res, 401, undefined, { 'WWW-Authenticate': challenge });
      return;
    }
    const cookie = req.headers.cookie;
    const sid = /sid=([0-9a-f]+)/.exec(cookie ?? '')?.[1];
    let live = (sid ? this.#byCookie.get(sid) : undefined) ?? this.#bySocket.get(socket);
    const env = isEmptyBody(body) ? undefined : parseEnvelope(body);
    if (env?.body.method === 'Inform') {
      live = this.#newSession(env as CwmpEnvelope<Inform>, socket);
      const newSid = randomBytes(8).toString('hex');
      this.#byCookie.set(newSid, live);
      log(200);
      const header: CwmpHeader = { ...(env.header.id !== undefined ? { id: env.header.id } : {}), ...(this.#opts.holdRequests ? { holdRequests: true } : {}) };
      this.#send(res, 200, this.#xml(live, header, { method: 'InformResponse', maxEnvelopes: 1 }), { 'Set-Cookie': `sid=${newSid}; Path=/` });
      return;
    }
    if (!live || live.session.ended) { log(400); this.#send(res, 400); return; }
    live.session.cookies.push(cookie);
    live.session.sockets.add(socket);
    this.#bySocket.set(socket, live);
    if (env && !ACS_METHODS.has(env.body.method) && !env.body.method.endsWith('Response') && env.body.method !== 'Fault') {
      live.session.cpeRequests.push(env.body as CpeRequest);
      log(200);
      const method = env.body.method === 'TransferComplete' ? 'TransferCompleteResponse' : 'GetRPCMethodsResponse';
      const answer = (method === 'TransferCompleteResponse' ? { method } : { method, methods: ['Inform', 'TransferComplete'] }) as CwmpBody;
      this.#send(res, 200, this.#xml(live, env.header.id !== undefined ? { id: env.header.id } : {}, answer));
      return;
    }
    if (env && live.sent) {
      live.session.exchanges.push({ request: live.sent.request, response: env.body as CpeResponse | Fault, ...(env.header.id !== undefined ? { id: env.header.id } : {}) });
      live.sent = undefined;
    }
    const next = live.pending.shift();
    if (!next) {
      log(204);
      live.session.ended = true;
      this.#send(res, 204);
      for (const w of this.#waiters) w();
      this.#waiters.clear();
      return;
    }
    const id = `acs-${this.#nextId++}`;
    live.sent = { request: next, id };
    log(200);
    this.#send(res, 200, this.#xml(live, { id }, next));
  }

  #newSession(env: CwmpEnvelope<Inform>, socket: number): Live {
    const serial = env.body.deviceId.serialNumber;
    const session: AcsSession = {
      serial, inform: env.body, informHeader: env.header, namespace: env.namespace, cpeRequests: [], exchanges: [],
      cookies: [], sockets: new Set([socket]), ended: false,
    };
    this.sessions.push(session);
    const live: Live = { session, pending: [...(this.#queues.get(serial) ?? []), ...(this.#opts.provision?.(env.body) ?? [])] };
    this.#queues.delete(serial);
    this.#bySocket.set(socket, live);
    return live;
  }

  #xml(live: Live, header: CwmpHeader, body: CwmpBody): string {
    const xml = serializeEnvelope({ namespace: live.session.namespace, header, body });
    return this.#opts.noXmlDeclaration ? xml.replace(/^<\?xml[^>]*\?>\s*/, '') : xml;
  }
}
