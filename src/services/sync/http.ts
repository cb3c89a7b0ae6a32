// A small HTTP(S) client for talking to central: node:http/https rather than fetch so that a
// site CA can be trusted (sync.central.ca), bodies are size-bounded, idle sockets time out, and
// firmware streams straight to disk with Range resume (RFC 9110 §14). Network failures throw
// NetworkError; any HTTP status is returned to the caller, who decides what it means.

import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createWriteStream } from 'node:fs';

export class NetworkError extends Error {
  override readonly name = 'NetworkError';
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'HEAD';
  headers?: Record<string, string>;
  body?: string | Buffer;
  timeoutMs: number;
  /** PEM of extra trusted CAs. */
  ca?: string | undefined;
  signal?: AbortSignal | undefined;
}

export interface Response {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  latencyMs: number;
}

function open(url: string, o: RequestOptions): Promise<{ res: IncomingMessage; started: number }> {
  const u = new URL(url);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const make = u.protocol === 'https:' ? httpsRequest : u.protocol === 'http:' ? httpRequest : null;
    if (!make) return reject(new NetworkError(`unsupported URL scheme ${u.protocol}`));
    const body = o.body === undefined ? undefined : Buffer.isBuffer(o.body) ? o.body : Buffer.from(o.body);
    const req = make(u, {
      method: o.method ?? 'GET',
      headers: { ...o.headers, ...(body ? { 'content-length': String(body.length) } : {}) },
      agent: false,
      ...(o.ca ? { ca: o.ca } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
    }, (res) => resolve({ res, started }));
    req.setTimeout(o.timeoutMs, () => req.destroy(new NetworkError(`no answer from ${u.host} within ${o.timeoutMs} ms`)));
    req.on('error', (err) => reject(err instanceof NetworkError ? err : new NetworkError(`${u.host}: ${(err as NodeJS.ErrnoException).code ?? err.message}`)));
    req.end(body);
  });
}

/** A request whose answer body is read into memory (at most maxBytes). */
export async function request(url: string, o: RequestOptions & { maxBytes: number }): Promise<Response> {
  const { res, started } = await open(url, o);
  const chunks: Buffer[] = [];
  let size = 0;
  await new Promise<void>((resolve, reject) => {
    res.setTimeout(o.timeoutMs, () => res.destroy(new NetworkError('answer stalled')));
    res.on('data', (c: Buffer) => {
      size += c.length;
      if (size > o.maxBytes) res.destroy(new NetworkError(`answer larger than ${o.maxBytes} bytes`));
      else chunks.push(c);
    });
    res.on('end', resolve);
    res.on('error', (e) => reject(e instanceof NetworkError ? e : new NetworkError(`answer cut short: ${(e as NodeJS.ErrnoException).code ?? e.message}`)));
    res.on('close', () => { if (!res.complete) reject(new NetworkError('answer cut short')); });
  });
  if (!res.complete) throw new NetworkError('answer cut short');
  return { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), latencyMs: Math.round(performance.now() - started) };
}

export interface DownloadResult {
  status: number;
  headers: IncomingHttpHeaders;
  /** Bytes in the file after the download (offset kept on 206, restarted on 200). */
  size: number;
  latencyMs: number;
}

/**
 * GET into `file`, resuming at `offset` with Range (+ If-Range when an ETag is known). A 206
 * whose Content-Range starts at `offset` appends; a 200 rewrites from zero; anything else writes
 * nothing. Writes at most `maxSize` bytes in total. On a network error the bytes already written
 * stay in the file (the caller resumes from its size next time).
 */
export async function download(url: string, file: string, offset: number, maxSize: number, o: RequestOptions & { etag?: string | null }): Promise<DownloadResult> {
  const headers = { ...o.headers, ...(offset > 0 ? { range: `bytes=${offset}-`, ...(o.etag ? { 'if-range': o.etag } : {}) } : {}) };
  const { res, started } = await open(url, { ...o, headers });
  const status = res.statusCode ?? 0;
  const cr = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(String(res.headers['content-range'] ?? ''));
  const append = status === 206 && cr !== null && Number(cr[1]) === offset;
  if (!(status === 200 || append)) {
    res.resume();
    return { status, headers: res.headers, size: offset, latencyMs: Math.round(performance.now() - started) };
  }
  let size = append ? offset : 0;
  const out = createWriteStream(file, { flags: append ? 'a' : 'w' });
  try {
    await new Promise<void>((resolve, reject) => {
      res.setTimeout(o.timeoutMs, () => res.destroy(new NetworkError('download stalled')));
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > maxSize) res.destroy(new NetworkError(`image larger than its catalogue size ${maxSize}`));
        else if (!out.write(c)) { res.pause(); out.once('drain', () => res.resume()); }
      });
      res.on('end', () => (res.complete ? resolve() : reject(new NetworkError('download cut short'))));
      res.on('error', (e) => reject(e instanceof NetworkError ? e : new NetworkError(`download cut short: ${(e as NodeJS.ErrnoException).code ?? e.message}`)));
      res.on('close', () => { if (!res.complete) reject(new NetworkError('download cut short')); });
      out.on('error', reject);
    });
  } finally {
    await new Promise<void>((r) => out.end(r));
  }
  return { status, headers: res.headers, size: Math.min(size, maxSize), latencyMs: Math.round(performance.now() - started) };
}
