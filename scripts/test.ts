// `npm test`: the whole suite with node:test. Finds every *.test.ts under src/ and test/, runs
// the type check and import rules first (a type error is a failed test), then the tests.
// Tests that need root (network namespaces) or Debian peers check for them themselves: under
// CI=true a missing prerequisite fails, elsewhere it skips with the reason.

import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function find(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) find(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const filter = process.argv.slice(2);
let files = [...find('src'), ...find('test')].sort();
if (filter.length > 0) files = files.filter((f) => filter.some((x) => f.includes(x)));
if (files.length === 0) {
  // node --test with no file would discover and run everything: say so instead.
  process.stderr.write(`no test file matches ${filter.join(' ')}\n`);
  process.exit(1);
}

if (filter.length === 0) {
  const check = spawnSync('npm', ['run', '--silent', 'check'], { stdio: 'inherit' });
  if (check.status !== 0) {
    process.stderr.write('npm run check failed\n');
    process.exit(1);
  }
}

const r = spawnSync(process.execPath, [
  '--test', '--test-reporter=spec', `--test-concurrency=${process.env.TEST_CONCURRENCY ?? '2'}`,
  '--test-timeout=300000', ...files,
], { stdio: 'inherit' });
process.exit(r.status ?? 1);
