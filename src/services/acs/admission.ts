// Connection admission for the ACS listener (DESIGN "Boot storm": a whole site powering on at
// once must not take the node's memory with it). The listening socket is a plain TCP server with
// pauseOnConnect: an accepted connection costs a few KB and nothing is read from it until it is
// admitted — handed to the HTTPS server, which then does the TLS handshake. At most
// `maxConnections` are admitted at once (a CWMP session keeps its connection: this bounds live
// sessions, TLS state and buffers); the rest wait in FIFO order, up to `maxQueue`, and a
// connection that waited longer than `maxWait` is closed unread (its phone has most likely given
// up, and will retry with back-off, tr069-protocol.md §1.6). Nothing is refused while there is
// queue room, so a storm is served in arrival order at the speed the CPU allows.

import { createServer, type Server, type Socket } from 'node:net';
import type { Clock } from '../../core/clock.ts';
import type { Metrics } from '../../core/metrics.ts';

export interface AdmissionOptions {
  maxConnections: number;
  maxQueue: number;
  /** Ms a connection may wait before it is closed unread. */
  maxWait: number;
  /** The target is a plain HTTP server: it reads the socket itself only once resumed (a TLS server wraps the handle and reads it). */
  plain?: boolean;
}

interface Waiting { socket: Socket; since: number }

export class Admission {
  readonly front: Server;
  readonly #target: Server;
  readonly #o: AdmissionOptions;
  readonly #clock: Clock;
  #active = 0;
  #queue: Waiting[] = [];
  #head = 0;
  readonly #refused: { inc(labels?: Record<string, string>): void };

  constructor(target: Server, o: AdmissionOptions, clock: Clock, metrics: Metrics) {
    this.#target = target;
    this.#o = o;
    this.#clock = clock;
    this.front = createServer({ pauseOnConnect: true, noDelay: true }, (s) => this.#offer(s));
    this.#refused = metrics.counter('outpost_acs_connections_refused_total', 'Connections closed unread by admission control, by reason');
    const active = metrics.gauge('outpost_acs_connections_active', 'Connections admitted to the ACS (TLS and HTTP state held)');
    const queued = metrics.gauge('outpost_acs_connections_queued', 'Accepted connections waiting for admission');
    metrics.collect(() => { active.set(this.#active); queued.set(this.queued); });
  }

  get active(): number { return this.#active; }
  get queued(): number { return this.#queue.length - this.#head; }

  #offer(socket: Socket): void {
    socket.on('error', () => {}); // a reset while waiting: nothing to do, 'close' follows
    if (this.#active < this.#o.maxConnections && this.queued === 0) return this.#admit(socket);
    if (this.queued >= this.#o.maxQueue) {
      this.#refused.inc({ reason: 'queue_full' });
      socket.destroy();
      return;
    }
    this.#queue.push({ socket, since: this.#clock.now() });
  }

  #admit(socket: Socket): void {
    this.#active++;
    socket.once('close', () => { this.#active--; this.#next(); });
    this.#target.emit('connection', socket);
    if (this.#o.plain) socket.resume();
  }

  #next(): void {
    const now = this.#clock.now();
    while (this.#active < this.#o.maxConnections && this.queued > 0) {
      const w = this.#queue[this.#head]!;
      this.#queue[this.#head++] = undefined as unknown as Waiting;
      if (this.#head > 1024 && this.#head * 2 > this.#queue.length) { this.#queue = this.#queue.slice(this.#head); this.#head = 0; }
      if (w.socket.destroyed) continue;
      if (now - w.since > this.#o.maxWait) {
        this.#refused.inc({ reason: 'waited_too_long' });
        w.socket.destroy();
        continue;
      }
      this.#admit(w.socket);
    }
  }

  listen(host: string, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.front.once('error', reject);
      this.front.listen({ host, port, backlog: 4096 }, () => { this.front.off('error', reject); resolve(); });
    });
  }

  /** Stop accepting and close every waiting connection (admitted ones are the HTTPS server's). */
  close(): Promise<void> {
    for (let i = this.#head; i < this.#queue.length; i++) this.#queue[i]?.socket.destroy();
    this.#queue = [];
    this.#head = 0;
    return new Promise((resolve) => this.front.close(() => resolve()));
  }
}
