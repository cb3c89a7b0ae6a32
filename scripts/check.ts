// `npm run check` (after tsc): the mechanical guards of STYLE habit 14 — import rules between
// layers, and size warnings. Fails on a broken import rule; warns on size.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, dirname, resolve, relative } from 'node:path';
import ts from 'typescript';

const ROOT = resolve('src');
const files: string[] = [];
(function walk(d: string) {
  for (const n of readdirSync(d)) {
    const p = join(d, n);
    if (statSync(p).isDirectory()) walk(p);
    else if (n.endsWith('.ts')) files.push(p);
  }
})(ROOT);

// layer of a file under src/: core, store, protocols, provisioning, services/<name>, services (shared), app, main, ui
function layer(file: string): string {
  const rel = relative(ROOT, file).split('/');
  if (rel.length === 1) return rel[0]!.replace(/\.ts$/, '');
  if (rel[0] === 'services' && rel.length > 2) return `services/${rel[1]}`;
  if (rel[0] === 'services') return 'services-shared';
  return rel[0]!;
}

const ALLOWED: Record<string, (to: string) => boolean> = {
  core: (to) => to === 'core',
  protocols: (to) => to === 'core' || to === 'protocols',
  store: (to) => to === 'core' || to === 'store',
  provisioning: (to) => ['core', 'protocols', 'provisioning'].includes(to),
  'services-shared': (to) => ['core', 'store', 'protocols', 'provisioning', 'services-shared'].includes(to),
  ui: (to) => to === 'ui',
  // The reference central server is its own small app: core, store and the bundle protocol only.
  central: (to) => ['core', 'store', 'protocols', 'central'].includes(to),
};

const errors: string[] = [];
const warnings: string[] = [];
const importRe = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

for (const f of files) {
  const text = readFileSync(f, 'utf8');
  const from = layer(f);
  const rel = relative(process.cwd(), f);
  for (const m of text.matchAll(importRe)) {
    const spec = m[1] ?? m[2]!;
    if (spec === 'better-sqlite3' && from !== 'store') errors.push(`${rel}: only src/store may import better-sqlite3`);
    const isTest = f.endsWith('.test.ts') || f.includes('/testdata/');
    const netHelpersOnly = /^(node:)?net$/.test(spec) && /import\s*\{\s*(isIP(v4|v6)?\s*,?\s*)+\}/.test(m[0]);
    if (from === 'protocols' && !isTest && !netHelpersOnly && /^(node:)?(net|dgram|http|https|http2|tls|fs|child_process)$/.test(spec)) {
      errors.push(`${rel}: protocols import no sockets or files (${spec})`);
    }
    if (!spec.startsWith('.')) continue;
    const target = resolve(dirname(f), spec);
    if (!target.startsWith(ROOT)) continue;
    const to = layer(target);
    if (from.startsWith('services/')) {
      const ok = ['core', 'store', 'protocols', 'provisioning', 'services-shared', from].includes(to);
      if (!ok) errors.push(`${rel}: ${from} may not import ${to} (services never import each other)`);
    } else if (ALLOWED[from] && !ALLOWED[from]!(to)) {
      errors.push(`${rel}: ${from} may not import ${to}`);
    } else if (to === 'app' || to === 'main') {
      if (from !== 'main') errors.push(`${rel}: only main.ts imports app.ts`);
    }
  }
  if (!f.endsWith('.test.ts')) {
    const lines = text.split('\n').length;
    if (lines > 400) warnings.push(`${rel}: ${lines} lines (> 400)`);
    for (const w of longFunctions(f, text)) warnings.push(`${rel}: ${w}`);
    // Logs go through ctx.log (structured, redacted); console is for the CLI only.
    if (!rel.startsWith('src/cli/') && !rel.endsWith('src/main.ts') && /\bconsole\.(log|info|debug)\(/.test(text)) {
      errors.push(`${rel}: console.log in src (use the logger)`);
    }
  }
}

// Every test file, src/ and test/: no focused tests (they hide the rest of the suite).
(function walkTests(d: string) {
  for (const n of readdirSync(d)) {
    const p = join(d, n);
    if (n === 'node_modules' || n.startsWith('.')) continue;
    if (statSync(p).isDirectory()) walkTests(p);
    else if (n.endsWith('.test.ts') && /\b(test|it|describe)\.only\(|\{\s*only:\s*true/.test(readFileSync(p, 'utf8'))) errors.push(`${relative(process.cwd(), p)}: focused test (.only)`);
  }
})(resolve('test'));

for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
for (const e of errors) process.stderr.write(`error: ${e}\n`);
if (errors.length > 0) process.exit(1);
process.stdout.write(`check: ${files.length} files, import rules hold${warnings.length ? `, ${warnings.length} size warnings` : ''}\n`);

/** Functions longer than ~60 lines (STYLE habit 14): a warning, not an error. */
function longFunctions(file: string, text: string): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const visit = (n: ts.Node) => {
    if (ts.isFunctionLike(n) && 'body' in n && n.body) {
      const start = sf.getLineAndCharacterOfPosition(n.getStart(sf)).line;
      const end = sf.getLineAndCharacterOfPosition(n.getEnd()).line;
      const name = (n as ts.FunctionLikeDeclaration).name?.getText(sf) ?? '(anonymous)';
      if (end - start + 1 > 60 && !ts.isArrowFunction(n.parent) ) out.push(`function ${name} is ${end - start + 1} lines (> 60)`);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}
