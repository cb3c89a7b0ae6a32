// One query over TCP to an upstream resolver (RFC 1035 §4.2.2: two-octet length prefix), for
// answers that came back truncated over UDP. Bounded by the caller's remaining budget.

import net from 'node:net';
import type { Clock } from '../../core/clock.ts';

export function tcpExchange(server: { host: string; port: number }, query: Buffer, timeoutMs: number, clock: Clock): Promise<Buffer | null> {
  return new Promise((resolve) => {
    let done = false;
    let buf = Buffer.alloc(0);
    const sock = net.connect({ host: server.host, port: server.port });
    const finish = (r: Buffer | null) => {
      if (done) return;
      done = true;
      timer.cancel();
      sock.destroy();
      resolve(r);
    };
    const timer = clock.setTimeout(() => finish(null), timeoutMs);
    sock.on('connect', () => {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(query.length, 0);
      sock.write(Buffer.concat([len, query]));
    });
    sock.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) finish(buf.subarray(2, 2 + buf.readUInt16BE(0)));
    });
    sock.on('error', () => finish(null));
    sock.on('close', () => finish(null));
  });
}
