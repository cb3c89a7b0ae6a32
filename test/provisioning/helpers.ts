// Shared pieces of the provisioning tests.
import { randomBytes } from 'node:crypto';
import { openStore, type Store } from '../../src/store/index.ts';
import { FakeClock } from '../../src/core/clock.ts';
import { secretBox } from '../../src/core/secrets.ts';

/** An in-memory store with all migrations and a fresh secret key. */
export function memStore(clock = new FakeClock()): Store {
  return openStore({ file: ':memory:', clock, secrets: secretBox(randomBytes(32)) });
}
