// A phone's timers on its clock (a FakeClock in tests): one-shot timers (ScheduleInform,
// DelaySeconds, retries), the periodic Inform timer that follows PeriodicInformInterval as the
// ACS changes it (tr069-protocol.md §10.2), and repeating timers (quirk localDrift). All are
// cancelled when the phone stops.

import type { Clock, Timer } from '../../src/core/clock.ts';

export class PhoneTimers {
  readonly #clock: Clock;
  readonly #timers = new Set<Timer>();
  #periodic: { timer: Timer; seconds: number } | undefined;
  #stopped = false;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  once(ms: number, fn: () => void): void {
    if (this.#stopped) return;
    const t = this.#clock.setTimeout(() => { this.#timers.delete(t); if (!this.#stopped) fn(); }, ms);
    this.#timers.add(t);
  }

  every(ms: number, fn: () => void): void {
    this.once(ms, () => { fn(); this.every(ms, fn); });
  }

  /** Fire `fn` every `seconds`; calling again with another interval reschedules from now. */
  periodic(seconds: number, fn: () => void): void {
    if (this.#stopped || this.#periodic?.seconds === seconds) return;
    this.#periodic?.timer.cancel();
    const timer = this.#clock.setTimeout(() => {
      this.#periodic = undefined;
      if (this.#stopped) return;
      fn();
      this.periodic(seconds, fn);
    }, seconds * 1000);
    this.#periodic = { timer, seconds };
  }

  stop(): void {
    this.#stopped = true;
    for (const t of this.#timers) t.cancel();
    this.#timers.clear();
    this.#periodic?.timer.cancel();
  }
}
