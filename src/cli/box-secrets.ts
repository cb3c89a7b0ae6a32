// The box key (X25519, <stateDir>/box.key, 0600) opens secrets sealed for this box
// (docs/sync.md "USB site configuration"). Kept small: main.ts loads it for every config it reads.
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SecretOpener } from '../core/config/load.ts';
import { open as openSealed } from '../protocols/bundle/sealed.ts';

export const BOX_KEY_FILE = 'box.key';

/**
 * Opens sealed config values with the box key of the config's state directory (what `serve`,
 * `config check` and `rollback` pass to the config loader): secrets stay sealed in the active
 * config file and are opened only in memory.
 */
export function boxSecretOpener(): SecretOpener {
  const keys = new Map<string, KeyObject>();
  return (token, stateDir) => {
    let k = keys.get(stateDir);
    if (!k) {
      const file = join(stateDir, BOX_KEY_FILE);
      if (!existsSync(file)) throw new Error(`a sealed value, but there is no box key at ${file} (is this the box it was sealed for?)`);
      k = createPrivateKey(readFileSync(file, 'utf8'));
      keys.set(stateDir, k);
    }
    return openSealed(token, k);
  };
}

