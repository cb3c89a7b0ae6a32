// A long WAN outage on a fake clock: 72 hours, 100,000 report records queued while central is
// unreachable (the test's TCP proxy resets every connection). When the WAN returns, everything
// is delivered exactly once — also when central's answers to two batches are lost on the way
// back (the batches are resent and counted as duplicates) — and central's totals match the site.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startOutpost, type Running } from '../helpers/outpost.ts';
import { FakeClock } from '../../src/core/clock.ts';
import { OutboxRepo } from '../../src/store/sync-outbox.ts';
import { generateKeyPair, makeBundle, startTestCentral, syncSection, type TestCentral } from './helpers.ts';
import { WanProxy } from './proxy.ts';

const HOUR = 3_600_000;
const TOTAL = 100_000;
const DEVICES = 2000;
const STATES = ['compliant', 'provisioning', 'drifted', 'failed', 'silent'] as const;

const clock = new FakeClock(Date.UTC(2026, 3, 1));
const keys = generateKeyPair();
let central: TestCentral;
let proxy: WanProxy;
let site: Running;

interface Status { wan: { state: string; since: string }; outbox: { records: number; oldest: string | null; dropped: number }; finished: boolean }
const run = async () => (await site.api<Status>('POST', '/api/v1/sync/run')).body;
const cycleEnded = () => new Promise<void>((resolve) => { const off = site.app.events.on('sync.cycle', () => { off(); resolve(); }); });

before(async () => {
  central = await startTestCentral();
  central.publish(makeBundle({ version: 1, keys, issuedAt: clock.now() }));
  proxy = await new WanProxy({ target: { host: '127.0.0.1', port: central.port } }).start();
  site = await startOutpost({ clock, extra: syncSection({ url: proxy.url, token: central.siteToken, publicKey: keys.publicKey, interval: '50m' }) });
});
after(async () => {
  await site?.stop();
  await proxy?.stop();
  await central?.stopAll();
});

test('72 h outage, 100,000 records: delivered exactly once when the WAN returns; central totals match', { timeout: 120_000 }, async () => {
  assert.equal((await run()).wan.state, 'up');
  const outbox = new OutboxRepo(site.app.store);
  const t0 = clock.now();
  proxy.cut('reset');

  // The site keeps working for 72 hours: devices report inventory, compliance changes, events, audit.
  const expected = new Map<string, string>();
  let n = 0;
  let hourCycles = 0;
  for (let h = 0; h < 72; h++) {
    const count = h === 71 ? TOTAL - n : Math.floor(TOTAL / 72);
    await site.app.store.commit(() => {
      for (let i = 0; i < count; i++, n++) {
        const dev = `00AABB-SimPhone-SIM${String(Math.floor(n / 10) % DEVICES).padStart(5, '0')}`;
        const at = clock.now() + i;
        switch (n % 10) {
          case 0: outbox.enqueue('inventory', { deviceId: dev, serial: dev.slice(-8), softwareVersion: `2.${h}` }, at); break;
          case 1: case 2: case 3: case 4: {
            const state = STATES[(n * 7 + h) % STATES.length]!;
            expected.set(dev, state);
            outbox.enqueue('compliance', { deviceId: dev, state }, at);
            break;
          }
          case 9: outbox.enqueue('audit', { actor: 'operator', action: 'device.reboot', target: dev, result: 'ok' }, at); break;
          default: outbox.enqueue('event', { type: 'device.boot', deviceId: dev }, at);
        }
      }
    });
    const ended = cycleEnded();
    clock.advance(HOUR); // the back-off timer fires: one attempt an hour fails at once
    await ended;
    hourCycles++;
  }
  assert.equal(n, TOTAL);
  assert.equal(hourCycles, 72);

  const during = (await site.api<Status>('GET', '/api/v1/sync')).body;
  assert.equal(during.wan.state, 'down');
  assert.equal(during.wan.since, new Date(t0 + 3 * HOUR).toISOString(), 'down after the third failed attempt');
  assert.ok(during.outbox.records >= TOTAL, `backlog visible: ${during.outbox.records}`);
  assert.equal(during.outbox.oldest, new Date(t0).toISOString());
  assert.equal(during.outbox.dropped, 0);
  assert.ok(site.app.health.has('SYNC_WAN_DOWN'));

  // What the site has to deliver, by kind (the test's records and the site's own events).
  const siteKinds = new Map((site.app.store.db.prepare('SELECT kind, count(*) AS n FROM sync_outbox GROUP BY kind').all() as { kind: string; n: number }[]).map((r) => [r.kind, r.n]));
  const before = central.repo.site('test')!;
  const seqNow = () => (site.app.store.db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'sync_outbox'").get() as { seq: number }).seq;
  const queued = seqNow();
  // The site's own audit log (e.g. these POST /sync/run calls) is queued as it goes up, too.
  const auditCursor = () => (site.app.store.db.prepare('SELECT reported_seq AS s FROM audit_cursor').get() as { s: number }).s;
  const auditBefore = auditCursor();

  // The WAN returns; the answers to the first two report batches are lost on the way back.
  proxy.restore();
  proxy.loseAnswers(2, /^POST /);
  const t1 = performance.now();
  let runs = 0;
  while ((await run()).outbox.records > 0 && runs < 10) runs++;
  const ms = performance.now() - t1;
  const after = (await site.api<Status>('GET', '/api/v1/sync')).body;
  assert.equal(after.outbox.records, 0);
  assert.equal(after.wan.state, 'up');
  assert.ok(!site.app.health.has('SYNC_WAN_DOWN'));

  // The site reported its own WAN recovery too (events): everything up to the last seq counts.
  const lastSeq = seqNow();
  // Exactly once: one stream, every seq from 1 to the last, stored once; the resent batches were duplicates.
  const streams = central.repo.streamStats('test');
  assert.equal(streams.length, 1);
  assert.deepEqual(streams[0], { stream: streams[0]!.stream, count: lastSeq, minSeq: 1, maxSeq: lastSeq });
  const s = central.repo.site('test')!;
  assert.equal(s.records, lastSeq);
  assert.ok(s.duplicates >= 2 * 2000, `lost answers → resent batches counted as duplicates (${s.duplicates})`);
  assert.equal(s.invalid, 0);
  const auditLive = auditCursor() - auditBefore;
  assert.ok(auditLive >= 1, 'the audit entries of the POST /sync/run calls went up');
  assert.equal(s.audit - before.audit, siteKinds.get('audit')! + auditLive);
  assert.equal(s.events - before.events, siteKinds.get('event')! + (lastSeq - queued - auditLive), 'events queued during the outage + the recovery events');

  // Compliance totals at central = the site's latest state per device.
  const want: Record<string, number> = { compliant: 0, provisioning: 0, drifted: 0, failed: 0, silent: 0, unknown: 0 };
  for (const st of expected.values()) want[st]!++;
  assert.equal(s.devices, DEVICES);
  assert.deepEqual(s.compliance, want);
  process.stderr.write(`# outage: ${TOTAL} records (+${lastSeq - TOTAL} of the site's own) delivered in ${Math.round(ms)} ms over ${runs + 1} cycles; duplicates absorbed ${s.duplicates}\n`);
});
