// Storing what provisioning learned and decided: the effects of each CPE answer (values, names,
// attributes, hidden values set, faults) and, at the end of a plan, the device's verdict and
// the model's readiness report.

import { verdict, type Verdict } from '../../provisioning/compliance.ts';
import { buildReadiness, setCheck } from '../../provisioning/readiness.ts';
import type { Effects } from '../../provisioning/planner.ts';
import type { ParameterInfo, ParameterValue } from '../../protocols/cwmp/types.ts';
import type { PlanResult } from '../../provisioning/result.ts';
import type { Engine } from './engine.ts';
import type { LiveSession } from './sessions.ts';
import type { ProvisioningContext } from './provision-context.ts';
import type { ProvSession } from './provision-session.ts';

const iso = (e: Engine) => new Date(e.clock.now()).toISOString();


/**
 * What the answers of a plan taught, kept until the verdict and stored with it in one commit
 * (fewer fsyncs per session). Nothing here must be durable earlier: values and names are read
 * again, and a hidden value not recorded as set is simply set again, if the box dies meanwhile.
 */
export class PendingEffects {
  readonly values = new Map<string, ParameterValue>();
  readonly names = new Map<string, ParameterInfo>();
  readonly notifications = new Map<string, number>();
  readonly secrets = new Map<string, string>();
  faults: Effects['faults'] = [];

  add(fx: Effects): void {
    for (const v of fx.values) this.values.set(v.name, v);
    for (const n of fx.names) this.names.set(n.name, n);
    for (const n of fx.notifications) this.notifications.set(n.name, n.notification);
    for (const x of fx.secrets) this.secrets.set(x.path, x.value);
    this.faults.push(...fx.faults);
  }

  /** Store everything and start afresh (inside store.commit). */
  flush(e: Engine, c: ProvisioningContext, deviceId: string, sessionId: string): void {
    const at = iso(e);
    if (this.values.size > 0) e.repos.parameters.setValues(deviceId, [...this.values.values()], at);
    if (this.names.size > 0) e.repos.parameters.setWritable(deviceId, [...this.names.values()], at);
    if (this.notifications.size > 0) e.repos.parameters.setNotification(deviceId, [...this.notifications].map(([name, notification]) => ({ name, notification })), at);
    if (this.secrets.size > 0) c.devices.recordSecrets(deviceId, [...this.secrets].map(([path, value]) => ({ path, value })), at);
    for (const f of this.faults) {
      e.repos.faults.add({ deviceId, taskId: null, sessionId, method: f.method, code: String(f.code), message: f.message, detail: f.detail, at });
    }
    this.values.clear(); this.names.clear(); this.notifications.clear(); this.secrets.clear(); this.faults = [];
  }
}

/** Intents whose value the phone had changed and this session wrote back (drift corrected). */
function corrected(ps: ProvSession, r: PlanResult): string[] {
  if (ps.prev?.appliedHash !== ps.intents.hash) return [];
  return r.params.filter((p) => !p.secret && ps.before.has(p.path) && p.status === 'ok' && p.have !== ps.before.get(p.path)).map((p) => p.intent);
}

/** Record the verdict of a plan (complete or interrupted). */
export async function recordVerdict(e: Engine, c: ProvisioningContext, s: LiveSession | null, ps: ProvSession, interrupted: string | null): Promise<Verdict> {
  const r = ps.planner?.result() ?? null;
  const v = verdict(r, { assigned: ps.assignment.kind !== 'none' && ps.intents.zone !== null, assignmentReason: ps.assignment.reason, intentErrors: ps.intents.errors, interrupted });
  const at = iso(e);
  const zone = ps.intents.zone;
  const applied = v.state === 'compliant' || (v.state === 'drifted' && v.ne107 === 'S');
  const interval = Number(r?.params.find((p) => p.intent === 'inform.interval')?.have ?? ps.intents.values['inform.interval'] ?? NaN);
  const fixedDrift = r ? corrected(ps, r) : [];
  if (fixedDrift.length > 0) e.log.info({ deviceId: ps.deviceId, intents: fixedDrift }, 'drift corrected');
  const prevNotified = (ps.prev?.detail as { notified?: { at: string; paths: string[] } } | null)?.notified;
  const keep = prevNotified && (!ps.since || prevNotified.at >= ps.since) ? prevNotified.paths : [];
  const newly = r?.notifyPaths.filter((path) => !r.notifyRefused.includes(path)) ?? [];
  await e.store.commit(() => {
    ps.pending.flush(e, c, ps.deviceId, ps.sessionId);
    c.devices.put({
      deviceId: ps.deviceId, assignment: ps.assignment.kind, zone: ps.assignment.zone, template: ps.assignment.template ?? zone?.template ?? null,
      position: ps.assignment.position, rule: ps.assignment.rule, profile: r?.profile ?? ps.prev?.profile ?? null,
      state: v.state, reason: v.reason, ne107: v.ne107, since: at, updatedAt: at, desiredHash: ps.intents.hash,
      appliedHash: applied ? ps.intents.hash : ps.bootstrap ? null : ps.prev?.appliedHash ?? null,
      everCompliant: v.state === 'compliant' || (!ps.bootstrap && (ps.prev?.everCompliant ?? false)),
      lastVerified: r?.complete ? at : ps.prev?.lastVerified ?? null,
      expectedInterval: Number.isFinite(interval) ? interval * 1000 : null, missedInforms: zone?.missedInforms ?? null,
      lastInformMs: ps.startedAt,
      detail: {
        assignment: ps.assignment.reason, intentErrors: ps.intents.errors, params: r?.params ?? [], unsupported: r?.unsupported ?? [],
        dropped: r?.dropped ?? [], missingLines: r?.missingLines ?? [], notifyRefused: r?.notifyRefused ?? [], driftCorrected: fixedDrift,
        notified: { at: r ? at : prevNotified?.at ?? at, paths: [...new Set([...keep, ...(r?.complete ? newly : [])])] },
        sessionId: s?.id ?? null, softwareVersion: e.repos.devices.get(ps.deviceId)?.softwareVersion ?? ps.device.softwareVersion,
      },
    });
    if (r && s) updateReadiness(e, c, s, ps, r);
  });
  e.metrics.counter('outpost_acs_provisioning_verdicts_total', 'Provisioning verdicts by state').inc({ state: v.state });
  e.events.emit('provisioning.device', { deviceId: ps.deviceId, state: v.state, ne107: v.ne107, reason: v.reason, zone: ps.assignment.zone });
  return v;
}

function updateReadiness(e: Engine, c: ProvisioningContext, s: LiveSession, ps: ProvSession, r: PlanResult): void {
  const pl = ps.planner!;
  if (!pl.profile) return;
  const at = iso(e);
  let report = c.report(ps.model);
  let changed = false;
  const base = pl.baseTree;
  if (!report && base) {
    report = buildReadiness({
      model: ps.model, manufacturer: ps.device.manufacturer, oui: ps.device.oui, productClass: ps.device.productClass,
      softwareVersion: ps.device.softwareVersion, root: pl.o.root, firstDevice: ps.deviceId, profile: pl.profile, tree: base,
      rpcMethods: pl.rpcMethods, at, tls: s.auth?.encrypted ?? e.baseUrl.startsWith('https:'), auth: s.auth ? `${s.auth.scheme} (${s.auth.encrypted ? 'TLS' : 'plain HTTP'})` : null,
    });
    changed = true;
  }
  if (!report) return;
  if (ps.bootstrap && e.repos.devices.get(ps.deviceId)?.hasPassword) changed = setCheck(report, 'credentialRotation', 'ok', `unique credentials installed on ${ps.deviceId}`, at) || changed;
  if (r.boolDigits) changed = setCheck(report, 'booleanLiteral', 'ok', '1/0', at) || changed;
  if (pl.addRefused) changed = setCheck(report, 'addObject', 'failed', pl.addRefused.reason, at) || changed;
  else if (pl.added > 0) changed = setCheck(report, 'addObject', 'ok', 'line instances created', at) || changed;
  if (r.complete && r.params.some((p) => p.critical)) {
    changed = setCheck(report, 'activeNotification', r.notifyRefused.length ? 'failed' : 'ok', r.notifyRefused.length ? `refused for ${r.notifyRefused.join(', ')}` : 'Notification=2 accepted on critical values', at) || changed;
  }
  if (changed) c.saveReport(ps.model, report, at);
  const cached = c.model(ps.model);
  if (base || (cached && r.boolDigits && !cached.boolDigits)) {
    c.rememberModel(ps.model, { tree: base ?? cached!.tree, rpcMethods: pl.rpcMethods, boolDigits: pl.boolDigits, profile: pl.profile.id });
  }
}
