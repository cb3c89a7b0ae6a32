// `npm run build`: dist/outpost, one executable (Node single-executable application, DESIGN
// "The appliance"). Offline, from what npm installed (docs/dependencies.md, "node" and "esbuild"):
//   1. esbuild bundles src/main.ts and its dependencies into one CommonJS file;
//   2. node --experimental-sea-config turns it (plus the better-sqlite3 addon as an asset) into a blob;
//   3. a copy of the Node 24 binary is stripped and the blob injected with postject.
// `--measure` also prints the size and the start time of `dist/outpost --version`.
//
// Inside a SEA, `require()` resolves only built-ins and `import.meta` does not exist, hence the
// banner below: a real `require` for the addon path and a file URL standing in for import.meta.url.

import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, realpathSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';

const ROOT = resolve(import.meta.dirname, '..');
const DIST = join(ROOT, 'dist');
const WORK = join(DIST, 'sea');
const OUT = join(DIST, 'outpost');
const BUNDLE = join(WORK, 'outpost.cjs');
const BLOB = join(WORK, 'sea-prep.blob');
// The sentinel Node looks for to know a blob was injected (Node docs, "Single executable applications").
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
/** Name of the addon asset; src/core/runtime.ts seaNativeBinding() reads it back. */
const ADDON_ASSET = 'better_sqlite3.node';

// Runs before any bundled module. better-sqlite3's lib/binding.js loads a `nativeBinding` path
// through `__non_webpack_require__` when that is a function: give it a require that can load
// files (the SEA's own require cannot). `__filename` is process.execPath inside a SEA.
const BANNER = [
  "var __non_webpack_require__ = require('node:module').createRequire(__filename);",
  "var __outpost_import_meta_url = require('node:url').pathToFileURL(__filename).href;",
  'var __outpost_import_meta_dirname = __dirname;',
  'var __outpost_import_meta_filename = __filename;',
].join('\n');

function nodeBinary(): string {
  // The Node 24 that npm installed (package "node"), never the machine's older node.
  const bin = realpathSync(join(ROOT, 'node_modules', '.bin', 'node'));
  const version = execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim();
  if (!/^v24\./.test(version)) throw new Error(`${bin} is ${version}; the single executable is built from Node 24 (npm install)`);
  return bin;
}

/** The better-sqlite3 addon for this machine: a local source build if any, else the shipped prebuild. */
export function addonPath(): string {
  const pkg = join(ROOT, 'node_modules', 'better-sqlite3');
  const candidates = [
    join(pkg, 'build', 'Release', 'better_sqlite3.node'),
    join(pkg, 'prebuilds', `${process.platform}-${process.arch}.node`),
  ];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`better-sqlite3 addon not found (looked for ${candidates.join(', ')}); run npm install`);
  return found;
}

async function bundle(): Promise<void> {
  const result = await build({
    entryPoints: [join(ROOT, 'src', 'main.ts')],
    outfile: BUNDLE,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node24',
    minifyWhitespace: false,
    legalComments: 'none',
    sourcemap: false,
    logLevel: 'warning',
    banner: { js: BANNER },
    define: {
      'import.meta.url': '__outpost_import_meta_url',
      'import.meta.dirname': '__outpost_import_meta_dirname',
      'import.meta.filename': '__outpost_import_meta_filename',
    },
    // The shebang of src/main.ts would be a syntax error in the middle of the banner.
    supported: { hashbang: false },
  });
  if (result.errors.length > 0) throw new Error('esbuild failed');
}

function makeBlob(node: string): void {
  const config = {
    main: BUNDLE,
    output: BLOB,
    disableExperimentalSEAWarning: true,
    // V8 code cache in the blob: the bundle is not compiled again at each start (see docs/benchmarks.md).
    useCodeCache: true,
    useSnapshot: false,
    assets: { [ADDON_ASSET]: addonPath() },
  };
  const file = join(WORK, 'sea-config.json');
  writeFileSync(file, JSON.stringify(config, null, 2) + '\n');
  const r = spawnSync(node, ['--experimental-sea-config', file], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`node --experimental-sea-config failed: ${r.stderr}${r.stdout}`);
}

function hasStrip(): boolean {
  return spawnSync('strip', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** postject in a child process, so LIEF's harmless warnings about the stripped section names can be filtered. */
function postject(node: string, target: string): void {
  const cli = join(ROOT, 'node_modules', 'postject', 'dist', 'cli.js');
  const r = spawnSync(node, [cli, target, 'NODE_SEA_BLOB', BLOB, '--sentinel-fuse', SEA_FUSE], { encoding: 'utf8' });
  const noise = /Can't find string offset for section name|Start injection|Injection done/;
  const out = `${r.stdout}${r.stderr}`.split('\n').filter((l) => l.trim() && !noise.test(l));
  if (out.length > 0) process.stderr.write(out.join('\n') + '\n');
  if (r.status !== 0) throw new Error(`postject exited ${r.status}`);
}

function makeExecutable(node: string): void {
  const tmp = `${OUT}.tmp`;
  rmSync(tmp, { force: true });
  copyFileSync(node, tmp);
  chmodSync(tmp, 0o755);
  // Debug symbols are ~13 MB of the binary and nothing at run time needs them; the dynamic symbol
  // table that addons link against (napi_*) is kept by strip.
  if (hasStrip()) execFileSync('strip', [tmp]);
  else process.stderr.write('build: strip not found; the executable keeps its symbols\n');
  postject(node, tmp);
  // Rename last, so dist/outpost is either the old executable or the complete new one.
  execFileSync('mv', ['-f', tmp, OUT]);
}

/** Size in bytes and the median wall time of `dist/outpost --version` over `runs` runs. */
export function measure(runs = 11): { bytes: number; medianMs: number; allMs: number[] } {
  const allMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(OUT, ['--version'], { encoding: 'utf8' });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`dist/outpost --version exited ${r.status}: ${r.stderr}`);
    allMs.push(Math.round(ms));
  }
  const sorted = [...allMs].sort((a, b) => a - b);
  return { bytes: statSync(OUT).size, medianMs: sorted[Math.floor(sorted.length / 2)]!, allMs };
}

/**
 * The DHCP interface helper (src/services/dhcp/native/ifsock.c) ships next to the executable:
 * Node cannot bind a socket to an interface (services/dhcp/README.md). Built when a C compiler
 * is present; without one the build says so (relayed-only DHCP still works).
 */
function buildDhcpHelper(): void {
  const out = join(DIST, 'outpost-dhcp-ifsock');
  const r = spawnSync('cc', ['-O2', '-Wall', '-o', out, join(ROOT, 'src', 'services', 'dhcp', 'native', 'ifsock.c')], { encoding: 'utf8' });
  if (r.error || r.status !== 0) process.stderr.write(`build: no DHCP interface helper (cc: ${r.error?.message ?? r.stderr.trim()}); direct DHCP scopes need it\n`);
  else process.stdout.write(`build: ${out}\n`);
}

export async function buildExecutable(): Promise<string> {
  const t0 = performance.now();
  const node = nodeBinary();
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  await bundle();
  makeBlob(node);
  makeExecutable(node);
  const check = spawnSync(OUT, ['--version'], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`dist/outpost --version failed: ${check.stderr}`);
  buildDhcpHelper();
  const mb = (statSync(OUT).size / 1e6).toFixed(1);
  process.stdout.write(`build: ${OUT} (${mb} MB, version ${check.stdout.trim()}) in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  return OUT;
}

if (import.meta.main) {
  try {
    await buildExecutable();
    if (process.argv.includes('--measure')) {
      const m = measure();
      process.stdout.write(`size: ${m.bytes} bytes (${(m.bytes / 1e6).toFixed(1)} MB); start (--version): median ${m.medianMs} ms, runs ${m.allMs.join(' ')} ms\n`);
    }
  } catch (err) {
    process.stderr.write(`build failed: ${(err as Error).message}\n`);
    process.exit(1);
  }
}
