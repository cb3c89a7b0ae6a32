// The parts of the ACS sessions benchmark that talk to the servers: phone registration (first
// contact with the bootstrap credential, credential rotation answered), the calibration session
// whose responses the echo server replays, the load-generator processes, and one measured cell.

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseEnvelope } from '../../../src/protocols/cwmp/parse.ts';
import type { SetParameterValues } from '../../../src/protocols/cwmp/types.ts';
import { BenchPhone, type BenchTarget, type Capture, type PhoneCreds } from './cwmp-phone.ts';
import type { MeasureWindow, RunRequest, RunResult } from './loadgen.ts';
import { cpuSeconds, noiseMark, noiseSince, resetPeakRss, schedstat, statusKb, waitQuiet, type Noise } from './proc.ts';
import { api, metrics, scanLog, type LogScan } from './servers.ts';
import { percentile } from './stats.ts';

/** First contact of each phone (0 BOOTSTRAP + 1 BOOT). With rotation on, the phone keeps the
 * per-device credentials the ACS sets in that session, as a real phone does (§6.3). */
export async function registerPhones(t: BenchTarget, serials: string[], bootstrap: { username: string; password: string }, concurrency = 20): Promise<PhoneCreds[]> {
  const out: PhoneCreds[] = new Array(serials.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < serials.length; i = next++) {
      const creds: PhoneCreds = { serial: serials[i]!, ...bootstrap };
      const p = new BenchPhone(t, creds, ['0 BOOTSTRAP', '1 BOOT']);
      p.onSpv = (xml) => {
        const spv = parseEnvelope(xml).body as SetParameterValues;
        for (const pv of spv.parameterList) {
          if (pv.name.endsWith('.ManagementServer.Username')) creds.username = pv.value;
          if (pv.name.endsWith('.ManagementServer.Password')) creds.password = pv.value;
        }
      };
      try {
        await p.session(false);
      } finally {
        p.close();
      }
      out[i] = creds;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, serials.length) }, worker));
  return out;
}

/** One full session (new connection: 401, Inform, SPV, 204) with every response recorded. */
export async function calibrate(t: BenchTarget, creds: PhoneCreds): Promise<Capture> {
  const p = new BenchPhone(t, creds);
  p.capture = {};
  try {
    await p.enqueueSpv();
    const o = await p.session(false);
    if (o.spvs !== 1 || !o.challenged || o.idMismatch) throw new Error(`calibration session not as expected: ${JSON.stringify(o)}`);
  } finally {
    p.close();
  }
  return p.capture;
}

/** Load-generator child processes, reused for every cell. */
export class LoadGen {
  readonly procs: ChildProcess[] = [];

  static async start(n: number, cpus: string | null): Promise<LoadGen> {
    const lg = new LoadGen();
    const script = fileURLToPath(new URL('./loadgen.ts', import.meta.url));
    for (let i = 0; i < n; i++) {
      const cmd = cpus ? 'taskset' : process.execPath;
      const args = cpus ? ['-c', cpus, process.execPath, script] : [script];
      const c = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      lg.procs.push(c);
      await new Promise<void>((resolve, reject) => {
        c.once('message', (m: { type: string }) => (m.type === 'ready' ? resolve() : reject(new Error(`loadgen: ${JSON.stringify(m)}`))));
        c.once('exit', (code) => reject(new Error(`loadgen exited with ${code}`)));
      });
    }
    return lg;
  }

  get pids(): number[] {
    return this.procs.map((p) => p.pid!);
  }

  /**
   * Run the phones, split round-robin over the processes: once every phone has finished a first
   * session, `primed` gives the measurement window, which all processes get; then merge results.
   */
  async run(req: Omit<RunRequest, 'type'>, primed: () => MeasureWindow): Promise<RunResult> {
    const active = this.procs.map((c, i) => ({ c, phones: req.phones.filter((_, j) => j % this.procs.length === i) })).filter((a) => a.phones.length > 0);
    let waiting = active.length;
    const results = await Promise.all(active.map(({ c, phones }) => new Promise<RunResult>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`load generator ${c.pid} exited (${code}) during a run`));
      c.once('exit', onExit);
      const onMessage = (m: RunResult | { type: 'primed' } | { type: 'error'; message: string }) => {
        if (m.type === 'primed') {
          if (--waiting === 0) {
            const w = primed();
            for (const a of active) a.c.send(w);
          }
          return;
        }
        c.off('message', onMessage);
        c.off('exit', onExit);
        if (m.type === 'result') resolve(m);
        else reject(new Error(m.message));
      };
      c.on('message', onMessage);
      c.send({ ...req, type: 'run', phones } satisfies RunRequest);
    })));
    return results.reduce(merge, emptyResult());
  }

  stop(): void {
    for (const c of this.procs) if (c.connected) c.disconnect();
  }
}

function emptyResult(): RunResult {
  return { type: 'result', latencies: [], apiLatencies: [], okInWindow: 0, failuresInWindow: 0, failReasons: {}, sessionsTotal: 0,
    spvsTotal: 0, noSpv: 0, extraSpv: 0, idMismatch: 0, challengedInWindow: 0, enqueued: {} };
}

function merge(a: RunResult, b: RunResult): RunResult {
  const reasons = { ...a.failReasons };
  for (const [k, v] of Object.entries(b.failReasons)) reasons[k] = (reasons[k] ?? 0) + v;
  return {
    type: 'result', latencies: a.latencies.concat(b.latencies), apiLatencies: a.apiLatencies.concat(b.apiLatencies),
    okInWindow: a.okInWindow + b.okInWindow, failuresInWindow: a.failuresInWindow + b.failuresInWindow, failReasons: reasons,
    sessionsTotal: a.sessionsTotal + b.sessionsTotal, spvsTotal: a.spvsTotal + b.spvsTotal, noSpv: a.noSpv + b.noSpv,
    extraSpv: a.extraSpv + b.extraSpv, idMismatch: a.idMismatch + b.idMismatch, challengedInWindow: a.challengedInWindow + b.challengedInWindow,
    enqueued: { ...a.enqueued, ...b.enqueued },
    ...((b.slowestFirst?.totalMs ?? -1) > (a.slowestFirst?.totalMs ?? -1) ? { slowestFirst: b.slowestFirst } : a.slowestFirst ? { slowestFirst: a.slowestFirst } : {}),
  };
}

export interface CellSpec {
  server: 'outpost' | 'echo';
  keepAlive: boolean;
  phones: PhoneCreds[];
  rep: number;
  seconds: number;
  warmupSeconds: number;
}

export interface CellEnv {
  target: BenchTarget;
  serverPid: number;
  loadgen: LoadGen;
  mine: Set<number>;
  quiet: { maxBusy: number; maxWaitMs: number };
  /** Outpost only: the management API (for the metrics and task checks) and its log. */
  outpost: { apiPort: number; token: string; logFile: string; logOffset: number } | null;
}

export interface CellRow {
  spec: Omit<CellSpec, 'phones'> & { phones: number };
  rate: number;
  p50: number;
  p99: number;
  apiP50: number;
  failures: number;
  failReasons: Record<string, number>;
  /** Server process CPU (all threads) and its main thread: on a CPU, and waiting for one. */
  serverCpuPct: number;
  mainThreadCpuPct: number;
  mainThreadRunqPct: number;
  /** Server CPU time per measured session, ms. */
  cpuMsPerSession: number;
  clientCpuPct: number;
  /** Load-generator main threads waiting for a CPU, % (summed over the processes). */
  clientRunqPct: number;
  /** The measurement window on the monotonic clock, µs (the clock of V8 CPU profiles). */
  windowUs: [number, number];
  rssPeakKb: number;
  rssEndKb: number;
  busyBefore: number;
  noise: Noise;
  /** Time from the start until every phone had finished its first session (before the warm-up), ms. */
  primedAfterMs: number;
  /** The slowest first session: total and its API enqueue part, ms. */
  slowestFirst: { totalMs: number; enqueueMs: number } | null;
  /** 1 + the times this cell was repeated because other processes were busy during it. */
  attempts: number;
  /** The attempts not kept (more disturbed than this one): their sessions/s and others' CPU %. */
  discarded: { rate: number; othersPct: number }[];
  /** Problems found by the checks (empty = every session carried exactly the one SPV queued for it). */
  checks: string[];
  log: LogScan | null;
}

export async function runCell(env: CellEnv, c: CellSpec): Promise<CellRow> {
  const busyBefore = await waitQuiet(env.quiet.maxBusy, env.quiet.maxWaitMs);
  resetPeakRss(env.serverPid);
  const m0 = env.outpost ? await metrics(env.outpost.apiPort, env.outpost.token) : null;
  const startAt = Date.now() + 300;
  let watch: Promise<Watched> | null = null;
  let primedAfterMs = NaN;
  const r = await env.loadgen.run({ target: env.target, phones: c.phones, keepAlive: c.keepAlive, enqueue: true, startAt }, () => {
    // Every phone has finished its first session: warm up, then measure.
    primedAfterMs = Date.now() - startAt;
    const from = Date.now() + c.warmupSeconds * 1000;
    const to = from + c.seconds * 1000;
    watch = watchWindow(env, from, to);
    return { type: 'window', from, to };
  });
  if (!watch) throw new Error('the load generator finished without a measurement window');
  const w: Watched = await watch;
  const checks = [];
  if (r.noSpv) checks.push(`${r.noSpv} sessions without SPV`);
  if (r.extraSpv) checks.push(`${r.extraSpv} sessions with more than one SPV`);
  if (r.idMismatch) checks.push(`${r.idMismatch} SPVs not for the task queued`);
  let log: LogScan | null = null;
  if (env.outpost) {
    checks.push(...await outpostChecks(env.outpost, m0!, r));
    log = scanLog(env.outpost.logFile, env.outpost.logOffset);
    env.outpost.logOffset = log.offset;
    if (log.error) checks.push(`${log.error} error records in the Outpost log`);
  }
  return {
    spec: { ...c, phones: c.phones.length }, rate: r.okInWindow / c.seconds, p50: percentile(r.latencies, 0.5), p99: percentile(r.latencies, 0.99),
    apiP50: percentile(r.apiLatencies, 0.5), failures: r.failuresInWindow, failReasons: r.failReasons, ...w, busyBefore, checks, log,
    cpuMsPerSession: r.okInWindow > 0 ? (w.serverCpuPct * 10 * c.seconds) / r.okInWindow : NaN, primedAfterMs, attempts: 1, discarded: [], slowestFirst: r.slowestFirst ?? null,
  };
}

type Watched = Pick<CellRow, 'serverCpuPct' | 'mainThreadCpuPct' | 'mainThreadRunqPct' | 'clientCpuPct' | 'clientRunqPct' | 'rssPeakKb' | 'rssEndKb' | 'noise' | 'windowUs'>;

/** CPU, memory and noise over [from, to]: sampled at both instants, RSS every 250 ms between. */
async function watchWindow(env: CellEnv, from: number, to: number): Promise<Watched> {
  const sleepUntil = (t: number) => new Promise((r) => setTimeout(r, Math.max(0, t - Date.now())));
  const usNow = () => Number(process.hrtime.bigint() / 1000n);
  await sleepUntil(from);
  const clientCpu = () => env.loadgen.pids.reduce((a, p) => a + cpuSeconds(p), 0);
  const u0 = usNow();
  const s0 = cpuSeconds(env.serverPid);
  const m0 = schedstat(env.serverPid);
  const c0 = clientCpu();
  const clientWait = () => env.loadgen.pids.reduce((a, p) => a + schedstat(p).waitNs, 0);
  const w0 = clientWait();
  const n0 = noiseMark(env.mine);
  let rssMax = 0;
  while (Date.now() < to) {
    rssMax = Math.max(rssMax, statusKb(env.serverPid, 'VmRSS'));
    await new Promise((r) => setTimeout(r, Math.min(250, Math.max(0, to - Date.now()))));
  }
  const u1 = usNow();
  const secs = (u1 - u0) / 1e6;
  const s1 = cpuSeconds(env.serverPid);
  const m1 = schedstat(env.serverPid);
  const c1 = clientCpu();
  const w1 = clientWait();
  const noise = noiseSince(n0, env.mine);
  const rssEndKb = statusKb(env.serverPid, 'VmRSS');
  const hwm = statusKb(env.serverPid, 'VmHWM');
  return {
    serverCpuPct: (100 * (s1 - s0)) / secs, clientCpuPct: (100 * (c1 - c0)) / secs, clientRunqPct: (w1 - w0) / secs / 1e7,
    mainThreadCpuPct: (m1.runNs - m0.runNs) / secs / 1e7, mainThreadRunqPct: (m1.waitNs - m0.waitNs) / secs / 1e7,
    rssPeakKb: Math.max(hwm, rssMax, rssEndKb), rssEndKb, noise, windowUs: [u0, u1],
  };
}

/** Server-side accounting: SPVs sent and sessions ended ok (metrics), and each phone's tasks all `done`. */
async function outpostChecks(o: NonNullable<CellEnv['outpost']>, m0: Record<string, number>, r: RunResult): Promise<string[]> {
  const out: string[] = [];
  const m1 = await metrics(o.apiPort, o.token);
  const d = (k: string) => (m1[k] ?? 0) - (m0[k] ?? 0);
  const spvs = d('outpost_acs_rpcs_total{method="SetParameterValues"}');
  const ok = d('outpost_acs_sessions_total{outcome="ok"}');
  if (spvs !== r.spvsTotal) out.push(`server sent ${spvs} SPVs, phones answered ${r.spvsTotal}`);
  if (ok !== r.sessionsTotal) out.push(`server ended ${ok} sessions ok, phones completed ${r.sessionsTotal}`);
  const notDone: Record<string, number> = {};
  let done = 0;
  await Promise.all(Object.keys(r.enqueued).map(async (id) => {
    const t = await api<{ items: { status: string }[] }>(o.apiPort, o.token, 'GET', `/api/v1/devices/${encodeURIComponent(id)}/tasks`);
    // Only the latest 200 tasks per device are listed: enough to see any left queued or sent.
    for (const item of t.body.items ?? []) {
      if (item.status === 'done') done++;
      else notDone[item.status] = (notDone[item.status] ?? 0) + 1;
    }
  }));
  const queued = Object.values(r.enqueued).reduce((a, b) => a + b, 0);
  if (Object.keys(notDone).length) out.push(`tasks not done: ${JSON.stringify(notDone)}`);
  if (queued !== r.spvsTotal) out.push(`${queued} tasks queued, ${r.spvsTotal} SPVs answered`);
  if (done === 0 && queued > 0) out.push('no task listed as done');
  return out;
}
