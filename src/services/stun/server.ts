// The STUN socket: one UDP socket on the configured address and port (3478 by default, §8.7
// step 1) with large kernel buffers, because a site's phones send keep-alives in bursts after a
// power cut and a full receive queue silently drops them. The same socket sends UDP connection
// requests (§8.7 step 6).

import dgram from 'node:dgram';
import { isIP } from 'node:net';
import type { Logger } from '../../core/log.ts';

export interface SocketOptions {
  host: string;
  port: number;
  recvBufferBytes: number;
  sendBufferBytes: number;
  log: Logger;
  onMessage(data: Buffer, address: string, port: number): void;
}

export class StunSocket {
  readonly #o: SocketOptions;
  #socket: dgram.Socket | null = null;
  #bound: { address: string; port: number } | null = null;

  constructor(o: SocketOptions) {
    this.#o = o;
  }

  get address(): { address: string; port: number } | null {
    return this.#bound;
  }

  /** Kernel buffer sizes in effect (Linux reports twice what was set; capped by net.core.rmem_max). */
  bufferSizes(): { recv: number; send: number } | null {
    if (!this.#socket || !this.#bound) return null;
    return { recv: this.#socket.getRecvBufferSize(), send: this.#socket.getSendBufferSize() };
  }

  bind(): Promise<{ address: string; port: number }> {
    const { host, port, log } = this.#o;
    const socket = dgram.createSocket({
      type: isIP(host) === 6 ? 'udp6' : 'udp4',
      recvBufferSize: this.#o.recvBufferBytes,
      sendBufferSize: this.#o.sendBufferBytes,
    });
    const onMessage = this.#o.onMessage;
    socket.on('message', (data, rinfo) => onMessage(data, rinfo.address, rinfo.port));
    return new Promise((resolve, reject) => {
      const fail = (err: Error) => { socket.close(); reject(err); };
      socket.once('error', fail);
      socket.bind(port, host, () => {
        socket.off('error', fail);
        // Send errors (ICMP unreachable reported on a later send, EPERM from a firewall) must
        // never take the process down; they are packet-path noise.
        socket.on('error', (err) => log.limited('stun.socket').warn({ err }, 'STUN socket error'));
        this.#socket = socket;
        this.#bound = socket.address();
        resolve(this.#bound);
      });
    });
  }

  /** Fire-and-forget send on the answer path: no callback, errors go to the socket's error handler. */
  reply(data: Buffer, port: number, address: string): void {
    this.#socket?.send(data, port, address);
  }

  send(data: Buffer, port: number, address: string): Promise<void> {
    const s = this.#socket;
    if (!s) return Promise.reject(new Error('STUN socket is not bound'));
    return new Promise((resolve, reject) => s.send(data, port, address, (err) => (err ? reject(err) : resolve())));
  }

  close(): Promise<void> {
    const s = this.#socket;
    this.#socket = null;
    this.#bound = null;
    if (!s) return Promise.resolve();
    return new Promise((resolve) => s.close(() => resolve()));
  }
}
