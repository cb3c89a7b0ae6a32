// Serving files over HTTP with a strong ETag (the content's SHA-256, hashed once per
// size+mtime+inode, so If-None-Match costs a stat when nothing changed) and Range/If-Range
// (RFC 9110 §13.1.5, §14) so a cut download resumes: firmware for phones (services/acs) and
// bundles and firmware for sites (central).
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, openSync, readSync, statSync, type Stats } from 'node:fs';
import type { FastifyReply, FastifyRequest } from 'fastify';

const etags = new Map<string, { key: string; etag: string }>();

function etagOf(file: string, st: Stats): string {
  const key = `${st.size}:${st.mtimeMs}:${st.ino}`;
  const hit = etags.get(file);
  if (hit?.key === key) return hit.etag;
  // Hashed in 1 MiB chunks (images can be large), once per size+mtime+inode.
  const h = createHash('sha256');
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (let pos = 0, n = 0; (n = readSync(fd, buf, 0, buf.length, pos)) > 0; pos += n) h.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  const etag = `"${h.digest('hex')}"`;
  etags.set(file, { key, etag });
  return etag;
}

/** A single `bytes=` range; null = whole file; 'bad' = 416. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | null | 'bad' {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return header.includes(',') ? null : 'bad';
  let start: number;
  let end: number;
  if (m[1] === '') { start = Math.max(0, size - Number(m[2])); end = size - 1; } else { start = Number(m[1]); end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1); }
  if (start > end || start >= size) return 'bad';
  return { start, end };
}

export function statFile(file: string): Stats | null {
  try {
    const st = statSync(file);
    return st.isFile() ? st : null;
  } catch {
    return null;
  }
}

export function sendFile(req: FastifyRequest, reply: FastifyReply, file: string, st: Stats, ranges: boolean): FastifyReply {
  reply.header('last-modified', st.mtime.toUTCString());
  const etag = etagOf(file, st);
  reply.header('etag', etag).header('content-type', ranges ? 'application/octet-stream' : 'application/json').header('cache-control', 'no-cache');
  if (ranges) reply.header('accept-ranges', 'bytes');
  const inm = req.headers['if-none-match'];
  if (inm && inm.split(',').map((s) => s.trim()).includes(etag)) return reply.code(304).send();
  const ifRange = req.headers['if-range'];
  const range = !ranges || (ifRange && ifRange !== etag) ? null : parseRange(req.headers.range, st.size);
  if (range === 'bad') return reply.code(416).header('content-range', `bytes */${st.size}`).send();
  const { start, end } = range ?? { start: 0, end: st.size - 1 };
  reply.header('content-length', String(Math.max(0, end - start + 1)));
  if (range) reply.code(206).header('content-range', `bytes ${start}-${end}/${st.size}`);
  if (st.size === 0) return reply.send();
  return reply.send(createReadStream(file, { start, end }));
}
