// The fleet: many phones of mixed families in one process, powered on together or spread, moving
// through the phases to compliant — by the phones' own view (every assigned line registered with
// the site PBX) or by the ACS's compliance API — or failed at the provisioning timeout; the
// summary with per-phase latencies; and the CLI (npm run sim) against the real Outpost.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AcsRequest, Inform } from '../../src/protocols/cwmp/types.ts';
import { startOutpost } from '../helpers/outpost.ts';
import { Fleet, assignModels, macFor } from './fleet.ts';
import { progressLine } from './fleet-display.ts';
import { lineSpv } from './models/lines.ts';
import { FAMILIES } from './models/index.ts';
import { SitePbx } from './pbx.ts';
import { ScriptedAcs } from './scripted-acs.ts';
import { testTls } from './test-tls.ts';

const MIX = { yealink: 1, grandstream: 1, aastra: 1, unify: 1, ex: 1, tr181: 1 };

test('model mix is interleaved by weight; MACs are distinct, vendor OUI where serial = MAC', () => {
  assert.deepEqual(assignModels({ a: 2, b: 1 }, 6), ['a', 'b', 'a', 'a', 'b', 'a']);
  const models = assignModels(MIX, 600);
  for (const m of Object.keys(MIX)) assert.equal(models.filter((x) => x === m).length, 100);
  const macs = new Set(models.map((m, i) => macFor(m, 'SIM', i)));
  assert.equal(macs.size, 600);
  assert.match(macFor('yealink', 'SIM', 7), /^00:15:65:/);
  assert.match(macFor('tr181', 'SIM', 7), /^02:/);
});

test('300 phones of six families power on together: compliant when their lines register, failed at the timeout when the template is wrong', { timeout: 60_000 }, async (t) => {
  const tls = testTls();
  const pbx = new SitePbx({ proxy: 'sip.site.test', transport: 'UDP', accounts: [] });
  let fleet: Fleet | undefined;
  // The ACS of this test: on BOOTSTRAP it pushes the line template; every 10th phone gets a wrong proxy.
  const provision = (inform: Inform): AcsRequest[] => {
    if (!inform.events.some((e) => e.code === '0 BOOTSTRAP')) return [];
    const i = fleet!.phones.findIndex((p) => p?.serial === inform.deviceId.serialNumber);
    const phone = fleet!.phones[i]!;
    const account = pbx.expectedFor(phone.serial)[0]!;
    const reader = { read: (p: string) => phone.get(p) ?? '', instances: (x: string) => phone.state.instances(x) };
    const proxy = i % 10 === 9 ? 'old-pbx.site.test' : 'sip.site.test';
    return [{ method: 'SetParameterValues', parameterKey: 'tmpl', parameterList: lineSpv(reader, phone.model.family.voice, 0, { proxy, port: 5060, transport: 'UDP', user: account.user, password: account.password }) }];
  };
  const acs = await new ScriptedAcs({ tls, auth: 'none', provision }).start();
  t.after(() => acs.stop());
  fleet = await Fleet.start({
    acsUrl: acs.url, ca: tls.ca, phones: 300, models: MIX, pbx, accounts: { linesPerPhone: 1, firstUser: 20000 },
    provisionTimeoutMs: 10_000, serialPrefix: 'FLT', // generous: a loaded CI box must not fail the good ones
  });
  t.after(() => fleet!.stop());
  assert.match(progressLine(fleet), /compliant \d+/);
  await fleet.settled();
  const s = fleet.summary();
  assert.equal(s.compliance, 'phone');
  assert.equal(s.counts.compliant, 270, JSON.stringify(s.counts));
  assert.equal(s.counts.failed, 30);
  assert.equal(s.errors['timeout in provisioning'], 30);
  assert.deepEqual(s.models, { yealink: 50, grandstream: 50, aastra: 50, unify: 50, ex: 50, tr181: 50 });
  for (const ph of ['inform', 'provisioning', 'total'] as const) {
    const l = s.phases[ph];
    assert.ok(l.p50 <= l.p95 && l.p95 <= l.p99 && l.p99 <= l.max, `${ph}: ${JSON.stringify(l)}`);
  }
  assert.equal(s.phases.total.n, 270);
  assert.equal(s.phases.dhcp.n, 0, 'no DHCP outside network mode');
  assert.equal(fleet.inventory().length, 300);
  const ok = fleet.phones.filter((p) => p?.inService()).length;
  assert.equal(ok, 270, 'the phones agree: 270 in service');
});

test('spread start: 40 phones over 1 s, compliance = booted without a PBX', async (t) => {
  const tls = testTls();
  const acs = await new ScriptedAcs({ tls, auth: 'none' }).start();
  t.after(() => acs.stop());
  const fleet = await Fleet.start({ acsUrl: acs.url, ca: tls.ca, phones: 40, models: 'tr181', start: { spreadMs: 1000 } });
  t.after(() => fleet.stop());
  await fleet.settled();
  const s = fleet.summary();
  assert.equal(s.compliance, 'booted');
  assert.equal(s.counts.compliant, 40);
  assert.ok(s.wallMs >= 950, `spread over ~1 s, took ${s.wallMs} ms`);
  const starts = fleet.phones.map((p) => p!.sessions[0]!.startedAt);
  assert.ok(Math.max(...starts) - Math.min(...starts) >= 900, 'first and last power-on ~1 s apart');
  assert.equal(acs.sessions.length, 40);
});

/** A site for Outpost's provisioning: one template, one position per phone (by serial) with its line. */
function siteFiles(serials: string[], users: string[]): Record<string, string> {
  return {
    'templates.yaml': 'templates:\n  base:\n    name: Fleet base\n    values:\n      sip.proxy: pbx.site.lan\n      sip.proxyPort: 5060\n'
      + '      sip.transport: UDP\n      sip.registrar: pbx.site.lan\n      sip.registrarPort: 5060\n      line[1].enable: true\n',
    'zones.yaml': 'zones:\n  lobby:\n    name: Offices\n    criticality: low\n    template: base\n',
    'positions.yaml': `positions:\n${serials.map((s, i) => `  P${i}:\n    zone: lobby\n    match: { serial: "${s}" }\n    lines:\n      1: { number: "${users[i]}", authUser: "${users[i]}", password: "pw-${users[i]}" }\n`).join('')}`,
  };
}

test('against Outpost with provisioning: compliant by the phones\' view and by the ACS compliance API', { timeout: 60_000 }, async (t) => {
  const n = 24;
  const models = assignModels(MIX, n);
  const fam = (m: string) => FAMILIES[m]!;
  const serials = models.map((m, i) => (fam(m).identity.serialIsMac ? macFor(m, 'OPF', i).replace(/:/g, '') : `OPF${String(i + 1).padStart(6, '0')}`));
  const users = models.map((_, i) => String(30000 + i));
  const dir = mkdtempSync(join(tmpdir(), 'opsm-site-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [f, text] of Object.entries(siteFiles(serials, users))) writeFileSync(join(dir, f), text);
  const o = await startOutpost({ extra: `provisioning:\n  directory: ${JSON.stringify(dir)}\n  sweepInterval: 200ms\n  defaultZone: lobby\n` });
  t.after(() => o.stop());
  for (const mode of ['phone', 'api'] as const) {
    const pbx = new SitePbx({ proxy: 'pbx.site.lan', transport: 'UDP', accounts: [] });
    const fleet = await Fleet.start({
      acsUrl: o.acsUrl, ca: o.ca!, username: o.bootstrap.username, password: o.bootstrap.password, phones: n, models: MIX,
      serialPrefix: 'OPF', pbx, accounts: { linesPerPhone: 1, firstUser: 30000 }, compliance: mode,
      api: { url: o.apiUrl, token: o.token, pollMs: 200 }, provisionTimeoutMs: 20_000,
    });
    await fleet.settled();
    const s = fleet.summary();
    await fleet.stop();
    assert.equal(s.counts.compliant, n, `${mode}: ${JSON.stringify({ counts: s.counts, errors: s.errors })}`);
    assert.deepEqual(fleet.phones.map((p) => p!.serial), serials);
    assert.ok(fleet.phones.every((p) => p!.inService()), `${mode}: every line registered with the PBX`);
  }
});

test('the CLI against Outpost: --once exits 0 with a JSON summary when every phone booted', { timeout: 60_000 }, async (t) => {
  const o = await startOutpost();
  t.after(() => o.stop());
  const dir = mkdtempSync(join(tmpdir(), 'opsm-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'ca.pem'), o.ca!);
  const args = ['test/sim/cli.ts', '--acs', o.acsUrl, '--ca', join(dir, 'ca.pem'), '--phones', '12', '--model', 'yealink:1,ex:1,tr181:1',
    // `=`: a generated password may start with '-' (base64url), which parseArgs would take for an option.
    '--username', o.bootstrap.username, `--password=${o.bootstrap.password}`, '--once', '--json', join(dir, 'summary.json')];
  const child = spawn(process.execPath, args, { cwd: join(import.meta.dirname, '../..'), stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  assert.equal(code, 0, err);
  const s = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as { counts: Record<string, number>; models: Record<string, number>; phases: Record<string, { n: number }> };
  assert.equal(s.counts.compliant, 12);
  assert.deepEqual(s.models, { yealink: 4, ex: 4, tr181: 4 });
  assert.equal(s.phases.inform!.n, 12);
  assert.match(err, /compliant 12/, 'the live display');
});
