// A minimal HTTP/1.1 client connection for load generation: one request in flight at a time on
// one TCP or TLS socket, Content-Length and chunked responses, nothing else. node:http's client
// costs several times more CPU per request; on a 2-core box where the load generator shares the
// machine with the server, every client cycle is taken from the server under test.

import net from 'node:net';
import tls from 'node:tls';

export interface Http1Response {
  status: number;
  /** Lower-case header names; repeated headers joined with '\n' (only set-cookie repeats here). */
  headers: Record<string, string>;
  body: Buffer;
}

export interface Http1Options {
  host: string;
  port: number;
  /** TLS with this CA (PEM); null = plain TCP. */
  tls: { ca: string | Buffer; servername?: string } | null;
  /** Per-request timeout (connect included for the first request), ms. */
  timeoutMs: number;
}

interface Pending {
  resolve: (r: Http1Response) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

const CRLF2 = Buffer.from('\r\n\r\n');

export class Http1Connection {
  readonly #o: Http1Options;
  readonly #socket: net.Socket;
  #buf: Buffer = Buffer.alloc(0);
  #pending: Pending | null = null;
  #closed = false;
  #error: Error | null = null;

  constructor(o: Http1Options) {
    this.#o = o;
    this.#socket = o.tls
      ? tls.connect({ host: o.host, port: o.port, ca: o.tls.ca, servername: o.tls.servername ?? 'localhost' })
      : net.connect({ host: o.host, port: o.port });
    this.#socket.setNoDelay(true);
    this.#socket.on('data', (d: Buffer) => this.#onData(d));
    this.#socket.on('error', (e) => this.#fail(e));
    this.#socket.on('close', () => this.#fail(new Error('connection closed by peer')));
  }

  /** False once the peer closed, an error happened, or a response said Connection: close. */
  get usable(): boolean {
    return !this.#closed;
  }

  request(method: string, path: string, headers: Record<string, string>, body: Buffer | string = ''): Promise<Http1Response> {
    if (this.#closed) return Promise.reject(this.#error ?? new Error('connection closed'));
    if (this.#pending) return Promise.reject(new Error('request already in flight'));
    const len = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
    let head = `${method} ${path} HTTP/1.1\r\nhost: ${this.#o.host}:${this.#o.port}\r\ncontent-length: ${len}\r\n`;
    for (const k in headers) head += `${k}: ${headers[k]}\r\n`;
    head += '\r\n';
    return new Promise<Http1Response>((resolve, reject) => {
      const timer = setTimeout(() => this.#fail(new Error(`timeout after ${this.#o.timeoutMs} ms`)), this.#o.timeoutMs);
      this.#pending = { resolve, reject, timer };
      // One write: headers and body in the same TLS record where they fit.
      this.#socket.write(len === 0 ? head : Buffer.concat([Buffer.from(head, 'latin1'), typeof body === 'string' ? Buffer.from(body) : body]));
    });
  }

  close(): void {
    this.#closed = true;
    this.#socket.destroy();
  }

  #fail(e: Error): void {
    if (!this.#closed) this.#error = e;
    this.#closed = true;
    this.#socket.destroy();
    const p = this.#pending;
    this.#pending = null;
    if (p) {
      clearTimeout(p.timer);
      p.reject(e);
    }
  }

  #onData(d: Buffer): void {
    this.#buf = this.#buf.length === 0 ? d : Buffer.concat([this.#buf, d]);
    const p = this.#pending;
    if (!p) {
      if (this.#buf.length > 0) this.#fail(new Error('unsolicited bytes from server'));
      return;
    }
    let parsed: { res: Http1Response; used: number } | null;
    try {
      parsed = parseResponse(this.#buf);
    } catch (e) {
      this.#fail(e as Error);
      return;
    }
    if (!parsed) return;
    this.#buf = this.#buf.subarray(parsed.used);
    this.#pending = null;
    clearTimeout(p.timer);
    if ((parsed.res.headers['connection'] ?? '').toLowerCase() === 'close') {
      this.#closed = true;
      this.#socket.end();
    }
    p.resolve(parsed.res);
  }
}

/** One complete response at the start of buf, or null when more bytes are needed. */
export function parseResponse(buf: Buffer): { res: Http1Response; used: number } | null {
  const end = buf.indexOf(CRLF2);
  if (end < 0) {
    if (buf.length > 64 * 1024) throw new Error('response header over 64 KB');
    return null;
  }
  const lines = buf.toString('latin1', 0, end).split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
  if (!m) throw new Error(`bad status line: ${JSON.stringify((lines[0] ?? '').slice(0, 80))}`);
  const headers: Record<string, string> = {};
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const c = line.indexOf(':');
    if (c <= 0) continue;
    const k = line.slice(0, c).trim().toLowerCase();
    const v = line.slice(c + 1).trim();
    headers[k] = headers[k] === undefined ? v : `${headers[k]}\n${v}`;
  }
  const start = end + 4;
  const status = Number(m[1]);
  if ((headers['transfer-encoding'] ?? '').toLowerCase().includes('chunked')) {
    const c = dechunk(buf, start);
    return c ? { res: { status, headers, body: c.body }, used: c.used } : null;
  }
  const len = status === 204 || status === 304 ? 0 : Number(headers['content-length'] ?? 0);
  if (!Number.isFinite(len) || len < 0) throw new Error('bad content-length');
  if (buf.length < start + len) return null;
  return { res: { status, headers, body: Buffer.from(buf.subarray(start, start + len)) }, used: start + len };
}

function dechunk(buf: Buffer, from: number): { body: Buffer; used: number } | null {
  const parts: Buffer[] = [];
  let i = from;
  for (;;) {
    const eol = buf.indexOf('\r\n', i);
    if (eol < 0) return null;
    const size = parseInt(buf.toString('latin1', i, eol), 16);
    if (!Number.isFinite(size)) throw new Error('bad chunk size');
    if (size === 0) {
      const fin = buf.indexOf(CRLF2, eol); // no trailers expected: "0\r\n\r\n"
      return fin < 0 ? null : { body: Buffer.concat(parts), used: fin + 4 };
    }
    if (buf.length < eol + 2 + size + 2) return null;
    parts.push(buf.subarray(eol + 2, eol + 2 + size));
    i = eol + 2 + size + 2;
  }
}
