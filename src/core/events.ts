// Typed in-process events: how services talk to each other without importing each other
// (ARCHITECTURE.md: "services never import each other"). Each service may add its own events to
// EventMap by declaration merging in its own file:
//
//   declare module '../../core/events.ts' {
//     interface EventMap { 'dhcp.lease': { mac: string; ip: string } }
//   }
//
// Listeners run synchronously in emit order; a throwing listener is logged, never propagated.

import type { Logger } from './log.ts';

// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface EventMap {
  /** All services started (main.ts). */
  'app.ready': { lab: boolean };
  /** A CPE session started: its Inform is stored (ACS). */
  'acs.session.start': { deviceId: string; sessionId: string; events: string[] };
  /** A CPE session ended (ACS). */
  'acs.session.end': { deviceId: string; sessionId: string; outcome: string };
  /** A TransferComplete was stored (ACS). */
  'acs.transfer.complete': { deviceId: string; commandKey: string; faultCode: number };
  /** The ACS is listening (its URL, actual port and the site CA file). */
  'acs.listening': { url: string; port: number; caFile: string | null };
  /** The management API is listening. */
  'api.listening': { url: string; port: number; tokenFile: string };
  /** Someone (the API) asks the ACS to send a connection request to a device. */
  'acs.cr.request': { requestId: string; deviceId: string };
  /** How that connection request went: path 'http' or 'udp'. */
  'acs.cr.result': { requestId: string; deviceId: string; ok: boolean; path: 'http' | 'udp' | 'none'; detail: string };
  /** The ACS wants a UDP connection request sent from the STUN port (TR-069 Annex G). */
  'stun.cr.send': { requestId: string; deviceId: string; host: string; port: number; message: string };
  /** The STUN service reports how a UDP connection request went. */
  'stun.cr.result': { requestId: string; ok: boolean; detail: string };
}

export type EventName = keyof EventMap;
type Listener<K extends EventName> = (payload: EventMap[K]) => void;

export class EventBus {
  readonly #listeners = new Map<EventName, Set<Listener<EventName>>>();
  readonly #log: Logger | undefined;

  constructor(log?: Logger) {
    this.#log = log;
  }

  on<K extends EventName>(name: K, fn: Listener<K>): () => void {
    let set = this.#listeners.get(name);
    if (!set) this.#listeners.set(name, (set = new Set()));
    set.add(fn as Listener<EventName>);
    return () => set.delete(fn as Listener<EventName>);
  }

  emit<K extends EventName>(name: K, payload: EventMap[K]): void {
    const set = this.#listeners.get(name);
    if (!set) return;
    for (const fn of set) {
      try {
        fn(payload);
      } catch (err) {
        this.#log?.error({ err, event: name }, 'event listener failed');
      }
    }
  }
}
