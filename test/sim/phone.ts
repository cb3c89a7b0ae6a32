// A simulated SIP phone: its parameter state, its pending Inform events, its transfers and
// timers, its connection-request listener, and the sessions it runs against the ACS.
// Behaviour follows tr069-protocol.md §2.2 (events), §3.1 (RPC side effects after the session),
// §1.6 (retry back-off) and §7.2 (connection requests).

import { randomBytes } from 'node:crypto';
import { systemClock, type Clock, type Timer } from '../../src/core/clock.ts';
import type { AcsRpcMethod, CpeRequest, Inform } from '../../src/protocols/cwmp/types.ts';
import { CrServer } from './cr-server.ts';
export type { SimPhoneOptions } from './phone-support.ts';
import { runSession, type SessionRecord } from './cwmp-client.ts';
import { EventQueue } from './events.ts';
import { SessionLog } from './session-log.ts';
import { FaultInjector } from './faults.ts';
import { getModel } from './models/index.ts';
import type { Model } from './models/types.ts';
import { canonicalValue } from './models/values.ts';
import { unimplemented, type Quirks } from './quirks.ts';
import { handleAcsRequest, type RpcHost } from './rpc.ts';
import { PhoneState } from './state.ts';
import { buildInform, identityFrom, retryDelayMs, transferComplete, type SimPhoneOptions } from './phone-support.ts';
import { injectedResult, runDownload, runUpload, type Transfer, type TransferResult } from './transfers.ts';

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
  readonly #transfers: Transfer[] = [];
  readonly #results: TransferResult[] = [];
  readonly #timers = new Set<Timer>();
  readonly #scheduled = new WeakSet<Transfer>();
  #after: { reboot?: string; factoryReset?: boolean } = {};
  #bootstrapUrl: string | undefined;
  #retryCount = 0;
  #next: Deferred | undefined;
  #draining = false;
  #current: Promise<void> | undefined;
  #cr: CrServer | undefined;
  #periodic: Timer | undefined;
  #lastCookie: string | undefined;
  #stopped = false;

  constructor(opts: SimPhoneOptions) {
    this.#opts = opts;
    this.log = new SessionLog(opts.keepSessions);
    this.#clock = opts.clock ?? systemClock;
    this.model = getModel(opts.model);
    this.quirks = opts.quirks ?? {};
    const off = unimplemented(this.quirks);
    if (off.length > 0) process.emitWarning(`sim: quirks not implemented yet, ignored: ${off.join(', ')}`);
    const identity = identityFrom(opts, this.model);
    this.state = new PhoneState(this.model, identity, this.#clock, opts.softwareVersion ?? this.model.family.identity.softwareVersion);
  }

  get serial(): string { return this.#opts.serial; }
  /** Most recent sessions, oldest first (bounded by keepSessions). */
  get sessions(): readonly SessionRecord[] { return this.log.records; }
  /** Sessions completed since start (also those no longer kept). */
  get sessionCount(): number { return this.log.count; }
  get connectionRequestUrl(): string { return this.state.runtime.crUrl; }
  get softwareVersion(): string { return this.state.runtime.softwareVersion; }
  /** Transfers queued, running, or waiting for TransferComplete. */
  get pendingTransfers(): number { return this.#transfers.length + this.#results.length; }

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
    });
    this.#cr = cr;
    this.state.runtime.crUrl = cr.url(this.crPath);
    if (this.#opts.periodicInform) this.#schedulePeriodic();
  }

  /** Power on: BOOTSTRAP (first time or after a factory reset / ACS URL change) + BOOT. Resolves when that session ends. */
  async boot(): Promise<SessionRecord> {
    await this.start();
    this.#events.add('1 BOOT');
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
    this.state.set(res.path, v);
    const n = this.state.notification(res.path, res.def);
    if (n === 0 || n === 3 || n === 5) return; // off, or lightweight-only (UDP, not simulated)
    this.#changed.add(res.path);
    if (n === 2 || n === 6) this.#kick(); // active: a session as soon as possible
  }

  /** A user power-cycles the phone: `1 BOOT`. */
  powerCycle(): Promise<SessionRecord> {
    this.#reboot();
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

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const t of this.#timers) t.cancel();
    this.#timers.clear();
    this.#periodic?.cancel();
    this.log.close();
    await this.#current;
    if (this.#cr) {
      this.#cr.remove(this.crPath);
      if (!this.#opts.crServer) await this.#cr.close();
    }
  }

  // ---- sessions --------------------------------------------------------------------------------

  #connectionRequest(): void {
    this.#events.add('6 CONNECTION REQUEST');
    this.#kick(); // several CRs before the session starts → one session (§7.2)
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
          const now = this.#clock.now();
          rec = { events: [], startedAt: now, endedAt: now, ok: false, error: `simulator: ${String(err)}`, acsMethods: [], transcript: [], httpRequests: 0, connections: 0, auth: 'none' };
        }
        this.#record(rec);
        d.resolve(rec);
        await this.#afterSession(rec);
      }
    } finally {
      this.#draining = false;
    }
  }

  #record(rec: SessionRecord): void {
    if (rec.cookie) this.#lastCookie = rec.cookie;
    this.log.add(rec);
  }

  #buildInform(): Inform {
    const p = this.model.family.paths;
    if (this.#bootstrapUrl !== this.state.get(p.url)) this.#events.add('0 BOOTSTRAP'); // first contact or new ACS (§2.2)
    if (this.#changed.size > 0) this.#events.add('4 VALUE CHANGE');
    return buildInform(this, this.#events.snapshot(), this.#changed, this.#retryCount, this.#clock.now());
  }

  async #runOne(): Promise<SessionRecord> {
    const inform = this.#buildInform();
    const sentChanges = [...this.#changed];
    const p = this.model.family.paths;
    const url = this.state.get(p.url) ?? this.#opts.acsUrl;
    const sentTransfers = new Set<TransferResult>();
    const cwmp = { ...this.model.family.cwmp, ...this.#opts.cwmp };
    const rec = await runSession({
      url, ca: this.#opts.ca, username: this.state.get(p.username) ?? '', password: this.state.get(p.password) ?? '',
      namespace: cwmp.namespace, sessionTimeout: cwmp.sessionTimeout, supportedVersions: cwmp.supportedVersions,
      quirks: this.quirks, timeoutMs: this.#opts.timeoutMs, staleCookie: this.#lastCookie,
    }, inform, {
      informDelivered: () => {
        this.#events.delivered(inform.events);
        for (const c of sentChanges) this.#changed.delete(c);
        if (inform.events.some((e) => e.code === '0 BOOTSTRAP')) this.#bootstrapUrl = url;
        this.#retryCount = 0;
      },
      nextCpeRequest: () => {
        const r = this.#results.find((x) => !sentTransfers.has(x));
        if (!r) return undefined;
        sentTransfers.add(r);
        return transferComplete(r);
      },
      cpeRequestDone: (req: CpeRequest) => {
        if (req.method !== 'TransferComplete') return;
        const i = this.#results.findIndex((r) => r.transfer.commandKey === req.commandKey);
        const [r] = i >= 0 ? this.#results.splice(i, 1) : [];
        if (r) this.#events.transferReported(r.transfer.kind, r.transfer.commandKey, this.#results.length > 0);
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
      state: this.state, quirks: this.quirks, faults: this.faults, transfers: this.#transfers,
      reboot: (commandKey) => { this.#after.reboot = commandKey; },
      factoryReset: () => { this.#after.factoryReset = true; },
      scheduleInform: (delaySeconds, commandKey) => this.#timer(delaySeconds * 1000, () => {
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
    if (!rec.ok && this.#opts.retry) this.#scheduleRetry();
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
    for (const t of this.#transfers.filter((x) => x.state === 'queued' && !this.#scheduled.has(x))) {
      this.#scheduled.add(t); // still 'queued' (cancellable) until its delay has passed
      if (t.delaySeconds > 0) this.#timer(t.delaySeconds * 1000, () => void this.#runTransfer(t));
      else await this.#runTransfer(t);
    }
  }

  async #runTransfer(t: Transfer): Promise<void> {
    if (this.#stopped || !this.#transfers.includes(t) || t.state !== 'queued') return; // cancelled meanwhile
    try {
      await this.#transfer(t);
    } catch (err) { // a bug in the simulator, not a transfer failure: report it as 9002
      t.state = 'done';
      process.emitWarning(`sim: transfer ${t.commandKey} crashed: ${String(err)}`);
    }
  }

  async #transfer(t: Transfer): Promise<void> {
    t.state = 'running';
    const injected = this.faults.takeTransfer();
    const env = { state: this.state, ca: this.#opts.ca, now: () => this.#clock.now(), booleanAsInt: this.quirks.booleanAsInt };
    const result = injected !== undefined ? injectedResult(t, injected, this.#clock.now())
      : t.kind === 'Upload' ? await runUpload(t, env) : await runDownload(t, env);
    t.state = 'done';
    this.#transfers.splice(this.#transfers.indexOf(t), 1);
    const silent = this.quirks.noTransferComplete === true && result.fault.code === 0;
    if (!silent) {
      this.#results.push(result);
      this.#events.add('7 TRANSFER COMPLETE');
      this.#events.add(`M ${t.kind}`, t.commandKey);
    }
    if (result.firmware !== undefined) {
      this.state.runtime.softwareVersion = result.firmware; // flash, then reboot into it
      this.#reboot();
    }
    this.#kick();
  }

  #reboot(): void {
    this.state.runtime.bootAt = this.#clock.now();
    this.#events.rebooted();
    this.#changed.clear();
    this.#events.add('1 BOOT');
  }

  #doFactoryReset(): void {
    this.state.factoryReset();
    this.#transfers.length = 0;
    this.#results.length = 0;
    this.#events.clear();
    this.#bootstrapUrl = undefined;
    this.#lastCookie = undefined;
    this.#reboot();
  }

  // ---- timers ----------------------------------------------------------------------------------

  #timer(ms: number, fn: () => void): void {
    const t = this.#clock.setTimeout(() => { this.#timers.delete(t); if (!this.#stopped) fn(); }, ms);
    this.#timers.add(t);
  }

  #schedulePeriodic(): void {
    const p = this.model.family.paths;
    const seconds = Math.max(1, Number(this.state.get(p.periodicInterval) ?? '3600'));
    this.#periodic = this.#clock.setTimeout(() => {
      if (this.#stopped) return;
      if (this.state.get(p.periodicEnable) === 'true') {
        this.#events.add('2 PERIODIC');
        this.#kick();
      }
      this.#schedulePeriodic();
    }, seconds * 1000);
  }

  #scheduleRetry(): void {
    this.#timer(retryDelayMs(this.state, this.#retryCount), () => this.#kick());
  }
}
