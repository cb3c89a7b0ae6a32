// Binding tracking (tr069-protocol.md §8.7 step 5): every accepted Binding Request carrying
// CONNECTION-REQUEST-BINDING refreshes its device's binding. New, changed (NAT remapped) and
// revived bindings are announced at once with 'stun.binding' and written soon: all such writes
// within URGENT_MS go out in one group commit, so a flapping or hostile source costs at most a
// few fsyncs a second, never one per packet. Plain refreshes only move last-seen in memory and
// are flushed in one commit every flushInterval.

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

/** Changes are written at most this often (one group commit for all of them). */
export const URGENT_MS = 100;
/** A binding is announced ('stun.binding') at most this often. */
export const ANNOUNCE_MIN_MS = 1000;

interface Announced { at: number; address: string; port: number; deviceId: string | null; timer: Timer | null }

export class BindingTracker {
  readonly repo: StunBindingRepo;
  readonly #o: TrackerOptions;
  readonly #cache = new Map<string, StunBinding>();
  /** Refreshed last-seen only: written every flushInterval. */
  readonly #dirty = new Set<string>();
  /** New/changed: written within URGENT_MS. */
  readonly #urgent = new Set<string>();
  readonly #pending = new Set<Promise<unknown>>();
  readonly #announced = new Map<string, Announced>();
  /** Built once: a limited logger is an object per call (log.ts), too dear per packet. */
  readonly #changeLog: Logger;
  #timer: Timer | null = null;
  #urgentTimer: Timer | null = null;
  #lastUrgent = -Infinity;
  #ticks = 0;
  changes = 0;

  constructor(o: TrackerOptions) {
    this.#o = o;
    this.repo = new StunBindingRepo(o.store);
    this.#changeLog = o.log.limited('stun.binding', 60);
  }

  start(): void {
    this.#timer = this.#o.clock.setInterval(() => this.flush(), this.#o.flushIntervalMs);
  }

  async stop(): Promise<void> {
    this.#timer?.cancel();
    this.#timer = null;
    this.#urgentTimer?.cancel();
    this.#urgentTimer = null;
    for (const a of this.#announced.values()) a.timer?.cancel();
    this.#announced.clear();
    this.#flushUrgent();
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
    const newDevice = b.deviceId !== seen.deviceId;
    const other = newDevice || b.authenticated !== seen.authenticated || b.protocol !== seen.protocol;
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
    // BINDING-CHANGE (0xC002) is the CPE saying its mapping moved: write it soon even if we
    // already knew the address, so the stored record is as fresh as the CPE's own view.
    if (moved || other || expired || seen.bindingChange) this.#write(key);
    else this.#dirty.add(key);
    // A binding that now belongs to another device (STUN credentials provisioned after the
    // first keep-alive) is news for the ACS too.
    if (moved || expired || newDevice) this.#announce(b, previous);
  }

  /** Current binding for a key (memory first, then the store). */
  get(key: string): StunBinding | null {
    return this.#cache.get(key) ?? this.repo.get(key);
  }

  /** Write refreshed last-seen times in one commit; every 6th tick purge expired anonymous bindings. */
  flush(): void {
    const touches: [string, number][] = [];
    for (const k of this.#dirty) if (!this.#urgent.has(k)) touches.push([k, this.#cache.get(k)?.lastSeen ?? 0]);
    this.#dirty.clear();
    const now = this.#o.clock.now();
    for (const [k, a] of this.#announced) if (!a.timer && now - a.at >= ANNOUNCE_MIN_MS) this.#announced.delete(k);
    const purge = ++this.#ticks % 6 === 0;
    if (touches.length === 0 && !purge) return;
    const before = now - this.#o.expiryMs;
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
      if (!this.#dirty.has(k) && !this.#urgent.has(k) && k !== b.key) this.#cache.delete(k);
    }
  }

  #write(key: string): void {
    this.#urgent.add(key);
    this.#dirty.delete(key);
    if (this.#urgentTimer) return;
    const wait = this.#lastUrgent + URGENT_MS - this.#o.clock.now();
    if (wait <= 0) this.#flushUrgent();
    else this.#urgentTimer = this.#o.clock.setTimeout(() => { this.#urgentTimer = null; this.#flushUrgent(); }, wait);
  }

  #flushUrgent(): void {
    if (this.#urgent.size === 0) return;
    this.#lastUrgent = this.#o.clock.now();
    const rows: StunBinding[] = [];
    for (const k of this.#urgent) { const b = this.#cache.get(k); if (b) rows.push({ ...b }); }
    this.#urgent.clear();
    // Commits apply in queue order, so a later snapshot of the same binding always wins.
    this.#track(this.#o.store.commit(() => { for (const r of rows) this.repo.upsert(r); }).then(
      () => this.#o.onChange?.(),
      (err: unknown) => this.#o.log.error({ err, bindings: rows.length }, 'stun bindings not stored'),
    ));
  }

  #track(p: Promise<unknown>): void {
    this.#pending.add(p);
    p.finally(() => this.#pending.delete(p)).catch(() => {});
  }

  /**
   * At most one announcement per binding per ANNOUNCE_MIN_MS: a source that flaps between ports
   * (or a hostile one) must not flood the ACS with events; the latest mapping follows at the end
   * of the window, with `previous` = the mapping last announced.
   */
  #announce(b: StunBinding, previous: { address: string; port: number } | null): void {
    const now = this.#o.clock.now();
    const last = this.#announced.get(b.key);
    if (!last || now - last.at >= ANNOUNCE_MIN_MS) { this.#emit(b, previous); return; }
    if (last.timer) return;
    last.timer = this.#o.clock.setTimeout(() => {
      last.timer = null;
      const cur = this.#cache.get(b.key) ?? b;
      const moved = cur.address !== last.address || cur.port !== last.port;
      if (moved || cur.deviceId !== last.deviceId) this.#emit(cur, moved ? { address: last.address, port: last.port } : null);
    }, last.at + ANNOUNCE_MIN_MS - now);
  }

  #emit(b: StunBinding, previous: { address: string; port: number } | null): void {
    this.#announced.set(b.key, { at: this.#o.clock.now(), address: b.address, port: b.port, deviceId: b.deviceId, timer: null });
    if (previous) this.#changeLog.info({ binding: b.key, deviceId: b.deviceId, address: b.address, port: b.port, previous }, 'stun binding changed');
    this.#o.events.emit('stun.binding', {
      username: b.username, deviceId: b.deviceId, address: b.address, port: b.port, changed: previous !== null,
      previous, authenticated: b.authenticated, protocol: b.protocol,
    });
  }
}
