// The ACS file endpoint (DESIGN: "a file server for Download/Upload with checksums"):
//   GET/HEAD /files/firmware/<name>   firmware and config images, with ETag and Range (phones
//                                     resume interrupted downloads; RFC 9110 §13, §14)
//   PUT/POST /files/uploads/<token>   a CPE's Upload (TR-069 §3.1 Upload; curl --upload-file
//                                     uses PUT), accepted only for a one-time token of a queued
//                                     Upload task; size and SHA-256 recorded.

import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync, statSync, writeFileSync, renameSync, openSync, fsyncSync, closeSync, readSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Engine } from './engine.ts';

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/;
const etags = new Map<string, { key: string; etag: string }>();

function etagOf(file: string, size: number, mtimeMs: number): string {
  const key = `${size}:${mtimeMs}`;
  const hit = etags.get(file);
  if (hit?.key === key) return hit.etag;
  // A strong validator from the content (cached per size+mtime), so a re-imported identical
  // image keeps its ETag and phones can resume across restarts.
  const h = createHash('sha256');
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    let n: number;
    let pos = 0;
    while ((n = readSync(fd, buf, 0, buf.length, pos)) > 0) { h.update(buf.subarray(0, n)); pos += n; }
  } finally {
    closeSync(fd);
  }
  const etag = `"${h.digest('hex').slice(0, 32)}"`;
  etags.set(file, { key, etag });
  return etag;
}

/** Parse a single `bytes=` range (RFC 9110 §14.1.2); null = whole file; 'bad' = 416. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | null | 'bad' {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return header.includes(',') ? null : 'bad';
  let start: number;
  let end: number;
  if (m[1] === '') { start = Math.max(0, size - Number(m[2])); end = size - 1; }
  else { start = Number(m[1]); end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1); }
  if (start > end || start >= size) return 'bad';
  return { start, end };
}

async function serveFirmware(e: Engine, req: FastifyRequest<{ Params: { name: string } }>, reply: FastifyReply): Promise<FastifyReply> {
  const name = req.params.name;
  if (!SAFE_NAME.test(name)) return reply.code(404).send({ code: 'ACS_FILE_NOT_FOUND', message: 'No such file' });
  const file = join(e.firmwareDir, name);
  let st: Stats;
  try {
    st = statSync(file);
    if (!st.isFile()) throw new Error('not a file');
  } catch {
    return reply.code(404).send({ code: 'ACS_FILE_NOT_FOUND', message: 'No such file' });
  }
  const etag = etagOf(file, st.size, st.mtimeMs);
  reply.header('etag', etag).header('accept-ranges', 'bytes').header('last-modified', st.mtime.toUTCString())
    .header('content-type', 'application/octet-stream');
  if (req.headers['if-none-match'] === etag) return reply.code(304).send();
  const ifRange = req.headers['if-range'];
  const range = ifRange && ifRange !== etag ? null : parseRange(req.headers.range, st.size);
  if (range === 'bad') return reply.code(416).header('content-range', `bytes */${st.size}`).send();
  const { start, end } = range ?? { start: 0, end: st.size - 1 };
  reply.header('content-length', String(Math.max(0, end - start + 1)));
  if (range) reply.code(206).header('content-range', `bytes ${start}-${end}/${st.size}`);
  if (req.method === 'HEAD' || st.size === 0) return reply.send();
  return reply.send(createReadStream(file, { start, end }));
}

async function receiveUpload(e: Engine, req: FastifyRequest<{ Params: { token: string } }>, reply: FastifyReply): Promise<FastifyReply> {
  const token = req.params.token;
  const up = /^[0-9a-f]{32}$/.test(token) ? e.repos.transfers.getUpload(token) : null;
  if (!up || up.receivedAt !== null) {
    return reply.code(403).send({ code: 'ACS_UPLOAD_TOKEN', message: 'Upload token is missing, unknown or used' });
  }
  const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  const sha256 = createHash('sha256').update(body).digest('hex');
  const dir = join(e.uploadDir, up.deviceId.replace(/[^A-Za-z0-9_%-]/g, '_'));
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, `${token}.bin`);
  // Durable before we answer 2xx: write, fsync, rename, then record.
  writeFileSync(`${file}.tmp`, body, { mode: 0o600 });
  const fd = openSync(`${file}.tmp`, 'r');
  fsyncSync(fd);
  closeSync(fd);
  renameSync(`${file}.tmp`, file);
  const at = new Date(e.clock.now()).toISOString();
  await e.store.commit(() => e.repos.transfers.receiveUpload(token, body.length, sha256, file, at));
  e.log.info({ deviceId: up.deviceId, size: body.length, sha256 }, 'upload received');
  return reply.code(201).header('content-length', '0').send();
}

export function registerFileRoutes(app: FastifyInstance, e: Engine): void {
  mkdirSync(e.firmwareDir, { recursive: true });
  app.get<{ Params: { name: string } }>('/files/firmware/:name', (req, reply) => serveFirmware(e, req, reply));
  for (const method of ['PUT', 'POST'] as const) {
    app.route<{ Params: { token: string } }>({ method, url: '/files/uploads/:token', bodyLimit: 32 * 1024 * 1024, handler: (req, reply) => receiveUpload(e, req, reply) });
  }
}
