// Load-generator process (forked by acs-sessions.ts, one or more, pinned apart from the server):
// runs its share of the phones in closed loops — queue one SPV through the API, then one full
// session, again — and sends back what it saw. Protocol with the parent: 'run' (phones start at
// startAt) → 'primed' once every phone has finished its first session (the thundering herd of
// first connections and 401s is over) → the parent's 'window' (absolute wall-clock instants,
// the same for every process) → 'result'. Sessions that END inside [from, to] are counted; the
// warm-up before is not. After `to` each phone finishes the session it is in (so no task is
// left half-sent) and stops.

import { BenchPhone, type BenchTarget, type PhoneCreds } from './cwmp-phone.ts';

export interface RunRequest {
  type: 'run';
  target: BenchTarget;
  phones: PhoneCreds[];
  keepAlive: boolean;
  /** Queue one SetParameterValues through the API before each session. */
  enqueue: boolean;
  startAt: number;
}

export interface MeasureWindow {
  type: 'window';
  from: number;
  to: number;
}

export interface RunResult {
  type: 'result';
  /** Session latencies (ms) of the sessions that ended inside the window. */
  latencies: number[];
  /** API enqueue latencies (ms) inside the window. */
  apiLatencies: number[];
  okInWindow: number;
  failuresInWindow: number;
  failReasons: Record<string, number>;
  /** Every session completed (warm-up and tail included) and the SPVs they carried. */
  sessionsTotal: number;
  spvsTotal: number;
  /** Sessions without SPV, with more than one, or whose SPV was not the queued task. */
  noSpv: number;
  extraSpv: number;
  idMismatch: number;
  challengedInWindow: number;
  /** The phone that took longest to finish its first session: total and API enqueue time, ms. */
  slowestFirst?: { totalMs: number; enqueueMs: number };
  /** Device ids of the phones that ran, with the number of tasks each queued. */
  enqueued: Record<string, number>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

interface Shared {
  window: MeasureWindow | null;
  unprimed: number;
  onPrimed: () => void;
}

const inWindow = (sh: Shared, now: number) => sh.window !== null && now >= sh.window.from && now <= sh.window.to;

async function phoneLoop(p: BenchPhone, req: RunRequest, res: RunResult, sh: Shared): Promise<void> {
  await sleep(req.startAt - Date.now());
  let primed = false;
  const begin = performance.now();
  let enqueueMs = 0;
  while (sh.window === null || Date.now() < sh.window.to) {
    try {
      if (req.enqueue && p.pendingTask === null) {
        const a0 = performance.now();
        await p.enqueueSpv();
        if (!primed) enqueueMs = performance.now() - a0;
        res.enqueued[p.deviceId] = (res.enqueued[p.deviceId] ?? 0) + 1;
        if (inWindow(sh, Date.now())) res.apiLatencies.push(performance.now() - a0);
      }
      const t0 = performance.now();
      const o = await p.session(req.keepAlive);
      const ms = performance.now() - t0;
      res.sessionsTotal++;
      res.spvsTotal += o.spvs;
      if (req.enqueue && o.spvs === 0) res.noSpv++;
      if (o.spvs > 1) res.extraSpv++;
      if (o.idMismatch) res.idMismatch++;
      if (inWindow(sh, Date.now())) {
        res.okInWindow++;
        res.latencies.push(ms);
        if (o.challenged) res.challengedInWindow++;
      }
    } catch (e) {
      const reason = String((e as Error).message ?? e).replace(/\d{3,}/g, 'N').slice(0, 100);
      res.failReasons[reason] = (res.failReasons[reason] ?? 0) + 1;
      if (inWindow(sh, Date.now())) res.failuresInWindow++;
      await sleep(5); // never spin on a dead server
    }
    if (!primed) {
      primed = true;
      // The slowest first session says what held the start of a cell back (diagnostics).
      const totalMs = performance.now() - begin;
      if (!res.slowestFirst || totalMs > res.slowestFirst.totalMs) res.slowestFirst = { totalMs, enqueueMs };
      if (--sh.unprimed === 0) sh.onPrimed();
    }
  }
}

/** Run the phones; `primed` is called once all finished a first session; `setWindow` starts the measurement. */
export async function run(req: RunRequest, primed: () => void, windowSet: (set: (w: MeasureWindow) => void) => void): Promise<RunResult> {
  const res: RunResult = {
    type: 'result', latencies: [], apiLatencies: [], okInWindow: 0, failuresInWindow: 0, failReasons: {},
    sessionsTotal: 0, spvsTotal: 0, noSpv: 0, extraSpv: 0, idMismatch: 0, challengedInWindow: 0, enqueued: {},
  };
  const sh: Shared = { window: null, unprimed: req.phones.length, onPrimed: primed };
  windowSet((w) => { sh.window = w; });
  const phones = req.phones.map((c) => new BenchPhone(req.target, c));
  try {
    await Promise.all(phones.map((p) => phoneLoop(p, req, res, sh)));
  } finally {
    for (const p of phones) p.close();
  }
  return res;
}

// As a child process: one 'run' message in, one 'result' message out, as often as asked.
if (process.send) {
  let setWindow: ((w: MeasureWindow) => void) | null = null;
  process.on('message', (m: RunRequest | MeasureWindow) => {
    if (m?.type === 'window') setWindow?.(m);
    if (m?.type !== 'run') return;
    run(m, () => process.send!({ type: 'primed' }), (set) => { setWindow = set; })
      .then((r) => process.send!(r), (e: unknown) => process.send!({ type: 'error', message: String((e as Error)?.stack ?? e) }));
  });
  process.on('disconnect', () => process.exit(0));
  process.send({ type: 'ready' });
}
