// Dual approval of local template overrides (DESIGN "Management plane"): a voice engineer's
// PUT /api/v1/templates is validated, stored and answered 202; nothing changes until a second
// user with templates.write approves, and then it is executed as its requester through the same
// route. Not the requester, not someone without the permission, not twice, not after expiry.
// Every step is in the audit log. Real HTTP against a running Outpost with a real provisioning site.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/core/clock.ts';
import { startSite, type Site } from '../provisioning/e2e-helpers.ts';
import { SITE_FILES } from '../provisioning/fixtures/site.ts';

const clock = new FakeClock(Date.parse('2026-11-22T07:00:00Z'));
let site: Site;

async function call<T = Record<string, unknown>>(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: T }> {
  const r = await fetch(new URL(path, site.o.apiUrl), { method, headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await r.text();
  return { status: r.status, body: (text ? JSON.parse(text) : null) as T };
}
async function login(username: string, password: string): Promise<string> {
  const r = await fetch(new URL('/api/v1/auth/login', site.o.apiUrl), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  assert.equal(r.status, 201);
  return ((await r.json()) as { token: string }).token;
}

const PEOPLE = { 'voice-a': 'voice-engineer', 'voice-b': 'voice-engineer', 'control-1': 'operator' } as const;
const pw = (u: string) => `Fractionator-Unit-${[...u].reverse().join('')}-77`;
const t: Record<string, string> = {};
const override = (proxy: string) => ({ files: { ...SITE_FILES, 'templates.yaml': SITE_FILES['templates.yaml']!.replace('sip.proxy: pbx.site.lan', `sip.proxy: ${proxy}`) } });
const revision = async () => (await site.o.api<{ content: { revision: number } }>('GET', '/api/v1/templates')).body.content.revision;

before(async () => {
  site = await startSite({ start: { clock, extra: 'admin: { username: site-admin, password: "Alkylation-Unit-9" }\n' } });
  const admin = await login('site-admin', 'Alkylation-Unit-9');
  for (const [username, role] of Object.entries(PEOPLE)) {
    assert.equal((await call('POST', '/api/v1/users', admin, { username, role, password: pw(username) })).status, 201);
    t[username] = await login(username, pw(username));
  }
});
after(() => site.stop());

test('a voice engineer\'s override waits; the requester and an operator cannot approve it; a second voice engineer can, and it runs as the requester', async () => {
  const rev0 = await revision();
  const asked = await call<{ approval: { id: number; status: string; requester: string; summary: string }; body?: unknown }>('PUT', '/api/v1/templates', t['voice-a']!, override('pbx2.site.lan'));
  assert.equal(asked.status, 202);
  const id = asked.body.approval.id;
  assert.deepEqual([asked.body.approval.status, asked.body.approval.requester], ['pending', 'voice-a']);
  assert.match(asked.body.approval.summary, /local template override: \d+ files/);
  assert.equal(await revision(), rev0, 'nothing changed yet');
  // Review: the body is there for who may decide, not for an operator.
  assert.ok((await call<{ body: unknown }>('GET', `/api/v1/approvals/${id}`, t['voice-b']!)).body.body);
  assert.equal((await call<{ body: unknown }>('GET', `/api/v1/approvals/${id}`, t['control-1']!)).body.body, null);
  const self = await call<{ code: string; message: string }>('POST', `/api/v1/approvals/${id}/approve`, t['voice-a']!);
  assert.deepEqual([self.status, self.body.code], [403, 'API_FORBIDDEN']);
  assert.match(self.body.message, /cannot be approved by the user who asked/);
  assert.equal((await call('POST', `/api/v1/approvals/${id}/approve`, t['control-1']!)).status, 403);
  assert.equal((await call('POST', `/api/v1/approvals/${id}/approve`, site.o.token)).status, 403, 'the box token is not a person');
  const ok = await call<{ status: string; resultStatus: number; decidedBy: string }>('POST', `/api/v1/approvals/${id}/approve`, t['voice-b']!);
  assert.equal(ok.status, 200);
  assert.deepEqual([ok.body.status, ok.body.resultStatus, ok.body.decidedBy], ['executed', 200, 'voice-b']);
  assert.ok(await revision() > rev0, 'the override is in force');
  assert.equal((await call('POST', `/api/v1/approvals/${id}/approve`, t['voice-b']!)).status, 409, 'not twice');
  const audit = (await site.o.api<{ items: { actor: string; action: string; target: string | null; result: string }[] }>('GET', '/api/v1/audit?limit=100')).body.items
    .map((a) => `${a.actor}|${a.action}|${a.target ?? ''}|${a.result}`);
  for (const want of [
    /^voice-a\|PUT \/api\/v1\/templates\|approval \d+ requested: local template override.*\|202$/,
    /^voice-a\|POST \/api\/v1\/approvals\/:id\/approve\|id=\d+\|403 API_FORBIDDEN$/,
    /^voice-b\|POST \/api\/v1\/approvals\/:id\/approve\|id=\d+\|200$/,
    /^voice-a \(approved by voice-b\)\|PUT \/api\/v1\/templates\|\|200$/,
  ]) assert.ok(audit.some((l) => want.test(l)), `${want}\n${audit.join('\n')}`);
});

test('an invalid override is refused at once (never stored); rejection and expiry end a request', async () => {
  const bad = await call<{ code: string }>('PUT', '/api/v1/templates', t['voice-a']!, { files: { 'templates.yaml': 'templates: [' } });
  assert.equal(bad.status, 400);
  const before = (await call<{ items: unknown[] }>('GET', '/api/v1/approvals?status=pending', t['voice-a']!)).body.items.length;
  assert.equal(before, 0);
  const r1 = (await call<{ approval: { id: number } }>('PUT', '/api/v1/templates', t['voice-a']!, override('10.20.0.5'))).body.approval.id;
  assert.equal((await call('POST', `/api/v1/approvals/${r1}/reject`, t['control-1']!)).status, 403, 'an operator cannot decide');
  const rej = await call<{ status: string; decidedBy: string }>('POST', `/api/v1/approvals/${r1}/reject`, t['voice-a']!);
  assert.deepEqual([rej.status, rej.body.status, rej.body.decidedBy], [200, 'rejected', 'voice-a'], 'the requester withdraws it');
  assert.equal((await call('POST', `/api/v1/approvals/${r1}/approve`, t['voice-b']!)).status, 409);
  const r2 = (await call<{ approval: { id: number } }>('PUT', '/api/v1/templates', t['voice-a']!, override('10.20.0.5'))).body.approval.id;
  clock.advance(24 * 3_600_000 + 1000);
  const late = await call<{ message: string }>('POST', `/api/v1/approvals/${r2}/approve`, await login('voice-b', pw('voice-b')));
  assert.equal(late.status, 409);
  assert.match(late.body.message, /expired/);
});

test('the box\'s own API token (automation on the box) is not held back', async () => {
  const rev = await revision();
  const r = await site.o.api('PUT', '/api/v1/templates', override('pbx.site.lan'));
  assert.equal(r.status, 200);
  assert.ok(await revision() > rev);
});
