// Brute-force lockout (DESIGN "brute-force lockout"): a key (a source address, a user name)
// that fails `failures` times within `window` ms is locked for `duration` ms. In memory on
// purpose: a restart forgets it, which costs an attacker a restart they cannot cause. Bounded:
// past `maxKeys` keys, the ones neither locked nor recently failing are forgotten first.

import type { Clock } from './clock.ts';

export interface LockoutPolicy {
  failures: number;
  window: number;
  duration: number;
  maxKeys?: number;
}

interface KeyState { failures: number[]; lockedUntil: number }

export class Lockout {
  readonly #p: LockoutPolicy;
  readonly #clock: Clock;
  readonly #keys = new Map<string, KeyState>();

  constructor(policy: LockoutPolicy, clock: Clock) {
    this.#p = policy;
    this.#clock = clock;
  }

  /** Ms left on the lock, or 0. */
  lockedFor(key: string): number {
    const s = this.#keys.get(key);
    return s ? Math.max(0, s.lockedUntil - this.#clock.now()) : 0;
  }

  /** Count a failure; returns the failures now in the window (0 right after it locked the key) and whether it just locked. */
  fail(key: string): { recent: number; locked: boolean } {
    const now = this.#clock.now();
    const s = this.#keys.get(key) ?? { failures: [], lockedUntil: 0 };
    s.failures = s.failures.filter((t) => now - t < this.#p.window);
    s.failures.push(now);
    let locked = false;
    if (s.failures.length >= this.#p.failures) {
      s.lockedUntil = now + this.#p.duration;
      s.failures = [];
      locked = true;
    }
    this.#keys.set(key, s);
    if (this.#keys.size > (this.#p.maxKeys ?? 100_000)) this.#prune(now);
    return { recent: s.failures.length, locked };
  }

  succeed(key: string): void {
    this.#keys.delete(key);
  }

  #prune(now: number): void {
    for (const [k, s] of this.#keys) if (s.lockedUntil < now && s.failures.every((t) => now - t >= this.#p.window)) this.#keys.delete(k);
  }
}
