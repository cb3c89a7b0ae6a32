// Silent phones (injected clock, STYLE habit 11): a phone that misses its expected Informs is
// silent after its criticality's threshold — sooner for a critical muster point than for an
// office phone — with NE 107 "failure", and clears as soon as it informs again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/core/clock.ts';
import { startSite, until } from './e2e-helpers.ts';

test('silent after the criticality threshold, cleared when the phone returns', async () => {
  const clock = new FakeClock(Date.now());
  const site = await startSite({ start: { clock }, accounts: [{ user: '2301', password: 'muster-secret' }] });
  try {
    const muster = await site.phone('tr181', 'MUSTER1');   // zone muster: critical, steady 2 min, 2 missed allowed
    const office = await site.phone('tr098', 'OFFICE1');   // default zone lobby: low, steady 4 h, 3 missed
    for (const p of [muster, office]) assert.ok((await p.boot()).ok);
    assert.equal(site.row(muster).state, 'compliant', site.row(muster).reason);
    assert.equal(site.row(muster).expectedInterval, 120_000);
    assert.equal(site.row(office).expectedInterval, 14_400_000);
    clock.advance(200_000); // 3 min 20 s: one Inform missed, within 2 × 2 min + 30 s grace
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(site.row(muster).state, 'compliant');
    clock.advance(80_000); // 4 min 40 s: past 2 × 2 min + 30 s
    const row = await until(() => { const r = site.row(muster); return r.state === 'silent' ? r : null; }, 5000, 'silent');
    assert.equal(row.ne107, 'F');
    assert.match(row.reason, /no Inform for 5 min \(expected every 2 min, 2 missed allowed\)/);
    assert.equal(site.row(office).state, 'compliant', 'a low-criticality phone is not silent yet');
    const sum = await site.o.api<{ totals: Record<string, number> }>('GET', '/api/v1/compliance');
    assert.equal(sum.body.totals.silent, 1);
    const s = await muster.session();
    assert.ok(s.ok, s.error);
    assert.equal(site.row(muster).state, 'compliant', 'cleared when it returns');
  } finally {
    await site.stop();
  }
});

test('periodic verification: a change the phone never notified is found and corrected after the zone\'s verification period', async () => {
  const clock = new FakeClock(Date.now());
  const site = await startSite({ start: { clock }, accounts: [{ user: '2301', password: 'muster-secret' }] });
  try {
    const p = await site.phone('tr181', 'MUSTER1'); // critical zone: verify every 6 h
    assert.ok((await p.boot()).ok);
    const ntp = 'Device.Time.NTPServer1'; // not a critical value: no active notification
    p.state.set(ntp, '10.9.9.9');         // changed behind the ACS's back (no VALUE CHANGE)
    let s = await p.session();
    assert.ok(!s.acsMethods.includes('SetParameterValues'), 'within the period the stored value is trusted');
    clock.advance(6 * 3_600_000 + 1000);
    s = await p.session();
    assert.ok(s.acsMethods.includes('SetParameterValues'), s.acsMethods.join());
    assert.equal(p.get(ntp), 'ntp.site.lan');
    assert.equal(site.row(p).state, 'compliant');
  } finally {
    await site.stop();
  }
});
