// The management API bearer token: generated at first start into <stateDir>/api-token (0600),
// never logged (access.ts compares it in constant time).
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function tokenFile(stateDir: string): string {
  return join(stateDir, 'api-token');
}

export function loadOrCreateToken(stateDir: string): { token: string; file: string; created: boolean } {
  const file = tokenFile(stateDir);
  let created = false;
  if (!existsSync(file)) {
    writeFileSync(file, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
    created = true;
  }
  chmodSync(file, 0o600);
  return { token: readFileSync(file, 'utf8').trim(), file, created };
}
