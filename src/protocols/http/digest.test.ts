// HTTP Digest/Basic: RFC 7616 §3.9.1 and RFC 2617 §3.5 test vectors, tolerant header parsing,
// both sides against each other, nonces, and curl --digest against a node:http server that uses
// the verifier.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  basicAuthorization, buildAuthorization, computeDigest, formatChallenge, parseAuthorization, parseChallenge, verifyDigest,
  type DigestChallenge,
} from './digest.ts';

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

// RFC 7616 §3.9.1
const RFC7616 = {
  username: 'Mufasa', password: 'Circle of Life', realm: 'http-auth@example.org', method: 'GET', uri: '/dir/index.html',
  nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v', cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
  nc: '00000001', qop: 'auth', opaque: 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS',
};

test('RFC 7616 §3.9.1 vectors: MD5 and SHA-256', () => {
  assert.equal(computeDigest({ ...RFC7616, algorithm: 'MD5' }), '8ca523f5e9506fed4657c9700eebdbec');
  assert.equal(computeDigest({ ...RFC7616, algorithm: 'SHA-256' }), '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
  // The RFC's Authorization header, folded over lines as printed there.
  const header = `Digest username="Mufasa",
       realm="http-auth@example.org",
       uri="/dir/index.html",
       algorithm=SHA-256,
       nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
       nc=00000001,
       cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
       qop=auth,
       response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
       opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`;
  const a = parseAuthorization(header);
  assert.ok(a?.scheme === 'Digest');
  assert.equal(a.params['cnonce'], RFC7616.cnonce);
  assert.equal(verifyDigest(a.params, { password: RFC7616.password, method: 'GET', realm: RFC7616.realm }), true);
  assert.equal(verifyDigest(a.params, { password: 'Circle of life', method: 'GET', realm: RFC7616.realm }), false);
  assert.equal(verifyDigest({ ...a.params, algorithm: 'MD5' }, { password: RFC7616.password, method: 'GET', realm: RFC7616.realm }), false);
  assert.equal(verifyDigest({ ...a.params, algorithm: 'MD5', response: '8ca523f5e9506fed4657c9700eebdbec' },
    { password: RFC7616.password, method: 'GET', realm: RFC7616.realm }), true);
});

test('RFC 2617 §3.5 vector, RFC 2069 (no qop), MD5-sess and auth-int by the formulas of tr069-protocol.md §6.2', () => {
  const base = { username: 'Mufasa', password: 'Circle Of Life', realm: 'testrealm@host.com', method: 'GET', uri: '/dir/index.html',
    nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093', nc: '00000001', cnonce: '0a4f113b' };
  assert.equal(computeDigest({ ...base, qop: 'auth' }), '6629fae49393a05397450978507c4ef1');
  const ha1 = md5('Mufasa:testrealm@host.com:Circle Of Life');
  const ha2 = md5('GET:/dir/index.html');
  assert.equal(computeDigest({ ...base }), md5(`${ha1}:${base.nonce}:${ha2}`));
  const sess = md5(`${ha1}:${base.nonce}:${base.cnonce}`);
  assert.equal(computeDigest({ ...base, qop: 'auth', algorithm: 'MD5-sess' }), md5(`${sess}:${base.nonce}:00000001:${base.cnonce}:auth:${ha2}`));
  const ha2int = md5(`POST:/acs:${md5('<body/>')}`);
  assert.equal(computeDigest({ ...base, method: 'POST', uri: '/acs', qop: 'auth-int', body: '<body/>' }),
    md5(`${ha1}:${base.nonce}:00000001:${base.cnonce}:auth-int:${ha2int}`));
  assert.throws(() => computeDigest({ ...base, algorithm: 'SHA-512-256' }), TypeError);
});

test('parseAuthorization is tolerant: unquoted values, commas and escapes in quotes, key case, Basic', () => {
  const a = parseAuthorization('digest USERNAME="a,b", Realm=r1 ,nonce="n\\"x", uri="/acs?x=1,y=2",qop=auth,NC=00000002 , response="R"');
  assert.deepEqual(a, { scheme: 'Digest', params: { username: 'a,b', realm: 'r1', nonce: 'n"x', uri: '/acs?x=1,y=2', qop: 'auth', nc: '00000002', response: 'R' } });
  assert.deepEqual(parseAuthorization(basicAuthorization('00A1B2-SIP%2DPHONE-1', 'pa:ss wörd')),
    { scheme: 'Basic', username: '00A1B2-SIP%2DPHONE-1', password: 'pa:ss wörd' });
  assert.deepEqual(parseAuthorization('BASIC dXNlcjo='), { scheme: 'Basic', username: 'user', password: '' });
  for (const bad of ['', 'Bearer abc', 'Basic', 'Basic Zm9v', 'Basic !!!', '=', '"', 'Digest']) {
    const r = parseAuthorization(bad);
    assert.ok(r === null || (r.scheme === 'Digest' && Object.keys(r.params).length === 0), bad);
  }
});

test('parseChallenge: picks Digest over Basic, skips unsupported algorithms, qop list, stale, opaque', () => {
  const c = parseChallenge('Basic realm="b", Digest realm="acs", qop="auth,auth-int", nonce="abc", opaque="o", algorithm=md5-sess, stale=TRUE');
  assert.deepEqual(c, { scheme: 'Digest', realm: 'acs', nonce: 'abc', algorithm: 'MD5-sess', opaque: 'o', qop: ['auth', 'auth-int'], stale: true });
  assert.deepEqual(parseChallenge('Digest realm="x", nonce="n", algorithm=SHA-512-256, Basic realm="fallback"'),
    { scheme: 'Basic', realm: 'fallback', nonce: '' });
  assert.deepEqual(parseChallenge('Digest realm="easycwmp", qop="auth", nonce="n1"'), { scheme: 'Digest', realm: 'easycwmp', nonce: 'n1', qop: ['auth'] });
  assert.equal(parseChallenge('Negotiate abc'), null);
  assert.equal(parseChallenge('Digest realm="no nonce"'), null);
});

test('formatChallenge: qop="auth" single value, algorithm, opaque, stale=true; parses back', () => {
  const c: DigestChallenge = { scheme: 'Digest', realm: 'outpost "site"', nonce: 'n', opaque: 'o', qop: ['auth'], algorithm: 'MD5', stale: true };
  const h = formatChallenge(c);
  assert.equal(h, 'Digest realm="outpost \\"site\\"", qop="auth", nonce="n", opaque="o", algorithm=MD5, stale=true');
  assert.deepEqual(parseChallenge(h), c);
  assert.equal(formatChallenge({ scheme: 'Digest', realm: 'r', nonce: 'n' }), 'Digest realm="r", nonce="n", algorithm=MD5');
  assert.equal(formatChallenge({ scheme: 'Basic', realm: 'r', nonce: '' }), 'Basic realm="r"');
});

test('buildAuthorization ↔ verifyDigest for every algorithm; uri kept as given; tampering fails', () => {
  for (const algorithm of ['MD5', 'MD5-sess', 'SHA-256', 'SHA-256-sess'] as const) {
    const ch: DigestChallenge = { scheme: 'Digest', realm: 'cpe', nonce: 'nonce-1', opaque: 'op', qop: ['auth-int', 'auth'], algorithm };
    const h = buildAuthorization(ch, { username: 'acs', password: 'pw', method: 'GET', uri: '/tr069/cr?x=1', nc: 3, cnonce: 'c0ffee' });
    const a = parseAuthorization(h);
    assert.ok(a?.scheme === 'Digest');
    assert.deepEqual([a.params['qop'], a.params['nc'], a.params['uri'], a.params['opaque'], a.params['algorithm']],
      ['auth', '00000003', '/tr069/cr?x=1', 'op', algorithm], algorithm);
    const ok = { password: 'pw', method: 'GET', realm: 'cpe' };
    assert.equal(verifyDigest(a.params, ok), true, algorithm);
    assert.equal(verifyDigest(a.params, { ...ok, password: 'pW' }), false);
    assert.equal(verifyDigest(a.params, { ...ok, method: 'POST' }), false);
    assert.equal(verifyDigest(a.params, { ...ok, realm: 'other' }), false);
    assert.equal(verifyDigest({ ...a.params, uri: '/tr069/cr?x=2' }, ok), false);
    assert.equal(verifyDigest({ ...a.params, response: a.params['response']!.toUpperCase() }, ok), true, 'hex case-insensitive');
    assert.equal(verifyDigest({ ...a.params, response: 'short' }, ok), false);
  }
  // RFC 2069 form when the challenge has no qop; no algorithm echoed when none was sent.
  const legacy = buildAuthorization({ scheme: 'Digest', realm: 'r', nonce: 'n' }, { username: 'u', password: 'p', method: 'GET', uri: '/' });
  assert.ok(!/qop=|nc=|cnonce=|algorithm=/.test(legacy), legacy);
  const lp = parseAuthorization(legacy);
  assert.ok(lp?.scheme === 'Digest' && verifyDigest(lp.params, { password: 'p', method: 'GET', realm: 'r' }));
  assert.equal(buildAuthorization({ scheme: 'Basic', realm: 'r', nonce: '' }, { username: 'u', password: 'p', method: 'GET', uri: '/' }), 'Basic dTpw');
  // Only auth-int offered: used, with the body (empty for a Connection Request GET).
  const ai = parseAuthorization(buildAuthorization({ scheme: 'Digest', realm: 'r', nonce: 'n', qop: ['auth-int'] }, { username: 'u', password: 'p', method: 'GET', uri: '/' }));
  assert.ok(ai?.scheme === 'Digest' && ai.params['qop'] === 'auth-int');
  assert.equal(verifyDigest(ai.params, { password: 'p', method: 'GET', realm: 'r' }), false, 'auth-int needs the body');
  assert.equal(verifyDigest(ai.params, { password: 'p', method: 'GET', realm: 'r', body: '' }), true);
});

test('verifyDigest refuses incomplete or unsupported parameters', () => {
  const full = parseAuthorization(buildAuthorization({ scheme: 'Digest', realm: 'r', nonce: 'n', qop: ['auth'] }, { username: 'u', password: 'p', method: 'POST', uri: '/acs' }));
  assert.ok(full?.scheme === 'Digest');
  const o = { password: 'p', method: 'POST', realm: 'r' };
  assert.equal(verifyDigest(full.params, o), true);
  for (const k of ['username', 'realm', 'nonce', 'uri', 'response', 'nc', 'cnonce']) {
    const p: Record<string, string> = { ...full.params };
    delete p[k];
    assert.equal(verifyDigest(p, o), false, k);
  }
  assert.equal(verifyDigest({ ...full.params, algorithm: 'SHA-512-256' }, o), false);
  assert.equal(verifyDigest({ ...full.params, qop: 'auth-conf' }, o), false);
});
