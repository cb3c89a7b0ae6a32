// Forwarding names outside the local zones to the site's upstream resolvers, with a cache.
// A forwarded query has a total budget (upstream.timeout); each attempt waits attemptTimeout
// and then tries the next resolver. A resolver that times out downAfter times in a row is
// marked down and probed in the background; while every resolver is down the answer is
// SERVFAIL at once, so phones never hang on a dead WAN while local names keep answering.

import dgram from 'node:dgram';
import { randomInt } from 'node:crypto';
import { isIP } from 'node:net';
import type { Clock, Timer } from '../../core/clock.ts';
import type { Logger } from '../../core/log.ts';
import { FLAG, HEADER_SIZE, TYPE, u16 } from '../../protocols/dns/index.ts';
import { entryFromUpstream, type CacheEntry, type CacheLimits, type ResponseCache } from './cache.ts';
import { tcpExchange } from './upstream-tcp.ts';

export interface Upstream {
  host: string;
  port: number;
}

export interface ForwarderOptions {
  servers: readonly Upstream[];
  timeoutMs: number;
  attemptMs: number;
  downAfter: number;
  probeMs: number;
  maxInFlight: number;
  ednsUdpSize: number;
  cache: ResponseCache;
  limits: CacheLimits;
  clock: Clock;
  log: Logger;
  /** Called when the first resolver comes back (true) or the last one goes down (false). */
  onStateChange(up: boolean, down: string[]): void;
  /** Counters: 'sent', 'timeout', 'servfail', 'tcp'. */
  count(what: 'sent' | 'timeout' | 'servfail' | 'tcp'): void;
}

interface ServerState extends Upstream {
  label: string;
  failures: number;
  down: boolean;
  /** Clock time of the last reply of any kind. */
  lastReply: number;
}

interface Pending {
  question: Buffer;
  deadline: number;
  resolve: (e: CacheEntry | null) => void;
  ids: number[];
  timer: Timer | null;
  tried: number;
  done: boolean;
}

const SOCKETS_PER_FAMILY = 4; // a few random source ports (RFC 5452 §4.5)
const ROOT_NS_QUESTION = Buffer.from([0, 0, TYPE.NS, 0, 1]);

export class Forwarder {
  readonly #o: ForwarderOptions;
  readonly #servers: ServerState[];
  readonly #sockets = new Map<4 | 6, dgram.Socket[]>();
  readonly #byId = new Map<number, { p: Pending | null; server: ServerState }>();
  readonly #inflight = new Map<string, Promise<CacheEntry | null>>();
  #probeTimer: Timer | null = null;
  #up = true;
  #stopped = false;

  constructor(o: ForwarderOptions) {
    this.#o = o;
    this.#servers = o.servers.map((s) => ({ ...s, label: `${s.host.includes(':') ? `[${s.host}]` : s.host}:${s.port}`, failures: 0, down: false, lastReply: -1 }));
  }

  /** True while at least one resolver is not marked down. */
  get up(): boolean {
    return this.#up;
  }

  get inFlight(): number {
    return this.#byId.size;
  }

  async start(): Promise<void> {
    for (const fam of new Set(this.#servers.map((s) => (isIP(s.host) === 6 ? 6 : 4)))) {
      const socks: dgram.Socket[] = [];
      for (let i = 0; i < SOCKETS_PER_FAMILY; i++) {
        const s = dgram.createSocket(fam === 6 ? 'udp6' : 'udp4');
        s.on('message', (m, r) => this.#onMessage(m, r.address, r.port));
        s.on('error', (err) => this.#o.log.limited('dns.upstream.socket').warn({ err }, 'upstream socket error'));
        await new Promise<void>((res, rej) => { s.once('error', rej); s.bind(0, () => { s.off('error', rej); res(); }); });
        socks.push(s);
      }
      this.#sockets.set(fam, socks);
    }
    this.#probeTimer = this.#o.clock.setInterval(() => this.#probe(false), this.#o.probeMs);
    this.#probe(true);
  }

  stop(): void {
    this.#stopped = true;
    this.#probeTimer?.cancel();
    for (const [id, { p }] of this.#byId) { if (p) this.#finish(p, null); this.#byId.delete(id); }
    for (const socks of this.#sockets.values()) for (const s of socks) s.close();
    this.#sockets.clear();
  }

  /** A cached answer for `key`, if fresh. */
  cached(key: string): CacheEntry | null {
    return this.#o.cache.get(key, this.#o.clock.now());
  }

  /**
   * Forward a question (lower-case wire name + type + class). Resolves with the upstream's
   * answer, or null for SERVFAIL: all resolvers down, budget spent, or too many in flight.
   * Identical questions in flight share one upstream query.
   */
  resolve(key: string, question: Buffer): Promise<CacheEntry | null> {
    if (!this.#up || this.#stopped || this.#byId.size >= this.#o.maxInFlight) return Promise.resolve(null);
    let p = this.#inflight.get(key);
    if (!p) {
      p = new Promise<CacheEntry | null>((resolve) => {
        const pending: Pending = { question, deadline: this.#o.clock.now() + this.#o.timeoutMs, resolve, ids: [], timer: null, tried: 0, done: false };
        this.#attempt(pending);
      }).then((e) => {
        this.#inflight.delete(key);
        if (e) this.#o.cache.set(key, e);
        else this.#o.count('servfail');
        return e;
      });
      this.#inflight.set(key, p);
    }
    return p;
  }

  #healthy(): ServerState[] {
    return this.#servers.filter((s) => !s.down);
  }

  #attempt(p: Pending): void {
    const remaining = p.deadline - this.#o.clock.now();
    const healthy = this.#healthy();
    if (remaining <= 0 || healthy.length === 0 || this.#stopped) return this.#finish(p, null);
    // The first healthy resolver first (the site's primary), then the next ones in turn.
    const server = healthy[p.tried++ % healthy.length]!;
    const id = this.#newId();
    this.#byId.set(id, { p, server });
    p.ids.push(id);
    this.#send(server, id, p.question);
    this.#o.count('sent');
    p.timer = this.#o.clock.setTimeout(() => {
      p.timer = null;
      this.#o.count('timeout');
      this.#failed(server);
      this.#attempt(p);
    }, Math.min(this.#o.attemptMs, remaining));
  }

  #finish(p: Pending, e: CacheEntry | null): void {
    if (p.done) return;
    p.done = true;
    p.timer?.cancel();
    for (const id of p.ids) this.#byId.delete(id);
    p.resolve(e);
  }

  #newId(): number {
    for (;;) {
      const id = randomInt(0, 65536);
      if (!this.#byId.has(id)) return id;
    }
  }

  /** RD set, EDNS with our UDP size (RFC 6891 §6.2.5); DO clear: we do not validate. */
  #query(id: number, question: Buffer): Buffer {
    const q = Buffer.alloc(HEADER_SIZE + question.length + 11);
    q.writeUInt16BE(id, 0); q.writeUInt16BE(FLAG.RD, 2); q.writeUInt16BE(1, 4); q.writeUInt16BE(1, 10);
    question.copy(q, HEADER_SIZE);
    const o = HEADER_SIZE + question.length;
    q[o] = 0; q.writeUInt16BE(TYPE.OPT, o + 1); q.writeUInt16BE(this.#o.ednsUdpSize, o + 3);
    return q;
  }

  #send(server: ServerState, id: number, question: Buffer): void {
    const socks = this.#sockets.get(isIP(server.host) === 6 ? 6 : 4);
    if (!socks) return;
    const sock = socks[randomInt(0, socks.length)]!;
    sock.send(this.#query(id, question), server.port, server.host, (err) => {
      if (err) this.#o.log.limited('dns.upstream.send').warn({ err, upstream: server.label }, 'upstream send failed');
    });
  }

  #onMessage(msg: Buffer, address: string, port: number): void {
    if (msg.length < HEADER_SIZE || !(msg[2]! & 0x80)) return;
    const slot = this.#byId.get(u16(msg, 0));
    // RFC 5452 §9.1: accept only from the resolver asked, with the question asked.
    if (!slot || slot.server.port !== port || !sameHost(slot.server.host, address)) return;
    const question = slot.p ? slot.p.question : ROOT_NS_QUESTION;
    if (!sameQuestion(msg, question)) return;
    this.#ok(slot.server);
    const p = slot.p;
    if (!p) { this.#byId.delete(u16(msg, 0)); return; } // a probe answered
    if (p.done) return;
    if (msg[2]! & 0x02) return this.#tcpFallback(p, slot.server);
    this.#finish(p, entryFromUpstream(msg, this.#o.clock.now(), this.#o.limits));
  }

  /** A truncated UDP answer: ask the same resolver over TCP within what is left of the budget (RFC 7766 §5). */
  #tcpFallback(p: Pending, server: ServerState): void {
    p.timer?.cancel();
    p.timer = null;
    const remaining = p.deadline - this.#o.clock.now();
    if (remaining <= 0) return this.#finish(p, null);
    this.#o.count('tcp');
    const id = this.#newId();
    tcpExchange(server, this.#query(id, p.question), remaining, this.#o.clock).then((reply) => {
      const ok = reply && u16(reply, 0) === id && sameQuestion(reply, p.question);
      this.#finish(p, ok ? entryFromUpstream(reply, this.#o.clock.now(), this.#o.limits) : null);
    }, () => this.#finish(p, null));
  }

  #failed(s: ServerState): void {
    if (++s.failures < this.#o.downAfter || s.down) return;
    s.down = true;
    this.#o.log.warn({ code: 'DNS_UPSTREAM_DOWN', upstream: s.label, failures: s.failures }, 'upstream resolver marked down');
    this.#state();
  }

  #ok(s: ServerState): void {
    s.failures = 0;
    s.lastReply = this.#o.clock.now();
    if (!s.down) return;
    s.down = false;
    this.#o.log.info({ upstream: s.label }, 'upstream resolver answers again');
    this.#state();
  }

  #state(): void {
    const up = this.#servers.some((s) => !s.down);
    if (up === this.#up) return;
    this.#up = up;
    this.#o.onStateChange(up, this.#servers.filter((s) => s.down).map((s) => s.label));
  }

  /**
   * Ask `. NS` of every down resolver (or, at start, of all: a resolver silent for the whole
   * budget is marked down at once, so the WAN state is known without waiting for a phone).
   */
  #probe(initial: boolean): void {
    if (this.#stopped) return;
    for (const s of this.#servers) {
      if (!initial && !s.down) continue;
      const id = this.#newId();
      const sentAt = this.#o.clock.now();
      this.#byId.set(id, { p: null, server: s });
      this.#send(s, id, ROOT_NS_QUESTION);
      this.#o.clock.setTimeout(() => {
        if (!this.#byId.has(id)) return;
        this.#byId.delete(id);
        if (initial && s.lastReply < sentAt) { s.failures = Math.max(s.failures, this.#o.downAfter - 1); this.#failed(s); }
      }, initial ? this.#o.timeoutMs : Math.min(this.#o.timeoutMs, this.#o.probeMs));
    }
  }
}

function sameHost(a: string, b: string): boolean {
  return a === b || b === `::ffff:${a}`;
}

/** The response's question equals ours, ASCII case-insensitively (RFC 4343; 0x20 tolerant). */
function sameQuestion(msg: Buffer, question: Buffer): boolean {
  if (u16(msg, 4) !== 1 || msg.length < HEADER_SIZE + question.length) return false;
  for (let i = 0; i < question.length; i++) {
    let c = msg[HEADER_SIZE + i]!;
    if (c >= 0x41 && c <= 0x5a) c += 0x20;
    if (c !== question[i]) return false;
  }
  return true;
}
