// The apply pipeline with a stub content model injected (the format and the pipeline do not
// depend on the provisioning content): one transaction or nothing, last good bundle on disk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { openStore, type Store } from '../../src/store/index.ts';
import { FakeClock } from '../../src/core/clock.ts';
import { secretBox } from '../../src/core/secrets.ts';
import { isOutpostError, OutpostError } from '../../src/core/errors.ts';
import { BundleKeeper, type ContentModel } from '../../src/services/sync/apply.ts';
import { SyncRepo } from '../../src/store/sync.ts';
import { parsePublicKey } from '../../src/protocols/bundle/index.ts';
import { generateKeyPair, makeBundle, SITE, tempDir } from './helpers.ts';

const DAY = 86_400_000;

/** A content model that keeps "name=value" lines in a table of its own. */
function stubModel(o: { failApplyAt?: number } = {}): ContentModel & { versions: number[] } {
  const versions: number[] = [];
  return {
    versions,
    parse(files) {
      const out: [string, string][] = [];
      for (const [file, text] of Object.entries(files).filter(([n]) => n.endsWith('.txt'))) {
        text.split('\n').forEach((line, i) => {
          if (!line.trim()) return;
          const m = /^(\w+)=(.*)$/.exec(line);
          if (!m) throw new OutpostError('CONFIG_INVALID', `${file} line ${i + 1}: expected name=value`);
          out.push([m[1]!, m[2]!]);
        });
      }
      return out;
    },
    apply(store, content, version) {
      store.db.exec('CREATE TABLE IF NOT EXISTS stub_kv (k TEXT PRIMARY KEY, v TEXT)');
      store.db.prepare('DELETE FROM stub_kv').run();
      for (const [k, v] of content as [string, string][]) store.db.prepare('INSERT INTO stub_kv VALUES (?, ?)').run(k, v);
      if (o.failApplyAt === version) throw new Error('disk full (simulated) half way through');
      versions.push(version);
    },
  };
}

function setup(model: ContentModel): { store: Store; keeper: BundleKeeper; dir: string; clock: FakeClock; keys: ReturnType<typeof generateKeyPair> } {
  const clock = new FakeClock(Date.UTC(2026, 5, 1));
  const keys = generateKeyPair();
  const store = openStore({ file: ':memory:', clock, secrets: secretBox(randomBytes(32)) });
  const dir = join(tempDir('apply'), 'sync');
  const keeper = new BundleKeeper({ store, model, dir, publicKey: parsePublicKey(keys.publicKey), site: SITE, maxBytes: 1 << 20 });
  return { store, keeper, dir, clock, keys };
}

const kv = (store: Store) => Object.fromEntries((store.db.prepare('SELECT k, v FROM stub_kv ORDER BY k').all() as { k: string; v: string }[]).map((r) => [r.k, r.v]));

test('a bundle is applied through the injected model in one transaction; the file is kept', async () => {
  const model = stubModel();
  const { store, keeper, dir, clock, keys } = setup(model);
  const r = await keeper.offer(makeBundle({ version: 4, keys, issuedAt: clock.now(), parts: { 'a.txt': 'proxy=pbx1\nvlan=20\n' } }), 'central');
  assert.deepEqual(r, { applied: true, version: 4, expired: false });
  assert.deepEqual(kv(store), { proxy: 'pbx1', vlan: '20' });
  const row = keeper.inForce()!;
  assert.equal(row.version, 4);
  assert.ok(existsSync(join(dir, row.file)));
  assert.deepEqual(model.versions, [4]);
  assert.deepEqual(await keeper.offer(makeBundle({ version: 4, keys, issuedAt: clock.now(), parts: { 'a.txt': 'proxy=pbx1\nvlan=20\n' } }), 'central'),
    { applied: false, version: 4, reason: 'unchanged' }, 'the same bytes again: nothing to do');
  await assert.rejects(keeper.offer(makeBundle({ version: 4, keys, issuedAt: clock.now(), parts: { 'a.txt': 'proxy=other\n' } }), 'central'),
    /version 4 is not newer than version 4 in force/);
});

test('the model fails half way through apply: nothing of the new bundle is visible, the old one is in force', async () => {
  const { store, keeper, dir, clock, keys } = setup(stubModel({ failApplyAt: 2 }));
  await keeper.offer(makeBundle({ version: 1, keys, issuedAt: clock.now(), parts: { 'a.txt': 'proxy=pbx1\n' } }), 'central');
  await assert.rejects(keeper.offer(makeBundle({ version: 2, keys, issuedAt: clock.now(), parts: { 'a.txt': 'proxy=pbx2\nnew=1\n', 'firmware.yaml': 'images: []\n' } }), 'central'),
    (e: unknown) => isOutpostError(e, 'SYNC_BUNDLE_CONTENT') && /disk full/.test(e.message));
  assert.equal(keeper.inForce()!.version, 1);
  assert.deepEqual(kv(store), { proxy: 'pbx1' }, 'the stub table rolled back with the bundle');
  const repo = new SyncRepo(store);
  assert.deepEqual(repo.parts().map((p) => p.name), ['a.txt']);
  assert.equal(repo.rejections(1)[0]!.code, 'SYNC_BUNDLE_CONTENT');
  assert.deepEqual(readdirSync(dir).filter((n) => n.startsWith('bundle-2-')), [], 'no file left for the failed version');
});

test('the parser refuses content → SYNC_BUNDLE_CONTENT with file and line, nothing applied', async () => {
  const { store, keeper, clock, keys } = setup(stubModel());
  await keeper.offer(makeBundle({ version: 1, keys, issuedAt: clock.now(), parts: { 'a.txt': 'proxy=pbx1\n' } }), 'usb');
  await assert.rejects(keeper.offer(makeBundle({ version: 2, keys, issuedAt: clock.now(), parts: { 'a.txt': 'proxy=pbx2\n\nthis is not kv\n' } }), 'central'),
    (e: unknown) => isOutpostError(e, 'SYNC_BUNDLE_CONTENT') && /a\.txt line 3: expected name=value/.test(e.message));
  assert.deepEqual(kv(store), { proxy: 'pbx1' });
});

test('a bad firmware catalogue → SYNC_BUNDLE_CONTENT naming the field and line', async () => {
  const { keeper, clock, keys } = setup(stubModel());
  await assert.rejects(keeper.offer(makeBundle({ version: 1, keys, issuedAt: clock.now(), parts: { 'firmware.yaml': 'images:\n  - file: x.bin\n    vendor: V\n' } }), 'central'),
    (e: unknown) => isOutpostError(e, 'SYNC_BUNDLE_CONTENT') && /firmware\.yaml images\.0\.models \(line 2\)/.test(e.message));
});

test('nothing in force: an expired bundle is accepted (flagged); with one in force it is refused', async () => {
  const { keeper, clock, keys } = setup(stubModel());
  const old = { issuedAt: clock.now() - 10 * DAY, expiresAt: clock.now() - DAY, keys, parts: { 'a.txt': 'x=1\n' } };
  assert.deepEqual(await keeper.offer(makeBundle({ version: 1, ...old }), 'usb'), { applied: true, version: 1, expired: true });
  await assert.rejects(keeper.offer(makeBundle({ version: 2, ...old }), 'usb'), (e: unknown) => isOutpostError(e, 'SYNC_BUNDLE_EXPIRED'));
  assert.deepEqual(await keeper.offer(makeBundle({ version: 1, ...old }), 'usb', { quietIfOlder: true }), { applied: false, version: 1, reason: 'unchanged' });
  assert.deepEqual(await keeper.offer(makeBundle({ version: 1, ...old, parts: { 'a.txt': 'x=2\n' } }), 'usb', { quietIfOlder: true }), { applied: false, version: 1, reason: 'not newer' });
});

test('only the bundle in force and the one before stay on disk', async () => {
  const { keeper, dir, clock, keys } = setup(stubModel());
  for (let v = 1; v <= 5; v++) await keeper.offer(makeBundle({ version: v, keys, issuedAt: clock.now(), parts: { 'a.txt': `v=${v}\n` } }), 'central');
  assert.deepEqual(readdirSync(dir).map((n) => n.split('-')[1]).sort(), ['4', '5']);
});

test('concurrent offers are serialized: versions never interleave', async () => {
  const { keeper, clock, keys } = setup(stubModel());
  const offers = [3, 1, 2, 5, 4].map((v) => keeper.offer(makeBundle({ version: v, keys, issuedAt: clock.now(), parts: { 'a.txt': `v=${v}\n` } }), 'central').then((r) => r.version, (e: Error) => e.message));
  const results = await Promise.all(offers);
  assert.equal(keeper.inForce()!.version, 5);
  // In offer order: 3 applied, 1 and 2 refused (older), 5 applied, 4 refused (older than 5).
  assert.deepEqual(results.map((r) => (typeof r === 'number' ? r : 'refused')), [3, 'refused', 'refused', 5, 'refused']);
});
