// The current local zone, rebuilt when the leases change: on every 'dhcp.lease' event (coalesced:
// at most one rebuild per `minRebuildMs`, so a site-wide power-on burst costs a few rebuilds,
// not thousands) and every `refreshMs` (expired leases drop out even without events).

import type { Clock, Timer } from '../../core/clock.ts';
import type { Logger } from '../../core/log.ts';
import type { Lease } from '../../store/leases.ts';
import { reverseName } from '../../protocols/dns/index.ts';
import { hostLabel, type LeaseSource, type ZoneBuilder } from './zone-build.ts';
import type { Zone } from './zone.ts';

export interface LocalZoneOptions {
  builder: ZoneBuilder;
  /** null when lease names are off. */
  leases: LeaseSource | null;
  clock: Clock;
  log: Logger;
  /** The site domain (lease names are <hostname>.<domain>). */
  domain: string;
  refreshMs: number;
  minRebuildMs: number;
  onChange(zone: Zone): void;
}

export class LocalZone {
  readonly #o: LocalZoneOptions;
  #zone: Zone;
  #lastLeases: readonly Lease[] = [];
  #lastBuild = 0;
  #scheduled: Timer | null = null;
  #interval: Timer | null = null;

  constructor(o: LocalZoneOptions) {
    this.#o = o;
    this.#zone = this.#build();
  }

  get zone(): Zone {
    return this.#zone;
  }

  start(): void {
    if (this.#o.leases) this.#interval = this.#o.clock.setInterval(() => this.rebuild(), this.#o.refreshMs);
  }

  stop(): void {
    this.#interval?.cancel();
    this.#scheduled?.cancel();
  }

  /**
   * A 'dhcp.lease' event. Renewals of a lease the zone already shows change nothing (a
   * site-wide renewal wave must not rebuild the zone thousands of times); anything else does.
   */
  leaseChanged(e: { ip: string; hostname: string | null; state: Lease['state'] }): void {
    const label = hostLabel(e.hostname);
    const shown = label !== null && this.#zone.hasAddress(`${label}.${this.#o.domain}`, e.ip);
    if (e.state === 'bound' ? shown : !shown && !this.#zone.has(reverseName(e.ip))) return;
    this.invalidate();
  }

  /** Rebuild soon (coalesced). */
  invalidate(): void {
    if (this.#scheduled || !this.#o.leases) return;
    const wait = Math.max(0, this.#lastBuild + this.#o.minRebuildMs - this.#o.clock.now());
    this.#scheduled = this.#o.clock.setTimeout(() => { this.#scheduled = null; this.rebuild(); }, wait);
  }

  rebuild(): void {
    this.#zone = this.#build();
    this.#o.onChange(this.#zone);
  }

  #build(): Zone {
    const now = this.#o.clock.now();
    this.#lastBuild = now;
    if (this.#o.leases) {
      try {
        this.#lastLeases = this.#o.leases.active(now);
      } catch (err) {
        // Keep the last known leases: local names must keep answering.
        this.#o.log.limited('dns.leases').error({ err }, 'leases cannot be read; keeping the last known names');
      }
    }
    return this.#o.builder.build(this.#lastLeases, now);
  }
}
