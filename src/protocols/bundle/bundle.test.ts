import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import {
  buildBundle, canonicalJson, generateKeyPair, parseBundle, parsePrivateKey, parsePublicKey, publicKeyString,
  serializeBundle, signBundle, verifyBundle, verifyIntegrity, keyIdOf,
} from './index.ts';
import { isOutpostError } from '../../core/errors.ts';

const NOW = Date.UTC(2026, 0, 10);
const DAY = 86_400_000;

function signed(version = 5, over: Partial<{ site: string; issuedAt: Date; expiresAt: Date }> = {}, keys = generateKeyPair()) {
  const doc = buildBundle({
    site: over.site ?? 'refinery-north', version,
    issuedAt: over.issuedAt ?? new Date(NOW - DAY), expiresAt: over.expiresAt ?? new Date(NOW + 30 * DAY),
  }, { 'templates/ex-phone.yaml': 'sip:\n  proxy: sip.example\n', 'firmware.yaml': 'images: []\n', 'positions.csv': 'switch,port\nsw1,3\n' });
  const bytes = serializeBundle(signBundle(doc, parsePrivateKey(keys.privateKeyPem)));
  return { bytes, keys, pub: parsePublicKey(keys.publicKey) };
}

const opts = (pub: ReturnType<typeof parsePublicKey>, currentVersion: number | null = null) => ({ publicKey: pub, site: 'refinery-north', now: NOW, currentVersion });

function refused(fn: () => unknown, code: string, re?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isOutpostError(e), `expected OutpostError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (re) assert.match(e.message, re);
    return true;
  });
}

test('canonical JSON sorts keys at every depth and refuses non-JSON values', () => {
  assert.equal(canonicalJson({ b: 1, a: [{ d: 'x', c: null }], e: undefined }), '{"a":[{"c":null,"d":"x"}],"b":1}');
  assert.throws(() => canonicalJson({ a: Infinity }));
  assert.throws(() => canonicalJson({ a: () => 1 }));
});

test('a signed bundle verifies; serialization is stable', () => {
  const { bytes, pub } = signed();
  const v = verifyBundle(bytes, opts(pub));
  assert.equal(v.doc.manifest.version, 5);
  assert.equal(v.expired, false);
  assert.deepEqual(Object.keys(v.doc.parts), ['firmware.yaml', 'positions.csv', 'templates/ex-phone.yaml']);
  assert.deepEqual(serializeBundle(parseBundle(bytes)), bytes);
});

test('keys: ed25519:<b64url> and PEM public keys; key id; wrong types refused', () => {
  const k = generateKeyPair();
  assert.match(k.publicKey, /^ed25519:[A-Za-z0-9_-]{43}$/);
  const fromPem = parsePublicKey(parsePublicKey(k.publicKey).export({ type: 'spki', format: 'pem' }) as string);
  assert.equal(publicKeyString(fromPem), k.publicKey);
  assert.equal(keyIdOf(fromPem), k.keyId);
  refused(() => parsePublicKey('ed25519:AAAA'), 'SYNC_BUNDLE_KEY', /32/);
  refused(() => parsePublicKey('ssh-ed25519 AAAA'), 'SYNC_BUNDLE_KEY');
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
  refused(() => parsePrivateKey(rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string), 'SYNC_BUNDLE_KEY', /rsa/);
  refused(() => parsePrivateKey('garbage'), 'SYNC_BUNDLE_KEY');
});

test('tampered part content → SYNC_BUNDLE_HASH naming the part', () => {
  const { bytes, pub } = signed();
  const tampered = Buffer.from(bytes.toString('utf8').replace('sip.example', 'evil.example'));
  refused(() => verifyBundle(tampered, opts(pub)), 'SYNC_BUNDLE_HASH', /templates\/ex-phone\.yaml/);
});

test('tampered manifest (version bumped) → SYNC_BUNDLE_SIGNATURE', () => {
  const { bytes, pub } = signed(5);
  const doc = parseBundle(bytes);
  doc.manifest.version = 6;
  refused(() => verifyBundle(serializeBundle(doc), opts(pub)), 'SYNC_BUNDLE_SIGNATURE', /changed after signing/);
});

test('extra or missing parts are refused', () => {
  const { bytes, pub } = signed();
  const extra = parseBundle(bytes);
  extra.parts['templates/evil.yaml'] = 'x';
  refused(() => verifyBundle(serializeBundle(extra), opts(pub)), 'SYNC_BUNDLE_HASH', /not in the signed manifest/);
  const missing = parseBundle(bytes);
  delete missing.parts['positions.csv'];
  refused(() => verifyBundle(serializeBundle(missing), opts(pub)), 'SYNC_BUNDLE_HASH', /missing/);
});

test('wrong key → SYNC_BUNDLE_SIGNATURE naming both key ids; a forged key id still fails', () => {
  const { bytes } = signed();
  const other = generateKeyPair();
  refused(() => verifyBundle(bytes, opts(parsePublicKey(other.publicKey))), 'SYNC_BUNDLE_SIGNATURE', new RegExp(`trusts key ${other.keyId}`));
  const forged = parseBundle(bytes);
  forged.signature!.keyId = other.keyId;
  refused(() => verifyBundle(serializeBundle(forged), opts(parsePublicKey(other.publicKey))), 'SYNC_BUNDLE_SIGNATURE', /does not match/);
});

test('unsigned bundle → SYNC_BUNDLE_SIGNATURE', () => {
  const doc = buildBundle({ site: 'refinery-north', version: 1, issuedAt: new Date(NOW), expiresAt: new Date(NOW + DAY) }, {});
  refused(() => verifyIntegrity(doc, parsePublicKey(generateKeyPair().publicKey)), 'SYNC_BUNDLE_SIGNATURE', /not signed/);
});

test('rollback: equal or lower version → SYNC_BUNDLE_ROLLBACK; higher accepted', () => {
  const { bytes, pub } = signed(5);
  refused(() => verifyBundle(bytes, opts(pub, 5)), 'SYNC_BUNDLE_ROLLBACK', /version 5 is not newer than version 5/);
  refused(() => verifyBundle(bytes, opts(pub, 9)), 'SYNC_BUNDLE_ROLLBACK');
  assert.equal(verifyBundle(bytes, opts(pub, 4)).doc.manifest.version, 5);
});

test('expired → SYNC_BUNDLE_EXPIRED unless allowed (then flagged)', () => {
  const { bytes, pub } = signed(5, { issuedAt: new Date(NOW - 10 * DAY), expiresAt: new Date(NOW - DAY) });
  refused(() => verifyBundle(bytes, opts(pub)), 'SYNC_BUNDLE_EXPIRED', /expired at 2026-01-09/);
  assert.equal(verifyBundle(bytes, { ...opts(pub), allowExpired: true }).expired, true);
});

test('bundle for another site → SYNC_BUNDLE_SITE', () => {
  const { bytes, pub } = signed(5, { site: 'tank-farm' });
  refused(() => verifyBundle(bytes, opts(pub)), 'SYNC_BUNDLE_SITE', /'tank-farm'/);
});

test('malformed input: not JSON, wrong shape, bad part names, oversized', () => {
  const pub = parsePublicKey(generateKeyPair().publicKey);
  refused(() => verifyBundle(Buffer.from('{not json'), opts(pub)), 'SYNC_BUNDLE_MALFORMED', /not JSON/);
  refused(() => verifyBundle(Buffer.from('{"manifest":{}}'), opts(pub)), 'SYNC_BUNDLE_MALFORMED');
  refused(() => verifyBundle(Buffer.from('[]'), opts(pub)), 'SYNC_BUNDLE_MALFORMED');
  refused(() => verifyBundle(Buffer.alloc(100, 32), { ...opts(pub), maxBytes: 10 }), 'SYNC_BUNDLE_MALFORMED', /exceeds/);
  for (const bad of ['../etc/passwd', '/abs', 'a/../b', '.hidden', 'a//b', 'a\\b']) {
    refused(() => buildBundle({ site: 'x', version: 1, issuedAt: new Date(NOW), expiresAt: new Date(NOW + DAY) }, { [bad]: '' }), 'SYNC_BUNDLE_MALFORMED');
  }
  refused(() => buildBundle({ site: 'x', version: 1, issuedAt: new Date(NOW), expiresAt: new Date(NOW) }, {}), 'SYNC_BUNDLE_MALFORMED', /after issuedAt/);
  refused(() => buildBundle({ site: 'x', version: 0, issuedAt: new Date(NOW), expiresAt: new Date(NOW + 1) }, {}), 'SYNC_BUNDLE_MALFORMED', /version/);
});

test('fuzz: random byte flips never verify and never throw anything but a coded error', () => {
  const { bytes, pub } = signed();
  let seed = 7;
  const rnd = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed; };
  for (let i = 0; i < 2000; i++) {
    const b = Buffer.from(bytes);
    const n = 1 + (rnd() % 4);
    for (let j = 0; j < n; j++) b[rnd() % b.length] = rnd() & 0xff;
    if (b.equals(bytes)) continue;
    try {
      const v = verifyBundle(b, opts(pub));
      // A flip inside JSON whitespace or an equivalent escape can leave the content intact.
      assert.deepEqual(v.doc, parseBundle(bytes));
    } catch (e) {
      assert.ok(isOutpostError(e), String(e));
      assert.match(e.code, /^SYNC_BUNDLE_/);
    }
  }
});

test('firmware catalogue: valid entries; errors name the field and line', async () => {
  const { parseCatalogue } = await import('./catalogue.ts');
  const sha = 'a'.repeat(64);
  const ok = parseCatalogue(`images:\n  - { file: t46u-66.86.rom, vendor: Yealink, models: [T46U], version: 66.86.0.15, size: 1000, sha256: ${sha} }\n`);
  assert.equal(ok.images[0]!.version, '66.86.0.15');
  assert.deepEqual(parseCatalogue('').images, []);
  refused(() => parseCatalogue(`images:\n  - file: ../x\n    vendor: Y\n    models: [T]\n    version: '1'\n    size: 1\n    sha256: ${sha}\n`), 'CONFIG_INVALID', /images\.0\.file \(line 2\)/);
  refused(() => parseCatalogue(`images:\n  - file: a.rom\n    vendor: Y\n    models: [T]\n    version: '1'\n    size: 1\n    sha256: ${sha}\n    colour: red\n`), 'CONFIG_INVALID', /unknown key colour/);
  refused(() => parseCatalogue('images: [\n'), 'CONFIG_INVALID', /line/);
  refused(() => parseCatalogue(`images:\n  - { file: a.rom, vendor: Y, models: [T], version: '1', size: 1, sha256: ${sha} }\n  - { file: a.rom, vendor: Y, models: [T], version: '2', size: 1, sha256: ${sha} }\n`), 'CONFIG_INVALID', /duplicate file a\.rom/);
});
