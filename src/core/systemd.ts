// sd_notify without a native dependency: systemd's NOTIFY_SOCKET is a unix datagram socket,
// which Node's dgram cannot open, so we hand the message to `systemd-notify` when it exists.
// Outside systemd (no NOTIFY_SOCKET) this does nothing. systemd-notify sends with its own PID
// when we lack the privilege to send with ours, hence NotifyAccess=all in systemd/outpost.service.
import { execFile } from 'node:child_process';
import { systemClock, type Clock } from './clock.ts';

export function notifySystemd(state: string): void {
  if (!process.env.NOTIFY_SOCKET) return;
  execFile('systemd-notify', [`--pid=${process.pid}`, state], () => {});
}

/**
 * The watchdog ping interval in ms when systemd asked for one, else null. sd_watchdog_enabled(3):
 * WATCHDOG_USEC is the unit's WatchdogSec=; WATCHDOG_PID, when set, names the process meant.
 * Pinging at half the timeout is what sd_watchdog_enabled(3) recommends.
 */
export function watchdogIntervalMs(env: NodeJS.ProcessEnv = process.env, pid = process.pid): number | null {
  const usec = Number(env.WATCHDOG_USEC);
  if (!env.WATCHDOG_USEC || !Number.isFinite(usec) || usec <= 0) return null;
  if (env.WATCHDOG_PID && Number(env.WATCHDOG_PID) !== pid) return null;
  return Math.max(1, Math.floor(usec / 2000));
}

export interface WatchdogOptions {
  env?: NodeJS.ProcessEnv;
  pid?: number;
  clock?: Clock;
  notify?: (state: string) => void;
}

/**
 * Send WATCHDOG=1 now and every half WatchdogSec= (systemd/outpost.service), so systemd restarts
 * a process whose event loop hangs. Does nothing outside systemd. The timer is unref'd: it never
 * keeps the process alive by itself. Returns a function that stops the pings.
 */
export function startWatchdog(opts: WatchdogOptions = {}): () => void {
  const ms = watchdogIntervalMs(opts.env ?? process.env, opts.pid ?? process.pid);
  if (ms === null) return () => {};
  const notify = opts.notify ?? notifySystemd;
  notify('WATCHDOG=1');
  const timer = (opts.clock ?? systemClock).setInterval(() => notify('WATCHDOG=1'), ms);
  return () => timer.cancel();
}
