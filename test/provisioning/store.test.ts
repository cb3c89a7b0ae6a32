import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProvisioningRepo } from '../../src/store/provisioning.ts';
import { parseProvisioningDocuments } from '../../src/provisioning/index.ts';
import { memStore } from './helpers.ts';


const FILES = {
  'site.yaml': `templates:
  t: { values: { sip.proxy: pbx } }
zones:
  z: { template: t }
positions:
  p: { zone: z, match: { serial: S1 }, lines: { 1: { authUser: "2001", password: hunter2 } } }
rules:
  - { match: { productClass: X }, zone: z }
`,
};

test('replaceContent stores everything in one transaction, secrets sealed, and loads it back', async () => {
  const store = memStore();
  const repo = new ProvisioningRepo(store);
  const content = parseProvisioningDocuments(FILES);
  const rev = await store.commit(() => repo.replaceContent(content, { kind: 'local', version: 0 }));
  assert.equal(rev, 1);
  const raw = store.db.prepare("SELECT doc FROM prov_items WHERE kind = 'position'").get() as { doc: string };
  assert.doesNotMatch(raw.doc, /hunter2/, 'secret sealed at rest');
  assert.deepEqual(repo.loadContent(), JSON.parse(JSON.stringify(content)));
  const info = repo.info();
  assert.deepEqual(info.source, { kind: 'local', version: 0 });
  assert.equal(info.revision, 1);
  assert.match(info.hash!, /^[0-9a-f]{64}$/);
  await store.commit(() => repo.replaceContent(parseProvisioningDocuments({}), { kind: 'bundle', version: 7 }));
  assert.deepEqual(repo.loadContent(), { templates: {}, zones: {}, positions: {}, rules: [] });
  assert.equal(repo.info().revision, 2);
  store.close();
});

test('a failure inside the commit leaves the previous content intact', async () => {
  const store = memStore();
  const repo = new ProvisioningRepo(store);
  await store.commit(() => repo.replaceContent(parseProvisioningDocuments(FILES), { kind: 'local', version: 0 }));
  await assert.rejects(store.commit(() => {
    repo.replaceContent(parseProvisioningDocuments({}), { kind: 'bundle', version: 1 });
    throw new Error('signature check failed after replacing');
  }));
  assert.equal(Object.keys(repo.loadContent().templates).length, 1);
  assert.equal(repo.info().revision, 1);
  store.close();
});
