// A fleet: thousands of simulated phones in one process (issue 3 "Fleet"). Phones power on
// together ("power returns to the site") or spread over a window, each going through the phases
// dhcp → dns (network mode only) → inform → provisioning → compliant, or failed when it does not
// get there within the provisioning timeout. One shared connection-request server; per-phone
// bookkeeping in typed arrays (fleet-stats.ts) so the fleet's own overhead stays far below the
// 50 KB per phone budget.
//
// "compliant" is decided (FleetOptions.compliance):
//   phone  — the phone's own view: every line the site PBX assigns to it registered (default with a PBX);
//   api    — the ACS's view: GET /api/v1/compliance/devices?state=compliant lists it;
//   booted — no functional truth given: the first session with the ACS succeeded.

import { systemClock, type Clock, type Timer } from '../../src/core/clock.ts';
import { deviceIdString } from '../../src/protocols/cwmp/version.ts';
import { CrServer } from './cr-server.ts';
import type { SessionRecord } from './cwmp-client.ts';
import { FleetStats, latency, type Latency, type Phase } from './fleet-stats.ts';
import { FAMILIES } from './models/index.ts';
import type { NetworkAttachment } from './net-setup.ts';
import type { SitePbx } from './pbx.ts';
import { SimPhone } from './phone.ts';
import type { PhasePoint, SimPhoneOptions } from './phone-support.ts';
import type { Quirks } from './quirks.ts';

export type ComplianceMode = 'phone' | 'api' | 'booted';

export interface FleetOptions {
  acsUrl: string;
  ca?: string;
  /** Factory (bootstrap) ACS credentials of every phone. */
  username?: string;
  password?: string;
  phones: number;
  /** One family, or a mix by weight: { yealink: 2, ex: 1 }. Default tr181. */
  models?: string | Readonly<Record<string, number>>;
  serialPrefix?: string;
  /** 'together' (default): every phone powers on at once; spread: evenly over spreadMs. */
  start?: 'together' | { spreadMs: number };
  /** Boots (DHCP → first session) in flight at once; default unbounded. */
  concurrency?: number;
  pbx?: SitePbx;
  /** Generate PBX accounts: `linesPerPhone` per phone, users firstUser, firstUser+1, …, password `pw-<user>`. */
  accounts?: { linesPerPhone: number; firstUser: number };
  compliance?: ComplianceMode;
  /** For compliance 'api': the management API and its bearer token. */
  api?: { url: string; token: string; pollMs?: number };
  /** A phone not compliant this long after power-on is failed. Default 120 s. */
  provisionTimeoutMs?: number;
  quirks?: Quirks;
  periodicInform?: boolean;
  periodicInterval?: number;
  /** Retry failed sessions with the §1.6 back-off (default true). */
  retry?: boolean;
  network?: NetworkAttachment;
  crHost?: string;
  crPort?: number;
  clock?: Clock;
  /** Per-family site settings (default: the Ex family has TR-069 enabled on site). */
  settings?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  timeoutMs?: number;
}

export interface FleetSummary {
  acs: string;
  phones: number;
  models: Record<string, number>;
  start: string;
  compliance: ComplianceMode;
  wallMs: number;
  counts: Record<Phase, number>;
  phases: Record<'dhcp' | 'dns' | 'inform' | 'provisioning' | 'total', Latency>;
  sessions: { total: number; failed: number; perSecond: number };
  errors: Record<string, number>;
  memory: { heapUsedMB: number; rssMB: number };
  connectionRequestPort: number;
}

const DEFAULT_SETTINGS: Record<string, Record<string, string>> = { ex: { 'InternetGatewayDevice.ManagementServer.EnableCWMP': 'true' } };

/**
 * The family of every phone for a weighted mix, interleaved (smooth weighted round-robin, as
 * nginx balances upstreams): { yealink: 2, ex: 1 } → yealink, ex, yealink, yealink, ex, yealink, …
 */
export function assignModels(models: string | Readonly<Record<string, number>>, n: number): string[] {
  if (typeof models === 'string') return new Array<string>(n).fill(models);
  const entries = Object.entries(models).filter(([, w]) => w > 0);
  if (entries.length === 0) throw new Error('model mix without a positive weight');
  const total = entries.reduce((a, [, w]) => a + w, 0);
  const current = entries.map(() => 0);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let k = 0; k < entries.length; k++) {
      current[k]! += entries[k]![1];
      if (current[k]! > current[best]!) best = k;
    }
    current[best]! -= total;
    out.push(entries[best]![0]);
  }
  return out;
}

function hash16(s: string): number {
  let h = 2166136261;
  for (const c of s) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  return (h >>> 8) & 0xffff;
}

/** A distinct MAC per phone: the vendor OUI for serial = MAC families, else locally administered 02:… */
export function macFor(model: string, prefix: string, i: number): string {
  const fam = FAMILIES[model]!;
  const low = ((hash16(prefix) << 8) + i) & 0xffffff;
  const head = fam.identity.serialIsMac ? fam.identity.oui.match(/../g)!.map((x) => parseInt(x, 16)) : [0x02, hash16(prefix) >> 8, hash16(prefix) & 0xff];
  return [...head, low >> 16, (low >> 8) & 0xff, low & 0xff].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

export class Fleet {
  readonly o: FleetOptions;
  readonly stats: FleetStats;
  readonly phones: (SimPhone | undefined)[];
  readonly cr: CrServer;
  readonly #clock: Clock;
  readonly #ids = new Map<string, number>();
  readonly #timers: Timer[] = [];
  readonly #mode: ComplianceMode;
  readonly #models: string[];
  readonly #waiters: (() => void)[] = [];
  #inFlight = 0;
  #queue: (() => void)[] = [];
  #stopped = false;
  #polling = false;

  private constructor(o: FleetOptions, cr: CrServer, clock: Clock) {
    this.o = o;
    this.cr = cr;
    this.#clock = clock;
    this.stats = new FleetStats(o.phones, clock.now());
    this.phones = new Array<SimPhone | undefined>(o.phones);
    this.#models = assignModels(o.models ?? 'tr181', o.phones);
    this.#mode = o.compliance ?? (o.pbx ? 'phone' : o.api ? 'api' : 'booted');
    if (this.#mode === 'api' && !o.api) throw new Error('compliance "api" needs the management API URL and token');
  }

  /** Create the phones and power them on (together or spread); returns at once. */
  static async start(o: FleetOptions): Promise<Fleet> {
    for (const m of typeof o.models === 'object' ? Object.keys(o.models) : [o.models ?? 'tr181']) {
      if (!FAMILIES[m]) throw new Error(`unknown model "${m}" (known: ${Object.keys(FAMILIES).join(', ')})`);
    }
    const clock = o.clock ?? systemClock;
    const cr = new CrServer({ host: o.crHost ?? (o.network ? '0.0.0.0' : '127.0.0.1'), port: o.crPort ?? 0, clock, maxPerWindow: 50 });
    await cr.listen();
    const f = new Fleet(o, cr, clock);
    f.#powerOn();
    f.#timers.push(clock.setInterval(() => f.#watchdog(), 1000));
    if (f.#mode === 'api') f.#timers.push(clock.setInterval(() => void f.#pollApi(), o.api!.pollMs ?? 1000));
    return f;
  }

  get mode(): ComplianceMode { return this.#mode; }
  get inFlight(): number { return this.#inFlight; }

  #powerOn(): void {
    const n = this.o.phones;
    const spread = typeof this.o.start === 'object' ? this.o.start.spreadMs : 0;
    for (let i = 0; i < n; i++) {
      if (spread > 0 && i > 0) this.#timers.push(this.#clock.setTimeout(() => void this.#power(i), (spread * i) / n));
      else void this.#power(i);
    }
  }

  /** Phone `i`: create it, then DHCP/DNS and the first session (bounded by `concurrency`). */
  async #power(i: number): Promise<void> {
    if (this.#stopped) return;
    const phone = this.#create(i);
    const at = this.#clock.now();
    this.stats.mark(i, 'start', at);
    this.stats.enter(i, this.o.network ? 'dhcp' : 'inform');
    await this.#slot();
    try {
      const rec = await phone.boot().catch((err: unknown) => ({ ok: false, error: String(err) }) as SessionRecord);
      if (!rec.ok && this.o.retry === false) this.#fail(i, rec.error ?? 'boot failed');
    } finally {
      this.#release();
    }
  }

  #create(i: number): SimPhone {
    const o = this.o;
    const model = this.#models[i]!;
    const prefix = o.serialPrefix ?? 'SIM';
    const opts: SimPhoneOptions = {
      model, serial: `${prefix}${String(i + 1).padStart(6, '0')}`, mac: macFor(model, prefix, i), acsUrl: o.acsUrl, crServer: this.cr,
      keepSessions: 2, periodicInform: o.periodicInform ?? false, retry: o.retry ?? true, clock: this.#clock,
      onPhase: (_p, point, t) => this.#onPhase(i, point, t),
      ...(o.ca !== undefined ? { ca: o.ca } : {}), ...(o.username !== undefined ? { username: o.username } : {}),
      ...(o.password !== undefined ? { password: o.password } : {}), ...(o.pbx ? { pbx: o.pbx } : {}), ...(o.quirks ? { quirks: o.quirks } : {}),
      ...(o.periodicInterval !== undefined ? { periodicInterval: o.periodicInterval } : {}), ...(o.network ? { network: o.network } : {}),
      ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
    };
    const settings = o.settings?.[model] ?? DEFAULT_SETTINGS[model];
    if (settings) opts.settings = settings;
    const phone = new SimPhone(opts);
    this.phones[i] = phone;
    if (o.pbx && o.accounts) {
      for (let l = 1; l <= o.accounts.linesPerPhone; l++) {
        const user = String(o.accounts.firstUser + i * o.accounts.linesPerPhone + l - 1);
        o.pbx.addAccount({ user, password: `pw-${user}`, serial: phone.serial, line: l });
      }
    }
    if (this.#mode === 'api') this.#ids.set(this.deviceId(phone), i);
    phone.onSession((s) => this.#onSession(i, s));
    return phone;
  }

  deviceId(p: SimPhone): string {
    const id = p.state.identity;
    return deviceIdString({ oui: id.oui, productClass: id.productClass, serialNumber: id.serial });
  }

  #slot(): Promise<void> {
    const max = this.o.concurrency ?? Infinity;
    if (this.#inFlight < max) { this.#inFlight++; return Promise.resolve(); }
    return new Promise((r) => this.#queue.push(() => { this.#inFlight++; r(); }));
  }

  #release(): void {
    this.#inFlight--;
    this.#queue.shift()?.();
  }

  #onPhase(i: number, point: PhasePoint, at: number): void {
    if (point === 'dhcp') { this.stats.mark(i, 'dhcp', at); this.stats.enter(i, 'dns'); }
    else if (point === 'dns') { this.stats.mark(i, 'dns', at); this.stats.enter(i, 'inform'); }
    else { this.stats.mark(i, 'informed', at); this.stats.enter(i, 'provisioning'); }
  }

  #onSession(i: number, s: SessionRecord): void {
    this.stats.sessions++;
    if (!s.ok) { this.stats.sessionErrors++; this.stats.error(s.error ?? 'unknown'); }
    const phone = this.phones[i];
    if (!phone || this.stats.phaseOf(i) !== 'provisioning') return;
    const done = this.#mode === 'booted' ? s.ok : this.#mode === 'phone' ? phone.inService() : false;
    if (done) this.#comply(i);
  }

  #comply(i: number): void {
    this.stats.mark(i, 'compliant', this.#clock.now());
    this.stats.enter(i, 'compliant');
    this.#notify();
  }

  #fail(i: number, why: string): void {
    if (this.stats.phaseOf(i) === 'compliant' || this.stats.phaseOf(i) === 'failed') return;
    this.stats.error(why);
    this.stats.mark(i, 'failed', this.#clock.now());
    this.stats.enter(i, 'failed');
    this.#notify();
  }

  /** Phones past the provisioning timeout fail, with the phase they were stuck in. */
  #watchdog(): void {
    const limit = this.o.provisionTimeoutMs ?? 120_000;
    const now = this.#clock.now() - this.stats.t0;
    const spread = typeof this.o.start === 'object' ? this.o.start.spreadMs : 0;
    for (let i = 0; i < this.stats.size; i++) {
      const ph = this.stats.phaseOf(i);
      if (ph === 'compliant' || ph === 'failed' || ph === 'waiting') continue;
      const started = (spread * i) / this.stats.size;
      if (now - started > limit) this.#fail(i, `timeout in ${ph}`);
    }
  }

  /** Compliance 'api': the ACS's list of compliant devices (one poll at a time). */
  async #pollApi(): Promise<void> {
    if (this.#polling || this.stats.settled) return;
    this.#polling = true;
    try { await this.#pollPages(); } finally { this.#polling = false; }
  }

  async #pollPages(): Promise<void> {
    const api = this.o.api!;
    for (let offset = 0; !this.#stopped; offset += 1000) {
      const url = new URL(`api/v1/compliance/devices?state=compliant&limit=1000&offset=${offset}`, api.url.endsWith('/') ? api.url : `${api.url}/`);
      const res = await fetch(url, { headers: { authorization: `Bearer ${api.token}` } }).catch(() => null);
      if (!res?.ok) return;
      const body = (await res.json()) as { total: number; items: { deviceId: string }[] };
      for (const item of body.items) {
        const i = this.#ids.get(item.deviceId);
        if (i !== undefined && this.stats.phaseOf(i) === 'provisioning') this.#comply(i);
      }
      if (offset + body.items.length >= body.total || body.items.length === 0) return;
    }
  }

  #notify(): void {
    if (!this.stats.settled) return;
    for (const w of this.#waiters.splice(0)) w();
  }

  /** Every phone compliant or failed. */
  settled(): Promise<void> {
    if (this.stats.settled) return Promise.resolve();
    return new Promise((r) => this.#waiters.push(r));
  }

  summary(): FleetSummary {
    const models: Record<string, number> = {};
    for (const m of this.#models) models[m] = (models[m] ?? 0) + 1;
    const wallMs = this.#clock.now() - this.stats.t0;
    const mem = process.memoryUsage();
    const errors = Object.fromEntries([...this.stats.errors].sort((a, b) => b[1] - a[1]).slice(0, 20));
    return {
      acs: this.o.acsUrl, phones: this.o.phones, models,
      start: typeof this.o.start === 'object' ? `spread over ${this.o.start.spreadMs} ms` : 'together',
      compliance: this.#mode, wallMs, counts: this.stats.counts(), phases: this.stats.latencies(),
      sessions: { total: this.stats.sessions, failed: this.stats.sessionErrors, perSecond: +(this.stats.sessions / Math.max(1, wallMs / 1000)).toFixed(1) },
      errors, memory: { heapUsedMB: +(mem.heapUsed / 2 ** 20).toFixed(1), rssMB: +(mem.rss / 2 ** 20).toFixed(1) },
      connectionRequestPort: this.cr.port,
    };
  }

  /** Lines and credentials of every phone (the CSV inventory an ACS imports). */
  inventory(): { serial: string; mac: string; model: string; deviceId: string; line: number; user: string; password: string }[] {
    const out = [];
    for (const p of this.phones) {
      if (!p) continue;
      for (const a of this.o.pbx?.expectedFor(p.serial) ?? []) {
        out.push({ serial: p.serial, mac: p.mac, model: p.model.family.name, deviceId: this.deviceId(p), line: a.line ?? 1, user: a.user, password: a.password });
      }
    }
    return out;
  }

  async stop(o: { release?: boolean } = {}): Promise<void> {
    this.#stopped = true;
    for (const t of this.#timers) t.cancel();
    for (const w of this.#waiters.splice(0)) w();
    await Promise.all(this.phones.map((p) => p?.stop(o).catch(() => {})));
    await this.cr.close();
  }
}

export { latency };

/**
 * Load a phone as a site template would (tr069-protocol.md §10.7): `count` writable string values
 * outside ManagementServer set directly on its state — for measuring what a provisioned phone
 * costs without an ACS (test/sim/memory.test.ts, scripts/bench/sim-capacity.ts).
 */
export function fillAsProvisioned(p: SimPhone, count = 45): void {
  let n = 0;
  const ms = `${p.model.root.template}ManagementServer.`;
  p.state.walk(p.state.resolve('')!, false, (item) => {
    if (n >= count || !item.param?.writable || item.param.type !== 'string' || item.param.enumValues || item.param.hidden || item.path.startsWith(ms)) return;
    p.state.set(item.path, `${p.serial}-${n++}`);
  });
}
