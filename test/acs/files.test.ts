// The ACS file endpoint: firmware with ETag and Range (resumable), path safety, upload tokens.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startOutpost, type Running } from '../helpers/outpost.ts';

let o: Running;
before(async () => {
  o = await startOutpost({ rotate: false });
  mkdirSync(join(o.stateDir, 'firmware'), { recursive: true });
  writeFileSync(join(o.stateDir, 'firmware', 'fw.bin'), Buffer.from(Array.from({ length: 1000 }, (_, i) => i & 0xff)));
});
after(async () => { await o.stop(); });

function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = https.request(new URL(path, o.acsUrl), { method, headers, ca: o.ca! }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('firmware: whole file with a strong ETag; If-None-Match → 304; HEAD has the length', async () => {
  const r = await get('/files/firmware/fw.bin');
  assert.equal(r.status, 200);
  assert.equal(r.body.length, 1000);
  assert.equal(r.headers['accept-ranges'], 'bytes');
  const etag = String(r.headers.etag);
  assert.match(etag, /^"[0-9a-f]{64}"$/);
  assert.equal((await get('/files/firmware/fw.bin', { 'if-none-match': etag })).status, 304);
  const h = await get('/files/firmware/fw.bin', {}, 'HEAD');
  assert.equal(h.headers['content-length'], '1000');
});

test('firmware: a Range resumes, If-Range with an old ETag gives the whole file, a bad range is 416', async () => {
  const r = await get('/files/firmware/fw.bin', { range: 'bytes=990-' });
  assert.equal(r.status, 206);
  assert.equal(r.headers['content-range'], 'bytes 990-999/1000');
  assert.deepEqual([...r.body], [222, 223, 224, 225, 226, 227, 228, 229, 230, 231]);
  const stale = await get('/files/firmware/fw.bin', { range: 'bytes=990-', 'if-range': '"old"' });
  assert.equal(stale.status, 200);
  assert.equal(stale.body.length, 1000);
  assert.equal((await get('/files/firmware/fw.bin', { range: 'bytes=5000-' })).status, 416);
});

test('firmware: path tricks and unknown files are 404', async () => {
  for (const p of ['/files/firmware/..%2Fsecret.key', '/files/firmware/.hidden', '/files/firmware/nope.bin']) {
    assert.equal((await get(p)).status, 404, p);
  }
});

test('uploads need a one-time token of a queued Upload task', async () => {
  const r = await new Promise<number>((resolve, reject) => {
    const req = https.request(new URL(`/files/uploads/${'a'.repeat(32)}`, o.acsUrl), { method: 'PUT', ca: o.ca! }, (res) => { res.resume(); resolve(res.statusCode!); });
    req.on('error', reject);
    req.end('data');
  });
  assert.equal(r, 403);
});
