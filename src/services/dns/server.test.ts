import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { createLogger } from '../../core/log.ts';
import { DnsServer } from './server.ts';

const echo = (m: Buffer) => (m.length >= 12 ? Buffer.from(m) : null);

test('an address that cannot be bound does not keep the others from serving; retried later', async (t) => {
  const s = new DnsServer({
    listen: [{ host: '127.0.0.1', port: 0 }, { host: '192.0.2.77', port: 0 }], respond: echo,
    receiveBuffer: 1 << 20, tcpIdleMs: 1000, maxTcpConnections: 4, log: createLogger({ level: 'silent' }),
  });
  t.after(() => s.stop());
  const failed = await s.bindPending();
  assert.deepEqual(failed.map((f) => f.host), ['192.0.2.77']);
  assert.match(failed[0]!.error.message, /EADDRNOTAVAIL/);
  assert.equal(s.bound.length, 1);
  assert.deepEqual((await s.bindPending()).map((f) => f.host), ['192.0.2.77'], 'only the failed one is retried');
  assert.equal(s.bound.length, 1);
  const port = s.bound[0]!.port;
  const u = dgram.createSocket('udp4');
  const got = new Promise<Buffer>((r) => u.once('message', r));
  u.send(Buffer.alloc(12, 7), port, '127.0.0.1');
  assert.equal((await got).length, 12);
  u.close();
});

test('TCP: empty frames and garbage are survived; a frame split across writes is answered', async (t) => {
  const s = new DnsServer({
    listen: [{ host: '127.0.0.1', port: 0 }], respond: echo,
    receiveBuffer: 1 << 20, tcpIdleMs: 1000, maxTcpConnections: 4, log: createLogger({ level: 'silent' }),
  });
  t.after(() => s.stop());
  await s.bindPending();
  const sock = net.connect({ host: '127.0.0.1', port: s.bound[0]!.port });
  await new Promise((r) => sock.once('connect', r));
  const answer = new Promise<Buffer>((r) => sock.once('data', r));
  sock.write(Buffer.from([0, 0, 0, 3, 1, 2, 3])); // an empty frame, then a runt (no answer)
  sock.write(Buffer.from([0, 14, 1, 2, 3, 4, 5]));
  await new Promise((r) => setTimeout(r, 20));
  sock.write(Buffer.from([6, 7, 8, 9, 10, 11, 12, 13, 14]));
  const a = await answer;
  assert.equal(a.readUInt16BE(0), 14);
  assert.deepEqual([...a.subarray(2)], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
  sock.destroy();
});
