// One benchmark phone: a CWMP client doing the sessions real SIP phones do (tr069-protocol.md §1):
// Inform (Digest, §6) → InformResponse → empty POST → the ACS's RPCs (answered) → 204. Bodies are
// built once from a golden TR-181 Inform (3 KB, 12 parameters) so the load generator spends its
// CPU on the wire, not on XML. Digest as real CPEs do it: the challenge is taken once per
// connection, then the nonce is reused with an increasing nc (RFC 7616 §3.4); on a new connection
// the 401 round-trip is part of the session.

import { readFileSync } from 'node:fs';
import { parseEnvelope } from '../../../src/protocols/cwmp/parse.ts';
import { serializeEnvelope } from '../../../src/protocols/cwmp/serialize.ts';
import { deviceIdString } from '../../../src/protocols/cwmp/version.ts';
import type { CwmpEnvelope, Inform } from '../../../src/protocols/cwmp/types.ts';
import { buildAuthorization, parseChallenge, type DigestChallenge } from '../../../src/protocols/http/digest.ts';
import { Http1Connection, type Http1Response } from './http1.ts';

export interface BenchTarget {
  host: string;
  acsPort: number;
  apiPort: number;
  /** PEM of the CA that signed the ACS certificate. */
  ca: string;
  apiToken: string;
  /** Check that each SPV carries the cwmp:ID of the task this phone queued (Outpost: t<id>.<attempt>). */
  verifyIds: boolean;
  timeoutMs: number;
}

export interface PhoneCreds {
  serial: string;
  username: string;
  password: string;
}

export interface SessionOutcome {
  spvs: number;
  /** The SPV's cwmp:ID was not the one of the task queued for this session. */
  idMismatch: boolean;
  /** A 401 round-trip happened in this session. */
  challenged: boolean;
}

/** Every message of one session, for the echo server (filled by a calibration session). */
export interface Capture {
  [step: string]: { status: number; headers: Record<string, string>; body: string };
}

const GOLDEN = new URL('../../../src/protocols/cwmp/testdata/golden/inform-tr181-1-4.xml', import.meta.url);
const ID_MARK = '@@CWMPID@@';
const XML = { 'content-type': 'text/xml; charset="utf-8"', soapaction: '""' };

/** The Inform of phone `serial` with `events`, its cwmp:ID left as a placeholder. */
export function informTemplate(serial: string, events: string[]): { xml: string; deviceId: string } {
  const env = parseEnvelope(readFileSync(GOLDEN)) as CwmpEnvelope<Inform>;
  const inform: Inform = {
    ...env.body,
    deviceId: { ...env.body.deviceId, serialNumber: serial },
    events: events.map((code) => ({ code, commandKey: '' })),
    retryCount: 0,
    parameters: env.body.parameters.map((p) => p.name.endsWith('ConnectionRequestURL') ? { ...p, value: `http://127.0.0.1:1/cr/${serial}` } : p),
  };
  const xml = serializeEnvelope({ ...env, header: { ...env.header, id: ID_MARK }, body: inform });
  return { xml, deviceId: deviceIdString(inform.deviceId) };
}

const SPV_RESPONSE = serializeEnvelope({ namespace: 'urn:dslforum-org:cwmp-1-2', header: { id: ID_MARK }, body: { method: 'SetParameterValuesResponse', status: 0 } });

const idOf = (xml: string): string => /<(?:[\w-]+:)?ID\b[^>]*>([^<]*)<\//.exec(xml)?.[1] ?? '';
const rpcOf = (xml: string): string => /<(?:[\w-]+:)?Body\b[^>]*>\s*<(?:[\w-]+:)?([A-Za-z]+)/.exec(xml)?.[1] ?? '?';

export class BenchPhone {
  readonly creds: PhoneCreds;
  readonly deviceId: string;
  readonly #t: BenchTarget;
  #inform: string;
  #acs: Http1Connection | null = null;
  #api: Http1Connection | null = null;
  #challenge: DigestChallenge | null = null;
  #nc = 0;
  #seq = 0;
  /** The task queued for the next session and not yet seen in an SPV. */
  pendingTask: number | null = null;
  /** Answers SPVs: the default says Status 0; the registration session reads new credentials. */
  onSpv: ((xml: string) => void) | null = null;
  /** When set, every response of a session is recorded under its step name. */
  capture: Capture | null = null;
  /** When set, each request's round-trip (ms, status) is appended: diagnostics of slow sessions. */
  timings: { ms: number; status: number }[] | null = null;

  constructor(t: BenchTarget, creds: PhoneCreds, events = ['2 PERIODIC']) {
    this.#t = t;
    this.creds = creds;
    const tpl = informTemplate(creds.serial, events);
    this.#inform = tpl.xml;
    this.deviceId = tpl.deviceId;
  }

  setEvents(events: string[]): void {
    this.#inform = informTemplate(this.creds.serial, events).xml;
  }

  /** Queue one SetParameterValues for this phone through the management API (bearer token). */
  async enqueueSpv(): Promise<number> {
    if (!this.#api?.usable) this.#api = new Http1Connection({ host: this.#t.host, port: this.#t.apiPort, tls: null, timeoutMs: this.#t.timeoutMs });
    const n = ++this.#seq;
    const body = JSON.stringify({ method: 'SetParameterValues', args: { parameterKey: `bench-${n}`, parameterList: [
      { name: 'Device.DeviceInfo.ProvisioningCode', value: `site-07-${n}` },
      { name: 'Device.Services.VoiceService.1.SIP.Client.1.RegisterExpires', value: String(3600 + (n % 60)), type: 'xsd:unsignedInt' },
    ] } });
    const r = await this.#api.request('POST', `/api/v1/devices/${encodeURIComponent(this.deviceId)}/tasks`,
      { authorization: `Bearer ${this.#t.apiToken}`, 'content-type': 'application/json' }, body);
    this.#record('enqueue', r);
    if (r.status !== 201) throw new Error(`enqueue: HTTP ${r.status} ${r.body.toString().slice(0, 120)}`);
    const id = Number(/"id":(\d+)/.exec(r.body.toString('latin1'))?.[1] ?? NaN);
    this.pendingTask = id;
    return id;
  }

  /** One full session. keepAlive: reuse this phone's connection (and its nonce) across sessions. */
  async session(keepAlive: boolean): Promise<SessionOutcome> {
    try {
      return await this.#session(keepAlive);
    } catch (e) {
      this.#dropAcs();
      this.pendingTask = null; // whatever happened to it, do not wait for it
      throw e;
    } finally {
      if (!keepAlive) this.#dropAcs();
    }
  }

  close(): void {
    this.#dropAcs();
    this.#api?.close();
    this.#api = null;
  }

  #dropAcs(): void {
    this.#acs?.close();
    this.#acs = null;
    this.#challenge = null;
  }

  async #session(keepAlive: boolean): Promise<SessionOutcome> {
    if (!keepAlive || !this.#acs?.usable) {
      this.#dropAcs();
      this.#acs = new Http1Connection({ host: this.#t.host, port: this.#t.acsPort, tls: { ca: this.#t.ca }, timeoutMs: this.#t.timeoutMs });
    }
    const out: SessionOutcome = { spvs: 0, idMismatch: false, challenged: false };
    const inform = this.#inform.replace(ID_MARK, String(++this.#seq));
    let r = await this.#post(inform, this.#authorization());
    if (r.status === 401) {
      this.#record('challenge', r);
      out.challenged = true;
      this.#challenge = parseChallenge(r.headers['www-authenticate'] ?? '');
      this.#nc = 0;
      if (!this.#challenge) throw new Error('401 without a usable challenge');
      r = await this.#post(inform, this.#authorization());
    }
    this.#record('informResponse', r);
    const body = r.body.toString('utf8');
    if (r.status !== 200 || rpcOf(body) !== 'InformResponse') throw new Error(`Inform: HTTP ${r.status} ${rpcOf(body)}`);
    const cookie = (r.headers['set-cookie'] ?? '').split('\n')[0]!.split(';')[0]!;
    const ck: Record<string, string> = cookie ? { cookie } : {};
    r = await this.#post('', ck);
    for (;;) {
      const xml = r.body.toString('utf8');
      if (r.status === 204) break;
      const rpc = rpcOf(xml);
      if (r.status !== 200 || rpc !== 'SetParameterValues') throw new Error(`expected SetParameterValues or 204: HTTP ${r.status} ${rpc}`);
      this.#record(out.spvs === 0 ? 'spv' : `spv${out.spvs + 1}`, r);
      const id = idOf(xml);
      if (this.#t.verifyIds && out.spvs === 0 && !id.startsWith(`t${this.pendingTask}.`)) out.idMismatch = true;
      out.spvs++;
      this.onSpv?.(xml);
      r = await this.#post(SPV_RESPONSE.replace(ID_MARK, id), ck);
    }
    this.#record('end', r);
    if (out.spvs > 0) this.pendingTask = null;
    return out;
  }

  async #post(body: string, headers: Record<string, string>): Promise<Http1Response> {
    const t0 = performance.now();
    const r = await this.#acs!.request('POST', '/', body === '' ? headers : { ...XML, ...headers }, body);
    this.timings?.push({ ms: performance.now() - t0, status: r.status });
    return r;
  }

  #authorization(): Record<string, string> {
    if (!this.#challenge) return {};
    this.#nc++;
    return { authorization: buildAuthorization(this.#challenge, { username: this.creds.username, password: this.creds.password, method: 'POST', uri: '/', nc: this.#nc }) };
  }

  #record(step: string, r: Http1Response): void {
    if (this.capture) this.capture[step] = { status: r.status, headers: r.headers, body: r.body.toString('utf8') };
  }
}
