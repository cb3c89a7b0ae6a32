// The users CLI as plant IT and the central team use it: hash-password for a config's
// admin.passwordHash (policy enforced), and the console break-glass reset-password against the
// database of a running Outpost.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configText, startOutpost, type Running } from '../helpers/outpost.ts';

const dir = mkdtempSync(join(tmpdir(), 'outpost-users-cli-'));
let o: Running | undefined;
after(async () => {
  await o?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const cli = (args: string[], input?: string) => spawnSync(process.execPath, ['src/main.ts', ...args], { encoding: 'utf8', ...(input !== undefined ? { input } : {}) });

async function login(username: string, password: string): Promise<number> {
  const r = await fetch(new URL('/api/v1/auth/login', o!.apiUrl), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  return r.status;
}

test('hash-password refuses weak passwords and prints a hash the site config accepts; reset-password is the console break-glass', async () => {
  const weak = cli(['users', 'hash-password', '--username', 'ops'], 'Welcome2024!\n');
  assert.equal(weak.status, 1);
  assert.match(weak.stderr, /well-known or trivial/);
  assert.doesNotMatch(weak.stderr, /Welcome2024/);
  const h = cli(['users', 'hash-password'], 'Catalytic-Cracker-11\n');
  assert.equal(h.status, 0, h.stderr);
  const hash = h.stdout.trim();
  assert.match(hash, /^scrypt\$15\$8\$3\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);

  const stateDir = join(dir, 'state');
  const admin = `admin: { username: ops, passwordHash: ${JSON.stringify(hash)} }`;
  o = await startOutpost({ stateDir, extra: admin });
  assert.equal(await login('ops', 'Catalytic-Cracker-11'), 201);

  const file = join(dir, 'outpost.yaml');
  writeFileSync(file, configText(stateDir, { username: 'b', password: 'bootstrap-pw' }, { extra: admin }));
  assert.equal(cli(['users', 'reset-password', 'nobody', '--config', file]).status, 1);
  const r = cli(['users', 'reset-password', 'ops', '--config', file]);
  assert.equal(r.status, 0, r.stderr);
  const fresh = /new password \(shown once\): (\S+)/.exec(r.stdout)?.[1];
  assert.ok(fresh && fresh.length >= 20);
  assert.equal(await login('ops', 'Catalytic-Cracker-11'), 401);
  assert.equal(await login('ops', fresh), 201);
  const c = cli(['users', 'reset-password', 'second-admin', '--create', '--config', file]);
  assert.equal(c.status, 0, c.stderr);
  assert.equal(await login('second-admin', /shown once\): (\S+)/.exec(c.stdout)![1]!), 201);
  const audit = await o.api<{ items: { actor: string; action: string; target: string }[] }>('GET', '/api/v1/audit?actor=console');
  assert.deepEqual(audit.body.items.map((a) => `${a.action} ${a.target}`), ['user.create second-admin (role admin)', 'user.reset ops (password, enabled)']);
  assert.equal((await o.api<{ ok: boolean }>('GET', '/api/v1/audit/verify')).body.ok, true, 'one chain across the two processes');
});
