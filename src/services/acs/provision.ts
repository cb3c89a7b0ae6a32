// The provisioning hook of the CWMP session (DESIGN boot path step 5). After credential
// rotation and before the device's queued tasks, the session asks `nextProvisioningRequest`
// what the provisioning engine (src/provisioning, pure logic) wants sent next; answers to those
// requests come back through `applyProvisioningAnswer`. Requests sent through this hook carry a
// cwmp:ID starting with PROVISIONING_ID_PREFIX.
//
// Per session: begin (assignment, desired state, planner) → planner requests until done →
// verdict. A device that became compliant for the first time gets its steady-state inform
// interval in the same session (zone criticality: short while onboarding, long afterwards).

import type { AcsRequest, CpeResponse, CwmpEnvelope, Fault } from '../../protocols/cwmp/types.ts';
import type { Engine } from './engine.ts';
import type { LiveSession } from './sessions.ts';
import { provisioningContext } from './provision-context.ts';
import { begin, computeIntents, newPlanner, type ProvSession } from './provision-session.ts';
import { recordVerdict } from './provision-finish.ts';
import { addStunIntents } from './provision-stun.ts';

export const PROVISIONING_ID_PREFIX = 'prov-';

/** The next request provisioning wants in this session, or null when it has nothing (more) to do. */
export async function nextProvisioningRequest(e: Engine, s: LiveSession): Promise<AcsRequest | null> {
  const c = provisioningContext(e);
  if (!c.cfg.enabled) return null;
  let ps = s.provisioning as ProvSession | null;
  if (!ps) {
    ps = await begin(e, c, s);
    s.provisioning = ps;
    c.open.set(s.id, ps);
  }
  for (let round = 0; !ps.finished && round < 3; round++) {
    const req = ps.planner?.next() ?? null;
    if (req) return req;
    const v = await recordVerdict(e, c, s, ps, null);
    if (v.state === 'compliant' && !ps.onboarded && ps.planner) {
      // Onboarded: the zone's steady interval now applies; plan again with what we just learned.
      ps.onboarded = true;
      const next = computeIntents(c, c.current().content, ps.facts, ps.assignment, true);
      await addStunIntents(e, ps.deviceId, next);
      if (next.hash !== ps.intents.hash) {
        ps.intents = next;
        ps.prev = c.devices.get(ps.deviceId);
        ps.planner = newPlanner(e, c, ps, s.root);
        continue;
      }
    }
    ps.finished = true;
  }
  ps.finished = true;
  c.open.delete(s.id);
  if (ps.discovering) c.releaseDiscovery(ps.model);
  return null;
}

/** The CPE answered (response or Fault) a provisioning request. Store what it means. */
export async function applyProvisioningAnswer(e: Engine, s: LiveSession, sent: AcsRequest, answer: CwmpEnvelope): Promise<void> {
  const ps = s.provisioning as ProvSession | null;
  if (!ps?.planner) return;
  const c = provisioningContext(e);
  const pl = ps.planner;
  pl.apply(sent, answer.body as CpeResponse | Fault);
  if (ps.discovering && pl.baseTree && pl.profile) {
    // Discovery done: the phones of this model waiting for it go on with this tree.
    c.rememberModel(ps.model, { tree: pl.baseTree, rpcMethods: pl.rpcMethods, boolDigits: pl.boolDigits, profile: pl.profile.id });
    c.releaseDiscovery(ps.model);
    ps.discovering = false;
  }
  ps.pending.add(pl.takeEffects());
  if (answer.body.method === 'Fault') {
    e.metrics.counter('outpost_acs_cpe_faults_total', 'Faults returned by CPEs').inc({ method: sent.method, code: String((answer.body as Fault).code) });
  }
}

/** A session ended before its plan did (timeout, dropped connection): record where it stands. */
export async function provisioningInterrupted(e: Engine, sessionId: string, outcome: string): Promise<void> {
  const c = provisioningContext(e);
  const ps = c.open.get(sessionId) as ProvSession | undefined;
  if (!ps) return;
  c.open.delete(sessionId);
  if (ps.discovering) c.releaseDiscovery(ps.model);
  if (ps.finished) return;
  ps.finished = true;
  await recordVerdict(e, c, null, ps, `session ended: ${outcome}`);
}
