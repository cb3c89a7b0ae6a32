// One device's provisioning within one CWMP session: work out its assignment and desired state
// from what the store holds (begin), run the planner (provision.ts), store what the answers
// teach (effects), and record the verdict (finish). Secrets are opened only in memory here.

import { assign, type DeviceContext } from '../../provisioning/assign.ts';
import { intentsFor, type Assignment, type IntentSet } from '../../provisioning/desired.ts';
import { Planner } from '../../provisioning/planner.ts';
import { deviceKey } from '../../provisioning/inventory.ts';
import { normaliseMac } from '../../provisioning/parse.ts';
import type { ProvisioningContent } from '../../provisioning/content.ts';
import type { DeviceRow } from '../../store/devices.ts';
import type { ProvDeviceRow } from '../../store/provisioning-devices.ts';
import { isSecretPath } from '../../store/parameters.ts';
import type { Engine } from './engine.ts';
import type { LiveSession } from './sessions.ts';
import { hasEvent } from './inform.ts';
import type { ProvisioningContext } from './provision-context.ts';
import { PendingEffects } from './provision-finish.ts';
import { addStunIntents } from './provision-stun.ts';

export interface ProvSession {
  deviceId: string;
  model: string;
  device: DeviceRow;
  facts: DeviceContext;
  assignment: Assignment;
  intents: IntentSet;
  prev: ProvDeviceRow | null;
  bootstrap: boolean;
  /** ISO time of the last BOOTSTRAP: values, secrets and attributes older than it are forgotten. */
  since: string | null;
  onboarded: boolean;
  planner: Planner | null;
  /** Values as reported before this session wrote anything (to tell drift corrections apart). */
  before: Map<string, string>;
  finished: boolean;
  startedAt: number;
  /** This session discovers the model for the others (ProvisioningContext.claimDiscovery). */
  discovering: boolean;
  sessionId: string;
  /** Effects of the answers so far, stored with the verdict. */
  pending: PendingEffects;
}

function deviceFacts(c: ProvisioningContext, s: LiveSession, d: DeviceRow): DeviceContext {
  const found = c.leases.findByIp(s.remoteIp);
  // Only the lease the phone holds now says where it is plugged in (option 82).
  const lease = found && found.state === 'bound' ? found : null;
  // Some vendors (Yealink) use the MAC as serial: a usable fallback when no lease is known.
  const serialMac = /^[0-9a-f]{12}$/i.test(d.serial) ? normaliseMac(d.serial) : null;
  return {
    id: d.id, serial: d.serial, oui: d.oui, productClass: d.productClass, provisioningCode: d.provisioningCode,
    mac: lease?.mac ?? serialMac, ip: s.remoteIp, remoteId: lease?.remoteId ?? null, circuitId: lease?.circuitId ?? null,
  };
}

export function computeIntents(c: ProvisioningContext, content: ProvisioningContent, facts: DeviceContext, a: Assignment, onboarded: boolean): IntentSet {
  const deviceKeys = [deviceKey('serial', facts.serial), deviceKey('device', facts.id), ...(facts.mac ? [deviceKey('mac', facts.mac)] : [])];
  return intentsFor(content, a, { id: facts.id, serial: facts.serial, oui: facts.oui, productClass: facts.productClass, mac: facts.mac }, {
    onboarded,
    ...(a.position ? { positionInventory: c.inventory.values('position', [a.position]) } : {}),
    deviceInventory: c.inventory.values('device', deviceKeys),
  });
}

/** Work out everything the planner needs; binds the position ("swap and go"). */
export async function begin(e: Engine, c: ProvisioningContext, s: LiveSession): Promise<ProvSession> {
  const device = e.repos.devices.get(s.deviceId)!;
  const { content } = c.current();
  const facts = deviceFacts(c, s, device);
  const assignment = assign(content, facts, { unassigned: c.cfg.unassigned, defaultZone: c.cfg.defaultZone ?? null });
  const bootstrap = hasEvent(s.inform, '0 BOOTSTRAP');
  const prev = c.devices.get(s.deviceId);
  // A factory reset (BOOTSTRAP) forgets what was applied: the phone is onboarded again.
  const onboarded = !bootstrap && prev !== null && prev.everCompliant && prev.appliedHash !== null;
  const intents = computeIntents(c, content, facts, assignment, onboarded);
  await addStunIntents(e, s.deviceId, intents);
  const ps: ProvSession = {
    deviceId: s.deviceId, model: `${device.oui}-${device.productClass}`, device, facts, assignment, intents, prev, bootstrap,
    since: device.lastBootstrap, onboarded, planner: null, before: new Map(), finished: false, startedAt: e.clock.now(), discovering: false,
    sessionId: s.id, pending: new PendingEffects(),
  };
  if (assignment.position) {
    const at = new Date(e.clock.now()).toISOString();
    const replaced = await e.store.commit(() => {
      const old = c.devices.bind(assignment.position!, s.deviceId, at);
      if (old) c.devices.setState(old, 'unknown', `replaced at position ${assignment.position} by ${s.deviceId}`, 'M', at);
      return old;
    });
    if (replaced) e.log.info({ position: assignment.position, deviceId: s.deviceId, replaced }, 'position taken over by a replacement phone');
  } else if (prev?.position) {
    await e.store.commit(() => c.devices.unbindDevice(s.deviceId));
  }
  if (assignment.kind !== 'none' && intents.zone) {
    ps.discovering = await c.claimDiscovery(ps.model, e.clock, 20_000);
    ps.planner = newPlanner(e, c, ps, s.root);
  }
  return ps;
}

export function newPlanner(e: Engine, c: ProvisioningContext, ps: ProvSession, root: string): Planner {
  const zone = ps.intents.zone!;
  const model = c.model(ps.model);
  const tree = model?.tree.clone() ?? null;
  const known = new Map<string, string>();
  // New firmware may have reset, moved or dropped values: read everything again (§11.3).
  const lastSw = (ps.prev?.detail as { softwareVersion?: string } | null)?.softwareVersion;
  const upgraded = lastSw !== undefined && ps.device.softwareVersion !== '' && lastSw !== ps.device.softwareVersion;
  const freshSince = upgraded ? e.clock.now() : Math.max(ps.since ? Date.parse(ps.since) : 0, e.clock.now() - zone.verifyEvery);
  for (const p of e.repos.parameters.list(ps.deviceId, root ? `${root}.` : '')) {
    if (Date.parse(p.updatedAt) < (ps.since ? Date.parse(ps.since) : 0)) continue;
    if (tree && p.path.endsWith('.')) tree.add(p.path, p.writable ?? true); // instances this device gained (AddObject)
    if (p.value !== null && p.type !== null && !isSecretPath(p.path) && Date.parse(p.updatedAt) >= freshSince) known.set(p.path, p.value);
  }
  ps.before = new Map(known);
  const notifiedRec = (ps.prev?.detail as { notified?: { at: string; paths: string[] } } | null)?.notified;
  const notified = new Set(notifiedRec && (!ps.since || notifiedRec.at >= ps.since) ? notifiedRec.paths : []);
  const changeIntended = ps.prev?.appliedHash !== ps.intents.hash;
  return new Planner({
    root: root ? `${root}.` : 'Device.', profiles: c.profilesFor(root ? `${root}.` : 'Device.', ps.device.oui), tree,
    rpcMethods: model?.rpcMethods ?? null, values: ps.intents.values, known, notified,
    secretsSet: c.devices.secretsSet(ps.deviceId, ps.since),
    writeDrift: zone.mode === 'enforce' || changeIntended || !ps.onboarded,
    boolDigits: model?.boolDigits ?? false, parameterKey: `op-${ps.intents.hash.slice(0, 12)}`,
    verify: c.cfg.verify === 'readback', activeNotification: c.cfg.activeNotification, maxBatch: c.cfg.maxBatch,
  });
}
