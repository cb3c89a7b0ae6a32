// The reference central (`outpost central`): a small Fastify app with its own SQLite.
//   GET      /v1/sites/:site/bundle           the site's signed bundle (<bundleDir>/<site>.bundle.json), ETag/304
//   GET      /v1/sites/:site/firmware/:file   (and HEAD) images from <bundleDir>/firmware, Range/If-Range
//   POST     /v1/sites/:site/reports          a report batch; stored once per (site, stream, seq)
//   GET      /v1/sites                        (admin) every site: last contact, bundle version, compliance totals
//   GET      /v1/sites/:site                  (admin) one site
//   GET      /healthz
// Site requests carry the site's token (Bearer); central keeps only its SHA-256.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { OutpostError } from '../core/errors.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/log.ts';
import { CentralRepo, type SiteSummary } from '../store/sync-central.ts';
import { checkPayload, FIRMWARE_FILE, reportBatchSchema } from '../protocols/bundle/index.ts';
import type { CentralConfig } from './config.ts';
import { sendFile, statFile } from '../core/http-files.ts';

const SITE = /^[a-z0-9][a-z0-9-]{0,62}$/;

export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function bearer(req: FastifyRequest): string | null {
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return m ? m[1]! : null;
}

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length === 32 && timingSafeEqual(x, y);
}

export interface CentralDeps {
  config: CentralConfig;
  repo: CentralRepo;
  clock: Clock;
  log: Logger;
}

export function buildCentral(d: CentralDeps): FastifyInstance {
  const { config, log } = d;
  const app = Fastify({
    logger: false, bodyLimit: config.maxReportBytes, forceCloseConnections: true,
    ...(config.tls ? { https: { cert: readFileSync(config.tls.cert), key: readFileSync(config.tls.key), minVersion: 'TLSv1.2' as const } } : {}),
  });
  app.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
    if (err instanceof OutpostError) return reply.code(err.status).send(err.toJSON());
    if (err.statusCode === 413) return reply.code(413).send({ code: 'CENTRAL_BAD_REPORT', message: 'report batch too large' });
    if (err.statusCode && err.statusCode < 500) return reply.code(err.statusCode).send({ code: 'CENTRAL_BAD_REPORT', message: err.message });
    log.error({ err, url: req.url }, 'central request failed');
    return reply.code(500).send({ code: 'INTERNAL', message: 'Internal error' });
  });
  app.setNotFoundHandler((_req, reply) => reply.code(404).send({ code: 'CENTRAL_NOT_FOUND', message: 'No such bundle or file' }));
  app.get('/healthz', async () => ({ status: 'ok' }));
  siteRoutes(app, d);
  adminRoutes(app, d);
  return app;
}

/** What sites call, with their own token: bundle, firmware, reports. */
function siteRoutes(app: FastifyInstance, d: CentralDeps): void {
  const { config, repo, clock } = d;
  const tokens = new Map(config.sites.map((s) => [s.id, s.tokenSha256]));
  /** Authenticate a site request and record the contact. */
  const site = (req: FastifyRequest<{ Params: { site: string } }>): string => {
    const id = req.params.site;
    const tok = bearer(req);
    const want = SITE.test(id) ? tokens.get(id) : undefined;
    if (!want || !tok || !sameHash(tokenHash(tok), want)) throw new OutpostError('CENTRAL_UNAUTHORIZED');
    const v = Number(req.headers['x-outpost-bundle-version']);
    repo.contact(id, clock.now(), req.ip, Number.isSafeInteger(v) && v > 0 ? v : null);
    return id;
  };

  app.get<{ Params: { site: string } }>('/v1/sites/:site/bundle', async (req, reply) => {
    const id = site(req);
    const file = join(config.bundleDir, `${id}.bundle.json`);
    const st = statFile(file);
    if (!st) throw new OutpostError('CENTRAL_NOT_FOUND', `no bundle published for site ${id}`);
    return sendFile(req, reply, file, st, false);
  });

  app.get<{ Params: { site: string; file: string } }>('/v1/sites/:site/firmware/:file', async (req, reply) => {
    site(req);
    const name = req.params.file;
    const file = join(config.bundleDir, 'firmware', name);
    const st = FIRMWARE_FILE.test(name) ? statFile(file) : null;
    if (!st) throw new OutpostError('CENTRAL_NOT_FOUND', 'no such firmware image');
    return sendFile(req, reply, file, st, true);
  });

  app.post<{ Params: { site: string } }>('/v1/sites/:site/reports', async (req) => {
    const id = site(req);
    const r = reportBatchSchema.safeParse(req.body);
    if (!r.success) throw new OutpostError('CENTRAL_BAD_REPORT', r.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    if (r.data.site !== id) throw new OutpostError('CENTRAL_BAD_REPORT', `batch is for site ${r.data.site}, the URL names ${id}`);
    // A record central does not understand is still stored and acknowledged (counted invalid):
    // refusing it would block the site's outbox behind it for ever.
    const records = r.data.records.map((x) => ({ ...x, valid: checkPayload(x.kind, x.payload).ok }));
    return repo.ingest({ ...r.data, records }, clock.now());
  });
}

/** The central team's view, with the admin token: every site and its state. */
function adminRoutes(app: FastifyInstance, d: CentralDeps): void {
  const { config, repo } = d;
  const configured = new Set(config.sites.map((s) => s.id));
  const admin = (req: FastifyRequest): void => {
    const tok = bearer(req);
    if (!tok || !sameHash(tokenHash(tok), config.adminTokenSha256)) throw new OutpostError('CENTRAL_UNAUTHORIZED');
  };
  const view = (s: SiteSummary) => ({ ...s, lastContact: s.lastContact === null ? null : new Date(s.lastContact).toISOString(), configured: configured.has(s.site) });
  app.get('/v1/sites', async (req) => {
    admin(req);
    const known = new Map(repo.sites().map((s) => [s.site, s]));
    for (const id of configured) {
      if (!known.has(id)) known.set(id, { site: id, lastContact: null, lastAddress: null, bundleVersion: null, records: 0, duplicates: 0, invalid: 0, dropped: 0, events: 0, audit: 0, ...repo.totals(id) });
    }
    return [...known.values()].sort((a, b) => a.site.localeCompare(b.site)).map(view);
  });
  app.get<{ Params: { site: string } }>('/v1/sites/:site', async (req) => {
    admin(req);
    const s = repo.site(req.params.site);
    if (!s) throw new OutpostError('CENTRAL_NOT_FOUND', 'no such site');
    return view(s);
  });
}
