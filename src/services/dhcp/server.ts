// Sockets of services/dhcp. Two kinds (README "Which networks are served"):
//  - listen sockets: one UDP socket per configured unicast address (relayed requests, and
//    unicast renewals/INFORMs). Bound to a unicast address, they never see broadcasts.
//  - the interface helper (native/ifsock.c): one SO_BINDTODEVICE socket per served interface,
//    carried over the helper's stdin/stdout, for broadcast clients on that wire only.

import dgram from 'node:dgram';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { OutpostError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import type { Clock, Timer } from '../../core/clock.ts';
import type { Outgoing, Via } from './engine.ts';

export type PacketHandler = (buf: Buffer, via: Via, src: { address: string; port: number }) => void;

export interface TransportOptions {
  port: number;
  listen: readonly string[];
  interfaces: readonly string[];
  helper: string | undefined;
  receiveBuffer: number;
  log: Logger;
  clock: Clock;
  /** Called when the helper dies or comes back (health). */
  onHelperState(up: boolean, detail: string): void;
}

export class Transport {
  readonly #o: TransportOptions;
  readonly #sockets: dgram.Socket[] = [];
  #helper: ChildProcessWithoutNullStreams | null = null;
  #stdoutBuf: Buffer = Buffer.alloc(0);
  #stopping = false;
  #restart: Timer | null = null;
  #backoff = 500;
  #onPacket: PacketHandler = () => {};

  constructor(o: TransportOptions) {
    this.#o = o;
  }

  async start(onPacket: PacketHandler): Promise<void> {
    this.#onPacket = onPacket;
    for (let i = 0; i < this.#o.listen.length; i++) this.#sockets.push(await this.#bind(this.#o.listen[i]!, i));
    if (this.#o.interfaces.length > 0) await this.#startHelper();
  }

  #bind(address: string, index: number): Promise<dgram.Socket> {
    return new Promise((resolve, reject) => {
      const s = dgram.createSocket({ type: 'udp4', reuseAddr: true, recvBufferSize: this.#o.receiveBuffer, sendBufferSize: 1 << 20 });
      s.once('error', (err) => reject(new OutpostError('DHCP_BIND', `${address}:${this.#o.port}: ${err.message}`, { cause: err })));
      s.bind({ address, port: this.#o.port }, () => {
        s.removeAllListeners('error');
        s.on('error', (err) => this.#o.log.limited('dhcp-socket').warn({ err, address }, 'socket error'));
        s.on('message', (msg, rinfo) => this.#onPacket(msg, { kind: 'listen', index }, rinfo));
        resolve(s);
      });
    });
  }

  #startHelper(): Promise<void> {
    const { helper, port, interfaces, log } = this.#o;
    return new Promise((resolve, reject) => {
      let ready = false;
      const child = spawn(helper!, [String(port), ...interfaces], { stdio: ['pipe', 'pipe', 'pipe'] });
      this.#helper = child;
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-2000); });
      child.stdin.on('error', () => {}); // EPIPE when it died: handled by 'exit'
      child.stdout.on('data', (chunk: Buffer) => {
        if (!ready && chunk.length > 0) {
          ready = true;
          this.#backoff = 500;
          this.#o.onHelperState(true, 'interface helper running');
          resolve();
        }
        this.#onStdout(chunk);
      });
      child.on('error', (err) => {
        if (!ready) reject(new OutpostError('DHCP_BIND', `interface helper ${helper}: ${err.message}`, { cause: err }));
      });
      child.on('exit', (code, signal) => {
        if (this.#helper === child) this.#helper = null;
        const detail = `interface helper exited (${signal ?? code}): ${stderr.trim()}`;
        if (!ready) { reject(new OutpostError('DHCP_BIND', detail)); return; }
        if (this.#stopping) return;
        log.error({ code, signal, stderr: stderr.trim() }, 'dhcp interface helper exited; restarting');
        this.#o.onHelperState(false, detail);
        this.#restart = this.#o.clock.setTimeout(() => { this.#startHelper().catch(() => {}); }, this.#backoff);
        this.#backoff = Math.min(this.#backoff * 2, 30_000);
      });
    });
  }

  /** Frames from the helper: u16 len | u8 if | u32 addr | u16 port | payload (ifsock.c). */
  #onStdout(chunk: Buffer): void {
    let b = this.#stdoutBuf.length > 0 ? Buffer.concat([this.#stdoutBuf, chunk]) : chunk;
    let off = 0;
    while (b.length - off >= 2) {
      const len = b.readUInt16BE(off);
      if (b.length - off < 2 + len) break;
      const f = b.subarray(off + 2, off + 2 + len);
      off += 2 + len;
      if (len < 7 || f[0]! >= this.#o.interfaces.length) continue; // the ready frame, or junk
      const name = this.#o.interfaces[f[0]!]!;
      const address = `${f[1]}.${f[2]}.${f[3]}.${f[4]}`;
      this.#onPacket(Buffer.from(f.subarray(7)), { kind: 'iface', name }, { address, port: f.readUInt16BE(5) });
    }
    b = b.subarray(off);
    this.#stdoutBuf = b.length > 0 ? Buffer.from(b) : Buffer.alloc(0);
  }

  send(out: Outgoing, via: Via): void {
    if (via.kind === 'listen') {
      const s = this.#sockets[via.index];
      s?.send(out.buf, out.port, out.address, (err) => {
        if (err) this.#o.log.limited('dhcp-send').warn({ err, to: out.address }, 'send failed');
      });
      return;
    }
    const idx = this.#o.interfaces.indexOf(via.name);
    const h = this.#helper;
    if (idx < 0 || !h) return;
    const head = Buffer.alloc(9);
    head.writeUInt16BE(7 + out.buf.length, 0);
    head[2] = idx;
    const p = out.address.split('.').map(Number);
    head[3] = p[0]!; head[4] = p[1]!; head[5] = p[2]!; head[6] = p[3]!;
    head.writeUInt16BE(out.port, 7);
    h.stdin.write(Buffer.concat([head, out.buf]));
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#restart?.cancel();
    for (const s of this.#sockets.splice(0)) await new Promise<void>((r) => s.close(() => r()));
    const h = this.#helper;
    this.#helper = null;
    if (h && h.exitCode === null) {
      const gone = new Promise<void>((r) => h.once('exit', () => r()));
      h.stdin.end(); // the helper exits when its stdin closes
      const t = setTimeout(() => h.kill('SIGKILL'), 2000);
      await gone;
      clearTimeout(t);
    }
  }
}
