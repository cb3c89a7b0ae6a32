// Provisioning work outside sessions (started once by the ACS, services/acs/index.ts):
//  - load the site's YAML directory at start (a site without central);
//  - every sweepInterval: phones that missed their expected Informs become silent (injected
//    clock), and a content revision change is rolled out;
//  - rollout: phones whose desired state changed get a connection request, paced (rolloutRate/s);
//    the others get it at their next Inform;
//  - interrupted sessions are recorded; connection-request and transfer results feed the
//    model readiness reports.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { randomBytes } from 'node:crypto';
import { isOutpostError } from '../../core/errors.ts';
import type { HealthRegistry } from '../../core/health.ts';
import { silentVerdict } from '../../provisioning/compliance.ts';
import { parseProvisioningDocuments } from '../../provisioning/parse.ts';
import { setCheck, type ReadinessReport } from '../../provisioning/readiness.ts';
import { contentHash } from '../../store/provisioning.ts';
import type { Engine } from './engine.ts';
import { provisioningContext, type ProvisioningContext } from './provision-context.ts';
import { provisioningInterrupted } from './provision.ts';
import { rolloutCandidates } from './provision-rollout.ts';

const iso = (e: Engine) => new Date(e.clock.now()).toISOString();

function yamlFiles(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, depth: number) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (n.startsWith('.')) continue;
      if (statSync(p).isDirectory()) { if (depth < 4) walk(p, depth + 1); }
      else if (/\.ya?ml$/i.test(n)) out[relative(dir, p)] = readFileSync(p, 'utf8');
    }
  };
  walk(dir, 0);
  return out;
}

/**
 * Load the local YAML directory unless a central bundle is in force. Never throws. Runs before
 * the first phone can be served (synchronously at ACS start: replaceContent is its own durable
 * transaction), so no phone is planned against content still loading.
 */
export function loadLocalContent(e: Engine, c: ProvisioningContext, health: HealthRegistry): { ok: boolean; detail: string; revision: number } {
  const dir = c.cfg.directory;
  const info = c.content.info();
  if (!dir) return { ok: false, detail: 'provisioning.directory is not configured', revision: info.revision };
  if (info.source?.kind === 'bundle') {
    e.log.info({ dir, version: info.source.version }, 'provisioning: a central bundle is in force; local directory not loaded');
    return { ok: false, detail: `a central bundle (version ${info.source.version}) is in force`, revision: info.revision };
  }
  try {
    const content = parseProvisioningDocuments(yamlFiles(dir));
    health.clear('ACS_PROVISIONING_CONTENT');
    if (contentHash(content) === info.hash) return { ok: true, detail: 'unchanged', revision: info.revision };
    const revision = c.content.replaceContent(content, { kind: 'local', version: 0 });
    e.log.info({ dir, revision, templates: Object.keys(content.templates).length, zones: Object.keys(content.zones).length,
      positions: Object.keys(content.positions).length, rules: content.rules.length }, 'provisioning content loaded');
    e.events.emit('provisioning.content.changed', { revision, source: 'local' });
    return { ok: true, detail: `loaded ${dir}`, revision };
  } catch (err) {
    const msg = isOutpostError(err) ? err.message : `${dir}: ${(err as Error).message}`;
    e.log.error({ dir, err: msg }, 'provisioning content not loaded; the previous content stays in force');
    health.raise('acs', 'ACS_PROVISIONING_CONTENT', 'error', msg);
    return { ok: false, detail: msg, revision: info.revision };
  }
}

/**
 * Phones past their silent threshold, decided synchronously at the clock tick (the injected
 * clock may fire many ticks in one go); marking them is committed afterwards. `marking` keeps a
 * phone from being marked twice while its commit is pending.
 */
function sweepSilent(e: Engine, c: ProvisioningContext, marking: Set<string>): void {
  const now = e.clock.now();
  const silent: { deviceId: string; reason: string; lastInformMs: number }[] = [];
  for (const d of c.devices.silentCandidates()) {
    if (marking.has(d.deviceId) || e.sessions.byDevice(d.deviceId)) continue;
    const v = silentVerdict({ lastInformMs: d.lastInformMs, intervalMs: d.expectedInterval, missed: d.missedInforms, graceMs: c.cfg.silentGrace, now });
    if (v) silent.push({ deviceId: d.deviceId, reason: v.reason, lastInformMs: d.lastInformMs });
  }
  if (silent.length === 0) return;
  for (const s of silent) marking.add(s.deviceId);
  const at = iso(e);
  void e.store.commit(() => silent.filter((s) => c.devices.markSilent(s.deviceId, s.lastInformMs, s.reason, at))).then((marked) => {
    if (marked.length === 0) return;
    for (const s of marked) {
      e.events.emit('provisioning.device', { deviceId: s.deviceId, state: 'silent', ne107: 'F', reason: s.reason, zone: c.devices.get(s.deviceId)?.zone ?? null });
    }
    e.log.warn({ count: marked.length, first: marked[0]!.deviceId }, 'phones silent');
  }, (err: unknown) => e.log.error({ err }, 'provisioning: marking silent phones failed')).finally(() => {
    for (const s of silent) marking.delete(s.deviceId);
  });
}

function updateReadiness(e: Engine, c: ProvisioningContext, deviceId: string, key: keyof ReadinessReport['checks'], ok: boolean, detail: string): void {
  const d = e.repos.devices.get(deviceId);
  if (!d) return;
  const model = `${d.oui}-${d.productClass}`;
  const r = c.report(model);
  if (!r) return;
  const at = iso(e);
  if (setCheck(r, key, ok ? 'ok' : 'failed', detail, at)) void e.store.commit(() => c.saveReport(model, r, at));
}

/** Start the provisioning timers and listeners; returns the stop function. */
export function startProvisioning(e: Engine, health: HealthRegistry): () => void {
  const c = provisioningContext(e);
  if (!c.cfg.enabled) return () => {};
  const queue: string[] = [];
  const queued = new Set<string>();
  let revision = -1;
  let running = false;
  const offs = [
    e.events.on('acs.session.end', ({ sessionId, outcome }) => { void provisioningInterrupted(e, sessionId, outcome).catch((err: unknown) => e.log.error({ err }, 'provisioning: recording an interrupted session failed')); }),
    e.events.on('acs.cr.result', ({ deviceId, ok, path, detail }) => {
      if (path === 'http' || path === 'udp') updateReadiness(e, c, deviceId, path === 'http' ? 'httpConnectionRequest' : 'udpConnectionRequest', ok, detail);
    }),
    e.events.on('acs.transfer.complete', ({ deviceId, commandKey, faultCode }) => {
      updateReadiness(e, c, deviceId, 'firmwareDownload', faultCode === 0, faultCode === 0 ? `TransferComplete (CommandKey ${commandKey || '—'})` : `TransferComplete fault ${faultCode}`);
    }),
    e.events.on('provisioning.content.changed', () => { void tick(); }),
    e.events.on('provisioning.inventory.changed', () => { revision = -1; void tick(); }),
    e.events.on('provisioning.reload.request', ({ requestId }) => {
      e.events.emit('provisioning.reload.result', { requestId, ...loadLocalContent(e, c, health) });
    }),
  ];
  const drain = () => {
    for (let i = 0; i < c.cfg.rolloutRate && queue.length > 0; i++) {
      const deviceId = queue.shift()!;
      queued.delete(deviceId);
      if (!e.sessions.byDevice(deviceId)) e.events.emit('acs.cr.request', { requestId: `prov-${randomBytes(6).toString('hex')}`, deviceId });
    }
  };
  const enqueue = (ids: string[]) => {
    for (const id of ids) if (!queued.has(id)) { queued.add(id); queue.push(id); }
    drain(); // the first second's worth at once, the rest paced
  };
  async function tick(): Promise<void> {
    if (running) return;
    running = true;
    try {
      const rev = c.content.info().revision;
      if (rev !== revision) {
        revision = rev;
        const ids = await rolloutCandidates(e, c);
        if (ids.length > 0) e.log.info({ revision: rev, phones: ids.length }, 'provisioning change: reaching the affected phones');
        enqueue(ids);
      }
    } catch (err) {
      e.log.error({ err }, 'provisioning sweep failed');
    } finally {
      running = false;
    }
  }
  const marking = new Set<string>();
  const sweep = e.clock.setInterval(() => {
    try { sweepSilent(e, c, marking); } catch (err) { e.log.error({ err }, 'provisioning: silent sweep failed'); }
    void tick();
  }, c.cfg.sweepInterval);
  const pace = e.clock.setInterval(drain, 1000);
  loadLocalContent(e, c, health);
  void tick();
  return () => { sweep.cancel(); pace.cancel(); for (const off of offs) off(); };
}
