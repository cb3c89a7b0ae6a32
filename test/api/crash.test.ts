// kill -9 in the middle of a change made through the API loses neither the change nor its audit
// entry (DESIGN "Reliability": no lost change or audit entry): the 'started' entry is durable
// before the handler runs, the change (a task) is durable before the handler goes on, and after a
// restart both are there and the audit chain still verifies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { configText } from '../helpers/outpost.ts';
import { startChild, freePort } from '../helpers/child.ts';
import { RawCpe, inform } from '../helpers/raw-cpe.ts';

test('kill -9 while a change is in progress: the task and its audit entry survive; the chain verifies after restart', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-api-crash-'));
  const bootstrap = { username: 'boot', password: randomBytes(9).toString('base64url') };
  const [acsPort, apiPort] = [await freePort(), await freePort()];
  // A phone whose connection-request URL accepts the TCP connection and then never answers.
  const held: Socket[] = [];
  const tarpit = createServer((s) => { held.push(s); });
  await new Promise<void>((r) => tarpit.listen(0, '127.0.0.1', r));
  const crUrl = `http://127.0.0.1:${(tarpit.address() as { port: number }).port}/cr`;
  const admin = 'admin: { username: shift-lead, password: "Vacuum-Distillation-4" }';
  const yaml = configText(dir, bootstrap, { rotate: false, acsPort, apiPort, logLevel: 'info', extra: admin, acs: '  connectionRequest: { timeout: 20s }' });
  const api = (path: string, token: string, init: RequestInit = {}) => fetch(`http://127.0.0.1:${apiPort}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });
  let child = await startChild(dir, yaml);
  try {
    const ca = readFileSync(join(dir, 'tls', 'ca.pem'), 'utf8');
    const cpe = new RawCpe(`https://127.0.0.1:${acsPort}/`, ca, bootstrap);
    const boot = inform('CRASH1', ['1 BOOT']);
    boot.parameters = boot.parameters.map((p) => (p.name.endsWith('ConnectionRequestURL') ? { ...p, value: crUrl } : p));
    assert.equal((await cpe.send(boot)).status, 200);
    assert.equal((await cpe.post('')).status, 204, 'the session ends: nothing queued');
    cpe.close();
    const login = await fetch(`http://127.0.0.1:${apiPort}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'shift-lead', password: 'Vacuum-Distillation-4' }) });
    const { token } = await login.json() as { token: string };
    // Reboot with a connection request: the handler waits on the tarpit after queuing the task.
    const pending = api('/api/v1/devices/00A1B2-TESTPHONE-CRASH1/tasks', token, { method: 'POST', body: JSON.stringify({ method: 'Reboot', args: { commandKey: 'k9' }, connectionRequest: true }) })
      .then((r) => r.status, () => 'cut');
    const t0 = Date.now();
    while (held.length === 0 && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 20));
    assert.equal(held.length, 1, 'the connection request is under way');
    child.proc.kill('SIGKILL');
    await child.exited;
    assert.equal(await pending, 'cut', 'the client never got an answer');

    child = await startChild(dir, yaml);
    const relog = await fetch(`http://127.0.0.1:${apiPort}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'shift-lead', password: 'Vacuum-Distillation-4' }) });
    const t2 = (await relog.json() as { token: string }).token;
    const tasks = await (await api('/api/v1/devices/00A1B2-TESTPHONE-CRASH1/tasks', t2)).json() as { items: { method: string; status: string }[] };
    assert.deepEqual(tasks.items.map((t) => `${t.method} ${t.status}`), ['Reboot queued'], 'the change is there');
    const audit = await (await api('/api/v1/audit?actor=shift-lead', t2)).json() as { items: { action: string; target: string; result: string }[] };
    const lines = audit.items.map((a) => `${a.action} ${a.target ?? ''} ${a.result}`);
    assert.ok(lines.includes('POST /api/v1/devices/:id/tasks id=00A1B2-TESTPHONE-CRASH1 started'), lines.join('\n'));
    assert.ok(!lines.some((l) => /tasks .* 201$/.test(l)), 'no result was recorded: the process died first');
    const v = await (await api('/api/v1/audit/verify', t2)).json() as { ok: boolean };
    assert.equal(v.ok, true);
  } finally {
    child.proc.kill('SIGKILL');
    await child.exited;
    for (const s of held) s.destroy();
    tarpit.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
