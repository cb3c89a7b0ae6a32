// One CWMP session from the CPE side (tr069-protocol.md §1): POST Inform, answer 401 Digest or
// Basic challenges (§6), carry the session cookie (§1.3), send CPE requests (TransferComplete)
// unless the ACS holds them (HoldRequests, §1.5), then the empty POST (§1.4), then answer every ACS
// request carried in an HTTP response until the ACS sends 204. Echoes cwmp:ID. Records a
// transcript for tests. The SOAP codec is the product's (src/protocols/cwmp); only HTTP is here.

import http from 'node:http';
import https from 'node:https';
import {
  ACS_RPC_METHODS, isEmptyBody, parseEnvelope, serializeEnvelope,
  type AcsRequest, type CpeRequest, type CpeResponse, type CwmpBody, type CwmpEnvelope, type CwmpHeader, type CwmpNamespace, type Fault,
} from '../../src/protocols/cwmp/index.ts';
import { basicAuthorization, buildAuthorization, parseChallenge, type DigestChallenge } from '../../src/protocols/http/digest.ts';
import { cpeFault } from './faults.ts';
import { httpRequest, tlsOptions, type HttpResponse } from './http-client.ts';
import type { ConnectOptions } from './phone-net.ts';
import type { Quirks } from './quirks.ts';

export interface TranscriptEntry {
  /** ms since the session started. */
  at: number;
  /** Who sent the message: the phone (an HTTP POST) or the ACS (an HTTP response). */
  from: 'cpe' | 'acs';
  /** CWMP method, `empty` for an empty body, or `HTTP <status>` for a bodiless non-CWMP answer. */
  method: string;
  status?: number;
  id?: string;
}

export interface SessionRecord {
  /** The Inform's events, e.g. ['0 BOOTSTRAP', '1 BOOT']. */
  events: string[];
  startedAt: number;
  endedAt: number;
  ok: boolean;
  error?: string;
  /** ACS requests handled, in order. */
  acsMethods: string[];
  transcript: TranscriptEntry[];
  httpRequests: number;
  /** TCP connections opened (keep-alive keeps this at 1 unless a quirk or the ACS closes). */
  connections: number;
  auth: 'none' | 'basic' | 'digest';
  /** Cookie the ACS set (kept by the phone only for the staleCookie quirk). */
  cookie?: string;
}

/** The phone's side of a session. */
export interface SessionDriver {
  /** Next CPE request to send after the InformResponse (TransferComplete …), or undefined. */
  nextCpeRequest(): CpeRequest | undefined;
  /** The ACS answered `req` without a fault. */
  cpeRequestDone(req: CpeRequest): void;
  /** The InformResponse arrived: the Inform's events are delivered (§1.8). */
  informDelivered(): void;
  handle(req: AcsRequest): CpeResponse | Fault;
}

export interface SessionOptions {
  url: string;
  ca?: string;
  username: string;
  password: string;
  namespace: CwmpNamespace;
  /** CWMP 1.3+ SessionTimeout header (seconds). */
  sessionTimeout?: number;
  /** CWMP 1.4 SupportedCWMPVersions header, e.g. '1.0,1.1,1.2,1.3,1.4'. */
  supportedVersions?: string;
  quirks: Quirks;
  /** Per HTTP request. */
  timeoutMs?: number;
  /** Cookie of the previous session (sent on the Inform only with quirk staleCookie). */
  staleCookie?: string;
  now?: () => number;
  /** Source address and DNS answer for the ACS host (network mode). */
  connect?: ConnectOptions | undefined;
}

const MAX_REDIRECTS = 5; // §1.2
const MAX_RETRY_8005 = 5; // icwmp: identical resend on 8005, up to 5 attempts (§1.8)
const ACS_METHODS: ReadonlySet<string> = new Set(ACS_RPC_METHODS);

export class SessionError extends Error {}

class Exchange {
  readonly o: SessionOptions;
  readonly rec: SessionRecord;
  url: URL;
  agent: http.Agent;
  challenge: DigestChallenge | undefined;
  nc = 0;
  cookie: string | undefined;
  first = true;
  #t0: number;

  constructor(o: SessionOptions, rec: SessionRecord) {
    this.o = o;
    this.rec = rec;
    this.url = new URL(o.url);
    this.agent = this.#newAgent();
    this.#t0 = rec.startedAt;
    if (o.quirks.staleCookie && o.staleCookie) this.cookie = o.staleCookie;
  }

  #newAgent(): http.Agent {
    const keepAlive = !this.o.quirks.newConnectionPerPost;
    const c = this.o.connect ?? {};
    const net = { ...(c.localAddress ? { localAddress: c.localAddress } : {}), ...(c.lookup ? { lookup: c.lookup } : {}) };
    const agent = this.url.protocol === 'https:' ? new https.Agent({ keepAlive, maxSockets: 1, ...tlsOptions(this.o.ca), ...net }) : new http.Agent({ keepAlive, maxSockets: 1, ...net });
    const orig = agent.createConnection.bind(agent);
    agent.createConnection = ((...args: Parameters<typeof orig>) => { this.rec.connections++; return orig(...args); }) as typeof orig;
    return agent;
  }

  now(): number { return (this.o.now ?? Date.now)(); }

  log(from: 'cpe' | 'acs', method: string, extra: { status?: number; id?: string } = {}): void {
    this.rec.transcript.push({ at: this.now() - this.#t0, from, method, ...extra });
  }

  #authorization(): string | undefined {
    const { username, password } = this.o;
    if (this.challenge) {
      this.nc++;
      return buildAuthorization(this.challenge, { username, password, method: 'POST', uri: `${this.url.pathname}${this.url.search}`, nc: this.nc });
    }
    if (this.first && this.o.quirks.basicBeforeDigest) return basicAuthorization(username, password);
    return undefined;
  }

  /** POST (empty when `xml` is undefined), answering one challenge and following redirects. */
  async post(xml: string | undefined): Promise<HttpResponse> {
    let challenged = false;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const headers: Record<string, string> = {};
      if (xml !== undefined) {
        headers['Content-Type'] = 'text/xml; charset="utf-8"';
        headers['SOAPAction'] = ''; // §1.2: present with no value
        if (this.o.quirks.expect100Continue) headers['Expect'] = '100-continue';
      }
      if (this.cookie && !this.o.quirks.noCookies) headers['Cookie'] = this.cookie;
      const auth = this.#authorization();
      if (auth) headers['Authorization'] = auth;
      if (this.o.quirks.newConnectionPerPost) headers['Connection'] = 'close';
      this.first = false;
      this.rec.httpRequests++;
      const res = await httpRequest({
        method: 'POST', url: this.url, headers, body: xml, ca: this.o.ca, agent: this.agent,
        timeoutMs: this.o.timeoutMs, chunked: this.o.quirks.chunkedBody === true && xml !== undefined,
      });
      this.#keepCookie(res);
      if (res.status === 401) {
        this.log('acs', 'HTTP 401', { status: 401 });
        const c = parseChallenge(String(res.headers['www-authenticate'] ?? ''));
        // A second 401 after answering a challenge means the credentials are wrong (§6.2).
        if (!c || (challenged && !c.stale)) throw new SessionError('ACS refused the credentials (401)');
        challenged = true;
        this.challenge = c;
        this.nc = 0;
        this.rec.auth = c.scheme === 'Digest' ? 'digest' : 'basic';
        if (this.o.quirks.closesAfter401) this.#reconnect();
        continue;
      }
      if (res.status === 302 || res.status === 307) {
        const loc = res.headers.location;
        if (!loc) throw new SessionError(`redirect ${res.status} without Location`);
        this.url = new URL(loc, this.url); // followed, never persisted (§1.2)
        this.#reconnect();
        continue;
      }
      return res;
    }
    throw new SessionError('too many redirects or challenges');
  }

  #reconnect(): void {
    this.agent.destroy();
    this.agent = this.#newAgent();
  }

  #keepCookie(res: HttpResponse): void {
    const set = res.headers['set-cookie'];
    if (!set || set.length === 0 || this.o.quirks.noCookies) return;
    // RFC 6265: name=value before the first ';'; later cookies replace same-named ones.
    const jar = new Map((this.cookie ?? '').split(/;\s*/).filter((c) => c.includes('=')).map((c) => [c.slice(0, c.indexOf('=')), c] as const));
    for (const line of set) {
      const pair = line.split(';')[0]!.trim();
      if (pair.includes('=')) jar.set(pair.slice(0, pair.indexOf('=')), pair);
    }
    this.cookie = [...jar.values()].join('; ');
    this.rec.cookie = this.cookie;
  }

  close(): void {
    this.agent.destroy();
  }
}

function envelopeXml(o: SessionOptions, header: CwmpHeader, body: CwmpBody): string {
  let xml = serializeEnvelope({ namespace: o.namespace, header, body } as CwmpEnvelope);
  if (o.quirks.noXmlDeclaration) xml = xml.replace(/^<\?xml[^>]*\?>\s*/, '');
  if (o.quirks.dateTimeMillis) xml = withMilliseconds(xml);
  return xml;
}

/** Quirk dateTimeMillis: dateTime values with milliseconds (the codec never writes fractions, §5.1). */
function withMilliseconds(xml: string): string {
  const add = (t: string): string => t.replace(/^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?!\.)/, '$1.000');
  return xml
    .replace(/(<(CurrentTime|StartTime|CompleteTime)>)([^<]+)(<\/\2>)/g, (_m, open: string, _n: string, t: string, close: string) => `${open}${add(t)}${close}`)
    .replace(/(xsi:type="xsd:dateTime">)([^<]+)(<)/g, (_m, open: string, t: string, close: string) => `${open}${add(t)}${close}`);
}

function parseAcs(ex: Exchange, res: HttpResponse): CwmpEnvelope | undefined {
  if (res.status === 204 || (res.status === 200 && isEmptyBody(res.body))) {
    ex.log('acs', 'empty', { status: res.status });
    return undefined;
  }
  if (res.status !== 200) {
    ex.log('acs', `HTTP ${res.status}`, { status: res.status });
    throw new SessionError(`ACS answered HTTP ${res.status}`);
  }
  const q = ex.o.quirks;
  if (q.requireContentLength && res.headers['content-length'] === undefined) throw new SessionError('ACS response without Content-Length (quirk requireContentLength)');
  if (q.requireXmlDeclaration && !/^(\uFEFF)?\s*<\?xml/.test(res.body.toString('utf8', 0, 64))) {
    throw new SessionError('ACS envelope without <?xml?> declaration (quirk requireXmlDeclaration)');
  }
  const env = parseEnvelope(res.body);
  const method = env.body.method === 'Fault' ? `Fault ${env.body.code}` : env.body.method;
  ex.log('acs', method, { status: res.status, ...(env.header.id !== undefined ? { id: env.header.id } : {}) });
  return env;
}

/** Send a CPE request and return the ACS's answer, re-sending on fault 8005 (§1.8). */
async function cpeRequest(ex: Exchange, header: CwmpHeader, body: CpeRequest): Promise<CwmpEnvelope> {
  for (let attempt = 1; ; attempt++) {
    ex.log('cpe', body.method, { ...(header.id !== undefined ? { id: header.id } : {}) });
    const env = parseAcs(ex, await ex.post(envelopeXml(ex.o, header, body)));
    if (!env) throw new SessionError(`empty answer to ${body.method}`);
    if (env.body.method === 'Fault' && env.body.code === 8005 && attempt < MAX_RETRY_8005) continue;
    return env;
  }
}

/** Run one session. Never throws: failures end up in the record (ok=false, error). */
export async function runSession(o: SessionOptions, inform: Extract<CpeRequest, { method: 'Inform' }>, driver: SessionDriver): Promise<SessionRecord> {
  const now = o.now ?? Date.now;
  const rec: SessionRecord = {
    events: inform.events.map((e) => e.code), startedAt: now(), endedAt: 0, ok: false, acsMethods: [], transcript: [],
    httpRequests: 0, connections: 0, auth: 'none',
  };
  const ex = new Exchange(o, rec);
  let seq = 0;
  const nextId = (): string => `${Math.floor(now() / 1000).toString(36)}-${++seq}`;
  try {
    const informHeader: CwmpHeader = { id: nextId() };
    if (o.sessionTimeout !== undefined) informHeader.sessionTimeout = o.sessionTimeout;
    if (o.supportedVersions !== undefined) informHeader.supportedVersions = o.supportedVersions.split(',').map((s) => s.trim());
    const ir = await cpeRequest(ex, informHeader, inform);
    if (ir.body.method !== 'InformResponse') throw new SessionError(`expected InformResponse, got ${ir.body.method === 'Fault' ? `fault ${ir.body.code}` : ir.body.method}`);
    driver.informDelivered();
    const holds = (h: CwmpHeader): boolean => h.holdRequests === true && !o.quirks.ignoreHoldRequests;
    let hold = holds(ir.header);
    for (let req = hold ? undefined : driver.nextCpeRequest(); req; req = hold ? undefined : driver.nextCpeRequest()) {
      const r = await cpeRequest(ex, { id: nextId() }, req);
      if (r.body.method === 'Fault') break; // keep it pending for the next session
      driver.cpeRequestDone(req);
      hold = holds(r.header);
    }
    ex.log('cpe', 'empty');
    let env = parseAcs(ex, await ex.post(undefined));
    while (env) {
      const body = env.body;
      const unknown = body.method === 'Unknown'; // an RPC this phone does not know: 9000 (§3)
      if (!unknown && !ACS_METHODS.has(body.method)) throw new SessionError(`unexpected ${body.method === 'Fault' ? `fault ${(body as Fault).code}` : body.method} from the ACS`);
      rec.acsMethods.push(unknown ? (body as { name: string }).name : body.method);
      const resp = unknown ? cpeFault(9000) : driver.handle(body as AcsRequest);
      const header: CwmpHeader = env.header.id !== undefined ? { id: env.header.id } : {};
      ex.log('cpe', resp.method === 'Fault' ? `Fault ${resp.code}` : resp.method, { ...header });
      env = parseAcs(ex, await ex.post(envelopeXml(o, header, resp)));
    }
    rec.ok = true;
  } catch (err) {
    rec.error = err instanceof Error ? err.message : String(err);
  } finally {
    ex.close();
    rec.endedAt = now();
  }
  return rec;
}
