// The systemd units (DESIGN "The appliance"). Two levels:
//  - static: the directives the design depends on are there, whatever the machine;
//  - `systemd-analyze verify` on each unit, in a scratch root holding the distribution's units,
//    ours, and a stand-in /usr/local/bin/outpost (verify refuses an ExecStart that does not exist).
//    verify exits 0 even for unknown keys or bad values, so any line it prints fails the test.
// systemd-analyze comes with Debian's `systemd` package, listed in .ci/packages.txt: under CI it
// must be there (the test fails if not); elsewhere the test skips with the reason.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const UNITS = resolve(import.meta.dirname, '..', '..', 'systemd');
const read = (name: string) => readFileSync(join(UNITS, name), 'utf8');

/** key=value lines of a unit (a key may repeat). */
function directives(text: string): [string, string][] {
  return text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#') && !l.startsWith('[') && l.includes('='))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]);
}
const values = (text: string, key: string) => directives(text).filter(([k]) => k === key).map(([, v]) => v);

test('outpost.service has the hardening and lifecycle the design asks for', () => {
  const unit = read('outpost.service');
  const one = (key: string) => { const v = values(unit, key); assert.equal(v.length, 1, `${key} once`); return v[0]; };
  assert.equal(one('Type'), 'notify');
  assert.equal(one('NotifyAccess'), 'all', 'READY/WATCHDOG come from the systemd-notify child');
  assert.equal(one('ExecStart'), '/usr/local/bin/outpost serve --config /etc/outpost/outpost.yaml', 'the file config import writes');
  assert.ok(values(unit, 'Environment').includes('MALLOC_ARENA_MAX=2'));
  assert.equal(one('StateDirectory'), 'outpost');
  const caps = 'CAP_NET_BIND_SERVICE CAP_NET_RAW CAP_NET_BROADCAST';
  assert.equal(one('AmbientCapabilities'), caps);
  assert.equal(one('CapabilityBoundingSet'), caps);
  for (const [k, v] of [['NoNewPrivileges', 'yes'], ['ProtectSystem', 'strict'], ['ProtectHome', 'yes'], ['PrivateTmp', 'yes'],
    ['PrivateDevices', 'yes'], ['ProtectKernelTunables', 'yes'], ['ProtectKernelModules', 'yes'], ['ProtectKernelLogs', 'yes'],
    ['RestrictNamespaces', 'yes'], ['LockPersonality', 'yes'], ['MemoryDenyWriteExecute', 'no'], ['WatchdogSec', '30'],
    ['Restart', 'on-failure'], ['RestrictAddressFamilies', 'AF_INET AF_INET6 AF_UNIX AF_NETLINK']] as const) {
    assert.equal(one(k), v, k);
  }
  assert.ok(values(unit, 'SystemCallFilter').includes('@system-service'));
  assert.ok(Number(one('TimeoutStopSec')) > 0);
  assert.ok(values(unit, 'User').length === 1 || values(unit, 'DynamicUser')[0] === 'yes', 'not root');
});

test('the USB import unit and its udev rule fit together', () => {
  const unit = read('outpost-usb-import@.service');
  assert.deepEqual(values(unit, 'ExecStartPre'), ['/usr/bin/mount -o rw,nosuid,nodev,noexec /dev/%I /run/outpost-usb/%I']);
  assert.deepEqual(values(unit, 'ExecStart'), ['/usr/local/bin/outpost config import /run/outpost-usb/%I --target /etc/outpost/outpost.yaml --state-dir /var/lib/outpost']);
  assert.deepEqual(values(unit, 'ExecStopPost'), ['-/usr/bin/umount /run/outpost-usb/%I']);
  assert.deepEqual(values(unit, 'RuntimeDirectory'), ['outpost-usb/%I']);
  assert.equal(values(unit, 'PrivateMounts')[0], 'yes', 'the mount is the unit\'s own');
  assert.deepEqual(values(unit, 'ReadWritePaths'), ['/etc/outpost /var/lib/outpost']);
  // The active config the import writes is the one the service reads.
  assert.match(values(read('outpost.service'), 'ExecStart')[0]!, /--config \/etc\/outpost\/outpost\.yaml$/);
  const rule = read('99-outpost-usb-import.rules');
  assert.match(rule, /ENV\{SYSTEMD_WANTS\}\+="outpost-usb-import@%k\.service"/);
  assert.match(rule, /TAG\+="systemd"/);
  assert.match(read('outpost.sysusers.conf'), /^u outpost /m, 'the User= of outpost.service is created');
});

function systemdAnalyze(t: { skip(msg: string): void }): boolean {
  const r = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
  if (r.status === 0) return true;
  const why = 'systemd-analyze not found (Debian package systemd, in .ci/packages.txt)';
  assert.ok(process.env.CI !== 'true', why);
  t.skip(why);
  return false;
}

/** A root with the distribution's units (for sysinit.target & co), ours, and stub executables. */
function scratchRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'outpost-units-'));
  const distUnits = ['/usr/lib/systemd/system', '/lib/systemd/system'].find((d) => existsSync(d));
  assert.ok(distUnits, 'the distribution unit directory exists');
  cpSync(distUnits, join(root, 'usr/lib/systemd/system'), { recursive: true });
  cpSync(UNITS, join(root, 'etc/systemd/system'), { recursive: true });
  mkdirSync(join(root, 'usr/local/bin'), { recursive: true });
  writeFileSync(join(root, 'usr/local/bin/outpost'), '#!/bin/sh\nexit 0\n');
  chmodSync(join(root, 'usr/local/bin/outpost'), 0o755);
  // Other commands our units run must exist on a real systemd machine: take them from the host.
  for (const cmd of ['/usr/bin/systemctl', '/usr/bin/mount', '/usr/bin/umount', '/bin/sh']) {
    assert.ok(existsSync(cmd), `${cmd} exists`);
    mkdirSync(join(root, dirname(cmd)), { recursive: true });
    copyFileSync(cmd, join(root, cmd)); // follows /bin/sh → dash
    chmodSync(join(root, cmd), 0o755);
  }
  return root;
}

for (const unit of ['outpost.service', 'outpost-usb-import@sdb1.service']) {
  test(`systemd-analyze verify ${unit}: no error, no warning`, (t) => {
    if (!systemdAnalyze(t)) return;
    const root = scratchRoot();
    t.after(() => rmSync(root, { recursive: true, force: true }));
    const r = spawnSync('systemd-analyze', ['verify', '--man=no', `--root=${root}`, unit], { encoding: 'utf8' });
    const out = `${r.stdout}${r.stderr}`.trim();
    assert.equal(r.status, 0, out);
    assert.equal(out, '', 'systemd-analyze printed warnings');
  });
}
