// A real RFC 5389 peer: coturn's turnutils_stunclient (Debian package coturn) learns its
// reflexive address from Outpost's STUN service.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { bootApp } from './helpers.ts';

const HAVE = spawnSync('sh', ['-c', 'command -v turnutils_stunclient']).status === 0;

test('coturn turnutils_stunclient gets its reflexive address from Outpost', async (t) => {
  if (!HAVE) {
    assert.notEqual(process.env.CI, 'true', 'turnutils_stunclient (Debian package coturn) is missing under CI');
    t.skip('turnutils_stunclient not installed (apt-get install coturn)');
    return;
  }
  const b = await bootApp('  requireIntegrity: cr-binding\n');
  t.after(() => b.stop());
  // spawnSync would block the event loop that answers; run it asynchronously.
  const out = await new Promise<{ code: number | null; text: string }>((resolve) => {
    const p = spawn('turnutils_stunclient', ['-p', String(b.port), '-L', '127.0.0.1', '127.0.0.1']);
    let text = '';
    p.stdout.on('data', (d: Buffer) => { text += d.toString(); });
    p.stderr.on('data', (d: Buffer) => { text += d.toString(); });
    const timer = setTimeout(() => p.kill('SIGKILL'), 5000);
    p.on('close', (code) => { clearTimeout(timer); resolve({ code, text }); });
  });
  assert.equal(out.code, 0, out.text);
  assert.match(out.text, /UDP reflexive addr: 127\.0\.0\.1:\d+/);
});
