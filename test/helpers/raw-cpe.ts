// A bare-bones CWMP HTTP client for negative tests: full control over connections, headers,
// cookies and bodies (the simulator, test/sim, is the well-behaved phone).

import https from 'node:https';
import http from 'node:http';
import { serializeEnvelope } from '../../src/protocols/cwmp/serialize.ts';
import { parseEnvelope } from '../../src/protocols/cwmp/parse.ts';
import { buildAuthorization, parseChallenge, basicAuthorization } from '../../src/protocols/http/digest.ts';
import type { CwmpEnvelope, CwmpBody, Inform } from '../../src/protocols/cwmp/types.ts';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export class RawCpe {
  readonly url: URL;
  readonly ca: string | null;
  agent: http.Agent;
  cookie = '';
  nc = 0;
  challenge: ReturnType<typeof parseChallenge> = null;
  creds: { username: string; password: string } | null;
  useCookies = true;

  constructor(url: string, ca: string | null, creds: { username: string; password: string } | null = null) {
    this.url = new URL(url);
    this.ca = ca;
    this.creds = creds;
    this.agent = this.#newAgent();
  }

  #newAgent(): http.Agent {
    return this.url.protocol === 'https:' ? new https.Agent({ keepAlive: true, maxSockets: 1, ...(this.ca ? { ca: this.ca } : {}) }) : new http.Agent({ keepAlive: true, maxSockets: 1 });
  }

  /** Drop the TCP connection (the next request opens a new one). */
  dropConnection(): void {
    this.agent.destroy();
    this.agent = this.#newAgent();
  }

  request(body: string | Buffer, headers: Record<string, string> = {}, method = 'POST'): Promise<RawResponse> {
    const mod = this.url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = mod.request(this.url, {
        method, agent: this.agent,
        headers: {
          ...(body.length > 0 ? { 'content-type': 'text/xml; charset="utf-8"', soapaction: '' } : {}),
          'content-length': String(Buffer.byteLength(body)),
          ...(this.cookie && this.useCookies ? { cookie: this.cookie } : {}),
          ...headers,
        },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const sc = res.headers['set-cookie'];
          if (sc && this.useCookies) this.cookie = sc[0]!.split(';')[0]!;
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  authHeader(): Record<string, string> {
    if (!this.creds || !this.challenge) return {};
    if (this.challenge.scheme === 'Basic') return { authorization: basicAuthorization(this.creds.username, this.creds.password) };
    this.nc++;
    return { authorization: buildAuthorization(this.challenge, { ...this.creds, method: 'POST', uri: this.url.pathname, nc: this.nc }) };
  }

  /** POST with Digest: on 401 take the challenge and retry once. */
  async post(body: string | Buffer, headers: Record<string, string> = {}): Promise<RawResponse> {
    let r = await this.request(body, { ...this.authHeader(), ...headers });
    if (r.status === 401 && this.creds) {
      this.challenge = parseChallenge(String(r.headers['www-authenticate']));
      this.nc = 0;
      r = await this.request(body, { ...this.authHeader(), ...headers });
    }
    return r;
  }

  async send(body: CwmpBody, id = String(Date.now()), ns: CwmpEnvelope['namespace'] = 'urn:dslforum-org:cwmp-1-0'): Promise<RawResponse> {
    return this.post(serializeEnvelope({ namespace: ns, header: { id }, body }));
  }

  close(): void {
    this.agent.destroy();
  }
}

export function parse(r: RawResponse): CwmpEnvelope {
  return parseEnvelope(r.body);
}

export function inform(serial: string, events: string[], o: { oui?: string; productClass?: string; root?: string; params?: { name: string; value: string; type?: string }[] } = {}): Inform {
  const root = o.root ?? 'Device';
  return {
    method: 'Inform',
    deviceId: { manufacturer: 'TestCo', oui: o.oui ?? '00A1B2', productClass: o.productClass ?? 'TESTPHONE', serialNumber: serial },
    events: events.map((code) => ({ code, commandKey: '' })),
    maxEnvelopes: 1, currentTime: '2026-01-01T00:00:00Z', retryCount: 0,
    parameters: [
      { name: `${root}.DeviceInfo.SoftwareVersion`, value: '1.0.0', type: 'xsd:string' },
      { name: `${root}.ManagementServer.ConnectionRequestURL`, value: 'http://127.0.0.1:1/cr', type: 'xsd:string' },
      ...(o.params ?? []).map((p) => ({ ...p, type: p.type ?? 'xsd:string' })),
    ],
  };
}
