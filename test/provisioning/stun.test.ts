// STUN provisioning end to end (TR-069 Annex G; tr069-protocol.md §8.2–§8.5): a template that
// turns STUN on gives each phone its own STUNUsername/STUNPassword (stored sealed for the STUN
// service), the site's STUN address when the template names none, and active notification on
// UDPConnectionRequestAddress; the phone's Binding Requests with those credentials are accepted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSite, idOf, until, type Site } from './e2e-helpers.ts';
import type { SimPhone } from '../sim/index.ts';
import { StunClient, StunRequestError } from '../sim/stun-client.ts';
import { StunBindingRepo, type StunBinding } from '../../src/store/stun-bindings.ts';
import { MASK } from '../../src/provisioning/result.ts';
import { offlinePhone, plannerFor, runPlan } from './helpers.ts';
import { freeUdpPort } from '../helpers/child.ts';

const STUN_FILES = {
  'stun.yaml': `templates:
  stun-phone:
    extends: base
    values:
      stun.enable: true
      stun.minKeepAlive: 30
      stun.maxKeepAlive: 60
zones:
  nat:
    name: Remote site behind NAT
    criticality: normal
    template: stun-phone
`,
};

let site: Site;
let stunPort: number;
before(async () => {
  stunPort = await freeUdpPort();
  site = await startSite({
    files: STUN_FILES, provisioning: '  defaultZone: nat\n',
    start: { extra: `stun:\n  enabled: true\n  listen: { host: 127.0.0.1, port: ${stunPort} }\n` },
  });
});
after(async () => { await site.stop(); });

const repo = () => new StunBindingRepo(site.o.app.store);
const ms = (p: SimPhone): string => `${p.state.model.family.root}ManagementServer.`;

function notification(p: SimPhone, path: string): number {
  const r = p.state.resolve(path);
  assert.equal(r?.kind, 'param', path);
  return p.state.notification(r.path, r.def as never);
}

for (const model of ['tr181', 'tr098'] as const) {
  test(`${model}: a template with stun.enable gives the phone its own STUN credentials, the site's STUN server and active notification on UDPConnectionRequestAddress`, async () => {
    const p = await site.phone(model, `STUN-${model}`);
    const s = await p.boot();
    assert.ok(s.ok, s.error);
    const id = idOf(p);
    const row = site.row(p);
    assert.equal(row.state, 'compliant', row.reason);
    const m = ms(p);
    assert.equal(p.get(`${m}STUNEnable`), 'true');
    assert.equal(p.get(`${m}STUNServerAddress`), '127.0.0.1', 'default: the site STUN listener');
    assert.equal(p.get(`${m}STUNServerPort`), String(stunPort));
    assert.equal(p.get(`${m}STUNMinimumKeepAlivePeriod`), '30');
    assert.equal(p.get(`${m}STUNMaximumKeepAlivePeriod`), '60');
    const username = p.get(`${m}STUNUsername`)!;
    const password = p.get(`${m}STUNPassword`)!;
    assert.match(username, /^stun-[0-9a-f]{16}$/);
    assert.ok(password.length >= 20, 'random password');
    assert.equal(repo().usernameOf(id), username);
    assert.deepEqual(repo().credentials(username), { deviceId: id, password });
    assert.equal(notification(p, `${m}UDPConnectionRequestAddress`), 2);
    // The hidden value is masked in the diff and never stored in clear with the parameters.
    const params = (row.detail as { params: { intent: string; want: string; have: string | null; status: string }[] }).params;
    const pw = params.find((x) => x.intent === 'stun.password')!;
    assert.deepEqual([pw.want, pw.have, pw.status], [MASK, MASK, 'ok']);
    const dev = await site.o.api<{ parameters: { path: string; value: string | null }[]; stunBinding: StunBinding | null }>('GET', `/api/v1/devices/${encodeURIComponent(id)}`);
    assert.equal(dev.status, 200);
    assert.ok(!JSON.stringify(dev.body).includes(password), 'password not in the device record');
    // The phone's own Annex G client binds with the provisioned credentials.
    await until(() => repo().byDevice(id), 10_000, 'the phone\'s STUN binding');
    const binding = (await site.o.api<{ stunBinding: StunBinding | null }>('GET', `/api/v1/devices/${encodeURIComponent(id)}`)).body.stunBinding;
    assert.ok(binding, 'binding in the device record');
    assert.equal(binding.authenticated, true);
    assert.equal(binding.username, username);
    assert.equal(binding.deviceId, id);
  });
}

test('a Binding Request with the provisioned credentials is accepted, a wrong password is refused', async () => {
  const p = await site.phone('tr181', 'STUN-CLIENT');
  assert.ok((await p.boot()).ok);
  const id = idOf(p);
  const username = repo().usernameOf(id)!;
  const password = p.get(`${ms(p)}STUNPassword`)!;
  await p.stop(); // its own Annex G client would keep moving the binding back to its port
  const good = await StunClient.create({ server: { host: '127.0.0.1', port: stunPort }, bind: { host: '127.0.0.1' }, username, password, integrityFirst: true, retransmit: [0, 100, 300] });
  const bad = await StunClient.create({ server: { host: '127.0.0.1', port: stunPort }, bind: { host: '127.0.0.1' }, username, password: 'not-it', integrityFirst: true, retransmit: [0, 100, 300] });
  try {
    const got = await good.bindingRequest();
    assert.equal(got.port, good.local.port);
    // The STUN service stores a new binding asynchronously (group commit): wait for ours.
    await until(() => repo().byDevice(id)?.port === good.local.port, 5_000, 'the test client\'s binding');
    const rec = (await site.o.api<{ stunBinding: StunBinding | null }>('GET', `/api/v1/devices/${encodeURIComponent(id)}`)).body.stunBinding;
    assert.equal(rec?.deviceId, id);
    assert.equal(rec?.authenticated, true);
    await assert.rejects(bad.bindingRequest(), (e: unknown) => e instanceof StunRequestError);
  } finally {
    await good.stop();
    await bad.stop();
  }
});

test('factory reset: the phone gets the same STUN pair again (hidden values re-sent) and stays compliant', async () => {
  const p = await site.phone('tr098', 'STUN-RESET');
  assert.ok((await p.boot()).ok);
  const id = idOf(p);
  const m = ms(p);
  const username = p.get(`${m}STUNUsername`)!;
  const password = p.get(`${m}STUNPassword`)!;
  const s = await p.factoryReset();
  assert.ok(s.ok, s.error);
  assert.ok(s.events.includes('0 BOOTSTRAP'));
  assert.equal(p.get(`${m}STUNUsername`), username);
  // The reset cleared every value on the phone: the password is there again only if re-sent.
  assert.equal(p.get(`${m}STUNPassword`), password, 'password re-sent after the reset');
  assert.equal(notification(p, `${m}UDPConnectionRequestAddress`), 2, 'notification asked again');
  assert.deepEqual(repo().credentials(username), { deviceId: id, password });
  assert.equal(site.row(p).state, 'compliant', site.row(p).reason);
});

test('phones get distinct STUN usernames and passwords; a second session does not regenerate them', async () => {
  const a = await site.phone('tr181', 'STUN-A');
  const b = await site.phone('tr181', 'STUN-B');
  assert.ok((await a.boot()).ok);
  assert.ok((await b.boot()).ok);
  const m = ms(a);
  assert.notEqual(a.get(`${m}STUNUsername`), b.get(`${m}STUNUsername`));
  assert.notEqual(a.get(`${m}STUNPassword`), b.get(`${m}STUNPassword`));
  const before = repo().usernameOf(idOf(a));
  const s = await a.session();
  assert.ok(s.ok, s.error);
  assert.equal(repo().usernameOf(idOf(a)), before);
  assert.ok(!s.acsMethods.includes('SetParameterValues'), `nothing written again without a factory reset: ${s.acsMethods.join(', ')}`);
  assert.equal(site.row(a).state, 'compliant', site.row(a).reason);
});

test('planner (pure): STUN on → STUNUsername/STUNPassword written, the password masked and not read back; Notification=2 on UDPConnectionRequestAddress only with STUN on', () => {
  const values = { 'inform.interval': '300', 'sip.proxy': 'pbx.site.lan', 'stun.enable': 'true', 'stun.server': 'stun.site.lan', 'stun.port': '3478',
    'stun.username': 'stun-0123456789abcdef', 'stun.password': 'pw-stun' };
  const { phone, host } = offlinePhone('tr181');
  const pl = plannerFor('Device.', values);
  runPlan(pl, host);
  const udp = 'Device.ManagementServer.UDPConnectionRequestAddress';
  assert.equal(phone.get('Device.ManagementServer.STUNUsername'), 'stun-0123456789abcdef');
  assert.equal(phone.get('Device.ManagementServer.STUNPassword'), 'pw-stun');
  assert.equal(notification(phone, udp), 2);
  const r = pl.result();
  assert.ok(r.notifyPaths.includes(udp));
  const pw = r.params.find((x) => x.intent === 'stun.password')!;
  assert.deepEqual([pw.secret, pw.want, pw.status], [true, MASK, 'ok']);
  const off = plannerFor('Device.', { ...values, 'stun.enable': 'false' });
  runPlan(off, offlinePhone('tr181').host);
  assert.ok(!off.result().notifyPaths.includes(udp));
});
