// CPE authentication variants: Digest SHA-256, Basic over TLS, Basic refused over plain HTTP,
// bootstrap credentials refused for an onboarded phone unless it comes back with BOOTSTRAP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startOutpost } from '../helpers/outpost.ts';
import { RawCpe, inform, parse } from '../helpers/raw-cpe.ts';
import { basicAuthorization } from '../../src/protocols/http/digest.ts';

test('Digest with SHA-256 challenges works end to end', async () => {
  const o = await startOutpost({ rotate: false, auth: '    challengeAlgorithm: SHA-256' });
  try {
    const c = new RawCpe(o.acsUrl, o.ca, o.bootstrap);
    const r = await c.send(inform('SHA1', ['0 BOOTSTRAP']));
    assert.equal(r.status, 200);
    assert.equal(c.challenge?.algorithm, 'SHA-256');
    assert.equal((await c.post('')).status, 204);
    c.close();
  } finally { await o.stop(); }
});

test('Basic is accepted over TLS, refused over plain HTTP (answered with a Digest challenge)', async () => {
  const tls = await startOutpost({ rotate: false });
  const plain = await startOutpost({ rotate: false, plainHttp: true });
  try {
    const a = new RawCpe(tls.acsUrl, tls.ca);
    const ok = await a.request((await import('../../src/protocols/cwmp/serialize.ts')).serializeEnvelope({ namespace: 'urn:dslforum-org:cwmp-1-0', header: { id: '1' }, body: inform('BASIC1', ['0 BOOTSTRAP']) }),
      { authorization: basicAuthorization(tls.bootstrap.username, tls.bootstrap.password) });
    assert.equal(ok.status, 200);
    assert.equal(parse(ok).body.method, 'InformResponse');
    a.close();
    assert.ok(plain.acsUrl.startsWith('http://'));
    const b = new RawCpe(plain.acsUrl, null);
    const no = await b.request((await import('../../src/protocols/cwmp/serialize.ts')).serializeEnvelope({ namespace: 'urn:dslforum-org:cwmp-1-0', header: { id: '1' }, body: inform('BASIC2', ['0 BOOTSTRAP']) }),
      { authorization: basicAuthorization(plain.bootstrap.username, plain.bootstrap.password) });
    assert.equal(no.status, 401);
    assert.match(String(no.headers['www-authenticate']), /^Digest /);
    b.creds = plain.bootstrap; // Digest over plain HTTP is fine
    assert.equal((await b.send(inform('BASIC2', ['0 BOOTSTRAP']))).status, 200);
    b.close();
  } finally { await tls.stop(); await plain.stop(); }
});

test('an onboarded phone cannot use the bootstrap credential again, except with 0 BOOTSTRAP; a wrong password is refused', async () => {
  const o = await startOutpost();
  try {
    const c = new RawCpe(o.acsUrl, o.ca, o.bootstrap);
    assert.equal((await c.send(inform('ROT1', ['0 BOOTSTRAP']))).status, 200);
    const spv = parse(await c.post(''));
    assert.equal(spv.body.method, 'SetParameterValues');
    const list = (spv.body as { parameterList: { name: string; value: string }[] }).parameterList;
    const own = { username: list.find((p) => p.name.endsWith('.Username'))!.value, password: list.find((p) => p.name.endsWith('.Password'))!.value };
    assert.equal((await c.send({ method: 'SetParameterValuesResponse', status: 0 }, spv.header.id)).status, 204);
    c.close();
    const boot = new RawCpe(o.acsUrl, o.ca, o.bootstrap);
    assert.equal((await boot.send(inform('ROT1', ['1 BOOT']))).status, 401, 'bootstrap credential no longer valid for this phone');
    boot.close();
    const wrong = new RawCpe(o.acsUrl, o.ca, { username: own.username, password: 'not-it' });
    assert.equal((await wrong.send(inform('ROT1', ['1 BOOT']))).status, 401);
    wrong.close();
    const mine = new RawCpe(o.acsUrl, o.ca, own);
    assert.equal((await mine.send(inform('ROT1', ['1 BOOT']))).status, 200, 'its own credential works');
    assert.equal((await mine.post('')).status, 204, 'no second rotation');
    mine.close();
    const reset = new RawCpe(o.acsUrl, o.ca, o.bootstrap);
    assert.equal((await reset.send(inform('ROT1', ['0 BOOTSTRAP', '1 BOOT']))).status, 200, 'a factory-reset phone is re-onboarded');
    assert.equal(parse(await reset.post('')).body.method, 'SetParameterValues');
    reset.close();
  } finally { await o.stop(); }
});

test('a lost confirmation does not lock the phone out: its pending credential is adopted', async () => {
  const o = await startOutpost();
  try {
    const c = new RawCpe(o.acsUrl, o.ca, o.bootstrap);
    await c.send(inform('LOST1', ['0 BOOTSTRAP']));
    const spv = parse(await c.post(''));
    const list = (spv.body as { parameterList: { name: string; value: string }[] }).parameterList;
    const own = { username: list.find((p) => p.name.endsWith('.Username'))!.value, password: list.find((p) => p.name.endsWith('.Password'))!.value };
    c.close(); // the phone applied it, but its answer never arrived
    const mine = new RawCpe(o.acsUrl, o.ca, own);
    assert.equal((await mine.send(inform('LOST1', ['1 BOOT']))).status, 200);
    assert.equal((await mine.post('')).status, 204);
    mine.close();
    const d = await o.api<{ device: { hasPassword: boolean } }>('GET', '/api/v1/devices/00A1B2-TESTPHONE-LOST1');
    assert.equal(d.body.device.hasPassword, true);
  } finally { await o.stop(); }
});
