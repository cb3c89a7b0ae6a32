// Connection admission (services/acs/admission.ts): at most maxConnections TLS connections are
// served at once; later ones wait unread in arrival order and are served as slots free; past
// maxQueue a connection is closed at once; one that waited past maxWait is closed unread. Driven
// with real TLS clients against a running Outpost.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type TLSSocket } from 'node:tls';
import { FakeClock } from '../../src/core/clock.ts';
import { startOutpost, type Running } from '../helpers/outpost.ts';

const clock = new FakeClock(Date.parse('2026-11-22T06:00:00Z'));
let o: Running;
before(async () => {
  o = await startOutpost({ clock, acs: '  admission: { maxConnections: 2, maxQueue: 3, maxWait: 20s }' });
});
after(() => o.stop());

interface Conn { sock: TLSSocket; secure: Promise<number>; closed: Promise<void> }

/** A TLS connection to the ACS; `secure` resolves with the ms the handshake took, rejects if it never completes. */
function open(): Conn {
  const url = new URL(o.acsUrl);
  const t0 = performance.now();
  const sock = connect({ host: url.hostname, port: Number(url.port), ca: o.ca!, servername: 'localhost' });
  const secure = new Promise<number>((resolve, reject) => {
    sock.once('secureConnect', () => resolve(performance.now() - t0));
    sock.once('error', reject);
    sock.once('close', () => reject(new Error('closed before the handshake')));
  });
  secure.catch(() => {});
  const closed = new Promise<void>((resolve) => sock.once('close', () => resolve()));
  return { sock, secure, closed };
}

const metric = (name: string, labels?: Record<string, string>) => o.app.metrics.value(name, labels) ?? 0;
const settle = () => new Promise((r) => setTimeout(r, 150));
const gauges = () => { o.app.metrics.render(); return { active: metric('outpost_acs_connections_active'), queued: metric('outpost_acs_connections_queued') }; };

test('two served at once; the third waits unread and is served, in order, when a slot frees', async () => {
  const a = open();
  const b = open();
  await Promise.all([a.secure, b.secure]);
  const c = open();
  const d = open();
  await settle();
  assert.deepEqual(gauges(), { active: 2, queued: 2 });
  const state = await Promise.race([c.secure.then(() => 'secure', () => 'failed'), settle().then(() => 'waiting')]);
  assert.equal(state, 'waiting', 'no TLS handshake while both slots are taken');
  a.sock.destroy();
  await c.secure; // first in, first served
  assert.equal(await Promise.race([d.secure.then(() => 'secure'), settle().then(() => 'waiting')]), 'waiting');
  b.sock.destroy();
  await d.secure;
  for (const x of [c, d]) x.sock.destroy();
  await Promise.all([c.closed, d.closed]);
  await settle();
  assert.deepEqual(gauges(), { active: 0, queued: 0 });
});

test('past maxQueue a connection is closed at once; the queue itself still gets served', async () => {
  const held = [open(), open()];
  await Promise.all(held.map((h) => h.secure));
  const queued = [open(), open(), open()];
  await settle();
  const before = metric('outpost_acs_connections_refused_total', { reason: 'queue_full' });
  const extra = open();
  await assert.rejects(extra.secure);
  assert.equal(metric('outpost_acs_connections_refused_total', { reason: 'queue_full' }), before + 1);
  for (const h of held) h.sock.destroy();
  await Promise.all(queued.slice(0, 2).map((q) => q.secure));
  queued[0]!.sock.destroy();
  await queued[2]!.secure;
  for (const q of queued.slice(1)) q.sock.destroy();
  await Promise.all(queued.map((q) => q.closed));
});

test('a connection that waited past maxWait is closed unread when its turn comes (fake clock)', async () => {
  const held = [open(), open()];
  await Promise.all(held.map((h) => h.secure));
  const stale = open();
  await settle();
  clock.advance(21_000);
  const fresh = open();
  await settle();
  const before = metric('outpost_acs_connections_refused_total', { reason: 'waited_too_long' });
  held[0]!.sock.destroy();
  await assert.rejects(stale.secure, 'closed without a handshake');
  await fresh.secure;
  assert.equal(metric('outpost_acs_connections_refused_total', { reason: 'waited_too_long' }), before + 1);
  for (const x of [held[1]!, fresh]) x.sock.destroy();
});

test('a whole CWMP session works through admission (the phone simulator over HTTPS)', async () => {
  const { startPhone } = await import('../sim/index.ts');
  const p = await startPhone({ model: 'tr181', serial: 'ADMIT01', acsUrl: o.acsUrl, ca: o.ca!, username: o.bootstrap.username, password: o.bootstrap.password });
  try {
    assert.ok((await p.boot()).ok);
  } finally {
    await p.stop();
  }
});
