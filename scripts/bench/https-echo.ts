// The fastest possible Node HTTPS "ACS" on this machine, the reference for acs-sessions.ts:
// node:https with Outpost's certificate and TLS settings (TLS 1.2+, Outpost's cipher list and
// order), answering the byte-identical response bodies Outpost gave in a calibration session
// (401 challenge, InformResponse + cookie, SetParameterValues, 204), chosen from headers only —
// no XML parsing, no Digest check, no storage. A plain-HTTP listener answers the task-queue API
// call the load generator makes before each session with Outpost's 201 body, so both servers
// see the same request sequence on the same connections.
// Run: node_modules/.bin/node scripts/bench/https-echo.ts --cert C --key K --responses R.json
//        --port P --api-port Q [--host 127.0.0.1]

import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { TLS_CIPHERS } from '../../src/services/tls.ts';
import type { Capture } from './lib/cwmp-phone.ts';

interface Canned { status: number; headers: Record<string, string | string[]>; body: Buffer }

// Only the headers a CPE acts on; Node adds Date, Connection and Keep-Alive as Outpost's do.
const KEEP = ['content-type', 'set-cookie', 'www-authenticate', 'retry-after'];

function canned(c: Capture[string] | undefined, step: string): Canned {
  if (!c) throw new Error(`responses file lacks step '${step}'`);
  const headers: Record<string, string | string[]> = {};
  for (const k of KEEP) if (c.headers[k] !== undefined) headers[k] = k === 'set-cookie' ? c.headers[k].split('\n') : c.headers[k];
  const body = Buffer.from(c.body, 'utf8');
  headers['content-length'] = String(body.length); // also on the 204, as Outpost does
  return { status: c.status, headers, body };
}

function send(res: http.ServerResponse, c: Canned): void {
  res.writeHead(c.status, c.headers);
  res.end(c.status === 204 ? undefined : c.body);
}

export function startEcho(o: { host: string; port: number; apiPort: number; cert: string; key: string; responses: Capture }): Promise<{ close(): void }> {
  const r = o.responses;
  const steps = {
    challenge: canned(r['challenge'], 'challenge'), inform: canned(r['informResponse'], 'informResponse'),
    spv: canned(r['spv'], 'spv'), end: canned(r['end'], 'end'), enqueue: canned(r['enqueue'], 'enqueue'),
  };
  const acs = https.createServer({ key: o.key, cert: o.cert, minVersion: 'TLSv1.2', ciphers: TLS_CIPHERS, honorCipherOrder: true }, (req, res) => {
    let n = 0;
    req.on('data', (d: Buffer) => { n += d.length; });
    req.on('end', () => {
      // The request's place in the session, from headers only: no cookie = an Inform (without
      // or with credentials), cookie + empty body = "send me your RPCs", cookie + body = a response.
      if (req.headers.cookie === undefined) send(res, req.headers.authorization === undefined ? steps.challenge : steps.inform);
      else send(res, n === 0 ? steps.spv : steps.end);
    });
  });
  const api = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => send(res, steps.enqueue));
  });
  // Outpost's ACS listener: keepAliveTimeout max(5 s, idleTimeout 30 s).
  acs.keepAliveTimeout = 30_000;
  api.keepAliveTimeout = 30_000;
  return new Promise((resolve, reject) => {
    let up = 0;
    const ready = () => { if (++up === 2) resolve({ close: () => { acs.close(); api.close(); acs.closeAllConnections(); api.closeAllConnections(); } }); };
    acs.once('error', reject).listen(o.port, o.host, ready);
    api.once('error', reject).listen(o.apiPort, o.host, ready);
  });
}

if (import.meta.main) {
  const { values: v } = parseArgs({ options: {
    cert: { type: 'string' }, key: { type: 'string' }, responses: { type: 'string' },
    port: { type: 'string' }, 'api-port': { type: 'string' }, host: { type: 'string', default: '127.0.0.1' },
  } });
  if (!v.cert || !v.key || !v.responses || !v.port || !v['api-port']) {
    process.stderr.write('usage: https-echo.ts --cert C --key K --responses R.json --port P --api-port Q [--host H]\n');
    process.exit(2);
  }
  const srv = await startEcho({ host: v.host!, port: Number(v.port), apiPort: Number(v['api-port']),
    cert: readFileSync(v.cert, 'utf8'), key: readFileSync(v.key, 'utf8'), responses: JSON.parse(readFileSync(v.responses, 'utf8')) as Capture });
  process.stdout.write(`https-echo listening on ${v.host}:${v.port} (api ${v['api-port']})\n`);
  process.on('SIGTERM', () => { srv.close(); process.exit(0); });
  process.on('SIGINT', () => { srv.close(); process.exit(0); });
}
