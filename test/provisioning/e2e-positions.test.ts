// Positions end to end: a replacement phone on the same switch port (DHCP option 82) takes over
// the position's line and extension with no typing ("swap and go"); a phone nobody assigned gets
// the zone default, or nothing, as the site configured — and is listed either way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSite, idOf } from './e2e-helpers.ts';
import { LeaseRepo } from '../../src/store/leases.ts';
import type { Running } from '../helpers/outpost.ts';

/** The phones connect from 127.0.0.1: give that address a lease relayed from a switch port. */
async function plugIn(o: Running, mac: string, sw: string, port: string): Promise<void> {
  const repo = new LeaseRepo(o.app.store);
  const now = Date.now();
  await o.app.store.commit(() => repo.save({
    ip: '127.0.0.1', mac, clientId: null, hostname: null, vendorClass: 'dslforum.org', oui: null, serial: null, productClass: null,
    circuitId: port, remoteId: sw, giaddr: '10.20.0.1', state: 'bound', expiresAt: now + 3_600_000, updatedAt: now, scope: 'voice',
  }));
}

test('swap and go: the replacement on the same switch port gets the position\'s line; the old phone is marked replaced', async () => {
  const site = await startSite({ accounts: [{ user: '2101', password: 'pu-101' }] });
  try {
    const csv = 'position,line[1].password\nPU-101,pu-101\n';
    assert.equal((await site.o.api('POST', '/api/v1/inventory', { csv })).status, 200);
    await plugIn(site.o, '02:00:00:00:01:01', 'sw-pu-1', 'Gi1/0/7');
    const a = await site.phone('tr098', 'EXA0001');
    assert.ok((await a.boot()).ok);
    assert.equal(site.row(a).position, 'PU-101');
    assert.ok(a.inService());
    await a.stop();
    // A technician swaps the broken phone for a spare of another model on the same port.
    await plugIn(site.o, '02:00:00:00:02:02', 'sw-pu-1', 'Gi1/0/7');
    const b = await site.phone('tr181', 'SPARE01');
    assert.ok((await b.boot()).ok);
    const row = site.row(b);
    assert.equal(row.position, 'PU-101');
    assert.equal(row.state, 'compliant', row.reason);
    assert.equal(b.get('Device.Services.VoiceService.1.CallControl.Line.1.DirectoryNumber'), '2101');
    assert.equal(b.get('Device.Services.VoiceService.1.SIP.Client.1.AuthPassword'), 'pu-101');
    assert.ok(b.inService(), 'the extension registers from the new phone');
    const old = site.row(a);
    assert.equal(old.state, 'unknown');
    assert.match(old.reason, /replaced at position PU-101 by/);
    const pos = await site.o.api<{ device: { deviceId: string; replaced: string } }>('GET', '/api/v1/positions/PU-101');
    assert.deepEqual([pos.body.device.deviceId, pos.body.device.replaced], [idOf(b), idOf(a)]);
  } finally {
    await site.stop();
  }
});

test('unassigned phone, policy zone-default: the default zone\'s settings, no line identity, listed', async () => {
  const site = await startSite();
  try {
    const p = await site.phone('tr181', 'NOBODY1');
    assert.ok((await p.boot()).ok);
    const row = site.row(p);
    assert.equal(row.assignment, 'default');
    assert.equal(row.zone, 'lobby');
    assert.equal(row.state, 'compliant', row.reason);
    assert.equal(p.get('Device.Services.VoiceService.1.SIP.Network.1.ProxyServer'), 'pbx.site.lan');
    assert.equal(p.get('Device.Services.VoiceService.1.SIP.Client.1.AuthUserName'), '', 'no line identity invented');
    const list = await site.o.api<{ items: { deviceId: string; assignment: string }[] }>('GET', '/api/v1/compliance/devices?zone=lobby');
    assert.ok(list.body.items.some((i) => i.deviceId === idOf(p) && i.assignment === 'default'));
  } finally {
    await site.stop();
  }
});

test('unassigned phone, policy none: left as it is, shown as unknown with the reason', async () => {
  const site = await startSite({ provisioning: '  unassigned: none\n' });
  try {
    const p = await site.phone('tr098', 'NOBODY2');
    const s = await p.boot();
    assert.ok(s.ok);
    assert.ok(!s.acsMethods.includes('GetParameterValues'), `nothing planned: ${s.acsMethods.join()}`);
    const row = site.row(p);
    assert.deepEqual([row.assignment, row.state, row.ne107], ['none', 'unknown', 'M']);
    assert.match(row.reason, /unassigned \(site policy/);
    const sum = await site.o.api<{ attention: { deviceId: string; reason: string }[] }>('GET', '/api/v1/compliance');
    assert.ok(sum.body.attention.some((a) => a.deviceId === idOf(p)), 'in the control-room attention list');
  } finally {
    await site.stop();
  }
});
