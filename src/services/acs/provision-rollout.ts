// A content or inventory change reaches every affected phone: recompute each known device's
// desired state; those whose desired values changed are marked "provisioning" (the control room
// sees the change is on its way) and returned for a connection request. Phones that cannot be
// reached take the change at their next Inform.

import { assign } from '../../provisioning/assign.ts';
import { normaliseMac } from '../../provisioning/parse.ts';
import type { Engine } from './engine.ts';
import type { ProvisioningContext } from './provision-context.ts';
import { computeIntents } from './provision-session.ts';
import { completeStunIntents } from './provision-stun.ts';

export async function rolloutCandidates(e: Engine, c: ProvisioningContext): Promise<string[]> {
  const { content } = c.current();
  const policy = { unassigned: c.cfg.unassigned, defaultZone: c.cfg.defaultZone ?? null };
  const changed: string[] = [];
  for (const row of c.devices.all()) {
    const d = e.repos.devices.get(row.deviceId);
    const prev = c.devices.get(row.deviceId);
    if (!d || !prev) continue;
    const found = d.remoteIp ? c.leases.findByIp(d.remoteIp) : null;
    const lease = found?.state === 'bound' ? found : null;
    const facts = {
      id: d.id, serial: d.serial, oui: d.oui, productClass: d.productClass, provisioningCode: d.provisioningCode,
      mac: lease?.mac ?? (/^[0-9a-f]{12}$/i.test(d.serial) ? normaliseMac(d.serial) : null), ip: d.remoteIp,
      remoteId: lease?.remoteId ?? null, circuitId: lease?.circuitId ?? null,
    };
    const a = assign(content, facts, policy);
    const onboarded = prev.everCompliant && prev.appliedHash !== null;
    const intents = computeIntents(c, content, facts, a, onboarded);
    completeStunIntents(e, row.deviceId, intents); // as the session will (stored STUN pair, defaults)
    if (intents.hash === row.desiredHash && a.zone === prev.zone && a.position === prev.position) continue;
    changed.push(row.deviceId);
  }
  if (changed.length > 0) {
    const at = new Date(e.clock.now()).toISOString();
    await e.store.commit(() => { for (const id of changed) c.devices.setState(id, 'provisioning', 'site configuration changed: waiting for the phone', 'C', at); });
  }
  return changed;
}
