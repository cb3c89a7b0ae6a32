// The WAN state machine and back-off (pure: no sockets).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/core/clock.ts';
import { nextDelay, nextWan, Wan, type WanStatus } from '../../src/services/sync/wan.ts';

const opt = { downAfterFailures: 3, slowMs: 1000 };
const net = { ok: false as const, kind: 'network' as const, message: 'ECONNRESET' };

test('starts down; a success → up; slow → degraded; since moves only on a change of state', () => {
  const clock = new FakeClock(1000);
  const w = new Wan(clock, opt);
  assert.equal(w.status.state, 'down');
  assert.equal(w.status.since, 1000);
  clock.advance(500);
  w.record({ ok: true, latencyMs: 20 });
  assert.deepEqual({ s: w.status.state, since: w.status.since, lastOk: w.status.lastOk }, { s: 'up', since: 1500, lastOk: 1500 });
  clock.advance(500);
  w.record({ ok: true, latencyMs: 30 });
  assert.equal(w.status.since, 1500, 'still up: since unchanged');
  w.record({ ok: true, latencyMs: 1500 });
  assert.equal(w.status.state, 'degraded');
  assert.match(w.status.reason ?? '', /slow/);
});

test('network failures: degraded, then down after downAfterFailures; server and auth errors never down', () => {
  let s: WanStatus = { state: 'up', since: 0, reason: null, failures: 0, lastOk: 0, lastLatencyMs: 5 };
  s = nextWan(s, net, 10, opt);
  assert.equal(s.state, 'degraded');
  s = nextWan(s, net, 20, opt);
  assert.equal(s.state, 'degraded');
  assert.equal(s.since, 10);
  s = nextWan(s, net, 30, opt);
  assert.deepEqual([s.state, s.since, s.failures], ['down', 30, 3]);
  s = nextWan(s, net, 40, opt);
  assert.deepEqual([s.state, s.since], ['down', 30], 'down stays down with its since');
  let t: WanStatus = { state: 'up', since: 0, reason: null, failures: 0, lastOk: 0, lastLatencyMs: 5 };
  for (let i = 0; i < 10; i++) t = nextWan(t, { ok: false, kind: i % 2 ? 'server' : 'auth', message: 'HTTP 503' }, i, opt);
  assert.equal(t.state, 'degraded');
  const back = nextWan(s, { ok: true, latencyMs: 5 }, 50, opt);
  assert.deepEqual([back.state, back.since, back.failures, back.reason], ['up', 50, 0, null]);
});

test('from the initial down (never reached) a failure stays down', () => {
  const w = new Wan(new FakeClock(0), opt);
  const seen: string[] = [];
  w.onChange((s, prev) => seen.push(`${prev.state}→${s.state}: ${s.reason}`));
  w.record(net);
  assert.equal(w.status.state, 'down');
  assert.equal(w.status.since, 0);
  assert.deepEqual(seen, ['down→down: ECONNRESET'], 'listeners hear the new reason');
});

test('back-off: exponential with equal jitter, capped; interval ±10 % after success', () => {
  const o = { interval: 120_000, min: 10_000, max: 600_000 };
  assert.equal(nextDelay(0, o, () => 0), 108_000);
  assert.equal(nextDelay(0, o, () => 1), 132_000);
  assert.equal(nextDelay(1, o, () => 0), 5_000);
  assert.equal(nextDelay(1, o, () => 1), 10_000);
  assert.equal(nextDelay(3, o, () => 1), 40_000);
  assert.equal(nextDelay(10, o, () => 1), 600_000);
  assert.equal(nextDelay(1000, o, () => 0.5), 450_000);
  for (let n = 1; n < 40; n++) {
    const d = nextDelay(n, o, Math.random);
    assert.ok(d >= 5_000 && d <= 600_000, String(d));
  }
});
