// Compliance of a device and the NAMUR NE 107 signal it maps to (DESIGN "Compliance and drift").
// NE 107 status signals: F failure (output invalid: the phone cannot be relied on), C function
// check (temporarily invalid: work in progress on it), S out of specification (running outside
// what was specified), M maintenance required (still valid, needs attention). '' = normal.

import type { PlanResult } from './result.ts';

export type ComplianceState = 'compliant' | 'provisioning' | 'drifted' | 'failed' | 'silent' | 'unknown';
export type Ne107 = '' | 'F' | 'C' | 'S' | 'M';

export const NE107_LABELS: Record<Ne107, string> = {
  '': 'normal', F: 'failure', C: 'function check', S: 'out of specification', M: 'maintenance required',
};

export interface Verdict {
  state: ComplianceState;
  reason: string;
  ne107: Ne107;
}

export interface VerdictContext {
  assigned: boolean;
  /** Why the device is not assigned (shown in the control-room list). */
  assignmentReason: string;
  intentErrors: { intent: string; error: string }[];
  /** Why the session ended early, if it did. */
  interrupted: string | null;
}

const list = (xs: string[], n = 3): string => (xs.length > n ? `${xs.slice(0, n).join('; ')} (+${xs.length - n} more)` : xs.join('; '));
const v = (state: ComplianceState, ne107: Ne107, reason: string): Verdict => ({ state, ne107, reason });

/** The verdict after a plan ran (fully or not) in a session. */
export function verdict(r: PlanResult | null, c: VerdictContext): Verdict {
  if (!c.assigned) return v('unknown', 'M', c.assignmentReason);
  if (!r) return v('unknown', 'M', c.interrupted ?? 'not evaluated yet');
  if (!r.profile) return v('failed', 'F', 'voice data model not recognised: no model profile matches what the phone reports');
  const failed = r.params.filter((p) => p.status === 'failed' && !p.checkOnly).map((p) => `${p.intent} (${p.path}): ${p.detail ?? 'failed'}`);
  const errors = c.intentErrors.map((e) => `${e.intent}: ${e.error}`);
  const lines = r.missingLines.map((m) => m.reason);
  if (failed.length + errors.length + lines.length > 0) return v('failed', 'F', list([...lines, ...errors, ...failed]));
  if (!r.complete) return v('provisioning', 'C', c.interrupted ? `interrupted: ${c.interrupted}` : 'provisioning in progress');
  if (r.rebootRequested) return v('provisioning', 'C', 'rebooting to apply settings that need a restart');
  const drift = r.params.filter((p) => p.status === 'drift').map((p) => `${p.intent} is ${JSON.stringify(p.have)} on the phone, template says ${JSON.stringify(p.want)}`);
  if (drift.length > 0) return v('drifted', 'S', `report-only zone, not corrected: ${list(drift)}`);
  const pending = r.params.filter((p) => !p.checkOnly && p.status !== 'ok').map((p) => `${p.intent} ${p.status}`);
  if (pending.length > 0) return v('provisioning', 'C', `not verified yet: ${list(pending)}`);
  const line = lineVerdict(r);
  if (line) return line;
  const fw = r.params.find((p) => p.intent === 'firmware.version' && p.status !== 'ok');
  if (fw) return v('drifted', 'M', `firmware ${JSON.stringify(fw.have)} running, ${JSON.stringify(fw.want)} expected`);
  if (r.dropped.length > 0) return v('compliant', 'M', `firmware no longer has ${list(r.dropped)}: not managed on this phone`);
  return v('compliant', '', 'every managed value verified');
}

/** Registration is what the site buys: a configured line that does not register is a failure. */
function lineVerdict(r: PlanResult): Verdict | null {
  const st = r.params.filter((p) => p.intent.endsWith('.status') && p.status !== 'ok');
  if (st.length === 0) return null;
  const bad = st.filter((p) => p.have !== null && /^(Error|Disabled)/i.test(p.have));
  if (bad.length > 0) return v('failed', 'F', list(bad.map((p) => `line ${p.line} not registered (${p.have})`)));
  return v('provisioning', 'C', list(st.map((p) => `line ${p.line} ${p.have ?? 'status unknown'}`)));
}

/** Silent: more than `missed` expected Informs missed, plus a grace for network and retry delays. */
export function silentVerdict(o: { lastInformMs: number; intervalMs: number; missed: number; graceMs: number; now: number }): Verdict | null {
  const late = o.now - o.lastInformMs;
  if (late <= o.intervalMs * o.missed + o.graceMs) return null;
  const mins = (ms: number) => (ms >= 120_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`);
  return v('silent', 'F', `no Inform for ${mins(late)} (expected every ${mins(o.intervalMs)}, ${o.missed} missed allowed)`);
}
