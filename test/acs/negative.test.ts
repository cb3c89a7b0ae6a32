// Hostile and broken input on the ACS: each gets a clear error, nothing is half-stored, and the
// server keeps serving well-behaved phones throughout (DESIGN: reliability and security).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startOutpost, type Running } from '../helpers/outpost.ts';
import { RawCpe, inform, parse } from '../helpers/raw-cpe.ts';

let o: Running;
before(async () => {
  o = await startOutpost({ rotate: false, auth: '    lockoutFailures: 5\n    lockoutWindow: 60s\n    lockoutDuration: 120s', acs: '  maxSessions: 20\n  maxBodyBytes: 1048576' });
});
after(async () => { await o.stop(); });

const cpe = (creds: { username: string; password: string } | null = o.bootstrap) => new RawCpe(o.acsUrl, o.ca, creds);

/** A well-behaved phone completes a session: proves the server still serves others. */
async function healthyPhone(serial = `OK${Math.random().toString(36).slice(2, 8)}`): Promise<void> {
  const c = cpe();
  const r = await c.send(inform(serial, ['0 BOOTSTRAP', '1 BOOT']));
  assert.equal(r.status, 200, r.body);
  assert.equal(parse(r).body.method, 'InformResponse');
  const end = await c.post('');
  assert.equal(end.status, 204);
  c.close();
}

test('malformed XML gets 400 ACS_XML_MALFORMED and the server keeps serving', async () => {
  const c = cpe();
  const r = await c.post('<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><cwmp:Inform>');
  // Not yet authenticated: the body is refused before any challenge.
  assert.equal(r.status, 400);
  assert.match(r.body, /ACS_XML_MALFORMED/);
  c.close();
  await healthyPhone();
});

test('DOCTYPE and entity expansion are refused quickly', async () => {
  const laughs = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>&lol2;</soap:Body></soap:Envelope>';
  const c = cpe();
  const t0 = performance.now();
  const r = await c.post(laughs);
  assert.equal(r.status, 400);
  assert.match(r.body, /ACS_XML_FORBIDDEN/);
  assert.ok(performance.now() - t0 < 1000);
  c.close();
  await healthyPhone();
});

test('a 10 MB body gets 413 and nothing is stored', async () => {
  const c = cpe();
  const big = Buffer.alloc(10 * 1024 * 1024, 'a');
  const r = await c.request(big).catch((e: Error) => ({ status: -1, body: e.message, headers: {} }));
  assert.ok(r.status === 413 || r.status === -1, `status ${r.status}`);
  c.close();
  await healthyPhone();
});

test('wrong Digest credentials get 401 and no session; a correct phone still works', async () => {
  const c = cpe({ username: o.bootstrap.username, password: 'wrong' });
  const r = await c.send(inform('BADPW1', ['0 BOOTSTRAP']));
  assert.equal(r.status, 401);
  const dev = await o.api('GET', '/api/v1/devices/00A1B2-TESTPHONE-BADPW1');
  assert.equal(dev.status, 404, 'nothing stored for an unauthenticated Inform');
  c.close();
  await healthyPhone();
});

test('a replayed nonce count is refused', async () => {
  const c = cpe();
  const first = await c.send(inform('REPLAY1', ['0 BOOTSTRAP']));
  assert.equal(first.status, 200);
  const used = c.nc;
  // Replay the same Authorization (same nonce and nc) on a fresh connection.
  const replay = new RawCpe(o.acsUrl, o.ca, o.bootstrap);
  replay.challenge = c.challenge;
  replay.nc = used - 1;
  const r = await replay.request(Buffer.from(JSON.stringify({})).length ? (await import('../../src/protocols/cwmp/serialize.ts')).serializeEnvelope({ namespace: 'urn:dslforum-org:cwmp-1-0', header: { id: '9' }, body: inform('REPLAY1', ['1 BOOT']) }) : '', replay.authHeader());
  assert.equal(r.status, 401);
  c.close();
  replay.close();
});

test('unknown CPE method gets fault 8000 and the session goes on', async () => {
  const c = cpe();
  assert.equal((await c.send(inform('UNK1', ['1 BOOT']))).status, 200);
  const r = await c.post(`<soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cwmp="urn:dslforum-org:cwmp-1-0"><soap-env:Header><cwmp:ID soap-env:mustUnderstand="1">77</cwmp:ID></soap-env:Header><soap-env:Body><cwmp:X_ACME_Frobnicate><A>1</A></cwmp:X_ACME_Frobnicate></soap-env:Body></soap-env:Envelope>`);
  assert.equal(r.status, 200);
  const env = parse(r);
  assert.equal(env.header.id, '77');
  assert.equal(env.body.method, 'Fault');
  assert.equal((env.body as { code: number }).code, 8000);
  assert.equal((await c.post('')).status, 204);
  c.close();
});

test('stale cookie: a non-Inform POST is refused, a fresh Inform starts a new session', async () => {
  const c = cpe();
  assert.equal((await c.send(inform('STALE1', ['1 BOOT']))).status, 200);
  assert.equal((await c.post('')).status, 204); // session over, cookie now stale
  c.dropConnection();
  const r = await c.send({ method: 'GetRPCMethods' });
  assert.equal(r.status, 400);
  assert.match(r.body, /ACS_BAD_SESSION/);
  c.dropConnection();
  const again = await c.send(inform('STALE1', ['2 PERIODIC']));
  assert.equal(again.status, 200);
  assert.equal((await c.post('')).status, 204);
  c.close();
});

test('a CPE that drops TCP mid-session resumes with its cookie and gets its queued RPC', async () => {
  const c = cpe();
  assert.equal((await c.send(inform('DROP1', ['1 BOOT']))).status, 200);
  const q = await o.api('POST', '/api/v1/devices/00A1B2-TESTPHONE-DROP1/tasks', { method: 'GetRPCMethods' });
  assert.equal(q.status, 201);
  c.dropConnection();
  const r = await c.post('');
  assert.equal(r.status, 200, r.body);
  assert.equal(parse(r).body.method, 'GetRPCMethods');
  const id = parse(r).header.id!;
  c.dropConnection();
  const done = await c.send({ method: 'GetRPCMethodsResponse', methods: ['GetParameterValues', 'Reboot'] }, id);
  assert.equal(done.status, 204);
  const t = await o.api<{ status: string; result: { methods: string[] } }>('GET', `/api/v1/tasks/${(q.body as { task: { id: number } }).task.id}`);
  assert.equal(t.body.status, 'done');
  assert.deepEqual(t.body.result.methods, ['GetParameterValues', 'Reboot']);
  c.close();
});

test('two concurrent sessions for one device: the newer Inform wins, the older cookie is refused', async () => {
  const a = cpe();
  const b = cpe();
  assert.equal((await a.send(inform('TWIN1', ['1 BOOT']))).status, 200);
  assert.equal((await b.send(inform('TWIN1', ['1 BOOT']))).status, 200);
  const old = await a.post('');
  assert.equal(old.status, 400);
  assert.equal((await b.post('')).status, 204);
  a.close();
  b.close();
  await healthyPhone();
});

test('CPE without cookie support continues on the same TCP connection', async () => {
  const c = cpe();
  c.useCookies = false;
  assert.equal((await c.send(inform('NOCOOKIE1', ['1 BOOT']))).status, 200);
  assert.equal((await c.post('')).status, 204);
  c.close();
});

test('204 carries Content-Length: 0; GET on the ACS URL is 405 with Allow: POST', async () => {
  const c = cpe();
  await c.send(inform('HDR1', ['1 BOOT']));
  const end = await c.post('');
  assert.equal(end.status, 204);
  assert.equal(end.headers['content-length'], '0');
  const g = await c.request('', {}, 'GET');
  assert.equal(g.status, 405);
  assert.equal(g.headers.allow, 'POST');
  c.close();
});

test('beyond maxSessions a new device gets 503 with Retry-After', async () => {
  const open: RawCpe[] = [];
  for (let i = 0; i < 20; i++) {
    const c = cpe();
    const r = await c.send(inform(`BUSY${i}`, ['1 BOOT']));
    if (r.status === 200) open.push(c);
  }
  const extra = cpe();
  const r = await extra.send(inform('BUSYX', ['1 BOOT']));
  assert.equal(r.status, 503);
  assert.ok(Number(r.headers['retry-after']) > 0);
  for (const c of open) { await c.post(''); c.close(); }
  extra.close();
  await healthyPhone();
});

test('raw TCP garbage does not take the listener down', async () => {
  await new Promise<void>((resolve) => {
    const s = net.connect(o.acsPort, '127.0.0.1', () => { s.write('\x16\x03\x01garbage\r\n\r\n'); s.end(); });
    const done = () => { s.destroy(); resolve(); };
    setTimeout(done, 300).unref();
    s.on('close', done);
    s.on('error', done);
  });
  await healthyPhone();
});

// Last: it locks 127.0.0.1 out for the rest of this file's server.
test('repeated failures from one source lock it out (403), without affecting the stored devices', async () => {
  for (let i = 0; i < 5; i++) {
    const c = cpe({ username: 'x', password: 'y' });
    await c.send(inform(`LOCK${i}`, ['1 BOOT']));
    c.close();
  }
  const c = cpe();
  const r = await c.send(inform('LOCKOK', ['1 BOOT']));
  assert.equal(r.status, 403);
  c.close();
});

