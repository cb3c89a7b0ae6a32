// /proc readings for benchmarks (Linux only): a process's memory (VmHWM/VmRSS) and CPU time, and
// machine noise — hypervisor steal and CPU used by processes outside the benchmark — because on
// this kind of VM identical runs differ by up to 3× (reference/dependencies.md).

import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

let hz = 0;
/** Clock ticks per second for /proc/<pid>/stat times. */
export function clockTicks(): number {
  if (hz === 0) {
    try {
      hz = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      hz = 100;
    }
  }
  return hz;
}

/** A `Vm…:  1234 kB` line of /proc/<pid>/status, in kB (NaN when unreadable). */
export function statusKb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}

/** Reset VmHWM to the current RSS (clear_refs 5, Linux ≥ 4.0), so each cell has its own peak. */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

function statFields(pid: number | string): string[] | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2).split(' '); // fields from 3 (state) on
  } catch {
    return null;
  }
}

/** utime + stime of a process (all its threads), in seconds. */
export function cpuSeconds(pid: number): number {
  const f = statFields(pid);
  return f ? (Number(f[11]) + Number(f[12])) / clockTicks() : NaN;
}

/** A thread's time on a CPU and waiting for one (runqueue), ns (/proc/<pid>/task/<tid>/schedstat). */
export function schedstat(pid: number, tid = pid): { runNs: number; waitNs: number } {
  try {
    const [run, wait] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').trim().split(' ').map(Number);
    return { runNs: run ?? NaN, waitNs: wait ?? NaN };
  } catch {
    return { runNs: NaN, waitNs: NaN };
  }
}

interface CpuLine { total: number; idle: number; steal: number }
function cpuLine(): CpuLine {
  const l = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  return { total: l.reduce((a, b) => a + b, 0), idle: l[3]! + l[4]!, steal: l[7]! };
}

/** Whole-machine busy % over `ms` (all CPUs). */
export async function busyPercent(ms: number): Promise<number> {
  const a = cpuLine();
  await new Promise((r) => setTimeout(r, ms));
  const b = cpuLine();
  const t = b.total - a.total;
  return t <= 0 ? 0 : (100 * (t - (b.idle - a.idle))) / t;
}

function ticksOf(pids: Set<number>): number {
  let sum = 0;
  for (const pid of pids) {
    const f = statFields(pid);
    if (f) sum += Number(f[11]) + Number(f[12]);
  }
  return sum;
}

export interface NoiseMark { cpu: CpuLine; mine: number }
export interface Noise {
  /** CPU used by everything but `mine` during the run, % of all CPUs (exited processes included). */
  othersPct: number;
  /** Hypervisor steal during the run, % of all CPU time. */
  stealPct: number;
}

/** Machine CPU counters and the CPU ticks of the benchmark's own processes (`mine`). */
export function noiseMark(mine: Set<number>): NoiseMark {
  return { cpu: cpuLine(), mine: ticksOf(mine) };
}

/** Others = whole-machine busy − steal − the benchmark's own processes, over the same interval. */
export function noiseSince(m: NoiseMark, mine: Set<number>): Noise {
  const now = noiseMark(mine);
  const dt = now.cpu.total - m.cpu.total;
  if (dt <= 0) return { othersPct: 0, stealPct: 0 };
  const busy = dt - (now.cpu.idle - m.cpu.idle);
  const steal = now.cpu.steal - m.cpu.steal;
  return { othersPct: Math.max(0, (100 * (busy - steal - (now.mine - m.mine))) / dt), stealPct: (100 * steal) / dt };
}

/** Wait (at most maxWaitMs) until the whole machine is at most maxBusy % busy; returns the last reading. */
export async function waitQuiet(maxBusy: number, maxWaitMs: number): Promise<number> {
  const until = Date.now() + maxWaitMs;
  let b = await busyPercent(1000);
  while (b > maxBusy && Date.now() < until) b = await busyPercent(1000);
  return b;
}
