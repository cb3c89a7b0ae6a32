// The provisioning hook of the CWMP session (DESIGN boot path step 5). After credential
// rotation and before the device's queued tasks, the session asks `nextProvisioningRequest`
// what the provisioning engine (src/provisioning, pure logic) wants sent next; answers to those
// requests come back through `applyProvisioningAnswer`. Requests sent through this hook carry a
// cwmp:ID starting with PROVISIONING_ID_PREFIX.
//
// Owned by the provisioning work (issue 6); until then it plans nothing.

import type { AcsRequest, CwmpEnvelope } from '../../protocols/cwmp/types.ts';
import type { Engine } from './engine.ts';
import type { LiveSession } from './sessions.ts';

export const PROVISIONING_ID_PREFIX = 'prov-';

/** The next request provisioning wants in this session, or null when it has nothing (more) to do. */
export async function nextProvisioningRequest(_e: Engine, _s: LiveSession): Promise<AcsRequest | null> {
  return null;
}

/** The CPE answered (response or Fault) a provisioning request. Store what it means. */
export async function applyProvisioningAnswer(_e: Engine, _s: LiveSession, _sent: AcsRequest, _answer: CwmpEnvelope): Promise<void> {}
