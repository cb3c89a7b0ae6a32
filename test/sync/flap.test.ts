// The WAN flaps 50 times while a site downloads bundles and a firmware image through a
// rate-limited TCP proxy standing in for the WAN. Never a partial bundle (the bundle in force
// always matches a complete, verified version), the firmware download resumes with Range where
// it was cut and ends with the right SHA-256, and phones talking to the local ACS never notice.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startOutpost, type Running } from '../helpers/outpost.ts';
import { SyncRepo } from '../../src/store/sync.ts';
import { ProvisioningRepo } from '../../src/store/provisioning.ts';
import { parseBundle } from '../../src/protocols/bundle/index.ts';
import { startPhone, type SimPhone } from '../sim/index.ts';
import { fixtureBundle, generateKeyPair, startTestCentral, syncSection, waitFor, type TestCentral } from './helpers.ts';
import { WanProxy } from './proxy.ts';

const FLAPS = 50;
const keys = generateKeyPair();
let central: TestCentral;
let proxy: WanProxy;
let site: Running;
const phones: SimPhone[] = [];

/** A deterministic random sequence, so a failure can be replayed. */
function rng(seed: number): () => number {
  return () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff; };
}

const bigCsv = (tag: string) => `position,switch,port,note\n${Array.from({ length: 12_000 }, (_, i) => `P${i},sw-${i % 40},Gi1/0/${i % 48},${tag} ${'x'.repeat(20)}`).join('\n')}\n`;

before(async () => {
  central = await startTestCentral();
  proxy = await new WanProxy({ target: { host: '127.0.0.1', port: central.port }, rate: 4 * 1024 * 1024 }).start();
});
after(async () => {
  for (const p of phones) await p.stop();
  await site?.stop();
  await proxy?.stop();
  await central?.stopAll();
});

test('50 WAN flaps during bundle and firmware downloads: no partial bundle, firmware resumes, phones unaffected', { timeout: 120_000 }, async () => {
  const v1 = fixtureBundle(keys, { version: 1, fwBytes: 6 * 1024 * 1024, extraParts: { 'inventory/positions.csv': bigCsv('v1') } });
  const v2 = fixtureBundle(keys, { version: 2, fwBytes: 6 * 1024 * 1024, extraParts: { 'inventory/positions.csv': bigCsv('v2') } });
  const manifests = new Map([v1, v2].map((b) => { const m = parseBundle(b.bundle).manifest; return [m.version, m.parts.map((p) => `${p.name}:${p.sha256}`).join('|')]; }));
  // The image named in v2's catalogue (v1 and v2 carry different random images: v2's is the one that must end up stored).
  central.addFirmware('sim-phone-2.0.bin', v1.image);
  central.publish(v1.bundle);

  const random = rng(7);
  const flapping = (async () => {
    for (let i = 0; i < FLAPS; i++) {
      await new Promise((r) => setTimeout(r, 100 + random() * 400));
      proxy.cut(random() < 0.8 ? 'reset' : 'blackhole');
      await new Promise((r) => setTimeout(r, 30 + random() * 120));
      proxy.restore();
      if (i === 20) { central.addFirmware('sim-phone-2.0.bin', v2.image); central.publish(v2.bundle); }
    }
  })();

  site = await startOutpost({ extra: syncSection({ url: proxy.url, token: central.siteToken, publicKey: keys.publicKey, interval: '300ms', more: '  wan: { downAfterFailures: 2 }\n' }).replace('timeout: 2s', 'timeout: 400ms') });

  // Invariant, checked at every cycle end and every apply: what is in force is one whole version.
  const violations: string[] = [];
  const check = () => {
    const repo = new SyncRepo(site.app.store);
    const b = repo.inForce();
    if (!b) return;
    const parts = repo.parts().map((p) => `${p.name}:${p.sha256}`).join('|');
    if (parts !== manifests.get(b.version)) violations.push(`version ${b.version}: parts differ from its manifest`);
    const src = new ProvisioningRepo(site.app.store).info().source;
    if (src?.version !== b.version) violations.push(`provisioning content from version ${src?.version}, bundle ${b.version}`);
  };
  let cycles = 0;
  site.app.events.on('sync.cycle', () => { cycles++; check(); });
  site.app.events.on('sync.bundle.applied', check);

  // Phones keep booting and informing against the local ACS the whole time.
  for (let i = 0; i < 4; i++) {
    phones.push(await startPhone({ model: 'tr181', serial: `SIMFLAP${i}`, acsUrl: site.acsUrl, ...(site.ca ? { ca: site.ca } : {}), username: site.bootstrap.username, password: site.bootstrap.password }));
  }
  let sessions = 0;
  const failures: string[] = [];
  let flapsDone = false;
  const phoneLoop = (async () => {
    for (const p of phones) { const s = await p.boot(); sessions++; if (!s.ok) failures.push(`${p.serial}: ${s.error}`); }
    for (let round = 0; !flapsDone; round++) {
      for (const p of phones) {
        const s = round === 3 && p === phones[0] ? await p.factoryReset() : await p.session();
        sessions++;
        if (!s.ok) failures.push(`${p.serial}: ${s.error}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();

  await flapping;
  flapsDone = true;
  await phoneLoop;
  assert.equal(proxy.cuts, FLAPS);

  // The WAN is back: the site finishes on its own (short back-off after failures); nudge it in case
  // its last cycle succeeded before v2 was published.
  const repo = new SyncRepo(site.app.store);
  await waitFor(async () => {
    if (repo.inForce()?.version === 2 && repo.firmware()[0]?.state === 'ready') return true;
    await site.api('POST', '/api/v1/sync/run');
    return false;
  }, 60_000, 'bundle 2 and its firmware');
  check();

  assert.deepEqual(violations, []);
  assert.deepEqual(repo.rejections(10), [], 'a cut download never reached verification as a broken bundle');
  const stored = readFileSync(join(site.stateDir, 'firmware', 'sim-phone-2.0.bin'));
  assert.equal(createHash('sha256').update(stored).digest('hex'), createHash('sha256').update(v2.image).digest('hex'));
  const fwRequests = proxy.requests.filter((r) => r.includes('/firmware/'));
  const resumed = fwRequests.filter((r) => /range: bytes=[1-9]\d*-/.test(r));
  assert.ok(resumed.length >= 2, `firmware resumed with Range after cuts: ${fwRequests.join('; ')}`);
  assert.deepEqual(failures, [], 'phones never noticed the WAN');
  assert.ok(sessions >= 12, `${sessions} phone sessions during the flapping`);
  // Everything may have been in place before the last cut healed: the WAN state catches up.
  await waitFor(async () => (await site.api<{ wan: { state: string } }>('GET', '/api/v1/sync')).body.wan.state === 'up', 10_000, 'WAN up again');
  process.stderr.write(`# flap: ${FLAPS} cuts, ${cycles} sync cycles, ${fwRequests.length} firmware requests (${resumed.length} resumed), ${sessions} phone sessions, ${(proxy.bytesDown / 1e6).toFixed(1)} MB through the WAN\n`);
});
