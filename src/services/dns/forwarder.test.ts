import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../core/clock.ts';
import { createLogger } from '../../core/log.ts';
import { Metrics } from '../../core/metrics.ts';
import { encodeName } from '../../protocols/dns/index.ts';
import { FakeUpstream } from '../../../test/dns/fake-upstream.ts';
import { NOW, decode, query, siteConfig } from '../../../test/dns/helpers.ts';
import { ResponseCache, renderEntry, type CacheEntry } from './cache.ts';
import { Forwarder } from './forwarder.ts';
import { Responder } from './responder.ts';
import { ClientAcl } from './acl.ts';
import { DnsStats } from './stats.ts';
import { resolveSettings } from './settings.ts';
import { ZoneBuilder } from './zone-build.ts';

const question = (name: string, type = 1) => Buffer.concat([encodeName(name), Buffer.from([0, type, 0, 1])]);

/** Wait (real time) until cond() holds: the fake upstream answers over real sockets. */
async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function setup(o: { downAfter?: number } = {}) {
  const up = new FakeUpstream();
  const port = await up.listen('127.0.0.1', 0);
  const clock = new FakeClock(NOW);
  const states: boolean[] = [];
  const counts: string[] = [];
  const fwd = new Forwarder({
    servers: [{ host: '127.0.0.1', port }], timeoutMs: 1500, attemptMs: 500, downAfter: o.downAfter ?? 3, probeMs: 5000,
    maxInFlight: 100, ednsUdpSize: 1232, cache: new ResponseCache(100), limits: { maxTtlMs: 86_400_000, maxNegativeTtlMs: 300_000 },
    clock, log: createLogger({ level: 'silent' }), onStateChange: (u) => states.push(u), count: (w) => counts.push(w),
  });
  await fwd.start();
  await until(() => up.queries === 1); // the start probe (. NS)
  await new Promise((r) => setTimeout(r, 20));
  return { up, clock, fwd, states, counts, close: () => { fwd.stop(); up.close(); } };
}

const addressOf = (e: CacheEntry | null, q: Buffer) => {
  assert.ok(e);
  const out = renderEntry(e, q, q.length, null, 512, NOW);
  return (decode(out).answers?.[0] as { data: string } | undefined)?.data;
};

test('forwarding: answer, cache hit within TTL, new query after it, shared in-flight questions', async (t) => {
  const s = await setup();
  t.after(s.close);
  const q = query('a.example.net', 'A');
  const [e1, e2] = await Promise.all([s.fwd.resolve('a/1/1', question('a.example.net')), s.fwd.resolve('a/1/1', question('a.example.net'))]);
  assert.equal(addressOf(e1, q), '192.0.2.1');
  assert.equal(e1, e2, 'one upstream query for both');
  assert.equal(s.up.queries, 2);
  assert.ok(s.fwd.cached('a/1/1'));
  s.clock.advance(299_000);
  const aged = renderEntry(s.fwd.cached('a/1/1')!, q, q.length, null, 512, s.clock.now());
  assert.equal((decode(aged).answers![0] as { ttl: number }).ttl, 1, 'TTL aged in place');
  s.clock.advance(2000);
  assert.equal(s.fwd.cached('a/1/1'), null);
  assert.equal(addressOf(await s.fwd.resolve('a/1/1', question('a.example.net')), q), '192.0.2.2');
});

test('negative answers cached for the SOA negative TTL (RFC 2308 §5)', async (t) => {
  const s = await setup();
  t.after(s.close);
  const e = await s.fwd.resolve('nx', question('nx.example.net'));
  assert.equal(e?.rcode, 3);
  s.clock.advance(29_000);
  assert.ok(s.fwd.cached('nx'));
  s.clock.advance(1_000);
  assert.equal(s.fwd.cached('nx'), null);
});

test('upstream silent: SERVFAIL after the 1.5 s budget, marked down after 3 timeouts, then SERVFAIL at once; probe brings it back', async (t) => {
  const s = await setup();
  t.after(s.close);
  s.up.silent = true;
  let result: CacheEntry | null | undefined;
  void s.fwd.resolve('b', question('b.example.net')).then((e) => { result = e; });
  await until(() => s.up.queries === 2);
  s.clock.advance(500);
  s.clock.advance(500);
  assert.equal(result, undefined, 'still trying within the budget');
  s.clock.advance(500);
  await until(() => result !== undefined);
  assert.equal(result, null);
  assert.deepEqual(s.states, [false]);
  assert.equal(s.fwd.up, false);
  assert.equal(s.counts.filter((c) => c === 'timeout').length, 3);
  const before = s.up.queries;
  assert.equal(await s.fwd.resolve('c', question('c.example.net')), null);
  assert.equal(s.up.queries, before, 'no upstream query while down');
  s.up.silent = false;
  s.clock.advance(3500); // the probe interval (5 s from start) falls due
  await until(() => s.fwd.up);
  assert.deepEqual(s.states, [false, true]);
  assert.equal(addressOf(await s.fwd.resolve('c', question('c.example.net')), query('c.example.net', 'A')), '192.0.2.1');
});

test('a truncated UDP answer is fetched again over TCP (RFC 7766 §5)', async (t) => {
  const s = await setup();
  t.after(s.close);
  const e = await s.fwd.resolve('big', question('big.example.net', 16));
  assert.ok(e);
  const q = query('big.example.net', 'TXT');
  assert.equal(decode(renderEntry(e, q, q.length, null, 65535, NOW)).answers?.length, 40);
  assert.ok(s.counts.includes('tcp'));
});

test('responder with a forwarder: RA set, client EDNS and id honoured, TC when the cached answer is too big', async (t) => {
  const s = await setup();
  t.after(s.close);
  const cfg = siteConfig('  enabled: true\n  allow: [127.0.0.0/8]');
  const st = resolveSettings(cfg.dns, cfg);
  const r = new Responder(new ZoneBuilder(st.zone).build([], NOW), {
    acl: new ClientAcl(st.allow), forwarder: s.fwd, ednsUdpSize: 1232, maxUdpSize: 4096,
    stats: new DnsStats(new Metrics()), log: createLogger({ level: 'silent' }), now: () => s.clock.now(),
  });
  const out = await r.respond(query('Mixed.Example.NET', 'A', { id: 77, edns: 1232 }), '127.0.0.1', false);
  const d = decode(out!);
  assert.equal(d.id, 77);
  assert.equal(d.questions![0]!.name, 'Mixed.Example.NET');
  assert.equal(d.flags! & 0x0480, 0x0080, 'RA, not AA');
  assert.equal(d.additionals?.filter((a) => a.type === 'OPT').length, 1);
  const cached = r.respond(query('mixed.example.net', 'A', { id: 78 }), '127.0.0.1', false);
  assert.ok(cached instanceof Buffer, 'cache hit answered synchronously');
  assert.equal(decode(cached).additionals?.length ?? 0, 0, 'no OPT for a query without one');
  await r.respond(query('big.example.net', 'TXT', { edns: 4096 }), '127.0.0.1', true);
  const tc = r.respond(query('big.example.net', 'TXT'), '127.0.0.1', false) as Buffer;
  assert.equal(tc[2]! & 0x02, 0x02);
  assert.equal(decode(r.respond(query('acs.site.example', 'A'), '127.0.0.1', false) as Buffer).flags! & 0x0400, 0x0400);
});
