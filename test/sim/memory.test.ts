// Memory per idle simulated phone, for 1,000 phones booted against the scripted ACS over HTTPS
// with one shared connection-request server (fleet mode). Budget: ≤ 50 KB per phone, so that a
// 10,000-phone fleet fits in 500 MB. The figure is reported as a test diagnostic.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { systemClock } from '../../src/core/clock.ts';
import { CrServer } from './cr-server.ts';
import { startPhone, type SimPhone } from './index.ts';
import { ScriptedAcs } from './scripted-acs.ts';
import { testTls } from './test-tls.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapUsed(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

/** Set 45 writable string parameters to per-phone values, as a site template would. */
function provision(p: SimPhone): void {
  let n = 0;
  p.state.walk(p.state.resolve('')!, false, (item) => {
    if (n >= 45 || !item.param?.writable || item.param.type !== 'string' || item.param.enumValues) return;
    p.state.set(item.path, `${p.serial}-${n++}`);
  });
}

const PHONES = 1000;
const BUDGET = 50 * 1024;

test(`memory per idle phone (${PHONES} booted phones, shared CR server)`, { timeout: 120_000 }, async (t) => {
  const tls = testTls();
  const acs = await new ScriptedAcs({ tls, credentials: { boot: 'strap' } }).start();
  const cr = new CrServer({ clock: systemClock });
  await cr.listen();
  const phones: SimPhone[] = [];
  try {
    const warm = await startPhone({ model: 'tr181', serial: 'WARM', acsUrl: acs.url, ca: tls.ca, username: 'boot', password: 'strap', crServer: cr });
    await warm.boot(); // compiles the model and loads TLS/HTTP code before the baseline
    await warm.stop();
    acs.forget();
    const before = heapUsed();
    const rssBefore = process.memoryUsage().rss;
    const started = Date.now();
    for (let i = 0; i < PHONES; i += 50) {
      const batch = await Promise.all(Array.from({ length: Math.min(50, PHONES - i) }, (_, j) => startPhone({
        model: 'tr181', serial: `MEM${String(i + j).padStart(5, '0')}`, acsUrl: acs.url, ca: tls.ca, username: 'boot', password: 'strap', crServer: cr,
      })));
      const recs = await Promise.all(batch.map((p) => p.boot()));
      assert.ok(recs.every((r) => r.ok), recs.find((r) => !r.ok)?.error);
      phones.push(...batch);
    }
    const bootMs = Date.now() - started;
    acs.forget();
    const perPhone = (heapUsed() - before) / PHONES;
    const rssPerPhone = (process.memoryUsage().rss - rssBefore) / PHONES;
    const msg = `${PHONES} idle tr181 phones: ${(perPhone / 1024).toFixed(1)} KB heap per phone, ${(rssPerPhone / 1024).toFixed(1)} KB RSS per phone; booted in ${bootMs} ms`;
    t.diagnostic(msg);
    process.stderr.write(`sim memory: ${msg}\n`);
    assert.ok(perPhone <= BUDGET, msg);
    // A provisioned phone stores what the site template set: ~45 values (tr069-protocol.md §10.7).
    for (const p of phones) provision(p);
    const provisioned = (heapUsed() - before) / PHONES;
    const msg2 = `after a 45-value template on each: ${(provisioned / 1024).toFixed(1)} KB heap per phone`;
    t.diagnostic(msg2);
    process.stderr.write(`sim memory: ${msg2}\n`);
    assert.ok(provisioned <= BUDGET, msg2);
  } finally {
    await Promise.all(phones.map((p) => p.stop()));
    await cr.close();
    await acs.stop();
  }
});
