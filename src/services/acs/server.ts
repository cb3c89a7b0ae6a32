// The ACS listener: Fastify over HTTPS (TLS 1.2+, AEAD suites) on the voice VLAN. One CWMP
// route (POST on any path but /files/…, since CPEs are configured with `/`, `/acs`, …), the
// file endpoint, and 405 + Allow: POST for anything else (tr069-protocol.md §1.2).

import Fastify, { type FastifyInstance } from 'fastify';
import { gunzipSync, inflateSync } from 'node:zlib';
import type { TLSSocket } from 'node:tls';
import { detectCharset } from '../../protocols/cwmp/parse.ts';
import { OutpostError } from '../../core/errors.ts';
import type { Engine, Reply } from './engine.ts';
import { handlePost } from './cwmp.ts';
import { registerFileRoutes } from './files.ts';
import { TLS_OPTIONS, type TlsMaterial } from '../tls.ts';

function decode(body: Buffer, encoding: string | undefined, max: number): Buffer {
  // Gzip/deflate request bodies from CPEs with HTTPCompression (§11.2); bounded against bombs.
  const enc = (encoding ?? '').trim().toLowerCase();
  if (enc === '' || enc === 'identity') return body;
  try {
    if (enc === 'gzip' || enc === 'x-gzip') return gunzipSync(body, { maxOutputLength: max });
    if (enc === 'deflate') return inflateSync(body, { maxOutputLength: max });
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw new OutpostError('ACS_BODY_TOO_LARGE', `decompressed body over ${max} bytes`);
    throw new OutpostError('ACS_XML_MALFORMED', `bad ${enc} body`);
  }
  throw new OutpostError('ACS_NOT_SOAP', `unsupported Content-Encoding ${enc}`);
}

export function remoteIp(addr: string | undefined): string {
  return (addr ?? '').replace(/^::ffff:/, '');
}

function send(reply: import('fastify').FastifyReply, r: Reply): void {
  reply.code(r.status).headers(r.headers);
  // Content-Length on every response, 204 included (GenieACS does; some CPEs wait for it).
  reply.header('content-length', String(Buffer.byteLength(r.body)));
  void reply.send(r.status === 204 ? undefined : r.body);
}

export function buildServer(e: Engine, tls: TlsMaterial | null): FastifyInstance {
  const app = Fastify({
    ...(tls ? { https: { ...TLS_OPTIONS, key: tls.key, cert: tls.cert } } : {}),
    bodyLimit: e.cfg.maxBodyBytes,
    keepAliveTimeout: Math.max(5000, e.cfg.idleTimeout),
    requestTimeout: e.cfg.requestTimeout,
    connectionTimeout: e.cfg.requestTimeout,
    return503OnClosing: true,
    forceCloseConnections: true,
    logger: false,
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, _req, reply) => {
    if (err.statusCode === 413 || err.code === 'ACS_BODY_TOO_LARGE') {
      return reply.code(413).header('connection', 'close').type('text/plain').send(`ACS_BODY_TOO_LARGE: request body over ${e.cfg.maxBodyBytes} bytes\n`);
    }
    if (err instanceof OutpostError) return reply.code(err.status).header('connection', 'close').type('text/plain').send(`${err.code}: ${err.message}\n`);
    if (err.statusCode && err.statusCode < 500) return reply.code(err.statusCode).type('text/plain').send(`${err.message}\n`);
    e.log.error({ err }, 'ACS request failed');
    return reply.code(500).type('text/plain').send('INTERNAL: internal error\n');
  });
  registerFileRoutes(app, e);
  app.post('/*', async (req, reply) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const body = decode(raw, req.headers['content-encoding'], e.cfg.maxBodyBytes);
    const socket = req.raw.socket;
    const r = await handlePost(e, {
      body,
      charset: body.length > 0 ? detectCharset(req.headers['content-type'], body) : undefined,
      cookie: req.headers.cookie,
      authorization: req.headers.authorization,
      socket,
      remoteIp: remoteIp(socket.remoteAddress),
      encrypted: Boolean((socket as TLSSocket).encrypted),
    });
    send(reply, r);
    return reply;
  });
  app.route({
    method: ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'], url: '/*',
    handler: async (_req, reply) => reply.code(405).header('allow', 'POST').type('text/plain').send('405: the ACS URL takes POST only\n'),
  });
  return app;
}
