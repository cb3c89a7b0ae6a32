// The phone side of the boot storm (scripts/bench/storm.ts): N simulated phones of a mix of
// families power on together. In network mode (inside the client namespace, root) each phone
// runs DHCP (option 43 → ACS URL), DNS (the name from DHCP option 6's server) and then HTTPS +
// Digest against the ACS; in loopback mode it goes straight to the ACS URL. Before power-on the
// fleet imports the per-phone line identities as a CSV inventory through the management API, and
// registers the accounts with the simulated PBX (functional truth: a line is Up only with the
// right SIP settings). It then polls the compliance API until every phone is compliant, and
// prints one JSON result line on stdout.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startPhone, CrServer, type SimPhone } from '../../../test/sim/index.ts';
import { attachNetwork, detachNetwork, type NetworkAttachment } from '../../../test/sim/net-setup.ts';
import { SitePbx } from '../../../test/sim/pbx.ts';
import { deviceIdString } from '../../../src/protocols/cwmp/version.ts';
import { systemClock } from '../../../src/core/clock.ts';

const { values: v } = parseArgs({
  options: {
    phones: { type: 'string', default: '500' }, models: { type: 'string', default: 'tr181,tr098,yealink,grandstream,aastra,unify,ex' },
    acs: { type: 'string' }, api: { type: 'string' }, token: { type: 'string' }, ca: { type: 'string' },
    username: { type: 'string' }, password: { type: 'string' }, iface: { type: 'string' }, timeout: { type: 'string', default: '300' },
    'cr-host': { type: 'string', default: '127.0.0.1' },
  },
});

const N = Number(v.phones);
const models = v.models!.split(',');
const token = v.token!;
const api = async <T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
  const res = await fetch(new URL(path, v.api), {
    method, headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
};
const log = (m: string) => process.stderr.write(`[fleet] ${m}\n`);

async function waitApi(): Promise<void> {
  const end = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await api('GET', '/api/v1/health')).status === 200) return;
    } catch { /* not up yet */ }
    if (Date.now() > end) throw new Error('management API did not come up');
    await new Promise((r) => setTimeout(r, 200));
  }
}

const pct = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : NaN);

async function main(): Promise<void> {
  await waitApi();
  const ca = readFileSync(v.ca!, 'utf8');
  const net: NetworkAttachment | null = v.iface ? await attachNetwork(v.iface, { dhcpTimeoutMs: 4000, dhcpTries: 8 }) : null;
  const cr = new CrServer({ host: net ? '0.0.0.0' : v['cr-host']!, port: 0, clock: systemClock });
  await cr.listen();
  const pbx = new SitePbx({ proxy: 'pbx.refinery.lan', registrar: 'pbx.refinery.lan', transport: 'UDP', accounts: [] });
  const phones: SimPhone[] = [];
  const phase = new Map<string, Record<string, number>>();
  for (let i = 0; i < N; i++) {
    const model = models[i % models.length]!;
    const serial = model === 'yealink' ? `0015650${(0x100000 + i).toString(16)}` : `ST${String(i).padStart(7, '0')}`;
    const p = await startPhone({
      model, serial, acsUrl: v.acs!, ca, username: v.username!, password: v.password!, crServer: cr, pbx, retry: true, keepSessions: 4,
      timeoutMs: 120_000,
      ...(net ? { network: net } : {}),
      ...(model === 'ex' ? { settings: { 'InternetGatewayDevice.ManagementServer.EnableCWMP': 'true' } } : {}),
      onPhase: (ph, point, at) => { const m = phase.get(ph.serial) ?? {}; m[point] = at; phase.set(ph.serial, m); },
    });
    const ext = String(100000 + i);
    pbx.addAccount({ user: ext, password: `pw-${ext}`, serial: p.state.identity.serial, line: 1 });
    phones.push(p);
  }
  // The line identity of each phone, as a site would import it (device scope, by serial).
  const csv = ['serial,line[1].number,line[1].authUser,line[1].password',
    ...phones.map((p, i) => { const ext = String(100000 + i); return `${p.state.identity.serial},${ext},${ext},pw-${ext}`; })].join('\n');
  const imp = await api<{ stored: boolean; report: unknown }>('POST', '/api/v1/inventory', { csv });
  if (imp.status !== 200) throw new Error(`inventory import failed: ${JSON.stringify(imp.body).slice(0, 500)}`);
  const ids = new Map(phones.map((p) => [deviceIdString({ oui: p.state.identity.oui, productClass: p.state.identity.productClass, serialNumber: p.state.identity.serial }), p]));
  log(`${N} phones ready (${models.join(',')}), inventory imported; power on`);

  const t0 = Date.now();
  const boots = phones.map((p) => p.boot().then((s) => ({ ok: s.ok, error: s.error, at: Date.now() }), (e: Error) => ({ ok: false, error: e.message, at: Date.now() })));
  const compliant = new Map<string, number>();
  const deadline = t0 + Number(v.timeout) * 1000;
  while (compliant.size < N && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    for (let off = 0; ; off += 1000) {
      const r = await api<{ total: number; items: { deviceId: string; since: string }[] }>('GET', `/api/v1/compliance/devices?state=compliant&limit=1000&offset=${off}`);
      for (const it of r.body.items) if (!compliant.has(it.deviceId) && ids.has(it.deviceId)) compliant.set(it.deviceId, Date.parse(it.since) - t0);
      if (r.body.items.length < 1000) break;
    }
    if ((Date.now() - t0) % 5000 < 500) log(`t=${((Date.now() - t0) / 1000).toFixed(1)} s compliant ${compliant.size}/${N}`);
  }
  const allMs = Date.now() - t0;
  const firstSessions = await Promise.race([Promise.all(boots), new Promise<null>((r) => setTimeout(() => r(null), 1000))]);
  const times = [...compliant.values()].sort((a, b) => a - b);
  const states = await api<{ totals: Record<string, number> }>('GET', '/api/v1/compliance');
  const phaseP = (point: string) => {
    const xs = [...phase.values()].map((m) => m[point]).filter((x): x is number => x !== undefined).map((x) => x - t0).sort((a, b) => a - b);
    return { n: xs.length, p50: pct(xs, 50), p95: pct(xs, 95), p99: pct(xs, 99) };
  };
  const errors: Record<string, number> = {};
  for (const b of firstSessions ?? []) if (!b.ok) errors[String(b.error).slice(0, 80)] = (errors[String(b.error).slice(0, 80)] ?? 0) + 1;
  const inService = phones.filter((p) => p.inService()).length;
  const result = {
    phones: N, models, network: Boolean(net), compliant: compliant.size, allCompliantMs: compliant.size === N ? times.at(-1)! : null, wallMs: allMs,
    perPhoneMs: { p50: pct(times, 50), p95: pct(times, 95), p99: pct(times, 99), max: times.at(-1) ?? NaN },
    phases: { dhcp: phaseP('dhcp'), dns: phaseP('dns'), informed: phaseP('informed') },
    firstSessionFailures: errors, inService, totals: states.body.totals,
    fleetRssMB: Math.round(process.memoryUsage().rss / 2 ** 20),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  for (const p of phones) await p.stop().catch(() => {});
  await cr.close();
  if (net) await detachNetwork(net);
}

main().then(() => process.exit(0), (err: unknown) => { process.stderr.write(`[fleet] ${(err as Error).stack ?? String(err)}\n`); process.exit(1); });
