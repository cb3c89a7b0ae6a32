// kill -9 at any moment loses no acknowledged event (DESIGN: reliability): every Inform that
// got its InformResponse is in the database after a hard kill, and the restarted ACS puts
// tasks that were in flight back in the queue.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { configText } from '../helpers/outpost.ts';
import { startChild, freePort, readToken } from '../helpers/child.ts';
import { RawCpe, inform, parse } from '../helpers/raw-cpe.ts';
import { openDb } from '../../src/store/db.ts';

test('kill -9 during a stream of sessions loses no acknowledged event; in-flight tasks are requeued on restart', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-crash-'));
  const bootstrap = { username: 'boot', password: randomBytes(9).toString('base64url') };
  const [acsPort, apiPort] = [await freePort(), await freePort()];
  const yaml = configText(dir, bootstrap, { rotate: false, acsPort, apiPort, logLevel: 'info', acs: '  maxSessions: 5000', auth: '    lockoutFailures: 100000' });
  let child = await startChild(dir, yaml);
  try {
    const ca = readFileSync(join(dir, 'tls', 'ca.pem'), 'utf8');
    const url = `https://127.0.0.1:${acsPort}/`;
    // One device with a task in flight when the kill comes.
    const holder = new RawCpe(url, ca, bootstrap);
    assert.equal((await holder.send(inform('HOLD1', ['1 BOOT']))).status, 200);
    const token = readToken(dir);
    const q = await fetch(`http://127.0.0.1:${apiPort}/api/v1/devices/00A1B2-TESTPHONE-HOLD1/tasks`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ method: 'Reboot', args: { commandKey: 'crash' } }),
    });
    assert.equal(q.status, 201);
    const sent = await holder.post('');
    assert.equal(parse(sent).body.method, 'Reboot'); // in flight now

    const acked: string[] = [];
    let stop = false;
    const worker = async (w: number) => {
      for (let i = 0; !stop; i++) {
        const serial = `K${w}N${i}`;
        const c = new RawCpe(url, ca, bootstrap);
        try {
          const r = await c.send(inform(serial, ['1 BOOT', '2 PERIODIC']));
          if (r.status === 200 && parse(r).body.method === 'InformResponse') acked.push(serial);
        } catch { /* the kill cut it: not acknowledged, so not required */ } finally { c.close(); }
      }
    };
    const workers = Array.from({ length: 8 }, (_, w) => worker(w));
    await new Promise((r) => setTimeout(r, 1500));
    child.proc.kill('SIGKILL');
    await child.exited;
    stop = true;
    await Promise.all(workers);
    holder.close();
    assert.ok(acked.length > 20, `only ${acked.length} sessions before the kill`);

    const db = openDb({ file: join(dir, 'outpost.db') });
    const have = new Set((db.prepare(`SELECT DISTINCT d.serial FROM events e JOIN devices d ON d.id = e.device_id WHERE e.code = '2 PERIODIC'`).all() as { serial: string }[]).map((r) => r.serial));
    const lost = acked.filter((s) => !have.has(s));
    assert.deepEqual(lost, [], `acknowledged but lost: ${lost.length} of ${acked.length}`);
    assert.equal((db.prepare(`SELECT status FROM tasks WHERE device_id = '00A1B2-TESTPHONE-HOLD1'`).get() as { status: string }).status, 'sent');
    db.close();

    child = await startChild(dir, yaml);
    const t = await fetch(`http://127.0.0.1:${apiPort}/api/v1/devices/00A1B2-TESTPHONE-HOLD1/tasks`, { headers: { authorization: `Bearer ${token}` } });
    const tasks = (await t.json()) as { items: { status: string }[] };
    assert.equal(tasks.items[0]!.status, 'queued', 'the interrupted task goes back to the queue');
    const again = new RawCpe(url, ca, bootstrap);
    assert.equal((await again.send(inform('HOLD1', ['1 BOOT']))).status, 200);
    assert.equal(parse(await again.post('')).body.method, 'Reboot', 'and is sent in the next session');
    again.close();
  } finally {
    child.proc.kill('SIGKILL');
    await child.exited;
    rmSync(dir, { recursive: true, force: true });
  }
});
