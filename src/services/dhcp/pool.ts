// The in-memory view of every address's binding, loaded from the store at start and updated
// synchronously when a decision is made (so two requests in one burst never get one address);
// the service persists the changed rows before it answers. Offers live only here.

import type { Lease } from '../../store/leases.ts';
import { ipNum, isDynamic, mayHold, numIp, reservationFor, type Scope } from './scopes.ts';

export interface Entry {
  n: number;
  /** Client key: client-id hex when the client sent option 61, else its MAC (RFC 2131 §4.2). */
  key: string;
  lease: Lease;
  /** For state 'offered': until when the address is held for this client. */
  offerUntil: number;
  /** For state 'offered': the stored row the offer shadows (restored if the offer lapses). */
  prev: Lease | null;
}

export function clientKey(mac: string, clientId: string | null): string {
  return clientId ? `id:${clientId}` : `mac:${mac}`;
}

export class Pool {
  readonly #byIp = new Map<number, Entry>();
  /** client key → address numbers it holds or held (newest last), per scope name. */
  readonly #byKey = new Map<string, number[]>();
  /** scope name → scan cursor for new allocations. */
  readonly #cursor = new Map<string, number>();
  /** scope name → time a full scan found nothing (skip rescans until something is freed). */
  readonly #exhaustedAt = new Map<string, number>();

  load(leases: readonly Lease[]): void {
    for (const l of leases) this.put(l, 0);
  }

  get(n: number): Entry | undefined {
    return this.#byIp.get(n);
  }

  entries(): IterableIterator<Entry> {
    return this.#byIp.values();
  }

  /** Record (or replace) the binding of lease.ip. */
  put(lease: Lease, offerUntil: number, shadow: Lease | null = null): Entry {
    const n = ipNum(lease.ip);
    const key = clientKey(lease.mac, lease.clientId);
    const prev = this.#byIp.get(n);
    if (prev && prev.key !== key) this.#unlink(prev.key, n);
    const e: Entry = { n, key, lease, offerUntil, prev: shadow };
    this.#byIp.set(n, e);
    const l = this.#byKey.get(key) ?? [];
    const i = l.indexOf(n);
    if (i >= 0) l.splice(i, 1);
    l.push(n);
    this.#byKey.set(key, l);
    if (isReusable(e, Number.MAX_SAFE_INTEGER)) this.#exhaustedAt.clear();
    return e;
  }

  /** Forget an in-memory offer that was never requested (restoring the stored row it shadowed). */
  dropOffer(n: number): void {
    const e = this.#byIp.get(n);
    if (!e || e.lease.state !== 'offered') return;
    if (e.prev) this.put(e.prev, 0);
    else { this.#unlink(e.key, n); this.#byIp.delete(n); }
    this.#exhaustedAt.clear();
  }

  freed(): void {
    this.#exhaustedAt.clear();
  }

  /** The client's current or last binding in this scope, newest first. */
  bindingOf(scope: Scope, key: string): Entry | undefined {
    const l = this.#byKey.get(key);
    if (!l) return undefined;
    for (let i = l.length - 1; i >= 0; i--) {
      const e = this.#byIp.get(l[i]!);
      if (e && e.key === key && e.lease.scope === scope.name) return e;
    }
    return undefined;
  }

  /** May `key` take address n now? Free, or already this client's. */
  available(scope: Scope, n: number, key: string, mac: string, clientId: string | null, now: number): boolean {
    if (!mayHold(scope, n, mac, clientId)) return false;
    const e = this.#byIp.get(n);
    if (!e) return true;
    if (e.lease.state === 'declined' && e.lease.expiresAt > now) return false; // §4.3.3, even for its decliner
    return e.key === key || isReusable(e, now);
  }

  /**
   * RFC 2131 §4.3.1 address choice: the client's reservation; else its current or last address;
   * else the address it asked for (option 50); else a free address from the pool. undefined =
   * pool exhausted.
   */
  choose(scope: Scope, mac: string, clientId: string | null, requested: string | undefined, now: number): number | undefined {
    const key = clientKey(mac, clientId);
    const res = reservationFor(scope, mac, clientId);
    if (res) {
      // a reserved address declined by its owner stays quarantined like any other, and one still
      // held by another client (a reservation added after it was leased) waits for that lease
      if (this.available(scope, res.ip, key, mac, clientId, now)) return res.ip;
    }
    const prev = this.bindingOf(scope, key);
    if (prev && this.available(scope, prev.n, key, mac, clientId, now)) return prev.n;
    if (requested) {
      const r = ipNum(requested);
      if (this.available(scope, r, key, mac, clientId, now)) return r;
    }
    return this.#scan(scope, key, now);
  }

  #scan(scope: Scope, key: string, now: number): number | undefined {
    const ex = this.#exhaustedAt.get(scope.name);
    if (ex !== undefined && now - ex < 1000) return undefined;
    const all = scope.ranges;
    let cursor = this.#cursor.get(scope.name) ?? all[0]![0];
    const total = all.reduce((s, [a, b]) => s + (b - a + 1), 0);
    let oldestOffer: Entry | undefined;
    for (let step = 0; step < total; step++) {
      if (!all.some(([a, b]) => cursor >= a && cursor <= b)) {
        const next = all.find(([a]) => a > cursor);
        cursor = next ? next[0] : all[0]![0];
      }
      const n = cursor;
      cursor = n + 1;
      if (!isDynamic(scope, n)) continue;
      const e = this.#byIp.get(n);
      if (!e || e.key === key || isReusable(e, now)) {
        this.#cursor.set(scope.name, cursor);
        this.#exhaustedAt.delete(scope.name);
        return n;
      }
      if (e.lease.state === 'offered' && (!oldestOffer || e.offerUntil < oldestOffer.offerUntil)) oldestOffer = e;
    }
    // No free address: an outstanding offer is no commitment (nothing was ACKed), so the oldest
    // one is given to this client rather than leaving it without an answer. A flood of DISCOVERs
    // from made-up MACs can then never starve real clients for the whole offerHold.
    if (oldestOffer) return oldestOffer.n;
    this.#exhaustedAt.set(scope.name, now);
    return undefined;
  }

  /** Bound leases past their expiry (for the sweep). */
  expired(now: number): Entry[] {
    const out: Entry[] = [];
    for (const e of this.#byIp.values()) if (e.lease.state === 'bound' && e.lease.expiresAt <= now) out.push(e);
    return out;
  }

  /** Offers past their hold (forgotten by the sweep). */
  staleOffers(now: number): Entry[] {
    const out: Entry[] = [];
    for (const e of this.#byIp.values()) if (e.lease.state === 'offered' && e.offerUntil <= now) out.push(e);
    return out;
  }

  countBound(scope: string, now: number): number {
    let c = 0;
    for (const e of this.#byIp.values()) if (e.lease.scope === scope && e.lease.state === 'bound' && e.lease.expiresAt > now) c++;
    return c;
  }

  #unlink(key: string, n: number): void {
    const l = this.#byKey.get(key);
    if (!l) return;
    const i = l.indexOf(n);
    if (i >= 0) l.splice(i, 1);
    if (l.length === 0) this.#byKey.delete(key);
  }
}

/** Can another client take this address now? */
function isReusable(e: Entry, now: number): boolean {
  switch (e.lease.state) {
    case 'bound': return e.lease.expiresAt <= now;
    case 'offered': return e.offerUntil <= now;
    case 'declined': return e.lease.expiresAt <= now; // RFC 2131 §4.3.3 quarantine
    default: return true; // released, expired
  }
}

export { numIp };
