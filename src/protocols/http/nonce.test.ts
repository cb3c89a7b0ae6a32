// NonceManager: stateless HMAC nonces (any instance with the secret verifies them, across TCP
// connections — tr069-protocol.md §6.2), expiry as 'stale', and bounded nc replay tracking.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { FakeClock } from '../../core/clock.ts';
import { NonceManager } from './digest.ts';

const secret = randomBytes(32);

test('issued nonces are ≥128-bit hex, unique, ok until the lifetime, then stale', () => {
  const clock = new FakeClock(1_750_000_000_000);
  const m = new NonceManager({ secret, lifetimeMs: 300_000, clock });
  const n = m.issue();
  assert.match(n, /^[0-9a-f]{64}$/);
  assert.notEqual(m.issue(), n);
  assert.equal(m.check(n), 'ok');
  clock.advance(300_000);
  assert.equal(m.check(n), 'ok');
  clock.advance(1);
  assert.equal(m.check(n), 'stale');
  assert.equal(m.check(n.toUpperCase()), 'stale', 'hex case does not matter');
});

test('stateless: another instance with the same secret accepts it; another secret or tampering does not', () => {
  const clock = new FakeClock(1_000_000);
  const a = new NonceManager({ secret, lifetimeMs: 60_000, clock });
  const b = new NonceManager({ secret: Buffer.from(secret), lifetimeMs: 60_000, clock });
  const other = new NonceManager({ secret: randomBytes(32), lifetimeMs: 60_000, clock });
  const n = a.issue();
  assert.equal(b.check(n), 'ok');
  assert.equal(other.check(n), 'invalid');
  for (const i of [0, 20, 40, 63]) {
    const t = n.slice(0, i) + (n[i] === '0' ? '1' : '0') + n.slice(i + 1);
    assert.equal(a.check(t), 'invalid', `flip at ${i}`);
  }
  for (const bad of ['', 'abc', 'z'.repeat(64), `${n}00`, n.slice(0, 62)]) assert.equal(a.check(bad), 'invalid', bad);
});

test('a nonce from the future (beyond skew) is invalid', () => {
  const clock = new FakeClock(10_000_000);
  const issuer = new NonceManager({ secret, lifetimeMs: 60_000, clock });
  const n = issuer.issue();
  const past = new NonceManager({ secret, lifetimeMs: 60_000, clock: { now: () => 10_000_000 - 120_000 } });
  assert.equal(past.check(n), 'invalid');
  const slightlyBehind = new NonceManager({ secret, lifetimeMs: 60_000, clock: { now: () => 10_000_000 - 5_000 } });
  assert.equal(slightlyBehind.check(n), 'ok');
});

test('acceptNc: nc must strictly increase per nonce; malformed nc refused', () => {
  const m = new NonceManager({ secret, lifetimeMs: 60_000, clock: new FakeClock(0) });
  const n1 = m.issue();
  const n2 = m.issue();
  assert.equal(m.acceptNc(n1, '00000001'), true);
  assert.equal(m.acceptNc(n1, '00000001'), false, 'replay');
  assert.equal(m.acceptNc(n1, '00000003'), true);
  assert.equal(m.acceptNc(n1, '00000002'), false, 'going back');
  assert.equal(m.acceptNc(n1.toUpperCase(), '00000003'), false, 'same nonce whatever the hex case');
  assert.equal(m.acceptNc(n2, '00000001'), true, 'independent per nonce');
  assert.equal(m.acceptNc(n2, '0000000A'), true);
  assert.equal(m.acceptNc(n2, '0000000a'), false);
  for (const bad of ['', '00000000', 'xyz', '123456789', '-1', ' 1']) assert.equal(m.acceptNc(m.issue(), bad), false, bad);
});

test('replay memory is bounded: least recently used nonces are forgotten first', () => {
  const m = new NonceManager({ secret, lifetimeMs: 60_000, clock: new FakeClock(0), maxTracked: 3 });
  const ns = [m.issue(), m.issue(), m.issue(), m.issue()];
  for (const n of ns.slice(0, 3)) assert.equal(m.acceptNc(n, '1'), true);
  assert.equal(m.acceptNc(ns[0]!, '2'), true, 'refreshes ns[0]');
  assert.equal(m.acceptNc(ns[3]!, '1'), true, 'evicts ns[1], the least recently used');
  assert.equal(m.tracked, 3);
  assert.equal(m.acceptNc(ns[0]!, '2'), false, 'ns[0] still tracked');
  assert.equal(m.acceptNc(ns[2]!, '1'), false, 'ns[2] still tracked');
  const big = new NonceManager({ secret, lifetimeMs: 60_000, clock: new FakeClock(0) });
  for (let i = 0; i < 100_500; i++) big.acceptNc(i.toString(16).padStart(64, '0'), '1');
  assert.equal(big.tracked, 100_000, 'default bound');
});

test('constructor refuses a short secret', () => {
  assert.throws(() => new NonceManager({ secret: Buffer.alloc(8), lifetimeMs: 1, clock: new FakeClock(0) }), TypeError);
});
