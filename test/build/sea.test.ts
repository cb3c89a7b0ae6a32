// The single executable (DESIGN "The appliance"): dist/outpost is built by scripts/build.ts (or
// reused when newer than every source it is made from), copied into an empty directory and run
// from there with a minimal environment — no node_modules, no Node on PATH — through the four
// commands an operator uses: --help, --version, config check, serve.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { VERSION } from '../../src/core/runtime.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'dist', 'outpost');
// Only PATH: the binary must not lean on NODE_OPTIONS, NODE_PATH or anything else from the shell.
const ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' };

/** Newest mtime of the files the executable is made from (tests excluded: they are not bundled). */
function newestSource(): number {
  let newest = 0;
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (!e.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  walk(join(ROOT, 'src'));
  for (const f of ['package.json', 'package-lock.json', 'scripts/build.ts']) newest = Math.max(newest, statSync(join(ROOT, f)).mtimeMs);
  return newest;
}

let dir = '';
let bin = '';

before(() => {
  if (!existsSync(BIN) || statSync(BIN).mtimeMs < newestSource()) {
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.ts')], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, `npm run build failed:\n${r.stdout}\n${r.stderr}`);
  }
  dir = mkdtempSync(join(tmpdir(), 'outpost-sea-'));
  bin = join(dir, 'outpost');
  copyFileSync(BIN, bin);
});

after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

function run(args: string[]) {
  return spawnSync(bin, args, { cwd: dir, env: ENV, encoding: 'utf8', timeout: 30_000 });
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
  });
}

test('outpost --help and --version', () => {
  const help = run(['--help']);
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /outpost serve --config FILE/);
  assert.match(help.stdout, /outpost config check FILE/);
  const version = run(['--version']);
  assert.equal(version.status, 0, version.stderr);
  assert.equal(version.stdout.trim(), VERSION);
  assert.equal(version.stderr, '', 'no warning (e.g. the experimental SEA notice) on stderr');
});

test('outpost config check: a good file passes, a broken one names the field and line', () => {
  writeFileSync(join(dir, 'good.yaml'), 'site:\n  id: sea-test\n  domain: sea.example.test\nstateDir: ./state\n');
  const good = run(['config', 'check', 'good.yaml']);
  assert.equal(good.status, 0, good.stderr);
  assert.match(good.stdout, /good\.yaml: OK/);

  writeFileSync(join(dir, 'bad.yaml'), 'site:\n  id: sea-test\n  domain: sea.example.test\napi:\n  listen: { host: 127.0.0.1, port: 99999 }\n');
  const bad = run(['config', 'check', 'bad.yaml']);
  assert.equal(bad.status, 1, `exit 1 expected, got ${bad.status}: ${bad.stdout}${bad.stderr}`);
  assert.match(bad.stderr, /CONFIG_INVALID/);
  assert.match(bad.stderr, /api\.listen\.port \(line 5\)/);
});

interface Served { stdout: () => string; stop: () => Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> }

/** Start `outpost serve` in `dir` and resolve once the api service has started. */
async function serve(t: { after(fn: () => void): void }, apiPort: number): Promise<Served> {
  const config = [
    'site:', '  id: sea-test', '  domain: sea.example.test',
    'stateDir: ./state',
    'acs:', '  listen: { host: 127.0.0.1, port: 0 }',
    'api:', `  listen: { host: 127.0.0.1, port: ${apiPort} }`, '',
  ].join('\n');
  writeFileSync(join(dir, 'site.yaml'), config);
  const child = spawn(bin, ['serve', '--config', 'site.yaml'], { cwd: dir, env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d; });
  const exited = new Promise<{ code: number | null; signal: string | null }>((res) => child.on('exit', (code, signal) => res({ code, signal })));
  await new Promise<void>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`no "service started" for api within 30 s\nstdout:\n${stdout}\nstderr:\n${stderr}`)), 30_000);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
      if (stdout.split('\n').some((l) => /"service":"api"/.test(l) && /"msg":"service started"/.test(l))) { clearTimeout(timer); res(); }
    });
    void exited.then(({ code }) => { clearTimeout(timer); rej(new Error(`exited ${code} before the api started\n${stdout}\n${stderr}`)); });
  });
  return {
    stdout: () => stdout,
    async stop() {
      // A daemon must still be running after start, and leave cleanly on SIGTERM.
      assert.equal(child.exitCode, null, `serve exited by itself (${child.exitCode})\n${stdout}\n${stderr}`);
      child.kill('SIGTERM');
      return { ...(await exited), stdout, stderr };
    },
  };
}

test('outpost serve: starts from an empty directory, unpacks the SQLite addon, stops on SIGTERM', async (t) => {
  const apiPort = await freePort();
  const served = await serve(t, apiPort);
  assert.ok(existsSync(join(dir, 'state', 'outpost.db')), 'database created in <stateDir>');
  const cached = readdirSync(join(dir, 'state', 'cache'));
  assert.ok(cached.some((f) => /^better_sqlite3-[0-9a-f]{16}\.node$/.test(f)), `addon unpacked to <stateDir>/cache: ${cached.join(', ')}`);
  // The management API answers over HTTP from inside the executable (fastify bundled); any
  // status will do, the route table is not this test's business.
  const res = await fetch(`http://127.0.0.1:${apiPort}/api/v1/`, { signal: AbortSignal.timeout(10_000) });
  assert.ok(res.status >= 200 && res.status < 600, `HTTP answer from the API: ${res.status}`);
  await res.arrayBuffer();
  const { code, signal, stdout, stderr } = await served.stop();
  assert.equal(signal, null, 'handles SIGTERM instead of dying of it');
  assert.equal(code, 0, `exit 0 after SIGTERM\n${stderr}`);
  assert.match(stdout, /"msg":"stopping"/);
});

test('outpost serve: a cut-short addon in the cache (power loss at first start) is rewritten', async (t) => {
  const cacheDir = join(dir, 'state', 'cache');
  const addon = readdirSync(cacheDir).find((f) => f.endsWith('.node'));
  assert.ok(addon, 'the previous test left the unpacked addon');
  truncateSync(join(cacheDir, addon), 4096);
  const served = await serve(t, await freePort());
  const { code } = await served.stop();
  assert.equal(code, 0);
  assert.ok(statSync(join(cacheDir, addon)).size > 1_000_000, 'addon rewritten whole');
  assert.deepEqual(readdirSync(cacheDir).filter((f) => f.endsWith('.tmp')), [], 'no temporary file left');
});

test('outpost serve with a broken config exits 1 naming the field and line', () => {
  writeFileSync(join(dir, 'broken.yaml'), 'site:\n  id: Not_Valid\n  domain: sea.example.test\nstateDir: ./broken-state\n');
  const r = run(['serve', '--config', 'broken.yaml']);
  assert.equal(r.status, 1, `exit 1 expected, got ${r.status}: ${r.stdout}${r.stderr}`);
  assert.match(r.stderr, /site\.id \(line 2\)/);
  assert.ok(!existsSync(join(dir, 'broken-state')), 'nothing written');
});
