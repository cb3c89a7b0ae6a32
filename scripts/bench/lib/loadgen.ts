// Load-generator process (forked by acs-sessions.ts, one or more, pinned apart from the server):
// runs its share of the phones in closed loops — queue one SPV through the API, then one full
// session, again — between absolute wall-clock instants given by the parent, and sends back
// what it saw. Sessions that END inside [measureFrom, measureTo] are counted; the warm-up before
// measureFrom (JIT, connections, first 401s) is not. After measureTo each phone finishes the
// session it is in (so no task is left half-sent) and stops.

import { BenchPhone, type BenchTarget, type PhoneCreds } from './cwmp-phone.ts';

export interface RunRequest {
  type: 'run';
  target: BenchTarget;
  phones: PhoneCreds[];
  keepAlive: boolean;
  /** Queue one SetParameterValues through the API before each session. */
  enqueue: boolean;
  startAt: number;
  measureFrom: number;
  measureTo: number;
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
  /** Device ids of the phones that ran, with the number of tasks each queued. */
  enqueued: Record<string, number>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

async function phoneLoop(p: BenchPhone, req: RunRequest, res: RunResult): Promise<void> {
  await sleep(req.startAt - Date.now());
  while (Date.now() < req.measureTo) {
    try {
      if (req.enqueue && p.pendingTask === null) {
        const a0 = performance.now();
        await p.enqueueSpv();
        res.enqueued[p.deviceId] = (res.enqueued[p.deviceId] ?? 0) + 1;
        const now = Date.now();
        if (now >= req.measureFrom && now <= req.measureTo) res.apiLatencies.push(performance.now() - a0);
      }
      const t0 = performance.now();
      const o = await p.session(req.keepAlive);
      const ms = performance.now() - t0;
      const now = Date.now();
      res.sessionsTotal++;
      res.spvsTotal += o.spvs;
      if (req.enqueue && o.spvs === 0) res.noSpv++;
      if (o.spvs > 1) res.extraSpv++;
      if (o.idMismatch) res.idMismatch++;
      if (now >= req.measureFrom && now <= req.measureTo) {
        res.okInWindow++;
        res.latencies.push(ms);
        if (o.challenged) res.challengedInWindow++;
      }
    } catch (e) {
      const now = Date.now();
      const reason = String((e as Error).message ?? e).replace(/\d{3,}/g, 'N').slice(0, 100);
      res.failReasons[reason] = (res.failReasons[reason] ?? 0) + 1;
      if (now >= req.measureFrom && now <= req.measureTo) res.failuresInWindow++;
      await sleep(5); // never spin on a dead server
    }
  }
}

export async function run(req: RunRequest): Promise<RunResult> {
  const res: RunResult = {
    type: 'result', latencies: [], apiLatencies: [], okInWindow: 0, failuresInWindow: 0, failReasons: {},
    sessionsTotal: 0, spvsTotal: 0, noSpv: 0, extraSpv: 0, idMismatch: 0, challengedInWindow: 0, enqueued: {},
  };
  const phones = req.phones.map((c) => new BenchPhone(req.target, c));
  try {
    await Promise.all(phones.map((p) => phoneLoop(p, req, res)));
  } finally {
    for (const p of phones) p.close();
  }
  return res;
}

// As a child process: one 'run' message in, one 'result' message out, as often as asked.
if (process.send) {
  process.on('message', (m: RunRequest) => {
    if (m?.type !== 'run') return;
    run(m).then((r) => process.send!(r), (e: unknown) => process.send!({ type: 'error', message: String((e as Error)?.stack ?? e) }));
  });
  process.on('disconnect', () => process.exit(0));
  process.send({ type: 'ready' });
}
