// A simulated SIP phone: its parameter state, its pending Inform events, its transfers and
// timers, its connection-request listeners (HTTP, and UDP via STUN), its network life (DHCP, DNS)
// in network mode, and the sessions it runs against the ACS.
// Behaviour follows tr069-protocol.md §2.2 (events), §3.1 (RPC side effects after the session),
// §1.6 (retry back-off), §7.2 (connection requests), §8 (Annex G) and §9 (DHCP bootstrap).

import { randomBytes } from 'node:crypto';
import { systemClock, type Clock } from '../../src/core/clock.ts';
import type { AcsRpcMethod, CpeRequest, Inform } from '../../src/protocols/cwmp/types.ts';
import { CrServer } from './cr-server.ts';
export type { SimPhoneOptions } from './phone-support.ts';
import { runSession, type SessionRecord } from './cwmp-client.ts';
import { EventQueue } from './events.ts';
import { SessionLog } from './session-log.ts';
import { FaultInjector } from './faults.ts';
import { phoneLines, type LineView } from './models/lines.ts';
import { getModel } from './models/index.ts';
import type { Model } from './models/types.ts';
import { canonicalValue } from './models/values.ts';
import { unimplemented, type Quirks } from './quirks.ts';
import { handleAcsRequest, type RpcHost } from './rpc.ts';
import { PhoneState } from './state.ts';
import {
  applySettings, buildInform, driftedValue, failedRecord, identityFrom, inService, retryDelayMs, transferComplete, type PhasePoint,
  type SimPhoneOptions,
} from './phone-support.ts';
import { PhoneNet, bringUp } from './phone-net.ts';
import { PhoneStun } from './phone-stun.ts';
import { PhoneTimers } from './phone-timers.ts';
import { TransferRunner } from './phone-transfers.ts';
import type { TransferResult } from './transfers.ts';

interface Deferred { promise: Promise<SessionRecord>; resolve: (s: SessionRecord) => void }

function deferred(): Deferred {
  let resolve!: (s: SessionRecord) => void;
  const promise = new Promise<SessionRecord>((r) => { resolve = r; });
  return { promise, resolve };
}

export class SimPhone {
  readonly model: Model;
  readonly state: PhoneState;
  readonly quirks: Quirks;
  readonly faults = new FaultInjector();
  readonly log: SessionLog;
  readonly crPath = `/cr/${randomBytes(8).toString('hex')}`;
  readonly #opts: SimPhoneOptions;
  readonly #clock: Clock;
  readonly #events = new EventQueue();
  readonly #changed = new Set<string>();
  readonly #timers: PhoneTimers;
  readonly #transfers: TransferRunner;
  #after: { reboot?: string; factoryReset?: boolean } = {};
  #bootstrapUrl: string | undefined;
  #retryCount = 0;
  #next: Deferred | undefined;
  #draining = false;
  #current: Promise<void> | undefined;
  #cr: CrServer | undefined;
  #lastCookie: string | undefined;
  #lineStatus: Map<string, string> | undefined;
  #net: PhoneNet | undefined;
  #stun: PhoneStun | undefined;
  #stopped = false;
  #crBlocked = false;

  constructor(opts: SimPhoneOptions) {
    this.#opts = opts;
    this.log = new SessionLog(opts.keepSessions);
    this.#clock = opts.clock ?? systemClock;
    this.#timers = new PhoneTimers(this.#clock);
    this.model = getModel(opts.model);
    this.quirks = opts.quirks ?? {};
    const off = unimplemented(this.quirks);
    if (off.length > 0) process.emitWarning(`sim: quirks not implemented yet, ignored: ${off.join(', ')}`);
    const identity = identityFrom(opts, this.model);
    this.state = new PhoneState(this.model, identity, this.#clock, opts.softwareVersion ?? this.model.family.identity.softwareVersion);
    this.state.runtime.pbx = opts.pbx;
    applySettings(this.state, opts.settings);
    this.#transfers = new TransferRunner({
      state: this.state, quirks: this.quirks, faults: this.faults, clock: this.#clock, ca: opts.ca,
      droppedParameter: opts.droppedParameter ?? `${this.model.root.template}Time.LocalTimeZone`,
      connect: () => this.#net?.connectOptions() ?? {},
      timer: (ms, fn) => this.#timers.once(ms, fn),
      addEvent: (code, key) => this.#events.add(code, key),
      reboot: () => this.#reboot(),
      kick: () => this.#kick(),
      stopped: () => this.#stopped,
    });
  }

  get serial(): string { return this.state.identity.serial; }
  get mac(): string { return this.state.identity.mac; }
  /** Most recent sessions, oldest first (bounded by keepSessions). */
  get sessions(): readonly SessionRecord[] { return this.log.records; }
  /** Sessions completed since start (also those no longer kept). */
  get sessionCount(): number { return this.log.count; }
  get connectionRequestUrl(): string { return this.state.runtime.crUrl; }
  get softwareVersion(): string { return this.state.runtime.softwareVersion; }
  /** Transfers queued, running, or waiting for TransferComplete. */
  get pendingTransfers(): number { return this.#transfers.pending; }
  /** The DHCP lease (network mode). */
  get lease(): PhoneNet['facts'] { return this.#net?.facts; }
  /** The Annex G client (STUNEnable), if running. */
  get stun(): PhoneStun | undefined { return this.#stun; }
  /** TR-069 switched on (TR-098 `ManagementServer.EnableCWMP`; always on for the other roots). */
  get cwmpEnabled(): boolean {
    const p = this.model.family.paths.enableCwmp;
    return p === undefined || this.state.get(p) === 'true';
  }

  /** Start listening for connection requests (no session yet). */
  async start(): Promise<void> {
    if (this.#cr) return;
    const cr = this.#opts.crServer ?? new CrServer({ host: this.#opts.crHost ?? '127.0.0.1', port: this.#opts.crPort ?? 0, clock: this.#clock });
    if (!this.#opts.crServer) await cr.listen();
    const random = { username: randomBytes(6).toString('hex'), password: randomBytes(12).toString('hex') };
    const p = this.model.family.paths;
    cr.add({
      path: this.crPath,
      credentials: () => (this.quirks.crRandomCredentials ? random
        : { username: this.state.get(p.crUsername) ?? '', password: this.state.get(p.crPassword) ?? '' }),
      accepted: () => this.#connectionRequest(),
      closesAfter401: this.quirks.crClosesAfter401 === true,
      blocked: () => this.#crBlocked,
    });
    this.#cr = cr;
    this.state.runtime.crUrl = cr.url(this.crPath);
    if (this.#opts.network) {
      const id = this.state.identity;
      this.#net = new PhoneNet(this.#opts.network, { mac: id.mac, oui: id.oui, serial: id.serial, productClass: id.productClass, hostname: `sip-${id.serial}` }, this.#clock);
      this.#net.onAddressChange = (ip) => this.#addressChanged(ip);
    }
    if (this.#stun === undefined && this.state.resolve(p.stunEnable)) {
      this.#stun = new PhoneStun(this.state, this.#clock, {
        connectionRequest: () => this.#connectionRequest(),
        addressChanged: (path) => this.#valueChanged(path),
        bindAddress: () => this.#net?.ip ?? this.#opts.crHost ?? '127.0.0.1',
        resolve: (host) => (this.#net ? this.#net.resolve(host) : Promise.resolve(host)),
      });
    }
    this.#schedulePeriodic();
    // Quirk localDrift: now and then someone changes a value the ACS set, from the phone's menu.
    if (this.quirks.localDrift) {
      this.#timers.every((this.#opts.driftIntervalS ?? 600) * 1000, () => {
        const d = driftedValue(this.state);
        if (d) this.localEdit(d.path, d.value);
      });
    }
  }

  /** Power on: DHCP + DNS in network mode, then BOOTSTRAP (first time or after a factory reset / ACS URL change) + BOOT. */
  async boot(): Promise<SessionRecord> {
    await this.start();
    this.#events.add('1 BOOT');
    if (this.#net && !this.#net.ip) {
      const failed = await this.#netUp();
      if (failed) return failed;
    }
    return this.#trigger();
  }

  /** Start a session now; with no pending event it is announced as `event` (default `2 PERIODIC`). */
  async session(event = '2 PERIODIC'): Promise<SessionRecord> {
    await this.start();
    if (this.#events.size === 0 && this.#changed.size === 0) this.#events.add(event);
    return this.#trigger();
  }

  /** The phone's own view of a value (hidden values included). */
  get(path: string): string | undefined {
    return this.state.get(path);
  }

  /** A change made on the phone itself (menu, web UI): VALUE CHANGE if the ACS asked for notification. */
  localEdit(path: string, value: string): void {
    const res = this.state.resolve(path);
    if (res?.kind !== 'param') throw new Error(`localEdit: no parameter ${path}`);
    const v = canonicalValue(res.def, value);
    if (v === null) throw new Error(`localEdit: invalid value for ${path} (${res.def.type})`);
    if (v === this.state.valueOf(res.def, res.path)) return;
    const wasEnabled = this.cwmpEnabled;
    this.state.set(res.path, v);
    this.#valueChanged(res.path);
    this.#watchLines();
    if (!wasEnabled && this.cwmpEnabled) this.#kick(); // TR-069 switched on at the menu: first contact now
    void this.#stun?.sync();
  }

  /** Put a firewall between the ACS and the phone's HTTP CR port (connections reset): only UDP CRs get through. */
  blockHttpConnectionRequests(blocked: boolean): void {
    this.#crBlocked = blocked;
  }

  /** The phone's lines as the site PBX sees them (registered or why not). */
  lines(): LineView[] {
    return phoneLines({ read: (p) => this.state.get(p) ?? '', instances: (t) => this.state.instances(t), pbx: this.#opts.pbx }, this.model.family.voice);
  }

  /** In service from the phone's own view: every line the PBX assigns to it (or every enabled line) registered. */
  inService(): boolean {
    return inService(this.lines(), this.#opts.pbx?.expectedFor(this.serial) ?? []);
  }

  /** A user power-cycles the phone: `1 BOOT` (DHCP again in network mode: INIT-REBOOT). */
  async powerCycle(): Promise<SessionRecord> {
    this.#reboot();
    if (this.#net) { const failed = await this.#netUp(); if (failed) return failed; }
    return this.#trigger();
  }

  /** A user factory-resets the phone from its menu: state back to factory, BOOTSTRAP + BOOT. */
  factoryReset(): Promise<SessionRecord> {
    this.#doFactoryReset();
    return this.#trigger();
  }

  injectFault(method: AcsRpcMethod, code: number, times = 1): void {
    this.faults.rpc(method, code, times);
  }

  injectTransferFault(code: number, times = 1): void {
    this.faults.transfer(code, times);
  }

  onSession(cb: (s: SessionRecord) => void): () => void {
    return this.log.listen(cb);
  }

  /**
   * The next completed session matching `pred`. With `fromIndex` (a past sessionCount), sessions
   * completed since then count too, so a test cannot miss a fast session.
   */
  waitForSession(pred: (s: SessionRecord) => boolean = () => true, timeoutMs = 10_000, fromIndex?: number): Promise<SessionRecord> {
    return this.log.wait(pred, timeoutMs, fromIndex);
  }

  /** Stop; with `release`, a DHCPRELEASE first (network mode). */
  async stop(o: { release?: boolean } = {}): Promise<void> {
    this.#stopped = true;
    this.#timers.stop();
    this.log.close();
    await this.#current;
    await this.#stun?.stop();
    if (this.#net) { if (o.release) await this.#net.release(); else this.#net.stop(); }
    if (this.#cr) {
      this.#cr.remove(this.crPath);
      if (!this.#opts.crServer) await this.#cr.close();
    }
  }

  // ---- network ---------------------------------------------------------------------------------

  async #netUp(): Promise<SessionRecord | undefined> {
    try {
      await bringUp(this.#net!, this.state, (ip) => this.#cr!.url(this.crPath, ip), this.#opts.acsUrl, (p) => this.#phase(p));
      return undefined;
    } catch (err) {
      const rec = failedRecord(this.#events.snapshot(), this.#clock.now(), err instanceof Error ? err.message : String(err));
      this.log.add(rec);
      if (this.#opts.retry) this.#timers.once(retryDelayMs(this.state, 1), () => void this.boot());
      return rec;
    }
  }

  #addressChanged(ip: string): void {
    this.state.runtime.net.ip = ip;
    this.state.runtime.crUrl = this.#cr!.url(this.crPath, ip);
    this.#valueChanged(this.model.family.paths.crUrl); // forced active notification (§7.1)
    void this.#stun?.sync();
  }

  #phase(p: PhasePoint): void {
    this.#opts.onPhase?.(this, p, this.#clock.now());
  }

  // ---- sessions --------------------------------------------------------------------------------

  #connectionRequest(): void {
    this.#events.add('6 CONNECTION REQUEST');
    this.#kick(); // several CRs before the session starts → one session (§7.2)
  }

  /** A value changed not through the ACS: notification 1 waits for the next Inform, 2 starts a session. */
  #valueChanged(path: string): void {
    const r = this.state.resolve(path);
    if (r?.kind !== 'param') return;
    const n = this.state.notification(r.path, r.def);
    if (n === 0 || n === 3 || n === 5) return; // off, or lightweight-only (UDP, not simulated)
    this.#changed.add(r.path);
    if (n === 2 || n === 6) this.#kick(); // active: a session as soon as possible
  }

  /** Line Status values with notification on: a registration change is a value change (the PBX is the truth). */
  #watchLines(): void {
    if (!this.state.hasAttributes) return; // the ACS asked for no notification (no family notifies Status by default)
    for (const line of this.lines()) {
      const r = this.state.resolve(line.statusPath);
      if (r?.kind !== 'param' || this.state.notification(r.path, r.def) === 0) continue;
      const now = this.state.valueOf(r.def, r.path);
      const last = (this.#lineStatus ??= new Map()).get(r.path);
      this.#lineStatus.set(r.path, now);
      if (last !== undefined && last !== now) this.#valueChanged(r.path);
    }
  }

  /** Ask for a session without waiting for it. */
  #kick(): void {
    if (!this.#stopped) this.#trigger().catch(() => {});
  }

  #trigger(): Promise<SessionRecord> {
    if (this.#stopped) return Promise.reject(new Error('phone stopped'));
    if (this.#next) return this.#next.promise;
    const d = deferred();
    this.#next = d;
    if (!this.#draining) this.#current = this.#drain();
    return d.promise;
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      while (this.#next && !this.#stopped) {
        const d = this.#next;
        this.#next = undefined;
        let rec: SessionRecord;
        try {
          rec = await this.#runOne();
        } catch (err) { // a simulator bug must not wedge the phone
          rec = failedRecord([], this.#clock.now(), `simulator: ${String(err)}`);
        }
        if (rec.cookie) this.#lastCookie = rec.cookie;
        this.log.add(rec);
        d.resolve(rec);
        await this.#afterSession(rec);
      }
    } finally {
      this.#draining = false;
    }
  }

  #buildInform(): Inform {
    const p = this.model.family.paths;
    if (this.#bootstrapUrl !== this.state.get(p.url)) this.#events.add('0 BOOTSTRAP'); // first contact or new ACS (§2.2)
    if (this.#changed.size > 0) this.#events.add('4 VALUE CHANGE');
    return buildInform(this, this.#events.snapshot(), this.#changed, this.#retryCount, this.#clock.now());
  }

  async #runOne(): Promise<SessionRecord> {
    if (!this.cwmpEnabled) return failedRecord(this.#events.snapshot(), this.#clock.now(), 'TR-069 is off on this phone (EnableCWMP false)');
    const inform = this.#buildInform();
    const sentChanges = [...this.#changed];
    const p = this.model.family.paths;
    const url = this.state.get(p.url) ?? this.#opts.acsUrl;
    if (this.#net) await this.#net.resolve(new URL(url).hostname); // a new ACS URL: ask DNS
    const sent = new Set<TransferResult>();
    const cwmp = { ...this.model.family.cwmp, ...this.#opts.cwmp };
    const rec = await runSession({
      url, ca: this.#opts.ca, username: this.state.get(p.username) ?? '', password: this.state.get(p.password) ?? '',
      namespace: cwmp.namespace, sessionTimeout: cwmp.sessionTimeout, supportedVersions: cwmp.supportedVersions,
      quirks: this.quirks, timeoutMs: this.#opts.timeoutMs, staleCookie: this.#lastCookie, connect: this.#net?.connectOptions(),
    }, inform, {
      informDelivered: () => {
        this.#events.delivered(inform.events);
        for (const c of sentChanges) this.#changed.delete(c);
        if (inform.events.some((e) => e.code === '0 BOOTSTRAP')) this.#bootstrapUrl = url;
        this.#retryCount = 0;
        this.#phase('informed');
      },
      nextCpeRequest: () => {
        const r = this.#transfers.results.find((x) => !sent.has(x));
        if (!r) return undefined;
        sent.add(r);
        return transferComplete(r);
      },
      cpeRequestDone: (req: CpeRequest) => {
        if (req.method !== 'TransferComplete') return;
        const r = this.#transfers.reported(req.commandKey);
        if (r) this.#events.transferReported(r.transfer.kind, r.transfer.commandKey, this.#transfers.results.length > 0);
      },
      handle: (req) => handleAcsRequest(this.#host(), req),
    });
    if (!rec.ok && rec.transcript.every((t) => t.method !== 'InformResponse')) {
      this.#events.failed();
      this.#retryCount++;
    }
    return rec;
  }

  #host(): RpcHost {
    return {
      state: this.state, quirks: this.quirks, faults: this.faults, transfers: this.#transfers.queue,
      reboot: (commandKey) => { this.#after.reboot = commandKey; },
      factoryReset: () => { this.#after.factoryReset = true; },
      scheduleInform: (delaySeconds, commandKey) => this.#timers.once(delaySeconds * 1000, () => {
        this.#events.add('3 SCHEDULED');
        this.#events.add('M ScheduleInform', commandKey);
        this.#kick();
      }),
    };
  }

  /** Reboot, factory reset and transfers happen once the session is over (§3.1). */
  async #afterSession(rec: SessionRecord): Promise<void> {
    const after = this.#after;
    this.#after = {};
    if (!rec.ok && this.#opts.retry && this.cwmpEnabled) this.#timers.once(retryDelayMs(this.state, this.#retryCount), () => this.#kick());
    if (after.factoryReset) {
      this.#doFactoryReset();
      this.#kick();
      return;
    }
    if (after.reboot !== undefined) {
      this.#reboot();
      this.#events.add('M Reboot', after.reboot);
      this.#kick();
    }
    this.#watchLines();
    this.#schedulePeriodic();
    void this.#stun?.sync();
    await this.#transfers.startQueued();
  }

  #reboot(): void {
    this.state.runtime.bootAt = this.#clock.now();
    this.#events.rebooted();
    this.#changed.clear();
    this.#net?.forgetDns();
    this.#events.add('1 BOOT');
  }

  #doFactoryReset(): void {
    this.state.factoryReset(); // site settings (opts.settings) are gone too: EnableCWMP back to off on the Ex family
    this.#transfers.clear();
    this.#events.clear();
    this.#bootstrapUrl = undefined;
    this.#lastCookie = undefined;
    this.#lineStatus = undefined;
    this.#reboot();
    void this.#stun?.sync();
  }

  // ---- timers ----------------------------------------------------------------------------------

  /** Periodic Informs at PeriodicInformInterval (§10.2); rescheduled when the ACS changes the interval. */
  #schedulePeriodic(): void {
    if (!this.#opts.periodicInform) return;
    const p = this.model.family.paths;
    this.#timers.periodic(Math.max(1, Number(this.state.get(p.periodicInterval) ?? '3600')), () => {
      if (this.state.get(p.periodicEnable) !== 'true') return;
      this.#events.add('2 PERIODIC');
      this.#kick();
    });
  }
}
