// End to end: the real app on loopback, simulated phones over HTTPS + Digest, the provisioning
// engine planning in their sessions.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOutpost, type Running } from '../helpers/outpost.ts';
import { startPhone, type SimPhone } from '../sim/index.ts';
import { ProvisioningDeviceRepo } from '../../src/store/provisioning-devices.ts';
import { SITE_FILES } from './fixtures/site.ts';
import { deviceIdString } from '../../src/protocols/cwmp/version.ts';

let o: Running;
let dir: string;
const phones: SimPhone[] = [];
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'oppv-site-'));
  for (const [f, t] of Object.entries(SITE_FILES)) writeFileSync(join(dir, f), t);
  o = await startOutpost({ extra: `provisioning:\n  directory: ${JSON.stringify(dir)}\n  defaultZone: lobby\n` });
});
after(async () => {
  for (const p of phones) await p.stop();
  await o.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function phone(model: string, serial: string): Promise<SimPhone> {
  const p = await startPhone({ model, serial, acsUrl: o.acsUrl, ca: o.ca!, username: o.bootstrap.username, password: o.bootstrap.password });
  phones.push(p);
  return p;
}

const repo = () => new ProvisioningDeviceRepo(o.app.store);

for (const [model, root, line] of [
  ['tr181', 'Device.', 'Device.Services.VoiceService.1.SIP.Client.1.'],
  ['tr098', 'InternetGatewayDevice.', 'InternetGatewayDevice.Services.VoiceService.1.VoiceProfile.1.Line.1.'],
] as const) {
  test(`${model}: a factory-default phone becomes compliant in its first session and its line registers`, async () => {
    const p = await phone(model, 'MUSTER1');
    const s = await p.boot();
    assert.ok(s.ok, s.error);
    const id = deviceIdString({ oui: p.state.identity.oui, productClass: p.state.identity.productClass, serialNumber: p.serial });
    const row = repo().get(id)!;
    assert.equal(row.state, 'compliant', row.reason);
    assert.equal(row.ne107, '');
    assert.equal(row.position, 'MP-301');
    assert.equal(p.get(`${line}Status`), 'Up', 'line registered');
    assert.equal(p.get(model === 'tr181' ? `${line}AuthPassword` : `${line}SIP.AuthPassword`), 'muster-secret');
    assert.equal(p.get(`${root}ManagementServer.PeriodicInformInterval`), '120', 'steady interval of the muster zone once compliant');
    assert.notEqual(p.get(`${root}ManagementServer.Password`), o.bootstrap.password, 'credentials rotated');
    await p.stop();
  });
}
