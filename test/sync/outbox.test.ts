// The outbox repository: bounded (oldest dropped and counted), batches by records and bytes,
// acknowledgement removes only what central has; the feed validates what other services send.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { openStore } from '../../src/store/index.ts';
import { FakeClock } from '../../src/core/clock.ts';
import { secretBox } from '../../src/core/secrets.ts';
import { EventBus } from '../../src/core/events.ts';
import { memoryLogger } from '../../src/core/log.ts';
import { OutboxRepo } from '../../src/store/sync-outbox.ts';
import { startFeed } from '../../src/services/sync/feed.ts';

const mem = () => openStore({ file: ':memory:', clock: new FakeClock(Date.UTC(2026, 0, 1)), secrets: secretBox(randomBytes(32)) });

test('bounded: beyond maxRecords the oldest are dropped and counted; seqs are never reused', async () => {
  const store = mem();
  const o = new OutboxRepo(store, { maxRecords: 100 });
  await store.commit(() => { for (let i = 0; i < 250; i++) o.enqueue('event', { type: 'x', detail: String(i) }); });
  const b = o.backlog();
  assert.deepEqual([b.records, b.oldestSeq, b.newestSeq, b.dropped], [100, 151, 250, 150]);
  assert.match(b.stream, /^[0-9a-f]{32}$/);
  await store.commit(() => o.ack(250));
  await store.commit(() => o.enqueue('event', { type: 'y' }));
  assert.equal(o.backlog().oldestSeq, 251, 'AUTOINCREMENT: an emptied outbox does not restart at 1');
});

test('peek: by records and by bytes (always at least one); ack removes a prefix', async () => {
  const store = mem();
  const o = new OutboxRepo(store);
  await store.commit(() => { for (let i = 0; i < 10; i++) o.enqueue('event', { type: 'x', detail: 'a'.repeat(1000) }); });
  assert.equal(o.peek(3, 1 << 20).length, 3);
  assert.equal(o.peek(100, 2500).length, 2);
  assert.equal(o.peek(100, 10).length, 1);
  assert.equal(await store.commit(() => o.ack(4)), 4);
  assert.deepEqual(o.peek(100, 1 << 20).map((r) => r.seq), [5, 6, 7, 8, 9, 10]);
  assert.equal(o.backlog().oldestAt, Date.UTC(2026, 0, 1));
});

test('feed: sync.report records are validated (bad ones logged, dropped); ACS boots become inventory + events', async () => {
  const store = mem();
  const o = new OutboxRepo(store);
  const events = new EventBus();
  const log = memoryLogger('warn');
  const feed = startFeed(events, store, o, log);
  await feed.report('compliance', { deviceId: 'D1', state: 'compliant' });
  await feed.report('compliance', { deviceId: 'D1', state: 'on fire' });
  await feed.report('audit', { actor: 'a', action: 'b', result: 'ok', extra: 1 });
  await feed.report('Bad Kind', {});
  await feed.report('thermal', { celsius: 70 });
  await feed.report('event', { type: 'big', detail: 'x'.repeat(100_000) });
  events.emit('sync.report', { kind: 'audit', payload: { actor: 'admin', action: 'user.create', result: 'ok' } });
  store.db.prepare(`INSERT INTO devices (id, oui, product_class, serial, first_seen, software_version, remote_ip) VALUES ('OUI-P-S1', 'OUI', 'P', 'S1', '2026', '1.0', '10.0.0.5')`).run();
  events.emit('acs.session.start', { deviceId: 'OUI-P-S1', sessionId: 's', events: ['0 BOOTSTRAP', '1 BOOT'] });
  events.emit('acs.session.start', { deviceId: 'OUI-P-S1', sessionId: 's2', events: ['2 PERIODIC'] });
  await new Promise((r) => setTimeout(r, 20));
  const rows = o.peek(100, 1 << 20).map((r) => [r.kind, JSON.parse(r.payload) as Record<string, unknown>] as const);
  assert.deepEqual(rows.map(([k]) => k), ['compliance', 'thermal', 'audit', 'inventory', 'event']);
  assert.deepEqual(rows[3]![1], { deviceId: 'OUI-P-S1', oui: 'OUI', productClass: 'P', serial: 'S1', manufacturer: '', softwareVersion: '1.0', ip: '10.0.0.5' });
  assert.equal(rows[4]![1].type, 'device.bootstrap');
  assert.equal(log.records.filter((r) => r.msg === 'report record refused').length, 4);
  feed.stop();
});
