// Health as a first-class API (STYLE habit 12, after Tailscale's health.Warnable): a condition
// has a code prefixed by its service name (DHCP_POOL_EXHAUSTED), a severity and a since-time.
// Shown in the API, the UI and systemd status.

import type { Clock } from './clock.ts';

export type Severity = 'info' | 'warning' | 'error';

export interface Condition {
  code: string;
  service: string;
  severity: Severity;
  message: string;
  since: string;
}

export class HealthRegistry {
  readonly #clock: Clock;
  readonly #conditions = new Map<string, Condition>();
  readonly #listeners = new Set<(c: Condition[]) => void>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Raise (or update the message of) a condition; `since` is kept from the first raise. */
  raise(service: string, code: string, severity: Severity, message: string): void {
    const prev = this.#conditions.get(code);
    if (prev && prev.severity === severity && prev.message === message) return;
    this.#conditions.set(code, {
      code, service, severity, message,
      since: prev?.since ?? new Date(this.#clock.now()).toISOString(),
    });
    this.#notify();
  }

  clear(code: string): void {
    if (this.#conditions.delete(code)) this.#notify();
  }

  has(code: string): boolean {
    return this.#conditions.has(code);
  }

  list(): Condition[] {
    return [...this.#conditions.values()].sort((a, b) => a.code.localeCompare(b.code));
  }

  /** 'ok' when nothing at warning or above is raised. */
  status(): 'ok' | 'degraded' | 'failing' {
    const cs = this.list();
    if (cs.some((c) => c.severity === 'error')) return 'failing';
    if (cs.some((c) => c.severity === 'warning')) return 'degraded';
    return 'ok';
  }

  onChange(fn: (c: Condition[]) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  #notify(): void {
    const l = this.list();
    for (const fn of this.#listeners) fn(l);
  }
}
