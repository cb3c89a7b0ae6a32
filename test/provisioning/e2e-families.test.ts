// Every simulated family, end to end over HTTPS + Digest: factory default → compliant in the
// first session, its line registered with the site PBX; passwords from the CSV inventory; the
// readiness report of each model; the control-room API (summary, list, masked diff).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSite, idOf, type Site } from './e2e-helpers.ts';
import { FAMILIES } from '../sim/index.ts';

const families = Object.keys(FAMILIES);
let site: Site;
// Yealink reports its MAC as serial (models/README.md behaviour 1).
const serialOf = (f: string, i: number) => (f === 'yealink' ? `00156500000${i}` : `FAM${i}`);
const positions = families.map((f, i) => `  FAM-${f}:\n    zone: process\n    match: { serial: "${serialOf(f, i)}" }\n    lines:\n      1: { number: "3${i}01", authUser: "3${i}01" }\n`).join('');

before(async () => {
  site = await startSite({
    files: { 'families.yaml': `positions:\n${positions}` },
    accounts: families.map((f, i) => ({ user: `3${i}01`, password: `pw-3${i}01`, serial: serialOf(f, i), line: 1 })),
  });
  const csv = ['position,line[1].password', ...families.map((f, i) => `FAM-${f},pw-3${i}01`)].join('\n');
  const r = await site.o.api<{ stored: boolean; report: { ok: boolean; secrets: number } }>('POST', '/api/v1/inventory', { csv });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.report.secrets, families.length);
});
after(async () => { await site.stop(); });

for (const [i, family] of families.entries()) {
  test(`${family}: factory default → compliant, line registered with the PBX`, async () => {
    const p = await site.phone(family, serialOf(family, i));
    const s = await p.boot();
    assert.ok(s.ok, s.error);
    const row = site.row(p);
    assert.equal(row.state, 'compliant', `${row.reason} (${s.acsMethods.join(',')})`);
    assert.equal(row.position, `FAM-${family}`);
    assert.ok(p.inService(), `registered: ${JSON.stringify(p.lines())}`);
    const model = `${p.state.identity.oui}-${p.state.identity.productClass}`;
    const rr = await site.o.api<{ profile: string; checks: Record<string, { result: string }>; intents: { writable: string[] } }>('GET', `/api/v1/readiness/${encodeURIComponent(model)}`);
    assert.equal(rr.status, 200);
    assert.equal(rr.body.checks.tls!.result, 'ok');
    assert.equal(rr.body.checks.credentialRotation!.result, 'ok');
    assert.ok(rr.body.intents.writable.includes('sip.proxy'), JSON.stringify(rr.body.intents));
  });
}

test('the control room: summary per zone, the list, one phone\'s diff with secrets masked', async () => {
  const sum = await site.o.api<{ totals: Record<string, number>; zones: { zone: string; name: string; states: Record<string, number> }[] }>('GET', '/api/v1/compliance');
  assert.equal(sum.status, 200);
  const proc = sum.body.zones.find((z) => z.zone === 'process')!;
  assert.equal(proc.name, 'Process Unit Ex Phones');
  assert.equal(proc.states.compliant, families.length);
  const list = await site.o.api<{ total: number; items: { deviceId: string; ne107: string | null }[] }>('GET', '/api/v1/compliance/devices?zone=process');
  assert.equal(list.body.total, families.length);
  const id = idOf(site.phones[0]!);
  const d = await site.o.api<{ diff: { intent: string; want: string; have: string }[] }>('GET', `/api/v1/compliance/devices/${encodeURIComponent(id)}`);
  const pw = d.body.diff.find((x) => x.intent === 'line[1].password')!;
  assert.equal(pw.want, '••••••');
  assert.doesNotMatch(JSON.stringify(d.body), /pw-30/);
  const inv = await site.o.api('GET', '/api/v1/inventory');
  assert.doesNotMatch(JSON.stringify(inv.body), /pw-3/);
  const pos = await site.o.api<{ device: { deviceId: string } }>('GET', '/api/v1/positions/FAM-tr181');
  assert.equal(pos.body.device.deviceId, id);
});
