// Full CWMP sessions per second against Outpost, next to a bare Node HTTPS echo server measured
// with the same client in the same run (docs/benchmarks.md, "ACS sessions").
//
// A session = Inform (Digest over HTTPS) → InformResponse → empty POST → one SetParameterValues →
// its response → 204 (tr069-protocol.md §1). Two variants: keep-alive (one TLS connection per
// phone, reused across its sessions; the Digest challenge once per connection, then the nonce
// with an increasing nc, RFC 7616 §3.4) and new-connection (full TLS handshake and a 401
// round-trip inside every session). Closed loop: N phones each run sessions back to back.
//
// Decisions (see docs/benchmarks.md):
// - Outpost runs as a child process (`node src/main.ts serve --config <tmp yaml>`), state in a
//   temporary directory on the same disk as /var/lib (fsyncs are real), log level info.
// - Credential rotation ON, as in production: each phone's first contact (0 BOOTSTRAP, outside
//   the measurement) gets its own credentials by SPV, and every measured Inform is checked
//   against that per-device credential. --no-rotate uses the bootstrap credential throughout.
// - One SPV per session needs one queued task per session: Outpost sends a device's queued tasks
//   back to back in one session, so tasks queued N-up-front would all go in the first session.
//   Each phone therefore queues its next SPV through the management API (bearer token) just
//   before each session; the API call is outside the session latency but inside the server's
//   work and the sessions/s. The echo server gets the same API request (plain HTTP, Outpost's
//   201 body), so both servers see the same request sequence.
// - Checks per Outpost cell: every SPV carries the id of the task the phone queued, each session
//   exactly one SPV, the server's SPV and session counters equal the phones' counts, every
//   phone's tasks end `done`, no error records in the Outpost log.
// - 2 CPUs: with --pin (default) the server runs on CPU 0 and the load generator on CPU 1;
//   client and server share the box either way, and both CPU figures are reported.
//
// Run: node_modules/.bin/node scripts/bench/acs-sessions.ts [options]   (or npm run bench:acs -- …)

import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { calibrate, LoadGen, registerPhones, runCell, type CellEnv, type CellRow } from './lib/acs-run.ts';
import type { BenchTarget, PhoneCreds } from './lib/cwmp-phone.ts';
import { formatSummary, summarise } from './lib/cpuprofile.ts';
import { freePort, outpostConfig, outpostFiles, ROOT, startNode, stopProc, waitPort, writeConfig, type ServerProc } from './lib/servers.ts';
import { commandLine, report, responseSizes } from './lib/acs-report.ts';
import { statusKb } from './lib/proc.ts';

const HELP = `Usage: node_modules/.bin/node scripts/bench/acs-sessions.ts [options]
  --seconds N        measured seconds per cell (default 10)
  --warmup N         unmeasured seconds before each cell (default 2)
  --reps N           repetitions of each cell (default 3)
  --phones LIST      concurrent phones, comma-separated (default 1,50,500)
  --variants LIST    keepalive,newconn (default both)
  --servers LIST     outpost,echo (default both, run side by side per repetition)
  --workers N        load-generator processes (default 1)
  --no-pin           do not pin (default: server on CPU 0, load generator on CPU 1)
  --no-rotate        acs.auth.rotateCredentials false (phones keep the bootstrap credential)
  --profile          run Outpost with --cpu-prof and print its hotspots at the end
  --node-flags STR   extra Node flags for the Outpost child (e.g. "--perf-basic-prof" for perf record)
  --timeout MS       per-request timeout (default 30000)
  --quiet-max PCT    wait (up to --quiet-wait s, default 30) for the machine to be this idle before a cell (default 15)
  --noisy-retries N  repeat a cell (up to N times, default 2) when other processes used more than --quiet-max % of
                     the machine during it; the last attempt is kept and marked
  --md FILE          also write the Markdown tables to FILE
  --json FILE        also write every row as JSON
  --keep             keep the temporary directory (state, logs, profiles)
  --report-from FILE print the report of an earlier run's --json FILE (no measurement)
`;

function options() {
  const { values: v } = parseArgs({
    allowNegative: true,
    options: {
      seconds: { type: 'string', default: '10' }, warmup: { type: 'string', default: '2' }, reps: { type: 'string', default: '3' },
      phones: { type: 'string', default: '1,50,500' }, variants: { type: 'string', default: 'keepalive,newconn' },
      servers: { type: 'string', default: 'outpost,echo' }, workers: { type: 'string', default: '1' },
      pin: { type: 'boolean', default: true }, rotate: { type: 'boolean', default: true }, profile: { type: 'boolean', default: false },
      timeout: { type: 'string', default: '30000' }, 'node-flags': { type: 'string', default: '' }, 'quiet-max': { type: 'string', default: '15' }, 'quiet-wait': { type: 'string', default: '30' }, 'noisy-retries': { type: 'string', default: '2' },
      md: { type: 'string' }, json: { type: 'string' }, keep: { type: 'boolean', default: false }, 'report-from': { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (v.help) { process.stdout.write(HELP); process.exit(0); }
  const list = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);
  const o = {
    seconds: Number(v.seconds), warmup: Number(v.warmup), reps: Number(v.reps), phones: list(v.phones!).map(Number),
    variants: list(v.variants!), servers: list(v.servers!) as ('outpost' | 'echo')[], workers: Number(v.workers),
    pin: v.pin!, rotate: v.rotate!, profile: v.profile!, timeoutMs: Number(v.timeout), nodeFlags: list(v['node-flags']!.replace(/\s+/g, ',')),
    quiet: { maxBusy: Number(v['quiet-max']), maxWaitMs: Number(v['quiet-wait']) * 1000 }, noisyRetries: Number(v['noisy-retries']), md: v.md, json: v.json, keep: v.keep!,
    reportFrom: v['report-from'],
  };
  const bad = [o.seconds, o.warmup, o.reps, o.workers, o.timeoutMs, o.noisyRetries, ...o.phones].some((n) => !Number.isFinite(n) || n < 0)
    || o.variants.some((x) => x !== 'keepalive' && x !== 'newconn') || o.servers.some((x) => x !== 'outpost' && x !== 'echo')
    || o.reps < 1 || o.seconds <= 0 || o.workers < 1 || o.phones.some((n) => n < 1);
  if (bad) { process.stderr.write(`bad option\n${HELP}`); process.exit(2); }
  return o;
}
export type Options = ReturnType<typeof options>;

function machine(): Record<string, string> {
  const sh = (c: string, a: string[]) => { try { return execFileSync(c, a, { encoding: 'utf8' }).trim(); } catch { return '?'; } };
  let commit = sh('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']);
  if (sh('git', ['-C', ROOT, 'status', '--porcelain', '--', 'src']) !== '') commit += ' (src/ modified)';
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), nproc: sh('nproc', []), cpu: cpus()[0]?.model ?? '?',
    mem: `${Math.round(Number(/MemTotal:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0) / 1048576)} GiB`,
    kernel: sh('uname', ['-r']), node: process.version, commit,
    fs: sh('findmnt', ['-n', '-o', 'FSTYPE', '-T', tmpdir()]),
  };
}

interface Setup {
  dir: string;
  procs: ServerProc[];
  loadgen: LoadGen | null;
}

/** Outpost child, phones registered, calibration session, echo server, load generators. */
async function start(o: Options, su: Setup, info: Record<string, string>) {
  const stateDir = join(su.dir, 'state');
  mkdirSync(stateDir, { mode: 0o700 });
  const [acsPort, apiPort, echoPort, echoApiPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const bootstrap = { username: 'bench-bootstrap', password: randomBytes(18).toString('base64url') };
  writeConfig(join(su.dir, 'outpost.yaml'), outpostConfig({ stateDir, acsPort, apiPort, bootstrap, rotate: o.rotate }));
  const outpost = startNode(['src/main.ts', 'serve', '--config', join(su.dir, 'outpost.yaml')], join(su.dir, 'outpost.log'),
    o.pin ? '0' : null, [...o.nodeFlags, ...(o.profile ? ['--cpu-prof', `--cpu-prof-dir=${join(su.dir, 'prof')}`] : [])]);
  su.procs.push(outpost);
  await waitPort(outpost, apiPort);
  await waitPort(outpost, acsPort);
  const files = outpostFiles(stateDir);
  const target: BenchTarget = { host: '127.0.0.1', acsPort, apiPort, ca: files.ca, apiToken: files.token, verifyIds: true, timeoutMs: o.timeoutMs };

  const serials = Array.from({ length: Math.max(...o.phones) }, (_, i) => `BENCH${String(i).padStart(6, '0')}`);
  const t0 = Date.now();
  const phones: PhoneCreds[] = await registerPhones(target, serials, bootstrap);
  process.stderr.write(`# registered ${phones.length} phones in ${Date.now() - t0} ms (rotation ${o.rotate ? 'on' : 'off'})\n`);
  const capture = await calibrate(target, phones[0]!);
  writeFileSync(join(su.dir, 'responses.json'), JSON.stringify(capture, null, 1));

  const echo = startNode(['scripts/bench/https-echo.ts', '--cert', files.certFile, '--key', files.keyFile, '--responses', join(su.dir, 'responses.json'),
    '--port', String(echoPort), '--api-port', String(echoApiPort)], join(su.dir, 'echo.log'), o.pin ? '0' : null);
  su.procs.push(echo);
  await waitPort(echo, echoPort);
  await waitPort(echo, echoApiPort);
  const loadgen = su.loadgen = await LoadGen.start(o.workers, o.pin ? '1' : null);

  const mine = new Set([process.pid, outpost.pid, echo.pid, ...loadgen.pids]);
  const outpostLog = { apiPort, token: files.token, logFile: outpost.logFile, logOffset: 0 };
  const envOf = (server: 'outpost' | 'echo'): CellEnv => server === 'outpost'
    ? { target, serverPid: outpost.pid, loadgen, mine, quiet: o.quiet, outpost: outpostLog }
    : { target: { ...target, acsPort: echoPort, apiPort: echoApiPort, verifyIds: false }, serverPid: echo.pid, loadgen, mine, quiet: o.quiet, outpost: null };
  // Baseline memory, before any measured cell: Outpost after registering the phones, echo idle.
  info.rssIdle = `Outpost ${Math.round(statusKb(outpost.pid, 'VmRSS') / 1024)} MB after start-up and registration, echo ${Math.round(statusKb(echo.pid, 'VmRSS') / 1024)} MB idle`;
  return { phones, capture, envOf };
}

/** Every cell: variant × phones × repetition, Outpost and echo side by side inside a repetition. */
async function runAll(o: Options, phones: PhoneCreds[], envOf: (s: 'outpost' | 'echo') => CellEnv): Promise<CellRow[]> {
  const rows: CellRow[] = [];
  for (const variant of o.variants) {
    for (const n of o.phones) {
      for (let rep = 1; rep <= o.reps; rep++) {
        for (const server of o.servers) {
          // A cell during which other work took the machine is repeated; the least disturbed
          // attempt is kept, the others are listed with it.
          const attempts: CellRow[] = [];
          for (let attempt = 0; attempt <= o.noisyRetries; attempt++) {
            const row = await runCell(envOf(server), { server, keepAlive: variant === 'keepalive', phones: phones.slice(0, n), rep, seconds: o.seconds, warmupSeconds: o.warmup });
            row.attempts = attempt + 1;
            attempts.push(row);
            process.stderr.write(`${progressLine(row)}\n`);
            if (row.noise.othersPct <= o.quiet.maxBusy) break;
          }
          const kept = attempts.reduce((a, b) => (b.noise.othersPct < a.noise.othersPct ? b : a));
          kept.discarded = attempts.filter((a) => a !== kept).map((a) => ({ rate: a.rate, othersPct: a.noise.othersPct }));
          for (const a of attempts) if (a !== kept) kept.checks.push(...a.checks.map((c) => `attempt ${a.attempts}: ${c}`));
          rows.push(kept);
        }
      }
    }
  }
  return rows;
}

function profileReport(dir: string, rows: CellRow[]): string {
  const profDir = join(dir, 'prof');
  const prof = readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile')).sort().at(-1);
  if (!prof) return '(no CPU profile written)';
  // Only the measured windows of the Outpost cells: not start-up, registration or idle gaps.
  const windows = rows.filter((r) => r.spec.server === 'outpost').map((r) => r.windowUs);
  const p = JSON.parse(readFileSync(join(profDir, prof), 'utf8'));
  return `## Outpost CPU profile, measured windows only (${join(profDir, prof)})\n\n${formatSummary(summarise(p, 30, windows))}`;
}

async function main(): Promise<void> {
  const o = options();
  if (Number(process.versions.node.split('.')[0]) < 24) throw new Error(`Node ${process.version}: run with node_modules/.bin/node (Node 24)`);
  if (o.reportFrom) {
    const j = JSON.parse(readFileSync(o.reportFrom, 'utf8'));
    process.stdout.write(`${report(j.rows, { noisyRetries: 0, ...j.options }, j.machine, j.sizes ?? {}, j.command ?? '(not recorded)')}\n`);
    return;
  }
  const info = machine();
  const su: Setup = { dir: mkdtempSync(join(tmpdir(), 'outpost-bench-acs-')), procs: [], loadgen: null };
  process.stderr.write(`# acs-sessions: temporary directory ${su.dir}\n`);
  const interrupted = () => {
    su.loadgen?.stop();
    for (const p of su.procs) p.child.kill('SIGKILL');
    if (!o.keep) rmSync(su.dir, { recursive: true, force: true });
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    const { phones, capture, envOf } = await start(o, su, info);
    const rows = await runAll(o, phones, envOf);
    su.loadgen?.stop();
    su.loadgen = null;
    for (const p of su.procs.reverse()) await stopProc(p); // Outpost last: it writes the profile on exit
    const sizes = responseSizes(capture);
    const text = report(rows, o, info, sizes);
    process.stdout.write(`${text}\n`);
    if (o.md) writeFileSync(o.md, `${text}\n`);
    if (o.json) writeFileSync(o.json, JSON.stringify({ command: commandLine(), machine: info, options: o, sizes, rows }, null, 1));
    if (o.profile) process.stdout.write(`\n${profileReport(su.dir, rows)}\n`);
  } finally {
    su.loadgen?.stop();
    for (const p of su.procs) await stopProc(p);
    if (!o.keep && !o.profile) rmSync(su.dir, { recursive: true, force: true });
    else process.stderr.write(`# kept ${su.dir}\n`);
  }
}

function progressLine(r: CellRow): string {
  const s = r.spec;
  return `  ${s.keepAlive ? 'keepalive' : 'newconn  '} ${String(s.phones).padStart(4)} phones ${s.server.padEnd(7)} rep ${s.rep}: `
    + `${r.rate.toFixed(0).padStart(6)} sessions/s p50 ${r.p50.toFixed(1)} p99 ${r.p99.toFixed(1)} ms, fail ${r.failures}, `
    + `cpu srv ${r.serverCpuPct.toFixed(0)}% (main ${r.mainThreadCpuPct.toFixed(0)}% runq ${r.mainThreadRunqPct.toFixed(0)}%, ${r.cpuMsPerSession.toFixed(2)} ms/session) cli ${r.clientCpuPct.toFixed(0)}% (runq ${r.clientRunqPct.toFixed(0)}%), rss ${(r.rssPeakKb / 1024).toFixed(0)}/${(r.rssEndKb / 1024).toFixed(0)} MB, `
    + `primed ${(r.primedAfterMs / 1000).toFixed(1)} s${r.slowestFirst && r.slowestFirst.totalMs > 5000 ? ` (slowest first session ${(r.slowestFirst.totalMs / 1000).toFixed(1)} s, API ${(r.slowestFirst.enqueueMs / 1000).toFixed(1)} s)` : ''}, attempt ${r.attempts}, bg ${r.busyBefore.toFixed(0)}%/${r.noise.othersPct.toFixed(0)}% steal ${r.noise.stealPct.toFixed(0)}%`
    + (r.checks.length ? `  CHECK: ${r.checks.join('; ')}` : '') + (Object.keys(r.failReasons).length ? `  reasons: ${JSON.stringify(r.failReasons)}` : '');
}

main().catch((e: unknown) => {
  process.stderr.write(`acs-sessions: ${(e as Error)?.stack ?? e}\n`);
  process.exit(1);
});
