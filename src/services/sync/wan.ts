// The WAN state as the site sees it through its exchanges with central (DESIGN: "WAN state (up,
// degraded, down) is visible and timed"). One named state machine with one transition function
// (STYLE habit 13); every pull, report and firmware request feeds it an outcome.
//
//   up        the last exchange succeeded in time
//   degraded  central answered but slowly or with an error, or the first network failures after up
//   down      `downAfterFailures` network failures in a row, or no contact since start
//
// Phones never depend on this: it only decides back-off and what health and the API show.

import type { Clock } from '../../core/clock.ts';

export type WanState = 'up' | 'degraded' | 'down';
/** network: no TCP/TLS/HTTP answer; server: central answered 5xx or garbage; auth: 401/403. */
export type FailureKind = 'network' | 'server' | 'auth';

export type WanOutcome =
  | { ok: true; latencyMs: number }
  | { ok: false; kind: FailureKind; message: string };

export interface WanStatus {
  state: WanState;
  /** Epoch ms the state was entered. */
  since: number;
  /** Why: the last error, 'slow', or null when up. */
  reason: string | null;
  /** Consecutive failures. */
  failures: number;
  lastOk: number | null;
  lastLatencyMs: number | null;
}

export interface WanOptions {
  downAfterFailures: number;
  slowMs: number;
}

/** The transition function: pure, so every edge is tested without sockets. */
export function nextWan(s: WanStatus, o: WanOutcome, now: number, opt: WanOptions): WanStatus {
  const to = (state: WanState, patch: Partial<WanStatus>): WanStatus =>
    ({ ...s, ...patch, state, since: state === s.state ? s.since : now });
  if (o.ok) {
    const slow = o.latencyMs >= opt.slowMs;
    return to(slow ? 'degraded' : 'up', { reason: slow ? `slow: ${o.latencyMs} ms` : null, failures: 0, lastOk: now, lastLatencyMs: o.latencyMs });
  }
  const failures = s.failures + 1;
  // Central answered: the path works, central does not — degraded, never down.
  if (o.kind !== 'network') return to('degraded', { reason: o.message, failures });
  const down = s.state === 'down' || failures >= opt.downAfterFailures;
  return to(down ? 'down' : 'degraded', { reason: o.message, failures });
}

export class Wan {
  readonly #clock: Clock;
  readonly #opt: WanOptions;
  readonly #listeners = new Set<(s: WanStatus, prev: WanStatus) => void>();
  #s: WanStatus;

  constructor(clock: Clock, opt: WanOptions, initialReason = 'no contact with central yet') {
    this.#clock = clock;
    this.#opt = opt;
    this.#s = { state: 'down', since: clock.now(), reason: initialReason, failures: 0, lastOk: null, lastLatencyMs: null };
  }

  get status(): WanStatus {
    return this.#s;
  }

  record(o: WanOutcome): void {
    const prev = this.#s;
    this.#s = nextWan(prev, o, this.#clock.now(), this.#opt);
    if (this.#s.state !== prev.state || this.#s.reason !== prev.reason) for (const fn of this.#listeners) fn(this.#s, prev);
  }

  onChange(fn: (s: WanStatus, prev: WanStatus) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }
}

/**
 * Delay before the next attempt: after success the interval ±10 %; after n failures
 * min · 2^(n-1) capped at max, with "equal jitter" (half fixed, half random) so a fleet of sites
 * coming back after a central outage does not arrive in one wave.
 */
export function nextDelay(failures: number, o: { interval: number; min: number; max: number }, random: () => number): number {
  if (failures === 0) return Math.round(o.interval * (0.9 + 0.2 * random()));
  const base = Math.min(o.max, o.min * 2 ** Math.min(30, failures - 1));
  return Math.round(base / 2 + (base / 2) * random());
}
