// Credential rotation (DESIGN boot path step 3; tr069-protocol.md §6.3 bootstrap pattern): a
// phone that came in with the site's bootstrap credential, or that we hold no credential for,
// gets its own ManagementServer password and connection-request credentials in the same
// session. They are stored encrypted as "pending" first and become active when the phone
// confirms the SetParameterValues — or when it next authenticates with them (answer lost).

import { randomBytes } from 'node:crypto';
import type { SetParameterValues } from '../../protocols/cwmp/types.ts';
import type { Engine } from './engine.ts';
import type { LiveSession } from './sessions.ts';
import type { Candidate } from './auth.ts';
import type { AuthState } from '../../store/devices.ts';

const secret = () => randomBytes(18).toString('base64url');

/** Which credentials may open a session for this device (§6.3 steps 2–3). */
export function candidatesFor(e: Engine, st: AuthState | null, bootstrapEvent: boolean): Candidate[] {
  const out: Candidate[] = [];
  if (st?.own) out.push({ ...st.own, kind: 'device' });
  if (st?.pending) out.push({ ...st.pending, kind: 'pending' });
  const boot = e.cfg.auth.bootstrap;
  // Bootstrap credentials only for first contact or a factory-reset phone (0 BOOTSTRAP):
  // never as a standing back door for an onboarded phone.
  if (boot && (!st?.own || bootstrapEvent)) out.push({ username: boot.username, password: boot.password, kind: 'bootstrap' });
  return out;
}

/** Rotation is due after a bootstrap login, or when we hold no full set of own credentials. */
export function rotationDue(e: Engine, st: AuthState | null, kind: Candidate['kind']): boolean {
  if (!e.cfg.auth.rotateCredentials) return false;
  if (kind === 'bootstrap') return true;
  // Authenticated with the pending credential: the full pending set is promoted in this session.
  if (kind === 'pending') return false;
  return !st?.own || !st.hasCrPassword;
}

/** Generate and store (pending, encrypted) new credentials; return the SPV that installs them. */
export function rotationRequest(e: Engine, s: LiveSession): SetParameterValues {
  const c = { username: s.deviceId, password: secret(), crUsername: `cr-${randomBytes(6).toString('hex')}`, crPassword: secret() };
  e.repos.devices.setPending(s.deviceId, c);
  const ms = `${s.root || 'Device'}.ManagementServer.`;
  return {
    method: 'SetParameterValues',
    parameterKey: 'outpost-credentials',
    parameterList: [
      { name: `${ms}Username`, value: c.username, type: 'xsd:string' },
      { name: `${ms}Password`, value: c.password, type: 'xsd:string' },
      { name: `${ms}ConnectionRequestUsername`, value: c.crUsername, type: 'xsd:string' },
      { name: `${ms}ConnectionRequestPassword`, value: c.crPassword, type: 'xsd:string' },
    ],
  };
}
