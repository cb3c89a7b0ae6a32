// GET  /api/v1/sync            WAN state (up/degraded/down, since, why), the bundle in force and
//                              its expiry, the last refusals, firmware and outbox backlog
// GET  /api/v1/sync/firmware   the firmware catalogue of the bundle in force and each image's state
// GET  /api/v1/sync/rejections refused bundles (newest first)
// POST /api/v1/sync/run        run a sync cycle now; answers when it ends (or after 60 s)
// Read from the store (services/sync writes it) and the health registry: no secrets here.
import { randomUUID } from 'node:crypto';
import type { RouteModule } from './index.ts';
import { SyncRepo } from '../../../store/sync.ts';
import { OutboxRepo } from '../../../store/sync-outbox.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const routes: RouteModule = (app, ctx) => {
  const repo = new SyncRepo(ctx.store);
  const outbox = new OutboxRepo(ctx.store);
  const cfg = ctx.root.sync;

  const status = () => {
    const w = repo.wan();
    const b = repo.inForce();
    const fw = repo.firmware();
    const ob = outbox.backlog();
    const now = ctx.clock.now();
    return {
      site: ctx.root.site.id,
      central: cfg.central ? { configured: true, url: cfg.central.url } : { configured: false, url: null },
      wan: { state: w.state ?? 'down', since: iso(w.since), reason: w.reason, lastContact: iso(w.lastOk), lastCycle: iso(w.lastCycleAt), lastCycleOk: w.lastCycleOk },
      bundle: b ? {
        version: b.version, source: b.source, issuedAt: b.issuedAt, expiresAt: b.expiresAt, expired: Date.parse(b.expiresAt) <= now,
        keyId: b.keyId, sha256: b.sha256, appliedAt: iso(b.appliedAt), parts: repo.parts().length,
      } : null,
      lastRejection: repo.rejections(1).map((r) => ({ at: iso(r.at), source: r.source, version: r.version, code: r.code, message: r.message }))[0] ?? null,
      firmware: { images: fw.length, ready: fw.filter((f) => f.state === 'ready').length, failed: fw.filter((f) => f.state === 'failed').length,
        pendingBytes: fw.filter((f) => f.state !== 'ready').reduce((n, f) => n + f.size - f.bytes, 0) },
      outbox: { records: ob.records, oldest: iso(ob.oldestAt), oldestSeq: ob.oldestSeq, newestSeq: ob.newestSeq, dropped: ob.dropped, bound: cfg.outbox.maxRecords },
      health: ctx.health.list().filter((c) => c.service === 'sync'),
    };
  };

  app.get('/sync', async () => status());
  app.get('/sync/firmware', async () => repo.firmware().map((f) => ({
    file: f.file, vendor: f.vendor, models: f.models, version: f.version, size: f.size, sha256: f.sha256,
    state: f.state, bytes: f.bytes, attempts: f.attempts, error: f.error, updatedAt: iso(f.updatedAt),
  })));
  app.get('/sync/rejections', async () => repo.rejections(100).map((r) => ({ ...r, at: iso(r.at) })));
  app.post('/sync/run', { config: { permission: 'sync.run' } }, async () => {
    const done = new Promise<boolean>((resolve) => {
      const off = ctx.events.on('sync.cycle', () => { off(); clearTimeout(t); resolve(true); });
      const t = setTimeout(() => { off(); resolve(false); }, 60_000);
    });
    ctx.events.emit('sync.run', { requestId: randomUUID() });
    const finished = cfg.central ? await done : false;
    return { finished, ...status() };
  });
};
export default routes;
