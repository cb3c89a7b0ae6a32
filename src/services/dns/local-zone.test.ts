import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../core/clock.ts';
import { createLogger } from '../../core/log.ts';
import { TYPE } from '../../protocols/dns/index.ts';
import type { Lease } from '../../store/leases.ts';
import { NOW, lease, siteConfig } from '../../../test/dns/helpers.ts';
import { resolveSettings } from './settings.ts';
import { ZoneBuilder } from './zone-build.ts';
import { LocalZone } from './local-zone.ts';

function setup(rows: Lease[]) {
  const cfg = siteConfig('  enabled: true\n  zone: { reverse: [10.78.1.0/24] }');
  const settings = resolveSettings(cfg.dns, cfg);
  const clock = new FakeClock(NOW);
  let reads = 0;
  let changes = 0;
  const local = new LocalZone({
    builder: new ZoneBuilder(settings.zone), clock, log: createLogger({ level: 'silent' }), domain: 'site.example',
    leases: { active: () => { reads++; return rows; } }, refreshMs: 30_000, minRebuildMs: 500, onChange: () => { changes++; },
  });
  local.start();
  return { local, clock, rows, reads: () => reads, changes: () => changes };
}

test('lease events: renewals of shown leases are ignored, new and released ones rebuild (coalesced)', () => {
  const s = setup([lease('10.78.1.10', 'p10')]);
  assert.equal(s.reads(), 1);
  s.local.leaseChanged({ ip: '10.78.1.10', hostname: 'p10', state: 'bound' }); // a renewal
  s.clock.advance(1000);
  assert.equal(s.reads(), 1);
  s.rows.push(lease('10.78.1.11', 'p11'));
  for (let i = 0; i < 100; i++) s.local.leaseChanged({ ip: '10.78.1.11', hostname: 'p11', state: 'bound' });
  s.clock.advance(600);
  assert.equal(s.reads(), 2, 'one rebuild for a burst of events');
  assert.equal(s.local.zone.lookup('p11.site.example', TYPE.A)!.answer.length, 1);
  s.rows.splice(0, 1);
  s.local.leaseChanged({ ip: '10.78.1.10', hostname: 'p10', state: 'released' });
  s.clock.advance(600);
  assert.equal(s.reads(), 3);
  assert.equal(s.local.zone.lookup('10.1.78.10.in-addr.arpa', TYPE.PTR)!.answer.length, 0);
  s.local.leaseChanged({ ip: '10.78.1.99', hostname: null, state: 'expired' }); // nothing shown for it
  s.clock.advance(600);
  assert.equal(s.reads(), 3);
  assert.equal(s.changes(), 2);
  s.local.stop();
});

test('periodic refresh drops expired leases; a failing lease read keeps the last names', () => {
  const s = setup([lease('10.78.1.10', 'p10', { expiresAt: NOW + 20_000 })]);
  assert.equal(s.local.zone.lookup('p10.site.example', TYPE.A)!.answer.length, 1);
  s.clock.advance(30_000);
  assert.equal(s.local.zone.lookup('p10.site.example', TYPE.A)!.answer.length, 0);
  s.local.stop();
  const rows = [lease('10.78.1.12', 'p12')];
  let fail = false;
  const cfg = siteConfig('  enabled: true');
  const clock = new FakeClock(NOW);
  const local = new LocalZone({
    builder: new ZoneBuilder(resolveSettings(cfg.dns, cfg).zone), clock, log: createLogger({ level: 'silent' }), domain: 'site.example',
    leases: { active: () => { if (fail) throw new Error('SQLITE_BUSY'); return rows; } }, refreshMs: 30_000, minRebuildMs: 500, onChange: () => {},
  });
  fail = true;
  local.rebuild();
  assert.equal(local.zone.lookup('p12.site.example', TYPE.A)!.answer.length, 1);
});
