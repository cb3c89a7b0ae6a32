// Binding tracking (tr069-protocol.md §8.7 step 5): every accepted Binding Request carrying
// CONNECTION-REQUEST-BINDING refreshes its device's binding. New, changed (NAT remapped) and
// revived bindings are written at once and announced with 'stun.binding'; plain refreshes only
// move last-seen in memory and are flushed in one group commit every flushInterval, so a
// site-wide burst of keep-alives costs no write per packet. At most one write per binding is in
// flight, so a flapping or hostile source cannot queue unbounded writes.

import type { Clock, Timer } from '../../core/clock.ts';
import type { EventBus } from '../../core/events.ts';
import type { Logger } from '../../core/log.ts';
import type { Store } from '../../store/index.ts';
import { StunBindingRepo, bindingKey, type StunBinding } from '../../store/stun-bindings.ts';
import type { BindingSeen } from './handler.ts';
import './events.ts';

export interface TrackerOptions {
  store: Store;
  clock: Clock;
  events: EventBus;
  log: Logger;
  expiryMs: number;
  flushIntervalMs: number;
  maxCached: number;
  onChange?: () => void;
}

export class BindingTracker {
  readonly repo: StunBindingRepo;
  readonly #o: TrackerOptions;
  readonly #cache = new Map<string, StunBinding>();
  readonly #dirty = new Set<string>();
  readonly #inflight = new Set<string>();
  readonly #again = new Set<string>();
  readonly #pending = new Set<Promise<unknown>>();
  #timer: Timer | null = null;
  #ticks = 0;
  changes = 0;

  constructor(o: TrackerOptions) {
    this.#o = o;
    this.repo = new StunBindingRepo(o.store);
  }

  start(): void {
    this.#timer = this.#o.clock.setInterval(() => this.flush(), this.#o.flushIntervalMs);
  }

  async stop(): Promise<void> {
    this.#timer?.cancel();
    this.#timer = null;
    this.flush();
    await Promise.allSettled([...this.#pending]);
  }

  observe(seen: BindingSeen): void {
    const now = this.#o.clock.now();
    const key = bindingKey(seen.username, seen.address);
    const b = this.#cache.get(key) ?? this.#load(key);
    if (!b) {
      const fresh: StunBinding = {
        key, username: seen.username, deviceId: seen.deviceId, address: seen.address, port: seen.port,
        protocol: seen.protocol, authenticated: seen.authenticated, firstSeen: now, lastSeen: now, lastChange: now, changes: 0,
      };
      this.#remember(fresh);
      this.#write(key);
      this.#announce(fresh, null);
      return;
    }
    const expired = now - b.lastSeen > this.#o.expiryMs;
    const moved = b.address !== seen.address || b.port !== seen.port;
    const previous = moved ? { address: b.address, port: b.port } : null;
    const other = b.deviceId !== seen.deviceId || b.authenticated !== seen.authenticated || b.protocol !== seen.protocol;
    if (moved) {
      b.address = seen.address;
      b.port = seen.port;
      b.changes++;
      b.lastChange = now;
      this.changes++;
    }
    b.deviceId = seen.deviceId;
    b.authenticated = seen.authenticated;
    b.protocol = seen.protocol;
    b.lastSeen = now;
    // BINDING-CHANGE (0xC002) is the CPE saying its mapping moved: write it now even if we
    // already knew the address, so the stored record is as fresh as the CPE's own view.
    if (moved || other || expired || seen.bindingChange) this.#write(key);
    else this.#dirty.add(key);
    if (moved || expired) this.#announce(b, previous);
  }

  /** Current binding for a key (memory first, then the store). */
  get(key: string): StunBinding | null {
    return this.#cache.get(key) ?? this.repo.get(key);
  }

  /** Write refreshed last-seen times in one commit; every 6th tick purge expired anonymous bindings. */
  flush(): void {
    const keys = [...this.#dirty].filter((k) => !this.#inflight.has(k));
    for (const k of keys) this.#dirty.delete(k);
    const touches = keys.map((k) => [k, this.#cache.get(k)?.lastSeen ?? 0] as const);
    const purge = ++this.#ticks % 6 === 0;
    if (touches.length === 0 && !purge) return;
    const before = this.#o.clock.now() - this.#o.expiryMs;
    this.#track(this.#o.store.commit(() => {
      for (const [k, at] of touches) this.repo.touch(k, at);
      return purge ? this.repo.purgeAnonymous(before) : 0;
    }).then((purged) => {
      if (purged > 0) for (const [k, b] of this.#cache) if (k.startsWith('ip:') && b.lastSeen < before) this.#cache.delete(k);
    }, (err: unknown) => this.#o.log.error({ err }, 'stun binding refresh not stored')));
  }

  #load(key: string): StunBinding | null {
    const b = this.repo.get(key);
    if (b) this.#remember(b);
    return b;
  }

  #remember(b: StunBinding): void {
    this.#cache.set(b.key, b);
    if (this.#cache.size <= this.#o.maxCached) return;
    // Evict the oldest-inserted entries that have nothing unwritten; the store still has them.
    for (const k of this.#cache.keys()) {
      if (this.#cache.size <= this.#o.maxCached * 0.9) break;
      if (!this.#dirty.has(k) && !this.#inflight.has(k) && k !== b.key) this.#cache.delete(k);
    }
  }

  #write(key: string): void {
    if (this.#inflight.has(key)) { this.#again.add(key); return; }
    const b = this.#cache.get(key);
    if (!b) return;
    this.#dirty.delete(key);
    this.#inflight.add(key);
    const snapshot = { ...b };
    this.#track(this.#o.store.commit(() => this.repo.upsert(snapshot)).then(() => {
      this.#inflight.delete(key);
      if (this.#again.delete(key)) this.#write(key);
      this.#o.onChange?.();
    }, (err: unknown) => {
      this.#inflight.delete(key);
      this.#again.delete(key);
      this.#o.log.error({ err, binding: key }, 'stun binding not stored');
    }));
  }

  #track(p: Promise<unknown>): void {
    this.#pending.add(p);
    p.finally(() => this.#pending.delete(p)).catch(() => {});
  }

  #announce(b: StunBinding, previous: { address: string; port: number } | null): void {
    if (previous) this.#o.log.info({ binding: b.key, deviceId: b.deviceId, address: b.address, port: b.port, previous }, 'stun binding changed');
    this.#o.events.emit('stun.binding', {
      username: b.username, deviceId: b.deviceId, address: b.address, port: b.port, changed: previous !== null,
      previous, authenticated: b.authenticated, protocol: b.protocol,
    });
  }
}
