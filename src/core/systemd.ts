// sd_notify without a native dependency: systemd's NOTIFY_SOCKET is a unix datagram socket,
// which Node's dgram cannot open, so we hand the message to `systemd-notify` when it exists.
// Outside systemd (no NOTIFY_SOCKET) this does nothing.
import { execFile } from 'node:child_process';

export function notifySystemd(state: string): void {
  if (!process.env.NOTIFY_SOCKET) return;
  execFile('systemd-notify', [`--pid=${process.pid}`, state], () => {});
}
