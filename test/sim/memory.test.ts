// Memory per phone in fleet mode: 1,000 phones of every family booted through the Fleet (shared
// connection-request server, the fleet's own bookkeeping included) against the scripted ACS over
// HTTPS. Budget: ≤ 50 KB per phone, so that a 10,000-phone fleet fits in 500 MB. Figures at
// 10,000 phones: scripts/bench/sim-capacity.ts and docs/benchmarks.md "Simulator capacity".

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Fleet, fillAsProvisioned } from './fleet.ts';
import { ScriptedAcs } from './scripted-acs.ts';
import { testTls } from './test-tls.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapUsed(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}


const PHONES = 1000;
const BUDGET = 50 * 1024;
const MIX = { tr181: 1, tr098: 1, yealink: 1, grandstream: 1, aastra: 1, unify: 1, ex: 1 };

test(`memory per phone: ${PHONES} booted phones of every family in a fleet`, { timeout: 120_000 }, async (t) => {
  const tls = testTls();
  const acs = await new ScriptedAcs({ tls, credentials: { boot: 'strap' } }).start();
  t.after(() => acs.stop());
  const opts = { acsUrl: acs.url, ca: tls.ca, username: 'boot', password: 'strap', models: MIX, concurrency: 100 };
  const warm = await Fleet.start({ ...opts, phones: 7, serialPrefix: 'WARM' });
  await warm.settled(); // compiles every model and loads TLS/HTTP code before the baseline
  await warm.stop();
  acs.forget();
  const before = heapUsed();
  const rssBefore = process.memoryUsage().rss;
  const fleet = await Fleet.start({ ...opts, phones: PHONES, serialPrefix: 'MEM' });
  t.after(() => fleet.stop());
  await fleet.settled();
  assert.equal(fleet.stats.counts().compliant, PHONES, JSON.stringify(fleet.summary().errors));
  const bootS = (fleet.summary().wallMs / 1000).toFixed(1);
  acs.forget();
  const perPhone = (heapUsed() - before) / PHONES;
  const rssPerPhone = (process.memoryUsage().rss - rssBefore) / PHONES;
  const msg = `${PHONES} idle phones (7 families): ${(perPhone / 1024).toFixed(1)} KB heap, ${(rssPerPhone / 1024).toFixed(1)} KB RSS per phone; booted in ${bootS} s`;
  t.diagnostic(msg);
  assert.ok(perPhone <= BUDGET, msg);
  for (const p of fleet.phones) if (p) fillAsProvisioned(p);
  const provisioned = (heapUsed() - before) / PHONES;
  const msg2 = `after a 45-value template on each: ${(provisioned / 1024).toFixed(1)} KB heap per phone`;
  t.diagnostic(msg2);
  assert.ok(provisioned <= BUDGET, msg2);
});
