// The ACS file endpoint (DESIGN: "a file server for Download/Upload with checksums"):
//   GET/HEAD /files/firmware/<name>   firmware and config images, with ETag and Range (phones
//                                     resume interrupted downloads; RFC 9110 §13, §14)
//   PUT/POST /files/uploads/<token>   a CPE's Upload (TR-069 §3.1 Upload; curl --upload-file
//                                     uses PUT), accepted only for a one-time token of a queued
//                                     Upload task; size and SHA-256 recorded.

import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync, renameSync, openSync, fsyncSync, closeSync } from 'node:fs';
import { sendFile, statFile } from '../../core/http-files.ts';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Engine } from './engine.ts';

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/;

async function serveFirmware(e: Engine, req: FastifyRequest<{ Params: { name: string } }>, reply: FastifyReply): Promise<FastifyReply> {
  const name = req.params.name;
  const st = SAFE_NAME.test(name) ? statFile(join(e.firmwareDir, name)) : null;
  if (!st) return reply.code(404).send({ code: 'ACS_FILE_NOT_FOUND', message: 'No such file' });
  return sendFile(req, reply, join(e.firmwareDir, name), st, true);
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
