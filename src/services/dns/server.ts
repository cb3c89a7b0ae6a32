// The DNS sockets: UDP and TCP on each listen address (RFC 1035 §4.2; RFC 7766 for TCP:
// pipelined queries answered as they complete, idle connections closed, connections bounded).

import dgram from 'node:dgram';
import net from 'node:net';
import { isIP } from 'node:net';
import type { Logger } from '../../core/log.ts';
import type { Reply } from './responder.ts';

export interface DnsServerOptions {
  listen: readonly { host: string; port: number }[];
  respond(msg: Buffer, address: string, tcp: boolean): Reply;
  receiveBuffer: number;
  tcpIdleMs: number;
  maxTcpConnections: number;
  log: Logger;
}

export interface BoundAddress {
  host: string;
  port: number;
}

/**
 * Replies go to the address a query came from (rinfo.address, always an IP literal): resolve it
 * synchronously without parsing. The default lookup defers every send by a process.nextTick
 * (≈ 2 µs a reply, 13 % of the per-query CPU measured on the bench VM).
 */
function literalLookup(address: string, _family: unknown, cb: (err: Error | null, address: string, family: number) => void): void {
  cb(null, address, address.includes(':') ? 6 : 4);
}

/** Outstanding answers per TCP connection before the connection is dropped (a client not reading). */
const MAX_TCP_PENDING = 128;

export class DnsServer {
  readonly #o: DnsServerOptions;
  readonly #udp: dgram.Socket[] = [];
  readonly #tcp: net.Server[] = [];
  readonly #conns = new Set<net.Socket>();
  readonly bound: BoundAddress[] = [];
  /** Listen addresses not bound yet. */
  #pending: { host: string; port: number }[];

  constructor(o: DnsServerOptions) {
    this.#o = o;
    this.#pending = [...o.listen];
  }

  /**
   * Bind every address not bound yet, each on its own: one missing address (an interface not up
   * yet) must not keep the others from serving. Returns the addresses that failed.
   */
  async bindPending(): Promise<{ host: string; port: number; error: Error }[]> {
    const failed: { host: string; port: number; error: Error }[] = [];
    for (const l of this.#pending.splice(0)) {
      let udp: dgram.Socket | null = null;
      try {
        udp = await this.#bindUdp(l.host, l.port);
        // Port 0 (tests): TCP takes the port UDP got.
        const port = udp.address().port;
        await this.#listenTcp(l.host, port);
        this.bound.push({ host: l.host, port });
      } catch (error) {
        if (udp) { this.#udp.splice(this.#udp.indexOf(udp), 1); udp.close(); }
        failed.push({ ...l, error: error as Error });
      }
    }
    this.#pending = failed.map(({ host, port }) => ({ host, port }));
    return failed;
  }

  async stop(): Promise<void> {
    this.#pending = [];
    for (const s of this.#udp.splice(0)) s.close();
    for (const c of this.#conns) c.destroy();
    await Promise.all(this.#tcp.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
  }

  #bindUdp(host: string, port: number): Promise<dgram.Socket> {
    const s = dgram.createSocket({ type: isIP(host) === 6 ? 'udp6' : 'udp4', recvBufferSize: this.#o.receiveBuffer, lookup: literalLookup });
    const respond = this.#o.respond;
    const log = this.#o.log.limited('dns.udp');
    s.on('message', (msg, rinfo) => {
      let r: Reply;
      try {
        r = respond(msg, rinfo.address, false);
      } catch (err) {
        log.error({ err, code: 'INTERNAL' }, 'DNS query failed'); // a bug: keep serving
        return;
      }
      if (r === null) return;
      if (r instanceof Promise) {
        r.then((b) => {
          // A forwarded answer may complete after stop() closed the socket.
          if (b && this.#udp.includes(s)) s.send(b, rinfo.port, rinfo.address);
        }).catch((err: unknown) => log.error({ err, code: 'INTERNAL' }, 'DNS query failed'));
      } else s.send(r, rinfo.port, rinfo.address);
    });
    return new Promise((resolve, reject) => {
      s.once('error', reject);
      s.bind(port, host, () => {
        s.off('error', reject);
        s.on('error', (err) => log.warn({ err }, 'DNS UDP socket error'));
        this.#udp.push(s);
        resolve(s);
      });
    });
  }

  #listenTcp(host: string, port: number): Promise<void> {
    const server = net.createServer((sock) => this.#onConnection(sock));
    server.maxConnections = this.#o.maxTcpConnections;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port, exclusive: true }, () => {
        server.off('error', reject);
        this.#tcp.push(server);
        resolve();
      });
    });
  }

  #onConnection(sock: net.Socket): void {
    this.#conns.add(sock);
    sock.setNoDelay(true);
    sock.setTimeout(this.#o.tcpIdleMs, () => sock.destroy()); // RFC 7766 §6.2.3
    const address = sock.remoteAddress ?? '';
    const log = this.#o.log.limited('dns.tcp');
    let buf: Buffer = Buffer.alloc(0);
    let pending = 0;
    const write = (b: Buffer | null) => {
      pending--;
      if (!b || sock.destroyed) return;
      const len = Buffer.allocUnsafe(2);
      len.writeUInt16BE(b.length, 0);
      sock.write(Buffer.concat([len, b]));
    };
    sock.on('data', (chunk: Buffer) => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      while (buf.length >= 2) {
        const len = buf.readUInt16BE(0);
        if (buf.length < 2 + len) break;
        const msg = buf.subarray(2, 2 + len);
        buf = buf.subarray(2 + len);
        if (++pending > MAX_TCP_PENDING) { sock.destroy(); return; }
        let r: Reply;
        try {
          r = this.#o.respond(msg, address, true);
        } catch (err) {
          log.error({ err, code: 'INTERNAL' }, 'DNS query failed');
          sock.destroy();
          return;
        }
        if (r instanceof Promise) r.then(write).catch((err: unknown) => { log.error({ err, code: 'INTERNAL' }, 'DNS query failed'); sock.destroy(); });
        else write(r);
      }
    });
    sock.on('error', () => sock.destroy());
    sock.on('close', () => this.#conns.delete(sock));
  }
}
