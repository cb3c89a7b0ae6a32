// A real client against our verifier: curl --digest (MD5 and SHA-256 challenges) on a loopback
// node:http server that challenges with formatChallenge, checks nonces with NonceManager and
// responses with verifyDigest — the ACS side of tr069-protocol.md §6.2. A replayed header is
// refused by the nc check.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { NonceManager, formatChallenge, parseAuthorization, verifyDigest, type DigestAlgorithm } from './digest.ts';

const run = promisify(execFile);
const REALM = 'outpost-test';
const USERS: Record<string, string> = { '00A1B2-SIP%2DPHONE-A1': 'S3cret pass' };

function startServer(algorithm: DigestAlgorithm) {
  const nonces = new NonceManager({ secret: randomBytes(32), lifetimeMs: 300_000, clock: { now: () => Date.now() } });
  const seen: string[] = [];
  const challenge = (res: ServerResponse, stale = false): void => {
    res.writeHead(401, {
      'www-authenticate': formatChallenge({ scheme: 'Digest', realm: REALM, nonce: nonces.issue(), opaque: 'op1', qop: ['auth'], algorithm, ...(stale ? { stale: true } : {}) }),
      'content-length': '0',
    });
    res.end();
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => {
      const header = req.headers.authorization;
      if (header === undefined) return challenge(res);
      seen.push(header);
      const auth = parseAuthorization(header);
      if (auth?.scheme !== 'Digest') return challenge(res);
      const p = auth.params;
      const state = nonces.check(p['nonce'] ?? '');
      if (state !== 'ok') return challenge(res, state === 'stale');
      const password = USERS[p['username'] ?? ''];
      const good = password !== undefined && p['uri'] === req.url && p['opaque'] === 'op1'
        && verifyDigest(p, { password, method: req.method ?? '', realm: REALM });
      if (!good || !nonces.acceptNc(p['nonce']!, p['nc'] ?? '')) return challenge(res);
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
      res.end('ok');
    });
  });
  return { server, seen };
}

async function curl(port: number, user: string, password: string): Promise<string> {
  const { stdout } = await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '--digest', '-u', `${user}:${password}`,
    '-H', 'Content-Type: text/xml', '--data-binary', '<soap/>', `http://127.0.0.1:${port}/acs/v1?sn=A1&x=1`], { timeout: 10_000 });
  return stdout;
}

for (const algorithm of ['MD5', 'SHA-256'] as const) {
  test(`curl --digest authenticates against verifyDigest (${algorithm}); wrong password and replay refused`, async (t) => {
    if (spawnSync('curl', ['--version']).error !== undefined) {
      if (process.env['CI'] === 'true') assert.fail('curl missing (Debian package curl)');
      t.skip('curl not installed');
      return;
    }
    const { server, seen } = startServer(algorithm);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const port = (server.address() as AddressInfo).port;

    assert.equal(await curl(port, '00A1B2-SIP%2DPHONE-A1', 'S3cret pass'), '200');
    const sent = seen.at(-1)!;
    assert.match(sent, new RegExp(`algorithm=${algorithm}`));
    assert.match(sent, /qop="?auth"?/);
    assert.equal(await curl(port, '00A1B2-SIP%2DPHONE-A1', 'wrong'), '401');
    assert.equal(await curl(port, 'nobody', 'S3cret pass'), '401');

    // Replaying curl's accepted header (same nonce, same nc) is refused.
    const replay = await fetch(`http://127.0.0.1:${port}/acs/v1?sn=A1&x=1`, { method: 'POST', headers: { authorization: sent }, body: '<soap/>' });
    assert.equal(replay.status, 401);
  });
}
