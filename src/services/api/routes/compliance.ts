// GET /api/v1/compliance — the control-room view: per zone, how many phones are compliant,
// provisioning, drifted, failed, silent or unknown, with their NAMUR NE 107 signals, and the
// phones that need attention first. GET /api/v1/compliance/devices[/:id] — the list and one
// phone's desired-vs-actual diff (secret values are never stored in clear here: masked).
import { z } from 'zod';
import type { RouteModule } from './index.ts';
import { OutpostError } from '../../../core/errors.ts';
import { NE107_LABELS, type Ne107 } from '../../../provisioning/compliance.ts';
import type { ProvisioningContent } from '../../../provisioning/content.ts';
import { DeviceRepo } from '../../../store/devices.ts';
import { ProvisioningRepo } from '../../../store/provisioning.ts';
import { ProvisioningDeviceRepo, type ProvDeviceRow } from '../../../store/provisioning-devices.ts';
import { parseOr400 } from './devices.ts';

const STATES = ['compliant', 'provisioning', 'drifted', 'failed', 'silent', 'unknown'] as const;
const listQuery = z.object({
  zone: z.string().max(64).optional(),
  state: z.enum(STATES).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
}).strict();

/** A row as the control room sees it (no per-parameter detail). */
export function deviceView(r: ProvDeviceRow): Record<string, unknown> {
  return {
    deviceId: r.deviceId, zone: r.zone, position: r.position, assignment: r.assignment, template: r.template, profile: r.profile,
    state: r.state, reason: r.reason, ne107: r.ne107 || null, ne107Label: NE107_LABELS[(r.ne107 || '') as Ne107] ?? r.ne107,
    since: r.since, lastVerified: r.lastVerified,
    lastInform: r.lastInformMs ? new Date(r.lastInformMs).toISOString() : null, expectedIntervalSeconds: r.expectedInterval ? r.expectedInterval / 1000 : null,
  };
}

const routes: RouteModule = (app, ctx) => {
  const prov = new ProvisioningDeviceRepo(ctx.store);
  const content = new ProvisioningRepo(ctx.store);
  const devices = new DeviceRepo(ctx.store);

  app.get('/compliance', async () => {
    const c = content.loadContent() as unknown as ProvisioningContent;
    const zones = prov.summary().map((z) => ({
      zone: z.zone, name: z.zone ? c.zones[z.zone]?.name ?? z.zone : 'unassigned', criticality: z.zone ? c.zones[z.zone]?.criticality ?? null : null,
      mode: z.zone ? c.zones[z.zone]?.mode ?? null : null, total: z.total, states: z.states, ne107: z.ne107,
    }));
    const totals: Record<string, number> = Object.fromEntries(STATES.map((s) => [s, 0]));
    for (const z of zones) for (const [s, n] of Object.entries(z.states)) totals[s] = (totals[s] ?? 0) + n;
    // Attention list: every state but compliant, failures first (NE 107 F, then S, C, M).
    const order = ['failed', 'silent', 'drifted', 'provisioning', 'unknown'];
    const attention = order.flatMap((state) => prov.list({ state, limit: 200, offset: 0 }).items.map(deviceView)).slice(0, 200);
    return { content: content.info(), totals, zones, attention };
  });

  app.get('/compliance/devices', async (req) => {
    const q = parseOr400(listQuery, req.query);
    const r = prov.list({ ...(q.zone !== undefined ? { zone: q.zone === '-' ? null : q.zone } : {}), ...(q.state ? { state: q.state } : {}), limit: q.limit, offset: q.offset });
    return { total: r.total, items: r.items.map(deviceView) };
  });

  app.get<{ Params: { id: string } }>('/compliance/devices/:id', async (req) => {
    const r = prov.get(req.params.id);
    if (!r) throw new OutpostError('API_NOT_FOUND', `no provisioning record for device ${JSON.stringify(req.params.id.slice(0, 128))}`);
    const d = devices.get(r.deviceId);
    const detail = (r.detail ?? {}) as Record<string, unknown>;
    return {
      ...deviceView(r),
      device: d ? { id: d.id, manufacturer: d.manufacturer, productClass: d.productClass, serial: d.serial, softwareVersion: d.softwareVersion, remoteIp: d.remoteIp } : null,
      assignmentReason: detail.assignment ?? null,
      diff: detail.params ?? [],
      unsupported: detail.unsupported ?? [], dropped: detail.dropped ?? [], missingLines: detail.missingLines ?? [],
      intentErrors: detail.intentErrors ?? [], driftCorrected: detail.driftCorrected ?? [], notificationRefused: detail.notifyRefused ?? [],
    };
  });
};
export default routes;
