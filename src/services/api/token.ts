// The management API bearer token: generated at first start into <stateDir>/api-token (0600),
// never logged; compared in constant time.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function tokenFile(stateDir: string): string {
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

export function tokenMatches(expected: string, header: string | undefined): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!m) return false;
  const h = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(h(expected), h(m[1]!));
}
