// End to end over HTTPS + Digest with the in-repo phone simulator: a phone's BOOTSTRAP Inform
// (with credential rotation), then every ACS RPC queued through the management API with a
// connection request, each verified against the phone's own state afterwards.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { startOutpost, type Running } from '../helpers/outpost.ts';
import { startPhone, type SimPhone } from '../sim/index.ts';
import type { SessionRecord } from '../sim/index.ts';

interface Task { id: number; status: string; result: Record<string, unknown> | null }

const FAMILIES = [
  { model: 'tr181', root: 'Device.', lines: 'Device.Services.VoiceService.1.SIP.Client.', cwmp12: true },
  // The TR-098 family speaks CWMP 1.0: no ScheduleDownload/CancelTransfer (§1.9 step 5).
  { model: 'tr098', root: 'InternetGatewayDevice.', lines: 'InternetGatewayDevice.Services.VoiceService.1.VoiceProfile.1.Line.', cwmp12: false },
];

for (const fam of FAMILIES) {
  describe(`ACS end to end with a ${fam.model} phone`, () => {
    let o: Running;
    let phone: SimPhone;
    let deviceId = '';

    before(async () => {
      o = await startOutpost();
      phone = await startPhone({ model: fam.model, serial: `E2E${fam.model.toUpperCase()}01`, acsUrl: o.acsUrl, ca: o.ca!,
        username: o.bootstrap.username, password: o.bootstrap.password });
    });
    after(async () => {
      await phone.stop();
      await o.stop();
    });

    /** Queue an RPC with a connection request; wait for the session that runs it; return the task. */
    async function rpc(method: string, args: Record<string, unknown> = {}): Promise<{ task: Task; session: SessionRecord }> {
      const from = phone.sessionCount;
      const r = await o.api<{ task: Task; connectionRequest: { ok: boolean; path: string; detail: string } }>('POST', `/api/v1/devices/${encodeURIComponent(deviceId)}/tasks`, { method, args, connectionRequest: true });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.ok(r.body.connectionRequest.ok, `connection request: ${r.body.connectionRequest.detail}`);
      assert.equal(r.body.connectionRequest.path, 'http');
      const session = await phone.waitForSession((s) => s.events.includes('6 CONNECTION REQUEST'), 10_000, from);
      assert.ok(session.ok, session.error);
      const t = await o.api<Task>('GET', `/api/v1/tasks/${r.body.task.id}`);
      return { task: t.body, session };
    }

    test('BOOTSTRAP: the phone is identified, its events stored, and it gets its own credentials', async () => {
      const s = await phone.boot();
      assert.ok(s.ok, s.error);
      assert.ok(s.events.includes('0 BOOTSTRAP'));
      const list = await o.api<{ items: { id: string; serial: string; hasPassword: boolean; hasCrPassword: boolean }[] }>('GET', '/api/v1/devices');
      const d = list.body.items.find((x) => x.serial === phone.serial)!;
      assert.ok(d, 'device listed');
      deviceId = d.id;
      assert.match(deviceId, /^[0-9A-F]{6}-.+-E2E/);
      assert.ok(d.hasPassword && d.hasCrPassword, 'rotated credentials stored');
      const ms = `${fam.root}ManagementServer.`;
      assert.equal(phone.get(`${ms}Username`), deviceId);
      assert.notEqual(phone.get(`${ms}Password`), o.bootstrap.password);
      const detail = await o.api<{ events: { code: string }[]; parameters: { path: string; value: string }[] }>('GET', `/api/v1/devices/${encodeURIComponent(deviceId)}`);
      assert.ok(detail.body.events.some((e) => e.code === '0 BOOTSTRAP'));
      const pw = detail.body.parameters.find((p) => p.path === `${ms}Password`);
      assert.equal(pw?.value ?? '', '', 'secret parameters are never stored or shown');
      assert.ok(!JSON.stringify(detail.body).includes(phone.get(`${ms}Password`)!), 'the rotated password appears nowhere in the API');
      // The next session authenticates with the rotated credential, not the bootstrap one.
      const again = await phone.session();
      assert.ok(again.ok, again.error);
    });

    test('GetRPCMethods', async () => {
      const { task } = await rpc('GetRPCMethods');
      assert.equal(task.status, 'done');
      assert.ok((task.result!.methods as string[]).includes('SetParameterValues'));
    });

    test('GetParameterNames records which parameters are writable', async () => {
      const { task } = await rpc('GetParameterNames', { parameterPath: `${fam.root}ManagementServer.`, nextLevel: true });
      assert.equal(task.status, 'done');
      const d = await o.api<{ parameters: { path: string; writable: boolean | null }[] }>('GET', `/api/v1/devices/${encodeURIComponent(deviceId)}?prefix=${fam.root}ManagementServer.`);
      assert.equal(d.body.parameters.find((p) => p.path === `${fam.root}ManagementServer.PeriodicInformInterval`)?.writable, true);
    });

    test('GetParameterValues stores what the phone reports', async () => {
      const { task } = await rpc('GetParameterValues', { parameterNames: [`${fam.root}DeviceInfo.`] });
      assert.equal(task.status, 'done');
      const d = await o.api<{ parameters: { path: string; value: string; type: string }[] }>('GET', `/api/v1/devices/${encodeURIComponent(deviceId)}?prefix=${fam.root}DeviceInfo.`);
      const sw = d.body.parameters.find((p) => p.path === `${fam.root}DeviceInfo.SoftwareVersion`);
      assert.equal(sw?.value, phone.get(`${fam.root}DeviceInfo.SoftwareVersion`));
      assert.equal(sw?.type, 'xsd:string');
    });

    test('SetParameterValues changes the phone', async () => {
      const { task } = await rpc('SetParameterValues', { parameterList: [{ name: `${fam.root}ManagementServer.PeriodicInformInterval`, value: '321', type: 'xsd:unsignedInt' }], parameterKey: 'e2e-1' });
      assert.equal(task.status, 'done');
      assert.equal(phone.get(`${fam.root}ManagementServer.PeriodicInformInterval`), '321');
      assert.equal(phone.get(`${fam.root}ManagementServer.ParameterKey`), 'e2e-1');
    });

    test('SetParameterAttributes and GetParameterAttributes', async () => {
      const name = `${fam.root}ManagementServer.PeriodicInformInterval`;
      const set = await rpc('SetParameterAttributes', { parameterList: [{ name, notificationChange: true, notification: 2 }] });
      assert.equal(set.task.status, 'done');
      const get = await rpc('GetParameterAttributes', { parameterNames: [name] });
      assert.equal(get.task.status, 'done');
      const d = await o.api<{ parameters: { path: string; notification: number | null }[] }>('GET', `/api/v1/devices/${encodeURIComponent(deviceId)}?prefix=${name}`);
      assert.equal(d.body.parameters.find((p) => p.path === name)?.notification, 2);
    });

    test('AddObject then DeleteObject', async () => {
      const add = await rpc('AddObject', { objectName: fam.lines, parameterKey: 'e2e-add' });
      assert.equal(add.task.status, 'done');
      const n = add.task.result!.instanceNumber as number;
      assert.ok(n >= 1);
      assert.notEqual(phone.state.resolve(`${fam.lines}${n}.`), null, 'instance exists on the phone');
      const del = await rpc('DeleteObject', { objectName: `${fam.lines}${n}.`, parameterKey: 'e2e-del' });
      assert.equal(del.task.status, 'done');
      assert.ok(!phone.state.resolve(`${fam.lines}${n}.`), 'instance gone');
    });

    test('Download: firmware served by the ACS, TransferComplete in a later session, new version running', async () => {
      const dir = join(o.stateDir, 'firmware');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'phone-9.9.9.bin'), `version=9.9.9\n${'x'.repeat(50_000)}\n`);
      const from = phone.sessionCount;
      const { task } = await rpc('Download', { commandKey: 'fw-999', fileType: '1 Firmware Upgrade Image', file: 'phone-9.9.9.bin' });
      assert.equal(task.status, 'done');
      assert.equal(task.result!.status, 1);
      const after = await phone.waitForSession((s) => s.events.includes('7 TRANSFER COMPLETE'), 15_000, from);
      assert.ok(after.events.includes('M Download'));
      assert.equal(phone.softwareVersion, '9.9.9');
      const d = await o.api<{ transfers: { commandKey: string; faultCode: number }[]; device: { softwareVersion: string } }>('GET', `/api/v1/devices/${encodeURIComponent(deviceId)}`);
      assert.deepEqual(d.body.transfers.map((t) => [t.commandKey, t.faultCode]), [['fw-999', 0]]);
      assert.equal(d.body.device.softwareVersion, '9.9.9');
    });

    test('Upload: the file arrives at the ACS with its checksum recorded', async () => {
      const from = phone.sessionCount;
      const { task } = await rpc('Upload', { commandKey: 'up-1', fileType: '1 Vendor Configuration File' });
      assert.equal(task.status, 'done');
      await phone.waitForSession((s) => s.events.includes('7 TRANSFER COMPLETE'), 15_000, from);
      const d = await o.api<{ uploads: { size: number; sha256: string; file: string }[] }>('GET', `/api/v1/devices/${encodeURIComponent(deviceId)}`);
      const up = d.body.uploads[0]!;
      assert.ok(up.size > 0);
      const { readFileSync } = await import('node:fs');
      assert.equal(createHash('sha256').update(readFileSync(up.file)).digest('hex'), up.sha256);
    });

    test('ScheduleInform gives 3 SCHEDULED + M ScheduleInform', async () => {
      const from = phone.sessionCount;
      const { task } = await rpc('ScheduleInform', { delaySeconds: 1, commandKey: 'sched-1' });
      assert.equal(task.status, 'done');
      const s = await phone.waitForSession((x) => x.events.includes('3 SCHEDULED'), 10_000, from);
      assert.ok(s.events.includes('M ScheduleInform'));
    });

    test(fam.cwmp12 ? 'ScheduleDownload then CancelTransfer' : 'ScheduleDownload is refused for a CWMP 1.0 phone, not sent', async () => {
      const sd = await rpc('ScheduleDownload', { commandKey: 'sd-1', file: 'phone-9.9.9.bin', timeWindows: [{ windowStart: 3600, windowEnd: 7200 }] });
      if (!fam.cwmp12) {
        assert.equal(sd.task.status, 'failed');
        assert.match(JSON.stringify(sd.task.result), /needs CWMP 1\.2/);
        assert.ok(!sd.session.acsMethods.includes('ScheduleDownload'));
        return;
      }
      assert.equal(sd.task.status, 'done');
      const ct = await rpc('CancelTransfer', { commandKey: 'sd-1' });
      assert.equal(ct.task.status, 'done');
    });

    test('Reboot gives 1 BOOT + M Reboot', async () => {
      const from = phone.sessionCount;
      const { task } = await rpc('Reboot', { commandKey: 'rb-1' });
      assert.equal(task.status, 'done');
      const s = await phone.waitForSession((x) => x.events.includes('1 BOOT'), 10_000, from);
      assert.ok(s.events.includes('M Reboot'));
    });

    test('FactoryReset: the phone comes back with BOOTSTRAP and is re-onboarded', async () => {
      const from = phone.sessionCount;
      const { task } = await rpc('FactoryReset');
      assert.equal(task.status, 'done');
      const s = await phone.waitForSession((x) => x.events.includes('0 BOOTSTRAP'), 10_000, from);
      assert.ok(s.ok, s.error);
      assert.equal(phone.get(`${fam.root}ManagementServer.Username`), deviceId, 'rotated again after the reset');
      const again = await phone.session();
      assert.ok(again.ok, again.error);
    });
  });
}
