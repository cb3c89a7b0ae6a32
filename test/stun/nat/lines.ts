// JSON-lines plumbing between the NAT test and its helper processes (one per namespace):
// commands on stdin, events on stdout.
import { createInterface } from 'node:readline';

export function emit(event: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify(event) + '\n');
}

export function onCommand(fn: (cmd: Record<string, unknown>) => void | Promise<void>): void {
  const rl = createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    let cmd: Record<string, unknown>;
    try { cmd = JSON.parse(line) as Record<string, unknown>; } catch { emit({ type: 'error', error: `bad command ${line}` }); return; }
    Promise.resolve(fn(cmd)).catch((err: unknown) => emit({ type: 'error', error: (err as Error).message }));
  });
  // The parent went away: leave too (never outlive the test).
  rl.on('close', () => process.exit(0));
}
