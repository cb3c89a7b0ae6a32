// Facts about how we were started: the version, and (inside the single executable) where the
// better-sqlite3 addon was unpacked. See scripts/build.ts and docs/dependencies.md.
import { createRequire } from 'node:module';
import { mkdirSync, writeFileSync, existsSync, renameSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createHash } from 'node:crypto';

export const VERSION = '0.1.0';

interface SeaModule {
  isSea(): boolean;
  getAsset(key: string): ArrayBuffer;
}

function sea(): SeaModule | null {
  try {
    const require = createRequire(import.meta.url);
    const m = require('node:sea') as SeaModule;
    return m.isSea() ? m : null;
  } catch {
    return null;
  }
}

/**
 * Inside a single executable, write the better-sqlite3 addon (a SEA asset) once to
 * <stateDir>/cache/ and return its path; otherwise undefined (node_modules is used).
 */
export function seaNativeBinding(stateDir: string): string | undefined {
  const s = sea();
  if (!s) return undefined;
  const buf = Buffer.from(s.getAsset('better_sqlite3.node'));
  const hash = createHash('sha256').update(buf).digest('hex').slice(0, 16);
  const dir = join(resolve(stateDir), 'cache');
  const file = join(dir, `better_sqlite3-${hash}.node`);
  // A file cut short by a power loss mid-write would fail every later start: write a temporary
  // file and rename it into place, and rewrite a file of the wrong size.
  if (!existsSync(file) || statSync(file).size !== buf.length) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, buf, { mode: 0o700 });
    renameSync(tmp, file);
  }
  return file;
}
