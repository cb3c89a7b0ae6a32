// The management plane's users, roles, sessions and audit log, driven over real HTTP(S) against
// a running Outpost: the first admin account from the site config, login and lockout, what each
// role may do, the last-admin guard, password changes closing sessions, the hash-chained audit
// log (and that an edit to it is detected), and the site-config admin across restarts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { connect } from 'node:tls';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { FakeClock } from '../../src/core/clock.ts';
import { startOutpost, type Running } from '../helpers/outpost.ts';

const ADMIN = { username: 'plant-admin', password: 'Ammonia-Unit-7-Hotline' };
const adminYaml = (password: string) => `admin: { username: ${ADMIN.username}, password: ${JSON.stringify(password)} }`;
const clock = new FakeClock(Date.parse('2026-11-22T08:00:00Z'));
const stateDir = mkdtempSync(join(tmpdir(), 'outpost-api-access-'));
let o: Running;

interface Res<T = Record<string, unknown>> { status: number; body: T; headers: Headers }

async function call<T = Record<string, unknown>>(method: string, path: string, token: string | null, body?: unknown): Promise<Res<T>> {
  const res = await fetch(new URL(path, o.apiUrl), {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T, headers: res.headers };
}

const login = (username: string, password: string) => call<{ token: string; user: { role: string; permissions: string[] }; code?: string; message?: string }>('POST', '/api/v1/auth/login', null, { username, password });

async function tokenOf(username: string, password: string): Promise<string> {
  const r = await login(username, password);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.token;
}

before(async () => {
  o = await startOutpost({ stateDir, clock, extra: adminYaml(ADMIN.password) });
});
after(async () => {
  await o?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

test('the first admin account from the site config logs in; the token is a session, shown once, never logged', async () => {
  const r = await login(ADMIN.username, ADMIN.password);
  assert.equal(r.status, 201);
  assert.equal(r.headers.get('cache-control'), 'no-store');
  assert.match(r.body.token, /^ops_[A-Za-z0-9_-]{43}$/);
  assert.equal(r.body.user.role, 'admin');
  const me = await call<{ username: string; role: string; kind: string }>('GET', '/api/v1/auth/me', r.body.token);
  assert.deepEqual([me.status, me.body.username, me.body.role, me.body.kind], [200, 'plant-admin', 'admin', 'user']);
  assert.equal((await call('GET', '/api/v1/devices', r.body.token)).status, 200);
  assert.equal((await fetch(new URL('/metrics', o.apiUrl), { headers: { authorization: `Bearer ${r.body.token}` } })).status, 200);
  // Neither the password nor the token is in the logs or, in clear, in the database.
  const logs = JSON.stringify(o.logs);
  assert.ok(!logs.includes(ADMIN.password) && !logs.includes(r.body.token));
  const db = readFileSync(join(stateDir, 'outpost.db'));
  assert.ok(!db.includes(ADMIN.password) && !db.includes(r.body.token));
  // Logout ends the session.
  assert.equal((await call('POST', '/api/v1/auth/logout', r.body.token)).status, 204);
  assert.equal((await call('GET', '/api/v1/auth/me', r.body.token)).status, 401);
});

test('wrong password, unknown user and malformed bodies are refused the same way', async () => {
  const wrong = await login(ADMIN.username, 'not-the-password');
  const unknown = await login('nobody', 'not-the-password');
  assert.deepEqual([wrong.status, wrong.body.code], [401, 'API_LOGIN_FAILED']);
  assert.deepEqual([unknown.status, unknown.body.code], [401, 'API_LOGIN_FAILED']);
  assert.equal(wrong.body.message, unknown.body.message, 'no user enumeration through the message');
  assert.equal((await call('POST', '/api/v1/auth/login', null, { username: 'x' })).status, 400);
  assert.equal((await call('POST', '/api/v1/auth/login', null, { username: 'x', password: 'y'.repeat(2000) })).status, 400);
  assert.equal((await call('GET', '/api/v1/devices', 'ops_forged')).status, 401);
  assert.equal((await login(ADMIN.username, ADMIN.password)).status, 201, 'two failures do not lock anyone out');
});

test('roles: each role can do what it grants and gets 403 naming the permission otherwise', async () => {
  const admin = await tokenOf(ADMIN.username, ADMIN.password);
  const people = { viewer: 'helpdesk-1', operator: 'control-room-1', 'voice-engineer': 'voice-eng-1', 'security-admin': 'sec-admin-1', 'firmware-operator': 'fw-op-1' } as const;
  for (const [role, username] of Object.entries(people)) {
    const r = await call('POST', '/api/v1/users', admin, { username, role, password: `Hydrocracker-${role}-42` });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
  const t = Object.fromEntries(await Promise.all(Object.entries(people).map(async ([role, u]) => [role, await tokenOf(u, `Hydrocracker-${role}-42`)]))) as Record<keyof typeof people, string>;
  const status = async (who: string, method: string, path: string, body?: unknown) => (await call(method, path, who, body)).status;

  // Everyone reads.
  for (const tok of Object.values(t)) assert.equal(await status(tok, 'GET', '/api/v1/devices'), 200);
  // Viewer: nothing else.
  const denied = await call<{ code: string; message: string }>('POST', '/api/v1/devices/X/tasks', t.viewer, { method: 'Reboot' });
  assert.deepEqual([denied.status, denied.body.code], [403, 'API_FORBIDDEN']);
  assert.match(denied.body.message, /devices\.operate/);
  assert.equal(await status(t.viewer, 'POST', '/api/v1/sync/run'), 403);
  assert.equal(await status(t.viewer, 'GET', '/api/v1/users'), 403);
  assert.equal(await status(t.viewer, 'GET', '/api/v1/audit'), 403);
  // Operator: may reboot (past the permission check: the device does not exist), may not configure or deploy firmware.
  assert.equal(await status(t.operator, 'POST', '/api/v1/devices/X/tasks', { method: 'Reboot' }), 404);
  const spv = await call<{ message: string }>('POST', '/api/v1/devices/X/tasks', t.operator, { method: 'SetParameterValues', args: {} });
  assert.equal(spv.status, 403);
  assert.match(spv.body.message, /SetParameterValues needs the devices\.configure permission/);
  assert.equal(await status(t.operator, 'POST', '/api/v1/devices/X/tasks', { method: 'Download', args: {} }), 403);
  assert.equal(await status(t['firmware-operator'], 'POST', '/api/v1/devices/X/tasks', { method: 'Download', args: {} }), 404);
  assert.equal(await status(t['voice-engineer'], 'POST', '/api/v1/devices/X/tasks', { method: 'SetParameterValues', args: {} }), 404);
  // Security admin: users and audit, not phones; may not create or touch an admin.
  assert.equal(await status(t['security-admin'], 'GET', '/api/v1/users'), 200);
  assert.equal(await status(t['security-admin'], 'GET', '/api/v1/audit'), 200);
  assert.equal(await status(t['security-admin'], 'POST', '/api/v1/devices/X/tasks', { method: 'Reboot' }), 403);
  assert.equal(await status(t['security-admin'], 'POST', '/api/v1/users', { username: 'rogue', role: 'admin', password: 'Hydrocracker-rogue-42' }), 403);
  assert.equal(await status(t['security-admin'], 'PATCH', `/api/v1/users/${ADMIN.username}`, { disabled: true }), 403);
  assert.equal(await status(t['security-admin'], 'PATCH', '/api/v1/users/helpdesk-1', { role: 'operator' }), 200);
  // The role change closed the helpdesk user's session.
  assert.equal(await status(t.viewer, 'GET', '/api/v1/devices'), 401);
  // A weak password is refused with the reason, not echoed.
  const weak = await call<{ code: string; message: string }>('POST', '/api/v1/users', admin, { username: 'weak-1', role: 'viewer', password: 'Password123!' });
  assert.deepEqual([weak.status, weak.body.code], [400, 'API_WEAK_PASSWORD']);
  assert.doesNotMatch(weak.body.message, /Password123/);
  assert.equal(await status(admin, 'POST', '/api/v1/users', { username: 'fw-op-1', role: 'viewer', password: 'Hydrocracker-dup-42' }), 409);
  // Nobody's password hash is shown.
  assert.doesNotMatch(JSON.stringify((await call('GET', '/api/v1/users', admin)).body), /scrypt|password_hash|passwordHash/);
});

test('the last enabled admin cannot be demoted, disabled or removed; an admin cannot remove itself', async () => {
  const admin = await tokenOf(ADMIN.username, ADMIN.password);
  for (const change of [{ role: 'viewer' }, { disabled: true }]) {
    const r = await call<{ code: string; message: string }>('PATCH', `/api/v1/users/${ADMIN.username}`, admin, change);
    assert.deepEqual([r.status, r.body.code], [409, 'API_CONFLICT']);
    assert.match(r.body.message, /last enabled admin/);
  }
  assert.equal((await call('DELETE', `/api/v1/users/${ADMIN.username}`, admin)).status, 409);
  // With a second admin the first may be disabled — by the second.
  assert.equal((await call('POST', '/api/v1/users', admin, { username: 'night-admin', role: 'admin', password: 'Reformer-Night-Shift-3' })).status, 201);
  const night = await tokenOf('night-admin', 'Reformer-Night-Shift-3');
  assert.equal((await call('PATCH', `/api/v1/users/${ADMIN.username}`, night, { disabled: true })).status, 200);
  assert.equal((await call('GET', '/api/v1/auth/me', admin)).status, 401, 'disabling closes the sessions');
  assert.equal((await login(ADMIN.username, ADMIN.password)).status, 401, 'a disabled user cannot log in');
  assert.equal((await call('PATCH', `/api/v1/users/${ADMIN.username}`, night, { disabled: false })).status, 200);
  assert.equal((await call('DELETE', '/api/v1/users/night-admin', night)).status, 409, 'not yourself');
  assert.equal((await call('DELETE', '/api/v1/users/night-admin', await tokenOf(ADMIN.username, ADMIN.password))).status, 204);
});

test('changing your own password needs the current one and closes your other sessions', async () => {
  const a = await tokenOf('control-room-1', 'Hydrocracker-operator-42');
  const b = await tokenOf('control-room-1', 'Hydrocracker-operator-42');
  assert.equal((await call('POST', '/api/v1/auth/password', a, { current: 'wrong-current-pw', password: 'Debutanizer-Column-5' })).status, 401);
  assert.equal((await call('POST', '/api/v1/auth/password', a, { current: 'Hydrocracker-operator-42', password: 'control-room-1-pass' })).status, 400, 'contains the user name');
  const ok = await call<{ otherSessionsClosed: number }>('POST', '/api/v1/auth/password', a, { current: 'Hydrocracker-operator-42', password: 'Debutanizer-Column-5' });
  assert.equal(ok.status, 200);
  assert.ok(ok.body.otherSessionsClosed >= 1);
  assert.equal((await call('GET', '/api/v1/auth/me', a)).status, 200, 'this session stays');
  assert.equal((await call('GET', '/api/v1/auth/me', b)).status, 401, 'the other one is closed');
  assert.equal((await login('control-room-1', 'Hydrocracker-operator-42')).status, 401);
  assert.equal((await login('control-room-1', 'Debutanizer-Column-5')).status, 201);
});

test('sessions end after the idle timeout and the lifetime (fake clock)', async () => {
  const t = await tokenOf('control-room-1', 'Debutanizer-Column-5');
  clock.advance(29 * 60_000);
  assert.equal((await call('GET', '/api/v1/auth/me', t)).status, 200);
  await new Promise((r) => setTimeout(r, 50)); // the touch is group-committed
  clock.advance(29 * 60_000);
  assert.equal((await call('GET', '/api/v1/auth/me', t)).status, 200, 'use keeps it alive');
  clock.advance(31 * 60_000);
  assert.equal((await call('GET', '/api/v1/auth/me', t)).status, 401, 'idle for 31 min');
  const u = await tokenOf('control-room-1', 'Debutanizer-Column-5');
  for (let i = 0; i < 25; i++) {
    clock.advance(29 * 60_000);
    const s = (await call('GET', '/api/v1/auth/me', u)).status;
    await new Promise((r) => setTimeout(r, 20));
    if (i < 24) assert.equal(s, 200, `still alive after ${(i + 1) * 29} min`);
    else assert.equal(s, 401, 'past the 12 h lifetime');
  }
});

test('brute force: five failures lock the user and the address out, even for the right password; it lifts after 15 min', async () => {
  for (let i = 0; i < 5; i++) assert.equal((await login('voice-eng-1', `guess-number-${i}`)).status, 401);
  const locked = await login('voice-eng-1', 'Hydrocracker-voice-engineer-42');
  assert.deepEqual([locked.status, locked.body.code], [429, 'API_LOCKED_OUT']);
  assert.ok(Number(locked.headers.get('retry-after')) > 800);
  assert.equal((await login(ADMIN.username, ADMIN.password)).status, 429, 'the source address is locked too');
  const refusals = (await o.api<{ items: { result: string }[] }>('GET', '/api/v1/audit?action=user.login&limit=1000')).body.items.filter((a) => /locked/.test(a.result));
  assert.equal(refusals.length, 1, 'the lock is audited once, not every refused attempt');
  clock.advance(15 * 60_000 + 1000);
  assert.equal((await login('voice-eng-1', 'Hydrocracker-voice-engineer-42')).status, 201);
});

test('personal API tokens: made from a login, act as the user with its current role, shown once, revocable, expire', async () => {
  const session = await tokenOf('control-room-1', 'Debutanizer-Column-5');
  const made = await call<{ token: string; id: number; name: string; expiresAt: string }>('POST', '/api/v1/auth/tokens', session, { name: 'nms poller', expiresIn: 7 * 86_400 });
  assert.equal(made.status, 201);
  assert.match(made.body.token, /^opt_[A-Za-z0-9_-]{43}$/);
  const tok = made.body.token;
  const me = await call<{ username: string; role: string }>('GET', '/api/v1/auth/me', tok);
  assert.deepEqual([me.status, me.body.username, me.body.role], [200, 'control-room-1', 'operator']);
  assert.equal((await call('POST', '/api/v1/devices/X/tasks', tok, { method: 'Reboot' })).status, 404, 'operator rights (past the check)');
  assert.equal((await call('POST', '/api/v1/devices/X/tasks', tok, { method: 'SetParameterValues', args: {} })).status, 403);
  // Scripts cannot mint tokens or change the password; the list never shows a secret.
  assert.equal((await call('POST', '/api/v1/auth/tokens', tok, { name: 'chain' })).status, 400);
  assert.equal((await call('POST', '/api/v1/auth/password', tok, { current: 'Debutanizer-Column-5', password: 'Whatever-Long-Pass-1' })).status, 400);
  const list = await call<{ items: { id: number; name: string; lastUsed: string | null }[] }>('GET', '/api/v1/auth/tokens', session);
  assert.deepEqual(list.body.items.map((t) => t.name), ['nms poller']);
  assert.ok(!JSON.stringify(list.body).includes(tok.slice(4)));
  // The user's role at each use applies; a disabled user's tokens stop working.
  const admin = await tokenOf(ADMIN.username, ADMIN.password);
  assert.equal((await call('PATCH', '/api/v1/users/control-room-1', admin, { role: 'viewer' })).status, 200);
  assert.equal((await call('POST', '/api/v1/devices/X/tasks', tok, { method: 'Reboot' })).status, 403, 'now a viewer');
  assert.equal((await call('PATCH', '/api/v1/users/control-room-1', admin, { role: 'operator', disabled: true })).status, 200);
  assert.equal((await call('GET', '/api/v1/auth/me', tok)).status, 401, 'disabled user');
  assert.equal((await call('PATCH', '/api/v1/users/control-room-1', admin, { disabled: false })).status, 200);
  assert.equal((await call('GET', '/api/v1/auth/me', tok)).status, 200);
  // Someone else cannot revoke it without users.manage; its owner can; it expires on its own.
  const other = await tokenOf('fw-op-1', 'Hydrocracker-firmware-operator-42');
  assert.equal((await call('DELETE', `/api/v1/auth/tokens/${made.body.id}`, other)).status, 403);
  const second = (await call<{ token: string }>('POST', '/api/v1/auth/tokens', await tokenOf('control-room-1', 'Debutanizer-Column-5'), { name: 'short', expiresIn: 3600 })).body.token;
  assert.equal((await call('DELETE', `/api/v1/auth/tokens/${made.body.id}`, await tokenOf('control-room-1', 'Debutanizer-Column-5'))).status, 204);
  assert.equal((await call('GET', '/api/v1/auth/me', tok)).status, 401, 'revoked');
  assert.equal((await call('GET', '/api/v1/auth/me', second)).status, 200);
  clock.advance(3601_000);
  assert.equal((await call('GET', '/api/v1/auth/me', second)).status, 401, 'expired');
  const audit = await o.api<{ items: { actor: string; action: string; result: string }[] }>('GET', '/api/v1/audit?limit=200');
  assert.ok(audit.body.items.some((a) => a.actor === 'control-room-1 [token nms poller]' && a.action === 'POST /api/v1/devices/:id/tasks' && a.result === '403 API_FORBIDDEN'));
});

test('the audit log records every change with who, what, from where and result; its hash chain verifies', async () => {
  const r = await o.api<{ items: { actor: string; action: string; target: string | null; source: string | null; result: string }[]; total: number }>('GET', '/api/v1/audit?limit=1000');
  assert.equal(r.status, 200);
  const lines = r.body.items.map((a) => `${a.actor}|${a.action}|${a.target ?? ''}|${a.result}`);
  for (const want of [
    /^site-config\|user\.create\|plant-admin \(role admin\)\|ok$/,
    /^plant-admin\|user\.login\|\|ok$/,
    /^plant-admin\|user\.login\|\|failed: wrong user name or password$/,
    /^nobody\|user\.login\|\|failed: wrong user name or password$/,
    /^plant-admin\|POST \/api\/v1\/users\|\|201$/,
    /^helpdesk-1\|POST \/api\/v1\/devices\/:id\/tasks\|id=X\|403 API_FORBIDDEN$/,
    /^sec-admin-1\|PATCH \/api\/v1\/users\/:name\|name=helpdesk-1\|200$/,
    /^plant-admin\|PATCH \/api\/v1\/users\/:name\|name=plant-admin\|409 API_CONFLICT$/,
    /^voice-eng-1\|user\.login\|\|failed: wrong user name or password; the address and the user name locked out for 900 s$/,
  ]) assert.ok(lines.some((l) => want.test(l)), `${want}\n${lines.join('\n')}`);
  assert.ok(r.body.items.every((a) => a.source === null || a.source === '127.0.0.1'));
  assert.ok(!JSON.stringify(r.body).includes('Hydrocracker'), 'no password in the audit log');
  const v = await o.api<{ ok: boolean; entries: number }>('GET', '/api/v1/audit/verify');
  assert.deepEqual([v.body.ok, v.body.entries], [true, r.body.total]);
});

test('the audit log is append-only, and an edit made behind its back is detected and located', async () => {
  const db = new Database(join(stateDir, 'outpost.db'));
  try {
    assert.throws(() => db.prepare("UPDATE audit_log SET result = 'ok' WHERE seq = 3").run(), /append-only/);
    assert.throws(() => db.prepare('DELETE FROM audit_log WHERE seq = 3').run(), /append-only/);
    // Someone with the database file drops the trigger and rewrites entry 3.
    db.exec('DROP TRIGGER audit_log_no_update');
    db.prepare("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 3").run();
  } finally {
    db.close();
  }
  const v = await o.api<{ ok: boolean; brokenAt: number; problem: string }>('GET', '/api/v1/audit/verify');
  assert.deepEqual([v.body.ok, v.body.brokenAt], [false, 3]);
  assert.match(v.body.problem, /does not match its hash/);
});

test('restart: a password changed through the API survives; a changed site-config entry resets the admin (the USB path)', async () => {
  const admin = await tokenOf(ADMIN.username, ADMIN.password);
  assert.equal((await call('POST', '/api/v1/auth/password', admin, { current: ADMIN.password, password: 'Sulphur-Recovery-Unit-2' })).status, 200);
  await o.app.stop();
  o = await startOutpost({ stateDir, clock, extra: adminYaml(ADMIN.password) });
  assert.equal((await login(ADMIN.username, ADMIN.password)).status, 401, 'the unchanged config entry does not undo the change');
  const kept = await tokenOf(ADMIN.username, 'Sulphur-Recovery-Unit-2');
  await o.app.stop();
  o = await startOutpost({ stateDir, clock, extra: adminYaml('Fresh-Stick-Password-8') });
  assert.equal((await login(ADMIN.username, 'Sulphur-Recovery-Unit-2')).status, 401);
  assert.equal((await call('GET', '/api/v1/auth/me', kept)).status, 401, 'the reset closed the old sessions');
  assert.equal((await login(ADMIN.username, 'Fresh-Stick-Password-8')).status, 201);
  const audit = await o.api<{ items: { actor: string; action: string }[] }>('GET', '/api/v1/audit?actor=site-config');
  assert.deepEqual(audit.body.items.map((a) => a.action), ['user.reset', 'user.create']);
});

test('api.tls: the management API serves HTTPS from the site CA, TLS 1.2+', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-api-tls-'));
  const s = await startOutpost({ stateDir: dir, api: '  tls: { mode: on }', extra: adminYaml(ADMIN.password) });
  try {
    assert.match(s.apiUrl, /^https:\/\/127\.0\.0\.1:\d+\/$/);
    const ca = readFileSync(join(dir, 'tls', 'ca.pem'), 'utf8');
    const post = () => new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(new URL('/api/v1/auth/login', s.apiUrl), { method: 'POST', ca, agent: false, headers: { 'content-type': 'application/json' } }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => { body += d; });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end(JSON.stringify(ADMIN));
    });
    const ok = await post();
    assert.equal(ok.status, 201, ok.body);
    // With TLS 1.2 forced, the suite is an AEAD one with forward secrecy (the ACS's TLS_OPTIONS).
    const url = new URL(s.apiUrl);
    const negotiated = await new Promise<{ protocol: string | null; cipher: string }>((resolve, reject) => {
      const sock = connect({ host: url.hostname, port: Number(url.port), ca, maxVersion: 'TLSv1.2' }, () => {
        resolve({ protocol: sock.getProtocol(), cipher: sock.getCipher().name });
        sock.end();
      });
      sock.on('error', reject);
    });
    assert.equal(negotiated.protocol, 'TLSv1.2');
    assert.match(negotiated.cipher, /^ECDHE-.*(GCM|CHACHA20)/);
    const pem = readFileSync(join(dir, 'tls', 'api.pem'), 'utf8');
    assert.match(pem, /BEGIN CERTIFICATE/);
  } finally {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('passwords only over an encrypted or loopback connection', async () => {
  const { secureEnough } = await import('../../src/services/api/routes/auth.ts');
  const req = (remoteAddress: string, encrypted?: boolean) => ({ socket: { remoteAddress, encrypted } }) as unknown as Parameters<typeof secureEnough>[0];
  assert.equal(secureEnough(req('10.20.0.5')), false);
  assert.equal(secureEnough(req('10.20.0.5', true)), true);
  for (const lo of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) assert.equal(secureEnough(req(lo)), true, lo);
});
