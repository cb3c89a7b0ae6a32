// What a plan achieved, per desired parameter (the per-device desired-vs-actual diff of the API).
// Secret values never leave here in clear: they are shown as set / not set.

import type { Planner } from './planner.ts';
import { sameValue } from './expand.ts';

export type ParamStatus = 'ok' | 'differs' | 'drift' | 'failed' | 'unknown';

export interface ParamOutcome {
  path: string;
  intent: string;
  line: number | null;
  /** Desired value (masked for secrets). */
  want: string;
  /** Reported value (masked for secrets); null when unknown. */
  have: string | null;
  status: ParamStatus;
  detail?: string;
  secret: boolean;
  checkOnly: boolean;
  critical: boolean;
}

export interface PlanResult {
  profile: string | null;
  complete: boolean;
  params: ParamOutcome[];
  /** Intents the model has no path for. */
  unsupported: string[];
  /** Paths the device no longer has although its model did (9005). */
  dropped: string[];
  missingLines: { line: number; table: string; reason: string }[];
  notifyRefused: string[];
  /** Paths the plan wants under active notification (critical values, STUN's UDP address). */
  notifyPaths: string[];
  rebootRequested: boolean;
  boolDigits: boolean;
  rpcMethods: readonly string[] | null;
  written: number;
}

export const MASK = '••••••';

function outcome(pl: Planner, p: Planner['exp']['params'][number]): ParamOutcome {
  const base = { path: p.path, intent: p.intent, line: p.line, secret: p.secret, checkOnly: p.checkOnly, critical: p.critical };
  const fail = pl.failed.get(p.path);
  if (p.secret) {
    const set = pl.written.has(p.path) || pl.o.secretsSet.get(p.path) === p.want;
    return { ...base, want: MASK, have: set ? MASK : null, status: fail ? 'failed' : set ? 'ok' : 'unknown',
      ...(fail ? { detail: `${fail.code} ${fail.message}` } : {}) };
  }
  const have = pl.have(p.path) ?? null;
  if (fail) return { ...base, want: p.want, have, status: 'failed', detail: `${fail.code || ''} ${fail.message}`.trim() };
  if (have !== null && sameValue(p, have)) return { ...base, want: p.want, have, status: 'ok' };
  if (pl.driftReported.has(p.path)) return { ...base, want: p.want, have, status: 'drift', detail: 'changed on the phone; report-only zone leaves it' };
  return { ...base, want: p.want, have, status: have === null ? 'unknown' : 'differs' };
}

export function resultOf(pl: Planner): PlanResult {
  const missingLines = pl.exp.missing.map((m) => ({
    line: m.line, table: m.table,
    reason: pl.addRefused ? pl.addRefused.reason : `line ${m.line} needs a new instance of ${m.table}`,
  }));
  return {
    profile: pl.profile?.id ?? null,
    complete: pl.phase === 'done',
    params: pl.exp.params.map((p) => outcome(pl, p)),
    unsupported: [...pl.exp.unsupported],
    dropped: pl.tree.dropped,
    missingLines,
    notifyRefused: [...pl.notifyRefused],
    notifyPaths: pl.profile ? pl.notifyPaths() : [],
    rebootRequested: pl.rebootRequested,
    boolDigits: pl.boolDigits,
    rpcMethods: pl.rpcMethods,
    written: pl.written.size,
  };
}
