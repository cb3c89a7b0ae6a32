// Binding tracker (services/stun/bindings.ts) and its repository, on an in-memory store with a
// fake clock: announcements, batched writes under flapping, expiry revival, anonymous purge,
// credentials sealed at rest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { FakeClock } from '../../src/core/clock.ts';
import { EventBus, type EventMap } from '../../src/core/events.ts';
import { memoryLogger } from '../../src/core/log.ts';
import { secretBox } from '../../src/core/secrets.ts';
import { openStore } from '../../src/store/index.ts';
import { StunBindingRepo } from '../../src/store/stun-bindings.ts';
import { BindingTracker, URGENT_MS, ANNOUNCE_MIN_MS } from '../../src/services/stun/bindings.ts';
import type { BindingSeen } from '../../src/services/stun/handler.ts';

const tick = () => new Promise((r) => setImmediate(r));

function setup() {
  const clock = new FakeClock();
  const store = openStore({ file: ':memory:', clock, secrets: secretBox(randomBytes(32)) });
  const events = new EventBus();
  const seen: EventMap['stun.binding'][] = [];
  events.on('stun.binding', (e) => seen.push(e));
  const tracker = new BindingTracker({ store, clock, events, log: memoryLogger('silent'), expiryMs: 600_000, flushIntervalMs: 10_000, maxCached: 3 });
  tracker.start();
  let writes = 0;
  const commit = store.commit.bind(store);
  (store as { commit: typeof store.commit }).commit = (fn) => { writes++; return commit(fn); };
  return { clock, store, tracker, seen, writes: () => writes };
}

const obs = (over: Partial<BindingSeen> = {}): BindingSeen => ({
  username: 'u1', deviceId: 'D1', address: '203.0.113.7', port: 40001, protocol: 'rfc3489', authenticated: true, bindingChange: false, ...over,
});

test('tracker: new binding announced and written; refreshes batched; a remap announced with the previous mapping', async () => {
  const { clock, tracker, seen, store, writes } = setup();
  tracker.observe(obs());
  await tick();
  assert.equal(seen.length, 1);
  assert.equal(seen[0]!.changed, false);
  assert.equal(tracker.repo.byUsername('u1')?.port, 40001);
  const w0 = writes();
  for (let i = 0; i < 50; i++) { clock.advance(100); tracker.observe(obs()); }
  const lastSeen = clock.now();
  await tick();
  assert.equal(writes(), w0, 'keep-alives cost no write until the flush');
  clock.advance(10_000);
  await tick();
  assert.equal(writes(), w0 + 1, 'one commit for all refreshes');
  assert.equal(tracker.repo.byUsername('u1')?.lastSeen, lastSeen);
  tracker.observe(obs({ port: 40002, bindingChange: true }));
  assert.deepEqual(seen[1], { username: 'u1', deviceId: 'D1', address: '203.0.113.7', port: 40002, changed: true, previous: { address: '203.0.113.7', port: 40001 }, authenticated: true, protocol: 'rfc3489' });
  clock.advance(URGENT_MS);
  await tick();
  const row = tracker.repo.byUsername('u1')!;
  assert.equal(row.port, 40002);
  assert.equal(row.changes, 1);
  await tracker.stop();
  store.close();
});

test('tracker: a source flapping between ports costs at most one commit per URGENT_MS and one event per second; the last mapping wins', async () => {
  const { clock, tracker, writes, store, seen } = setup();
  tracker.observe(obs({ username: null, address: '198.51.100.9' }));
  await tick();
  const w0 = writes();
  for (let i = 0; i < 10_000; i++) {
    tracker.observe(obs({ username: null, address: '198.51.100.9', port: 50000 + (i % 8) }));
    if (i % 100 === 99) clock.advance(1); // 10 000 changes in 100 ms
  }
  clock.advance(URGENT_MS);
  await tick();
  assert.ok(writes() - w0 <= 2, `writes ${writes() - w0}`);
  // Events: the first announcement, then nothing until the window closes, then the latest mapping.
  assert.equal(seen.length, 1);
  clock.advance(ANNOUNCE_MIN_MS);
  assert.equal(seen.length, 2);
  assert.deepEqual([seen[1]!.changed, seen[1]!.port, seen[1]!.previous], [true, 50000 + (9999 % 8), { address: '198.51.100.9', port: 40001 }]);
  const row = tracker.repo.get('ip:198.51.100.9')!;
  assert.equal(row.port, 50000 + (9999 % 8));
  assert.equal(row.changes, 10_000);
  await tracker.stop();
  store.close();
});

test('tracker: an expired binding seen again is announced; expired anonymous bindings are purged; the cache is bounded', async () => {
  const { clock, tracker, seen, store } = setup();
  tracker.observe(obs());
  tracker.observe(obs({ username: null, address: '192.0.2.1' }));
  await tick();
  clock.advance(600_001);
  tracker.observe(obs());
  assert.equal(seen.length, 3);
  assert.equal(seen[2]!.changed, false);
  clock.advance(60_000); // 6 flush ticks → purge
  await tick();
  await tick();
  assert.equal(tracker.repo.get('ip:192.0.2.1'), null);
  assert.ok(tracker.repo.byUsername('u1'), 'bindings with a USERNAME are kept');
  for (let i = 0; i < 10; i++) tracker.observe(obs({ username: `x${i}` }));
  clock.advance(URGENT_MS);
  await tick();
  assert.equal(tracker.repo.count(), 11, 'all written even though only 3 are cached');
  await tracker.stop();
  store.close();
});

test('credentials: sealed at rest, looked up by USERNAME, replaced per device, gone with the device', async () => {
  const clock = new FakeClock();
  const store = openStore({ file: ':memory:', clock, secrets: secretBox(randomBytes(32)) });
  store.db.prepare("INSERT INTO devices (id, oui, product_class, serial, first_seen) VALUES ('D1', 'O', 'P', 'S', 'x')").run();
  const repo = new StunBindingRepo(store);
  await repo.setCredentials('D1', 'user-a', 'pass-a');
  assert.deepEqual(repo.credentials('user-a'), { deviceId: 'D1', password: 'pass-a' });
  const raw = store.db.prepare('SELECT password_enc AS p FROM stun_credentials').get() as { p: string };
  assert.ok(!raw.p.includes('pass-a') && raw.p.startsWith('v1:'), 'sealed');
  await repo.setCredentials('D1', 'user-b', 'pass-b');
  assert.equal(repo.credentials('user-a'), null);
  assert.equal(repo.usernameOf('D1'), 'user-b');
  await assert.rejects(repo.setCredentials('D1', '', 'x'));
  await store.commit(() => store.db.prepare("DELETE FROM devices WHERE id = 'D1'").run());
  assert.equal(repo.credentials('user-b'), null);
  store.close();
});
