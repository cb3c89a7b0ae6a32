// STYLE habit 6: docs/errors.md is generated from the catalogue in src/core/errors.ts and must
// not drift from it; every code the source raises must be in the catalogue and in the doc.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { ERRORS, errorsMarkdown } from '../src/core/errors.ts';

const ROOT = resolve(import.meta.dirname, '..');
const DOC = join(ROOT, 'docs', 'errors.md');

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

/** Codes raised in src: `new OutpostError('X'`, `OutpostError('X'`, `isOutpostError(e, 'X')`. */
function codesUsed(): Map<string, string> {
  const used = new Map<string, string>();
  const patterns = [/OutpostError\(\s*'([A-Z][A-Z0-9_]*)'/g, /isOutpostError\([^,()]+,\s*'([A-Z][A-Z0-9_]*)'/g];
  for (const file of sources(join(ROOT, 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const re of patterns) {
      for (const m of text.matchAll(re)) if (!used.has(m[1]!)) used.set(m[1]!, relative(ROOT, file));
    }
  }
  return used;
}

test('docs/errors.md is what errorsMarkdown() generates', () => {
  let doc = '';
  try { doc = readFileSync(DOC, 'utf8'); } catch { /* missing: reported below */ }
  assert.ok(doc === errorsMarkdown(), 'docs/errors.md is out of date with src/core/errors.ts: run npm run docs:errors');
});

test('every catalogue entry is keyed by its own code and renders as one five-cell table row', () => {
  for (const [key, def] of Object.entries(ERRORS)) {
    assert.equal(def.code, key, `ERRORS.${key} has code ${def.code}`);
    assert.match(key, /^[A-Z][A-Z0-9_]*$/, `${key}: codes are capitals, digits and underscores`);
  }
  const rows = errorsMarkdown().split('\n').filter((l) => l.startsWith('| `'));
  assert.equal(rows.length, Object.keys(ERRORS).length);
  for (const row of rows) {
    // A '|' inside a message or hint would split the Markdown cell.
    assert.equal(row.split('|').length, 7, `malformed row (a '|' in the text?): ${row}`);
  }
});

test('every error code raised in src/ is in the catalogue and in docs/errors.md', () => {
  const doc = readFileSync(DOC, 'utf8');
  const used = codesUsed();
  assert.ok(used.size > 0, 'the scan found OutpostError uses');
  for (const [code, file] of used) {
    assert.ok(code in ERRORS, `${file} raises ${code}, which is not in src/core/errors.ts`);
    assert.ok(doc.includes(`\`${code}\``), `${code} (raised in ${file}) is missing from docs/errors.md: run npm run docs:errors`);
  }
});
