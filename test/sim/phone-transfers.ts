// A phone's file transfers between sessions (tr069-protocol.md §3.1 Download/Upload/
// ScheduleDownload, §3.2 TransferComplete): the queue the RPCs fill, running each transfer after
// the session (or after DelaySeconds / WindowStart on the phone clock), the results waiting for
// their TransferComplete, and a firmware image flashed then booted into (`1 BOOT`). The quirks
// noTransferComplete, transferFaultAfterSuccess and droppedParameterAfterUpgrade act here.

import type { Clock } from '../../src/core/clock.ts';
import type { FaultInjector } from './faults.ts';
import type { ConnectOptions } from './phone-net.ts';
import type { Quirks } from './quirks.ts';
import type { PhoneState } from './state.ts';
import { injectedResult, runDownload, runUpload, type Transfer, type TransferResult } from './transfers.ts';

export interface TransferHooks {
  state: PhoneState;
  quirks: Quirks;
  faults: FaultInjector;
  clock: Clock;
  ca?: string | undefined;
  /** The parameter a firmware upgrade drops (quirk droppedParameterAfterUpgrade). */
  droppedParameter: string;
  connect(): ConnectOptions;
  timer(ms: number, fn: () => void): void;
  addEvent(code: string, commandKey?: string): void;
  reboot(): void;
  kick(): void;
  stopped(): boolean;
}

export class TransferRunner {
  /** Transfers not yet reported: queued (cancellable), running. */
  readonly queue: Transfer[] = [];
  /** Finished transfers awaiting their TransferComplete acknowledgement. */
  readonly results: TransferResult[] = [];
  readonly #h: TransferHooks;
  readonly #scheduled = new WeakSet<Transfer>();

  constructor(h: TransferHooks) {
    this.#h = h;
  }

  get pending(): number { return this.queue.length + this.results.length; }

  /** After a session: start what the ACS queued (at once, or after its delay). */
  async startQueued(): Promise<void> {
    for (const t of this.queue.filter((x) => x.state === 'queued' && !this.#scheduled.has(x))) {
      this.#scheduled.add(t); // still 'queued' (cancellable) until its delay has passed
      if (t.delaySeconds > 0) this.#h.timer(t.delaySeconds * 1000, () => void this.#run(t));
      else await this.#run(t);
    }
  }

  /** The ACS acknowledged the TransferComplete for `commandKey`. */
  reported(commandKey: string): TransferResult | undefined {
    const i = this.results.findIndex((r) => r.transfer.commandKey === commandKey);
    return i >= 0 ? this.results.splice(i, 1)[0] : undefined;
  }

  clear(): void {
    this.queue.length = 0;
    this.results.length = 0;
  }

  async #run(t: Transfer): Promise<void> {
    if (this.#h.stopped() || !this.queue.includes(t) || t.state !== 'queued') return; // cancelled meanwhile
    try {
      await this.#transfer(t);
    } catch (err) { // a bug in the simulator, not a transfer failure
      t.state = 'done';
      process.emitWarning(`sim: transfer ${t.commandKey} crashed: ${String(err)}`);
    }
  }

  async #transfer(t: Transfer): Promise<void> {
    const h = this.#h;
    t.state = 'running';
    const injected = h.faults.takeTransfer();
    const env = { state: h.state, ca: h.ca, now: () => h.clock.now(), booleanAsInt: h.quirks.booleanAsInt, connect: h.connect() };
    const result = injected !== undefined ? injectedResult(t, injected, h.clock.now())
      : t.kind === 'Upload' ? await runUpload(t, env) : await runDownload(t, env);
    t.state = 'done';
    this.queue.splice(this.queue.indexOf(t), 1);
    const ok = result.fault.code === 0;
    if (ok && h.quirks.transferFaultAfterSuccess) result.fault = { code: 9010, string: 'File transfer failure' }; // applied all the same
    if (!(ok && h.quirks.noTransferComplete)) {
      this.results.push(result);
      h.addEvent('7 TRANSFER COMPLETE');
      h.addEvent(`M ${t.kind}`, t.commandKey);
    }
    if (result.firmware !== undefined) {
      h.state.runtime.softwareVersion = result.firmware; // flash, then reboot into it
      if (h.quirks.droppedParameterAfterUpgrade) {
        const r = h.state.resolve(h.droppedParameter);
        if (r?.kind === 'param') h.state.dropParameter(r.def.template);
      }
      h.reboot();
    }
    h.kick();
  }
}
