// UDP connection requests (TR-069 Annex G, tr069-protocol.md §8.11): the ACS builds the signed
// message and emits 'stun.cr.send'; this sends it from the STUN socket (§8.7 step 6: the NAT
// binding was opened towards the STUN address and port, a port-restricted NAT drops anything
// else) several times (UDP is lossy; the CPE drops copies by id), and reports 'stun.cr.result'
// once: ok as soon as one copy left the socket, failed when none could be sent.

import { isIP } from 'node:net';
import type { Clock, Timer } from '../../core/clock.ts';
import type { EventBus, EventMap } from '../../core/events.ts';
import type { Logger } from '../../core/log.ts';

export type SendFn = (data: Buffer, port: number, address: string) => Promise<void>;

export interface CrSenderOptions {
  clock: Clock;
  events: EventBus;
  log: Logger;
  /** Delays of each copy from the first, ms (e.g. [0, 500, 1500]). */
  schedule: readonly number[];
  maxPending: number;
  /** null while the socket is not bound. */
  send: () => SendFn | null;
  count?: (result: 'sent' | 'failed') => void;
}

interface Pending {
  req: EventMap['stun.cr.send'];
  data: Buffer;
  timers: Timer[];
  left: number;
  reported: boolean;
  lastError: string;
}

const MAX_MESSAGE = 1400;

export class CrSender {
  readonly #o: CrSenderOptions;
  readonly #pending = new Map<string, Pending>();

  constructor(o: CrSenderOptions) {
    this.#o = o;
  }

  get pending(): number {
    return this.#pending.size;
  }

  handle(req: EventMap['stun.cr.send']): void {
    const bad = this.#validate(req);
    if (bad) { this.#result(req.requestId, false, bad); return; }
    const p: Pending = { req, data: Buffer.from(req.message, 'utf8'), timers: [], left: this.#o.schedule.length, reported: false, lastError: '' };
    this.#pending.set(req.requestId, p);
    for (const [i, delay] of this.#o.schedule.entries()) {
      if (delay <= 0) this.#copy(p, i);
      else p.timers.push(this.#o.clock.setTimeout(() => this.#copy(p, i), delay));
    }
  }

  /** Cancel every retransmission (service stop). */
  stop(): void {
    for (const p of this.#pending.values()) {
      for (const t of p.timers) t.cancel();
      if (!p.reported) this.#result(p.req.requestId, false, 'STUN service stopped before the request was sent');
    }
    this.#pending.clear();
  }

  #validate(req: EventMap['stun.cr.send']): string | null {
    // §8.11: only to an address learned for the device; the ACS passes an IP from Inform or
    // STUN. A name would need a lookup on the send path — refuse it rather than resolve it.
    if (isIP(req.host) === 0) return `host ${JSON.stringify(req.host)} is not an IP address`;
    if (!Number.isInteger(req.port) || req.port < 1 || req.port > 65535) return `port ${req.port} is out of range`;
    if (!req.message.startsWith('GET ') || Buffer.byteLength(req.message) > MAX_MESSAGE) return 'message is not a UDP connection request (GET …, at most 1400 bytes)';
    if (this.#pending.has(req.requestId)) return `request ${req.requestId} is already being sent`;
    if (this.#pending.size >= this.#o.maxPending) return `more than ${this.#o.maxPending} UDP connection requests pending`;
    if (!this.#o.send()) return 'STUN socket is not bound';
    return null;
  }

  #copy(p: Pending, i: number): void {
    const send = this.#o.send();
    const done = (err: string | null) => {
      if (err === null && !p.reported) {
        p.reported = true;
        this.#result(p.req.requestId, true, `sent to ${p.req.host}:${p.req.port} from the STUN port (copy ${i + 1} of ${this.#o.schedule.length})`);
      }
      if (err !== null) p.lastError = err;
      if (--p.left === 0) {
        this.#pending.delete(p.req.requestId);
        if (!p.reported) { p.reported = true; this.#result(p.req.requestId, false, `no copy could be sent: ${p.lastError}`); }
      }
    };
    if (!send) { done('STUN socket is not bound'); return; }
    send(p.data, p.req.port, p.req.host).then(() => done(null), (err: unknown) => done((err as Error).message));
  }

  #result(requestId: string, ok: boolean, detail: string): void {
    this.#o.count?.(ok ? 'sent' : 'failed');
    if (!ok) this.#o.log.limited('stun.cr').warn({ requestId, detail }, 'UDP connection request not sent');
    this.#o.events.emit('stun.cr.result', { requestId, ok, detail });
  }
}
