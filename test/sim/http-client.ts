// One HTTP(S) exchange for the simulator: node:http/node:https with the site CA, the body
// buffered, Content-Length always sent unless chunked is asked for (quirk chunkedBody), and a
// hard timeout. Used by the CWMP session client and by Download/Upload.

import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { createSecureContext, type SecureContext } from 'node:tls';

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface HttpRequestOptions {
  method: string;
  url: URL;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** PEM of the CA that signs the server (HTTPS only). */
  ca?: string;
  agent?: http.Agent | false;
  timeoutMs?: number;
  /** Send the body with Transfer-Encoding: chunked instead of Content-Length. */
  chunked?: boolean;
  /** Largest body accepted (bytes). */
  maxBytes?: number;
  /** Source address and name resolution (network mode: the phone's lease and its DNS answer). */
  localAddress?: string | undefined;
  lookup?: LookupFunction | undefined;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

export function httpRequest(o: HttpRequestOptions): Promise<HttpResponse> {
  const body = o.body === undefined ? undefined : Buffer.isBuffer(o.body) ? o.body : Buffer.from(o.body, 'utf8');
  const headers: Record<string, string> = { ...o.headers };
  if (body !== undefined && !o.chunked) headers['Content-Length'] = String(body.length);
  if (body === undefined && (o.method === 'POST' || o.method === 'PUT')) headers['Content-Length'] = '0';
  const isHttps = o.url.protocol === 'https:';
  const mod = isHttps ? https : http;
  const maxBytes = o.maxBytes ?? DEFAULT_MAX_BYTES;
  return new Promise<HttpResponse>((resolve, reject) => {
    const req = mod.request(o.url, {
      method: o.method, headers, agent: o.agent, timeout: o.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      ...(o.localAddress ? { localAddress: o.localAddress } : {}), ...(o.lookup ? { lookup: o.lookup } : {}),
      ...(isHttps ? { ...tlsOptions(o.ca), servername: isIpLiteral(o.url.hostname) ? undefined : o.url.hostname } : {}),
    }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > maxBytes) { req.destroy(new Error(`response larger than ${maxBytes} bytes`)); return; }
        chunks.push(c);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`HTTP ${o.method} ${o.url.href} timed out`)));
    req.on('error', reject);
    // A write() before end() makes Node send chunked; end(body) alone would set Content-Length.
    const send = (): void => {
      if (body === undefined) req.end();
      else if (o.chunked) { req.write(body); req.end(); } else req.end(body);
    };
    if (body !== undefined && headers['Expect'] === '100-continue') req.on('continue', send);
    else send();
  });
}

const contexts = new Map<string, SecureContext>();

/**
 * TLS options trusting `ca`: one SecureContext per CA shared by every phone of the process
 * (parsing the PEM for each of 10,000 phones' sessions would cost more than the handshake).
 */
export function tlsOptions(ca: string | undefined): { ca?: string; secureContext?: SecureContext } {
  if (ca === undefined) return {};
  let ctx = contexts.get(ca);
  if (!ctx) { ctx = createSecureContext({ ca }); contexts.set(ca, ctx); }
  return { secureContext: ctx };
}

function isIpLiteral(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':') || host.startsWith('[');
}
