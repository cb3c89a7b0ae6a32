// Pending Inform events of a simulated phone (tr069-protocol.md §2.2): single events at most
// once, `M <Method>` events once per CommandKey, delivered when the InformResponse arrives —
// except the transfer events, which stay until the TransferComplete is acknowledged (§1.8).

import type { EventStruct } from '../../src/protocols/cwmp/types.ts';

/** Events that stay pending until their TransferComplete has been answered. */
const TRANSFER_EVENTS = new Set(['7 TRANSFER COMPLETE', 'M Download', 'M Upload', 'M ScheduleDownload']);
/** Not retried when a session fails (§2.2: icwmp drops it). */
const NOT_RETRIED = new Set(['6 CONNECTION REQUEST']);

export class EventQueue {
  #events: EventStruct[] = [];

  add(code: string, commandKey = ''): void {
    const multiple = code.startsWith('M ');
    if (this.#events.some((e) => e.code === code && (!multiple || e.commandKey === commandKey))) return;
    this.#events.push({ code, commandKey });
  }

  has(code: string): boolean {
    return this.#events.some((e) => e.code === code);
  }

  get size(): number { return this.#events.length; }

  /** The events of the next Inform, in code order (single events first, then M events). */
  snapshot(): EventStruct[] {
    const rank = (c: string): number => (c.startsWith('M ') ? 1000 : /^\d+/.test(c) ? Number(/^\d+/.exec(c)![0]) : 2000);
    return [...this.#events].sort((a, b) => rank(a.code) - rank(b.code));
  }

  /** InformResponse received for an Inform that carried `sent`. */
  delivered(sent: readonly EventStruct[]): void {
    this.#events = this.#events.filter((e) => TRANSFER_EVENTS.has(e.code) || !sent.some((s) => s.code === e.code && s.commandKey === e.commandKey));
  }

  /** TransferComplete for `commandKey` acknowledged; `more` = other results still to report. */
  transferReported(method: string, commandKey: string, more: boolean): void {
    this.#events = this.#events.filter((e) => !(e.code === `M ${method}` && e.commandKey === commandKey) && (more || e.code !== '7 TRANSFER COMPLETE'));
  }

  /** The session failed before the InformResponse. */
  failed(): void {
    this.#events = this.#events.filter((e) => !NOT_RETRIED.has(e.code));
  }

  /** A reboot: `1 BOOT` replaces an undelivered one; value-change and CR events do not survive (§2.2). */
  rebooted(): void {
    this.#events = this.#events.filter((e) => !['1 BOOT', '4 VALUE CHANGE', '6 CONNECTION REQUEST', '8 DIAGNOSTICS COMPLETE'].includes(e.code));
  }

  clear(): void {
    this.#events = [];
  }
}
