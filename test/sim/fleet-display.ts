// The live progress display of a fleet run: one line of phase counts, redrawn in place on a
// terminal (every 500 ms) or printed every 5 s when stderr is a file or a pipe.

import type { Fleet } from './fleet.ts';
import { PHASES } from './fleet-stats.ts';

export function progressLine(f: Fleet): string {
  const c = f.stats.counts();
  const secs = ((Date.now() - f.stats.t0) / 1000).toFixed(1).padStart(6);
  const phases = PHASES.filter((p) => p !== 'waiting' || c.waiting > 0).map((p) => `${p} ${c[p]}`).join('  ');
  const heap = (process.memoryUsage().heapUsed / 2 ** 20).toFixed(0);
  return `${secs}s  ${phases}  | sessions ${f.stats.sessions} (${f.stats.sessionErrors} failed)  in flight ${f.inFlight}  heap ${heap} MB`;
}

/** Start redrawing; returns the function that stops it (and ends the line). */
export function startDisplay(f: Fleet, out: NodeJS.WriteStream = process.stderr): () => void {
  const tty = out.isTTY === true;
  const draw = (): void => { out.write(tty ? `\r\x1b[2K${progressLine(f)}` : `${progressLine(f)}\n`); };
  draw();
  const timer = setInterval(draw, tty ? 500 : 5000);
  return () => {
    clearInterval(timer);
    draw();
    if (tty) out.write('\n');
  };
}
