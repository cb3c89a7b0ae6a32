// The systemd watchdog (systemd/outpost.service WatchdogSec=30) and the notify path.
// Timing is driven by a FakeClock; the real systemd-notify is exercised against a tiny
// NOTIFY_SOCKET listener (python3: Node cannot open unix datagram sockets), no systemd needed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../../src/core/clock.ts';
import { notifySystemd, startWatchdog, watchdogIntervalMs } from '../../src/core/systemd.ts';

test('watchdogIntervalMs: half of WATCHDOG_USEC, only for the process systemd meant', () => {
  assert.equal(watchdogIntervalMs({}, 42), null);
  assert.equal(watchdogIntervalMs({ WATCHDOG_USEC: '30000000' }, 42), 15_000);
  assert.equal(watchdogIntervalMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '42' }, 42), 15_000);
  assert.equal(watchdogIntervalMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '7' }, 42), null);
  assert.equal(watchdogIntervalMs({ WATCHDOG_USEC: 'soon' }, 42), null);
  assert.equal(watchdogIntervalMs({ WATCHDOG_USEC: '0' }, 42), null);
});

test('startWatchdog pings at once and every WatchdogSec/2 until stopped', () => {
  const clock = new FakeClock();
  const sent: number[] = [];
  const stop = startWatchdog({ env: { WATCHDOG_USEC: '30000000' }, pid: 1, clock, notify: (s) => { assert.equal(s, 'WATCHDOG=1'); sent.push(clock.now()); } });
  const t0 = clock.now();
  clock.advance(45_000);
  assert.deepEqual(sent.map((t) => t - t0), [0, 15_000, 30_000, 45_000]);
  stop();
  clock.advance(60_000);
  assert.equal(sent.length, 4, 'no ping after stop');
});

test('startWatchdog does nothing outside systemd', () => {
  const clock = new FakeClock();
  let sent = 0;
  startWatchdog({ env: {}, clock, notify: () => { sent++; } })();
  clock.advance(120_000);
  assert.equal(sent, 0);
});

const LISTENER = `
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print("ready", flush=True)
s.settimeout(10)
while True:
    msg, anc, flags, addr = s.recvmsg(4096, socket.CMSG_SPACE(64))
    # Closing the passed fd releases systemd-notify's BARRIER=1 wait, as PID 1 does.
    for lvl, typ, data in anc:
        if typ == socket.SCM_RIGHTS:
            import array, os
            a = array.array("i"); a.frombytes(data[:len(data) - len(data) % 4]); [os.close(fd) for fd in a]
    print(msg.decode().replace("\\n", " "), flush=True)
`;

test('notifySystemd delivers READY=1 and WATCHDOG=1 through systemd-notify to NOTIFY_SOCKET', async (t) => {
  const missing = ['systemd-notify', 'python3'].filter((c) => spawnSync(c, ['--version'], { stdio: 'ignore' }).status !== 0);
  if (missing.length > 0) {
    const why = `${missing.join(', ')} not found (Debian packages systemd, python3 in .ci/packages.txt)`;
    assert.ok(process.env.CI !== 'true', why);
    t.skip(why);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'outpost-notify-'));
  const sock = join(dir, 'notify');
  const listener = spawn('python3', ['-c', LISTENER, sock], { stdio: ['ignore', 'pipe', 'inherit'] });
  const saved = process.env.NOTIFY_SOCKET;
  t.after(() => {
    listener.kill();
    rmSync(dir, { recursive: true, force: true });
    if (saved === undefined) delete process.env.NOTIFY_SOCKET; else process.env.NOTIFY_SOCKET = saved;
  });
  let out = '';
  const seen = (re: RegExp) => new Promise<void>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`not received: ${re}; got: ${out}`)), 10_000);
    const check = () => { if (re.test(out)) { clearTimeout(timer); listener.stdout.off('data', onData); res(); } };
    const onData = (d: Buffer) => { out += d; check(); };
    listener.stdout.on('data', onData);
    check();
  });
  await seen(/^ready$/m);
  process.env.NOTIFY_SOCKET = sock;
  notifySystemd('READY=1');
  await seen(/READY=1/);
  notifySystemd('WATCHDOG=1');
  await seen(/WATCHDOG=1/);
  assert.match(out, new RegExp(`MAINPID=${process.pid}`), 'our PID is announced as the main PID');
});
