import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { boxPublicKeyOf, generateBoxKey, openSealed, parseBoxPublicKey, seal, SEALED_TOKEN } from './index.ts';
import { isOutpostError } from '../../core/errors.ts';

test('a value sealed for a box opens only on that box', () => {
  const box = generateBoxKey();
  const other = generateBoxKey();
  assert.equal(boxPublicKeyOf(box.privateKeyPem), box.publicKey);
  const token = seal('s3cret: with "quotes" and ünïcode', parseBoxPublicKey(box.publicKey));
  assert.match(token, new RegExp(`^${SEALED_TOKEN.source}$`));
  assert.equal(openSealed(token, createPrivateKey(box.privateKeyPem)), 's3cret: with "quotes" and ünïcode');
  assert.throws(() => openSealed(token, createPrivateKey(other.privateKeyPem)), (e) => isOutpostError(e, 'SYNC_SEALED') && /another box/.test(e.message));
  const flipped = token.slice(0, -3) + (token.at(-3) === 'A' ? 'B' : 'A') + token.slice(-2);
  assert.throws(() => openSealed(flipped, createPrivateKey(box.privateKeyPem)), (e) => isOutpostError(e, 'SYNC_SEALED'));
  assert.throws(() => openSealed('sealed:v1:abc', createPrivateKey(box.privateKeyPem)), (e) => isOutpostError(e, 'SYNC_SEALED'));
  assert.throws(() => parseBoxPublicKey('x25519:short'), (e) => isOutpostError(e, 'SYNC_SEALED'));
  assert.notEqual(seal('x', parseBoxPublicKey(box.publicKey)), seal('x', parseBoxPublicKey(box.publicKey)));
});
