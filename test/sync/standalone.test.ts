// WAN down from the start: a box set up only from its USB stick (site config + initial bundle,
// central unreachable) provisions simulated phones on its own — a new phone, a factory-reset
// phone, and a replacement phone on the same switch port ("swap and go") — and when central
// finally appears, it catches up: every report queued during the outage is delivered and
// central's compliance totals match the site's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importSiteConfig, ensureBoxKey } from '../../src/cli/site-import.ts';
import { parseBoxPublicKey, seal } from '../../src/protocols/bundle/index.ts';
import { ProvisioningDeviceRepo } from '../../src/store/provisioning-devices.ts';
import { LeaseRepo } from '../../src/store/leases.ts';
import { deviceIdString } from '../../src/protocols/cwmp/version.ts';
import { startPhone, type SimPhone } from '../sim/index.ts';
import { bootSite, fixtureBundle, freePort, generateKeyPair, startTestCentral, tempDir, waitFor, type BootedSite, type TestCentral } from './helpers.ts';
import { usbConfig } from './usb-config.ts';

const SITE_TOKEN = 'refinery-north-site-token-0123456789';
const ADMIN_PASSWORD = 'Ammonia-Unit-7-Hotline';
const keys = generateKeyPair();
let site: BootedSite;
let central: TestCentral | undefined;
let centralPort: number;
const phones: SimPhone[] = [];

interface SyncStatus { wan: { state: string; reason: string | null }; bundle: { version: number; source: string } | null; outbox: { records: number } }

before(async () => {
  // On the box: a state directory and its key (plant IT reads the public half off the box).
  const box = tempDir('standalone');
  const stateDir = join(box, 'state');
  const boxKey = parseBoxPublicKey(ensureBoxKey(stateDir));
  // On the stick: the site config with sealed secrets, and the signed bundle central prepared.
  centralPort = await freePort(); // central's address: nothing answers there (WAN down)
  const stick = tempDir('stick');
  writeFileSync(join(stick, 'site.bundle.json'), fixtureBundle(keys, { version: 7, site: 'refinery-north' }).bundle);
  writeFileSync(join(stick, 'outpost.yaml'), usbConfig({
    stateDir, publicKey: keys.publicKey, centralUrl: `http://127.0.0.1:${centralPort}/`,
    sealedPassword: seal('b00tstrap-Pw', boxKey), sealedToken: seal(SITE_TOKEN, boxKey), sealedAdmin: seal(ADMIN_PASSWORD, boxKey),
  }));
  const target = join(box, 'etc', 'outpost.yaml');
  const r = importSiteConfig({ source: stick, target, stateDir });
  assert.ok(r.ok, r.problems.join('; '));
  const t0 = performance.now();
  site = await bootSite(target);
  assert.ok(performance.now() - t0 < 5000, 'start does not wait for the WAN');
});
after(async () => {
  for (const p of phones) await p.stop().catch(() => {});
  await site?.stop();
  await central?.stopAll();
});

async function phone(model: string, serial: string): Promise<SimPhone> {
  const p = await startPhone({ model, serial, acsUrl: site.acsUrl, ...(site.ca ? { ca: site.ca } : {}), username: 'site-bootstrap', password: 'b00tstrap-Pw' });
  phones.push(p);
  return p;
}
const row = (p: SimPhone) => new ProvisioningDeviceRepo(site.app.store).get(deviceIdString({ oui: p.state.identity.oui, productClass: p.state.identity.productClass, serialNumber: p.serial }))!;

/** The phone's switch port, as DHCP option 82 from the relay would record it. */
async function plugIn(mac: string, sw: string, port: string): Promise<void> {
  const now = Date.now();
  await site.app.store.commit(() => new LeaseRepo(site.app.store).save({
    ip: '127.0.0.1', mac, clientId: null, hostname: null, vendorClass: 'dslforum.org', oui: null, serial: null, productClass: null,
    circuitId: port, remoteId: sw, giaddr: '10.20.0.1', state: 'bound', expiresAt: now + 3_600_000, updatedAt: now, scope: 'voice',
  }));
}

test('WAN down from the start: the USB bundle is in force and the WAN shows down', async () => {
  const s = (await site.api<SyncStatus>('POST', '/api/v1/sync/run')).body;
  assert.equal(s.bundle?.version, 7);
  assert.equal(s.bundle?.source, 'usb');
  assert.equal(s.wan.state, 'down');
  assert.match(s.wan.reason ?? '', /ECONNREFUSED/);
  assert.ok(site.app.health.has('SYNC_WAN_DOWN'));
});

test('a new phone is provisioned from the USB bundle; a factory reset is restored', async () => {
  const p = await phone('tr181', 'PROC0001');
  assert.ok((await p.boot()).ok);
  assert.equal(row(p).state, 'compliant', row(p).reason);
  assert.equal(row(p).zone, 'process');
  assert.equal(p.get('Device.Services.VoiceService.1.SIP.Network.1.ProxyServer'), 'pbx.refinery-north.example');
  const reset = await p.factoryReset();
  assert.ok(reset.ok, reset.error);
  assert.ok(reset.events.includes('0 BOOTSTRAP'));
  assert.equal(p.get('Device.Services.VoiceService.1.SIP.Network.1.ProxyServer'), 'pbx.refinery-north.example', 'restored after the reset');
  assert.equal(row(p).state, 'compliant', row(p).reason);
});

test('swap and go during the outage: the replacement on the same switch port takes the position', async () => {
  await plugIn('02:00:00:00:01:01', 'sw-pu-1', 'Gi1/0/7');
  const a = await phone('tr098', 'EXA0001');
  assert.ok((await a.boot()).ok);
  assert.equal(row(a).position, 'PU-101');
  await a.stop();
  await plugIn('02:00:00:00:02:02', 'sw-pu-1', 'Gi1/0/7');
  const b = await phone('tr181', 'SPARE01');
  assert.ok((await b.boot()).ok);
  assert.equal(row(b).position, 'PU-101');
  assert.equal(row(b).state, 'compliant', row(b).reason);
  assert.equal(b.get('Device.Services.VoiceService.1.CallControl.Line.1.DirectoryNumber'), '2101');
  assert.equal(b.get('Device.Services.VoiceService.1.SIP.Client.1.AuthPassword'), 'pu101-secret');
  const s = (await site.api<SyncStatus>('GET', '/api/v1/sync')).body;
  assert.equal(s.wan.state, 'down');
  assert.ok(s.outbox.records > 0, 'reports wait in the outbox');
});

test('the first admin account from the stick logs in with the WAN down; its changes are audited', async () => {
  const login = await fetch(new URL('/api/v1/auth/login', site.apiUrl), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'plant-admin', password: ADMIN_PASSWORD }) });
  assert.equal(login.status, 201);
  const { token, user } = await login.json() as { token: string; user: { role: string } };
  assert.equal(user.role, 'admin');
  const created = await fetch(new URL('/api/v1/users', site.apiUrl), {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'control-room', role: 'operator', password: 'Flare-Stack-North-2' }),
  });
  assert.equal(created.status, 201);
  const audit = (await site.api<{ items: { actor: string; action: string }[] }>('GET', '/api/v1/audit')).body.items.map((a) => `${a.actor} ${a.action}`);
  for (const want of ['site-config user.create', 'plant-admin user.login', 'plant-admin POST /api/v1/users']) assert.ok(audit.includes(want), audit.join(' | '));
});

test('central appears: the site catches up, nothing lost; central totals match the site', async () => {
  central = await startTestCentral({ port: centralPort, siteToken: SITE_TOKEN, sites: ['refinery-north'] });
  const s: SyncStatus = await waitFor(async () => {
    const st = (await site.api<SyncStatus>('POST', '/api/v1/sync/run')).body;
    return st.wan.state === 'up' && st.outbox.records === 0 ? st : undefined;
  }, 15_000, 'the outbox to drain');
  assert.equal(s.bundle?.version, 7, 'central has no bundle for the site yet: the USB one stays');
  const last = (site.app.store.db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'sync_outbox'").get() as { seq: number }).seq;
  const c = central.repo.site('refinery-north')!;
  assert.equal(c.records, last, 'every record queued during the outage, once');
  const mine = site.app.store.db.prepare('SELECT state, count(*) AS n FROM prov_devices GROUP BY state').all() as { state: string; n: number }[];
  for (const { state, n } of mine) assert.equal(c.compliance[state], n, `${state}: central ${c.compliance[state]}, site ${n}`);
  assert.equal(c.devices, mine.reduce((a, r) => a + r.n, 0));
  const events = central.repo.records('refinery-north', { kind: 'event', limit: 1000 }).map((r) => (r.payload as { type: string }).type);
  assert.ok(events.includes('device.bootstrap') && events.includes('sync.bundle.applied') && events.includes('sync.wan.up'), events.join());
  const audit = central.repo.records('refinery-north', { kind: 'audit', limit: 1000 }).map((r) => r.payload as { actor: string; action: string; hash: string });
  const local = site.app.store.db.prepare('SELECT actor, action, hash FROM audit_log ORDER BY seq').all() as { actor: string; action: string; hash: string }[];
  assert.ok(local.length >= 3);
  assert.deepEqual(audit.map((a) => a.hash), local.slice(0, audit.length).map((a) => a.hash), 'the audit log went up in order, with its chain hashes');
  assert.ok(audit.length >= 3 && audit.length <= local.length);
});
