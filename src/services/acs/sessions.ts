// Live CWMP sessions: found by cookie first, then by TCP connection (tr069-protocol.md §1.3,
// §11.2: some CPEs never echo cookies), one per device, with idle, per-request and maximum
// timeouts driven by the injected clock.

import { randomBytes } from 'node:crypto';
import type { Clock, Timer } from '../../core/clock.ts';
import type { AcsRequest, CwmpNamespace, Inform } from '../../protocols/cwmp/types.ts';
import type { SessionState } from './session.ts';

export interface LiveSession {
  id: string;
  deviceId: string;
  namespace: CwmpNamespace;
  version: string;
  remoteIp: string;
  startedAt: number;
  state: SessionState;
  /** The Inform that opened the session (events, parameters, DeviceId). */
  inform: Inform;
  /** Per-session state of the provisioning engine (services/acs/provision.ts). */
  provisioning: unknown;
  /** The data-model root the device reported ('Device' or 'InternetGatewayDevice'). */
  root: string;
  /** How the Inform authenticated, and whether the connection was TLS (readiness reports). */
  auth: { scheme: 'Digest' | 'Basic'; kind: 'device' | 'pending' | 'bootstrap'; encrypted: boolean } | null;
  /** Credential rotation: 'due' → send it first; 'sent' → its answer is awaited. */
  rotation: 'none' | 'due' | 'sent';
  /** HoldRequests in force for this session (acs.holdRequests and tasks queued). */
  hold: boolean;
  rpcs: number;
  /** The request in flight, to apply its effects when the answer comes. */
  sent: AcsRequest | null;
  idleMs: number;
  timers: { idle: Timer | null; request: Timer | null; max: Timer | null };
  /** Serialises message handling: a session handles one POST at a time. */
  busy: Promise<void>;
}

export type TimeoutKind = 'idle' | 'request' | 'max';

export class SessionTable {
  readonly #byId = new Map<string, LiveSession>();
  readonly #byDevice = new Map<string, LiveSession>();
  readonly #bySocket = new WeakMap<object, LiveSession>();
  readonly #clock: Clock;
  readonly #onTimeout: (s: LiveSession, kind: TimeoutKind) => void;

  constructor(clock: Clock, onTimeout: (s: LiveSession, kind: TimeoutKind) => void) {
    this.#clock = clock;
    this.#onTimeout = onTimeout;
  }

  get size(): number {
    return this.#byId.size;
  }

  create(o: { deviceId: string; inform: Inform; root: string; namespace: CwmpNamespace; version: string; remoteIp: string; socket: object; idleMs: number; maxMs: number }): LiveSession {
    const s: LiveSession = {
      id: randomBytes(16).toString('hex'), deviceId: o.deviceId, namespace: o.namespace, version: o.version,
      remoteIp: o.remoteIp, startedAt: this.#clock.now(), state: { name: 'cpe-requests' }, inform: o.inform, provisioning: null, auth: null, root: o.root, rotation: 'none', hold: false, rpcs: 0, sent: null,
      idleMs: o.idleMs, timers: { idle: null, request: null, max: null }, busy: Promise.resolve(),
    };
    this.#byId.set(s.id, s);
    this.#byDevice.set(s.deviceId, s);
    this.#bySocket.set(o.socket, s);
    s.timers.max = this.#clock.setTimeout(() => this.#onTimeout(s, 'max'), o.maxMs);
    this.touch(s);
    return s;
  }

  /** The session a POST belongs to: by cookie, else by its TCP connection. */
  find(cookieId: string | undefined, socket: object): LiveSession | undefined {
    const byCookie = cookieId ? this.#byId.get(cookieId) : undefined;
    const s = byCookie ?? this.#bySocket.get(socket);
    if (s && s.state.name === 'ended') return undefined;
    if (s) this.#bySocket.set(socket, s); // a resumed session lives on the new connection too
    return s;
  }

  byDevice(deviceId: string): LiveSession | undefined {
    return this.#byDevice.get(deviceId);
  }

  /** A message arrived: restart the idle timer. */
  touch(s: LiveSession): void {
    s.timers.idle?.cancel();
    s.timers.idle = this.#clock.setTimeout(() => this.#onTimeout(s, 'idle'), s.idleMs);
  }

  awaitResponse(s: LiveSession, ms: number): void {
    s.timers.request?.cancel();
    s.timers.request = this.#clock.setTimeout(() => this.#onTimeout(s, 'request'), ms);
  }

  responseArrived(s: LiveSession): void {
    s.timers.request?.cancel();
    s.timers.request = null;
  }

  remove(s: LiveSession): void {
    for (const t of Object.values(s.timers)) t?.cancel();
    this.#byId.delete(s.id);
    if (this.#byDevice.get(s.deviceId) === s) this.#byDevice.delete(s.deviceId);
  }

  all(): LiveSession[] {
    return [...this.#byId.values()];
  }
}

/** Lenient Cookie parsing: some CPEs fold cookies with commas (GenieACS splits on ; and ,). */
export function sessionCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(/[;,]/)) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim().replace(/^"|"$/g, '');
  }
  return undefined;
}
