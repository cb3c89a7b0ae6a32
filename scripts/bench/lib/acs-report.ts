// Markdown report of the ACS sessions benchmark: the machine and command, every repetition, and
// per cell the medians with Outpost as a fraction of the bare Node HTTPS echo server.

import type { CellRow } from './acs-run.ts';
import type { Capture } from './cwmp-phone.ts';
import { fmt, markdownTable, median } from './stats.ts';

interface ReportOptions {
  seconds: number; warmup: number; reps: number; workers: number; pin: boolean; rotate: boolean; quiet: { maxBusy: number }; noisyRetries: number;
}

const mb = (kb: number) => fmt(kb / 1024, 0);
const variantOf = (r: CellRow) => (r.spec.keepAlive ? 'keep-alive' : 'new connection');

export function commandLine(): string {
  const args = process.argv.slice(2).map((a) => (/^[\w.,/=:-]+$/.test(a) ? a : JSON.stringify(a)));
  return ['node_modules/.bin/node', 'scripts/bench/acs-sessions.ts', ...args].join(' ');
}

/** The more disturbed attempts of a cell, as "sessions/s @ others %". */
function discardedNote(r: CellRow): string {
  const d = r.discarded ?? [];
  return d.length ? ` (kept attempt ${r.attempts} of ${d.length + 1}; others: ${d.map((x) => `${fmt(x.rate)}/s @ ${fmt(x.othersPct)} %`).join(', ')})` : '';
}

function repetitions(rows: CellRow[], maxBusy: number): string {
  const body = rows.map((r) => [
    variantOf(r), String(r.spec.phones), r.spec.server, String(r.spec.rep), fmt(r.rate), fmt(r.p50, 1), fmt(r.p99, 1), String(r.failures),
    fmt(r.apiP50, 2), `${fmt(r.serverCpuPct)} (${fmt(r.mainThreadCpuPct)}/${fmt(r.mainThreadRunqPct)})`, fmt(r.cpuMsPerSession, 2),
    `${fmt(r.clientCpuPct)} (${fmt(r.clientRunqPct)})`, mb(r.rssPeakKb), mb(r.rssEndKb), fmt(r.primedAfterMs / 1000, 1),
    `${fmt(r.busyBefore)}/${fmt(r.noise.othersPct)}/${fmt(r.noise.stealPct)}${r.noise.othersPct > maxBusy ? ' noisy' : ''}${discardedNote(r)}`, r.checks.length ? r.checks.join('; ') : 'ok',
  ]);
  return markdownTable(['variant', 'phones', 'server', 'rep', 'sessions/s', 'p50 ms', 'p99 ms', 'failures', 'API p50 ms',
    'server CPU % (main thread on CPU/waiting %)', 'server CPU ms/session', 'client CPU % (waiting %)', 'RSS peak MB', 'RSS end MB', 'all phones past first session, s', 'noise bg before/during, steal %', 'checks'], body, 3);
}

function summary(rows: CellRow[]): string {
  const cells = new Map<string, CellRow[]>();
  for (const r of rows) {
    const k = `${variantOf(r)}|${r.spec.phones}`;
    cells.set(k, [...(cells.get(k) ?? []), r]);
  }
  const body: string[][] = [];
  for (const [k, rs] of cells) {
    const [variant, phones] = k.split('|') as [string, string];
    const op = rs.filter((r) => r.spec.server === 'outpost');
    const ec = rs.filter((r) => r.spec.server === 'echo');
    const rates = (x: CellRow[]) => x.map((r) => fmt(r.rate)).join(', ');
    const mo = median(op.map((r) => r.rate));
    const me = median(ec.map((r) => r.rate));
    // Side by side: the ratio within each repetition (same noise), then their median.
    const ratios = op.map((r) => r.rate / (ec.find((e) => e.spec.rep === r.spec.rep)?.rate ?? NaN)).filter(Number.isFinite);
    body.push([variant, phones,
      op.length ? `${fmt(mo)} (${rates(op)})` : '–', ec.length ? `${fmt(me)} (${rates(ec)})` : '–',
      ratios.length ? `${fmt(100 * median(ratios))} % (${ratios.map((x) => fmt(100 * x)).join(', ')})` : '–',
      op.length ? `${fmt(median(op.map((r) => r.p50)), 1)} / ${fmt(median(op.map((r) => r.p99)), 1)}` : '–',
      ec.length ? `${fmt(median(ec.map((r) => r.p50)), 1)} / ${fmt(median(ec.map((r) => r.p99)), 1)}` : '–',
      cpuCell(op, ec),
      op.length ? `${mb(Math.max(...op.map((r) => r.rssPeakKb)))} / ${mb(op.at(-1)!.rssEndKb)}` : '–',
      ec.length ? `${mb(Math.max(...ec.map((r) => r.rssPeakKb)))} / ${mb(ec.at(-1)!.rssEndKb)}` : '–',
      `${op.reduce((a, r) => a + r.failures, 0)} / ${ec.reduce((a, r) => a + r.failures, 0)}`,
    ]);
  }
  return markdownTable(['variant', 'phones', 'Outpost sessions/s, median (runs)', 'echo sessions/s, median (runs)', 'Outpost / echo, median of per-rep ratios (runs)',
    'Outpost p50 / p99 ms', 'echo p50 / p99 ms', 'server CPU ms/session, Outpost / echo (ratio)', 'Outpost RSS peak / end MB', 'echo RSS peak / end MB', 'failures Outpost / echo'], body, 2);
}

/** Server CPU time per session: far less sensitive to other load on the machine than sessions/s. */
function cpuCell(op: CellRow[], ec: CellRow[]): string {
  const o = median(op.map((r) => r.cpuMsPerSession));
  const e = median(ec.map((r) => r.cpuMsPerSession));
  if (!op.length || !ec.length) return op.length ? fmt(o, 2) : ec.length ? fmt(e, 2) : '–';
  return `${fmt(o, 2)} / ${fmt(e, 2)} (${fmt(o / e, 1)}×)`;
}

function problems(rows: CellRow[]): string {
  const lines: string[] = [];
  const reasons: Record<string, number> = {};
  const logs: Record<string, number> = {};
  for (const r of rows) {
    for (const [k, v] of Object.entries(r.failReasons)) reasons[`${r.spec.server}: ${k}`] = (reasons[`${r.spec.server}: ${k}`] ?? 0) + v;
    for (const [k, v] of Object.entries(r.log?.messages ?? {})) logs[k] = (logs[k] ?? 0) + v;
  }
  for (const [k, v] of Object.entries(reasons)) lines.push(`- failure ×${v}: ${k}`);
  for (const [k, v] of Object.entries(logs)) lines.push(`- Outpost log ×${v}: ${k}`);
  return lines.length ? lines.join('\n') : '- no session failures, no warn/error records in the Outpost log';
}

export function responseSizes(capture: Capture): Record<string, number> {
  return Object.fromEntries(Object.entries(capture).map(([k, v]) => [k, Buffer.byteLength(v.body)]));
}

export function report(rows: CellRow[], o: ReportOptions, m: Record<string, string>, sizes: Record<string, number>, command = commandLine()): string {
  const size = (s: string) => sizes[s] ?? '?';
  return [
    `Command: \`${command}\``,
    '',
    `Date ${m.date}; ${m.nproc} vCPU ${m.cpu}, ${m.mem}, kernel ${m.kernel}; Node ${m.node}; tree ${m.commit}; state directory on ${m.fs}.`,
    `${o.seconds} s measured per cell after ${o.warmup} s warm-up, ${o.reps} repetitions, Outpost and echo alternating inside each repetition; `
      + `${o.workers} load-generator process(es); ${o.pin ? 'server pinned to CPU 0, load generator to CPU 1' : 'no CPU pinning'}; `
      + `a cell during which other processes used more than ${o.quiet.maxBusy} % of the machine was repeated up to ${o.noisyRetries} times and the least disturbed attempt kept (marked noisy if still over; the others are listed with it); `
      + `credential rotation ${o.rotate ? 'on (per-device credentials)' : 'off (bootstrap credential)'}. `
      + `RSS before the first cell: ${m.rssIdle ?? 'not recorded'}. `
      + `Response bodies: InformResponse ${size('informResponse')} B, SetParameterValues ${size('spv')} B, API 201 ${size('enqueue')} B.`,
    '',
    summary(rows),
    '',
    'Every repetition:',
    '',
    repetitions(rows, o.quiet.maxBusy),
    '',
    'Failures and log records:',
    '',
    problems(rows),
  ].join('\n');
}
