// The simulator's TR-069 Annex G (TR-111 Part 2) client, as a CPE does it (tr069-protocol.md
// §8.3): one UDP socket — the UDP connection-request port — sends classic RFC 3489 Binding
// Requests carrying CONNECTION-REQUEST-BINDING to the STUN server, learns the public binding
// from MAPPED-ADDRESS, re-sends at once with BINDING-CHANGE when the binding changed, keeps it
// alive on a timer, adds USERNAME + MESSAGE-INTEGRITY after a 401, and on the same socket
// accepts UDP connection requests validated per §8.10 (HMAC, ts newer, id new, username).

import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import { systemClock, type Clock, type Timer } from '../../src/core/clock.ts';
import {
  Attr, MessageType, TR111_BINDING_VALUE, MAGIC_COOKIE, STYLE_RFC3489, encodeMessage, parseMessage, findAttribute,
  attributeValue, decodeAddressValue, decodeErrorCode, verifyIntegrity, verifyUdpConnectionRequest,
  type IntegrityStyle, type OutAttribute, type StunMessage, type UdpConnectionRequest, type UdpCrRejection,
} from '../../src/protocols/stun/index.ts';

export interface StunBindingInfo {
  address: string;
  port: number;
}

export interface StunClientOptions {
  /** STUNServerAddress / STUNServerPort. */
  server: { host: string; port: number };
  /** Local address/port of the UDP connection-request socket (default 0.0.0.0:0). */
  bind?: { host?: string; port?: number };
  /** STUNUsername / STUNPassword: USERNAME always sent when set (icwmp); MI after a 401. */
  username?: string;
  password?: string;
  /** USERNAME padding: spaces (icwmp) or NULs (other agents). */
  usernamePadding?: 'space' | 'nul';
  /** How the HMAC is computed (default RFC 3489 64-byte padding, as icwmp). */
  integrityStyle?: IntegrityStyle;
  /** Send MI from the first request instead of waiting for a 401. */
  integrityFirst?: boolean;
  /** Keep-alive period (STUNMinimumKeepAlivePeriod), ms; 0 = no timer. */
  keepAliveMs?: number;
  /** Retransmission delays of one request, ms (RFC 3489 §9.3: 100 ms doubling to 1.6 s). */
  retransmit?: readonly number[];
  /**
   * ConnectionRequestUsername / ConnectionRequestPassword for validating UDP connection requests;
   * a function is read at each request (the ACS may rotate them, §6.1).
   */
  connectionRequest?: { username: string; password: string } | (() => { username: string; password: string });
  onConnectionRequest?: (cr: UdpConnectionRequest & { from: { address: string; port: number } }) => void;
  onConnectionRequestRejected?: (reason: UdpCrRejection, detail: string) => void;
  /** The binding was discovered or changed (NAT remapped). */
  onBindingChange?: (binding: StunBindingInfo, previous: StunBindingInfo | null) => void;
  onError?: (err: Error) => void;
  clock?: Clock;
}

export class StunRequestError extends Error {
  readonly code: number | null;
  constructor(message: string, code: number | null = null) {
    super(message);
    this.code = code;
  }
}

const RFC3489_RETRANSMIT = [0, 100, 300, 700, 1500, 3100, 4700, 6300, 7900];
const TIMEOUT_AFTER_LAST = 1600;

interface Outstanding {
  resolve: (m: StunMessage) => void;
  reject: (e: Error) => void;
  timers: Timer[];
}

export class StunClient {
  readonly #o: StunClientOptions;
  readonly #clock: Clock;
  readonly #socket: dgram.Socket;
  readonly #outstanding = new Map<string, Outstanding>();
  #binding: StunBindingInfo | null = null;
  #authenticate: boolean;
  #keepAlive: Timer | null = null;
  #lastCr: { ts: number; id: string } | null = null;
  #closed = false;
  readonly stats = { requests: 0, responses: 0, unauthorized: 0, bindingChanges: 0, crAccepted: 0, crRejected: 0 };

  private constructor(o: StunClientOptions, socket: dgram.Socket) {
    this.#o = o;
    this.#clock = o.clock ?? systemClock;
    this.#socket = socket;
    this.#authenticate = o.integrityFirst === true;
    socket.on('message', (msg, from) => this.#onDatagram(msg, from));
    socket.on('error', (err) => o.onError?.(err));
  }

  static async create(o: StunClientOptions): Promise<StunClient> {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(o.bind?.port ?? 0, o.bind?.host ?? '0.0.0.0', () => { socket.off('error', reject); resolve(); });
    });
    return new StunClient(o, socket);
  }

  get local(): { address: string; port: number } {
    return this.#socket.address();
  }

  get binding(): StunBindingInfo | null {
    return this.#binding;
  }

  /** §8.2 NATDetected: the mapped address differs from our own address/port. */
  get natDetected(): boolean {
    const b = this.#binding;
    if (!b) return false;
    const local = this.local;
    if (b.port !== local.port) return true;
    if (local.address !== '0.0.0.0') return b.address !== local.address;
    return !Object.values(networkInterfaces()).flat().some((i) => i?.address === b.address);
  }

  /** §8.2 UDPConnectionRequestAddress: the public binding as host:port. */
  get udpConnectionRequestAddress(): string | null {
    return this.#binding ? `${this.#binding.address}:${this.#binding.port}` : null;
  }

  /** First Binding Request, then the keep-alive timer. Resolves with the binding. */
  async start(): Promise<StunBindingInfo> {
    const b = await this.bindingRequest();
    const every = this.#o.keepAliveMs ?? 0;
    if (every > 0 && !this.#keepAlive) {
      this.#keepAlive = this.#clock.setInterval(() => { this.bindingRequest().catch((e: Error) => this.#o.onError?.(e)); }, every);
    }
    return b;
  }

  /** One Binding Request (with its retransmissions and the 401 → MI retry). */
  async bindingRequest(opts: { bindingChange?: boolean } = {}): Promise<StunBindingInfo> {
    let res = await this.#transact(opts.bindingChange === true);
    if (res.type === MessageType.BindingErrorResponse && this.#errorCode(res) === 401 && !this.#authenticate && this.#o.username && this.#o.password) {
      // §8.3: after a 401 the CPE resends with USERNAME + MESSAGE-INTEGRITY, and keeps adding MI.
      this.stats.unauthorized++;
      this.#authenticate = true;
      res = await this.#transact(opts.bindingChange === true);
    }
    if (res.type === MessageType.BindingErrorResponse) {
      const code = this.#errorCode(res);
      if (code === 401) this.stats.unauthorized++;
      throw new StunRequestError(`Binding Error Response ${code}`, code);
    }
    if (res.integrityOffset >= 0 && this.#o.password && !verifyIntegrity(res, this.#o.password)) {
      throw new StunRequestError('response MESSAGE-INTEGRITY does not verify');
    }
    const ma = findAttribute(res, Attr.MAPPED_ADDRESS);
    const mapped = ma ? decodeAddressValue(attributeValue(res, ma)) : null;
    if (!mapped) throw new StunRequestError('Binding Response without MAPPED-ADDRESS');
    const now: StunBindingInfo = { address: mapped.address, port: mapped.port };
    const prev = this.#binding;
    if (!prev || prev.address !== now.address || prev.port !== now.port) {
      this.#binding = now;
      this.stats.bindingChanges++;
      this.#o.onBindingChange?.(now, prev);
      // §8.3 step 1: immediately another request with BINDING-CHANGE (icwmp: zero delay).
      if (!opts.bindingChange) this.bindingRequest({ bindingChange: true }).catch((e: Error) => this.#o.onError?.(e));
    }
    return now;
  }

  async stop(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#keepAlive?.cancel();
    for (const o of this.#outstanding.values()) { o.timers.forEach((t) => t.cancel()); o.reject(new StunRequestError('client stopped')); }
    this.#outstanding.clear();
    await new Promise<void>((r) => this.#socket.close(() => r()));
  }

  #request(bindingChange: boolean): { tid: Buffer; data: Buffer } {
    // icwmp draws a fresh 128-bit id for every transmission; never the RFC 5389 cookie.
    const tid = randomBytes(16);
    if (tid.readUInt32BE(0) === MAGIC_COOKIE) tid[0] = tid[0]! ^ 0xff;
    const attrs: OutAttribute[] = [];
    const u = this.#o.username;
    if (u) {
      const pad = this.#o.usernamePadding === 'nul' ? '\0' : ' ';
      attrs.push({ type: Attr.USERNAME, value: Buffer.from(u.padEnd(Math.ceil(Buffer.byteLength(u) / 4) * 4, pad)) });
    }
    attrs.push({ type: Attr.CONNECTION_REQUEST_BINDING, value: Buffer.from(TR111_BINDING_VALUE) });
    if (bindingChange) attrs.push({ type: Attr.BINDING_CHANGE, value: Buffer.alloc(0) });
    const mi = this.#authenticate && u && this.#o.password;
    const data = encodeMessage(MessageType.BindingRequest, tid, attrs, mi ? { integrity: { key: this.#o.password!, style: this.#o.integrityStyle ?? STYLE_RFC3489 } } : {});
    return { tid, data };
  }

  #transact(bindingChange: boolean): Promise<StunMessage> {
    if (this.#closed) return Promise.reject(new StunRequestError('client stopped'));
    const { tid, data } = this.#request(bindingChange);
    const key = tid.toString('hex');
    const schedule = this.#o.retransmit ?? RFC3489_RETRANSMIT;
    return new Promise<StunMessage>((resolve, reject) => {
      const o: Outstanding = { resolve, reject, timers: [] };
      this.#outstanding.set(key, o);
      const fire = () => {
        this.stats.requests++;
        this.#socket.send(data, this.#o.server.port, this.#o.server.host, (err) => { if (err) this.#o.onError?.(err); });
      };
      for (const d of schedule) {
        if (d <= 0) fire(); else o.timers.push(this.#clock.setTimeout(fire, d));
      }
      o.timers.push(this.#clock.setTimeout(() => {
        this.#outstanding.delete(key);
        reject(new StunRequestError(`no answer from ${this.#o.server.host}:${this.#o.server.port}`));
      }, (schedule[schedule.length - 1] ?? 0) + TIMEOUT_AFTER_LAST));
    });
  }

  #errorCode(m: StunMessage): number | null {
    const a = findAttribute(m, Attr.ERROR_CODE);
    return a ? decodeErrorCode(attributeValue(m, a))?.code ?? null : null;
  }

  #onDatagram(msg: Buffer, from: dgram.RemoteInfo): void {
    if (msg.length >= 20 && msg[0]! <= 0x01) {
      const p = parseMessage(msg);
      if (!p.ok) return;
      const o = this.#outstanding.get(p.message.transactionId.toString('hex'));
      if (!o) return;
      this.#outstanding.delete(p.message.transactionId.toString('hex'));
      o.timers.forEach((t) => t.cancel());
      this.stats.responses++;
      o.resolve(p.message);
      return;
    }
    this.#onConnectionRequest(msg, from);
  }

  /** §8.10: accept only a signed, new (ts newer, id different) request for our username. */
  #onConnectionRequest(msg: Buffer, from: dgram.RemoteInfo): void {
    const src = this.#o.connectionRequest;
    if (!src) return;
    const cr = typeof src === 'function' ? src() : src;
    const v = verifyUdpConnectionRequest(msg, cr.password, {
      username: cr.username,
      ...(this.#lastCr ? { lastTs: this.#lastCr.ts, lastId: this.#lastCr.id } : {}),
    });
    if (!v.ok) {
      this.stats.crRejected++;
      this.#o.onConnectionRequestRejected?.(v.reason, v.detail);
      return;
    }
    this.#lastCr = { ts: v.ts, id: v.id };
    this.stats.crAccepted++;
    this.#o.onConnectionRequest?.({ ts: v.ts, id: v.id, username: v.username, cnonce: v.cnonce, sig: v.sig, from: { address: from.address, port: from.port } });
  }
}
