// Every phone family against Outpost's real ACS (HTTPS, Digest, credential rotation), from
// BOOTSTRAP through every RPC the family supports — and the ones it does not, which the phone
// answers 9000 — queued through the management API with a connection request. The functional
// truth: a line the ACS provisions registers with the site PBX only when the template is right,
// and a change made from the phone's menu takes it down, which the ACS hears as VALUE CHANGE.
// The Ex family also runs TR-111: its STUN binding reaches the ACS and a UDP connection request
// gets through when HTTP connection requests are blocked.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deviceIdString } from '../../src/protocols/cwmp/version.ts';
import { startOutpost, type Running } from '../helpers/outpost.ts';
import { FAMILIES, startPhone, type SessionRecord, type SimPhone } from './index.ts';
import { lineSpv, type LineConfig } from './models/lines.ts';
import { SitePbx } from './pbx.ts';
import { firmwareImage } from './transfers.ts';
import { freeUdpPort } from '../helpers/child.ts';

interface Task { id: number; status: string; result: Record<string, unknown> | null }
interface Case { model: string; table?: string; fixed?: boolean; ex?: boolean }

const CASES: Case[] = [
  { model: 'yealink', table: 'Device.Services.VoiceService.1.VoiceProfile.' },
  { model: 'grandstream', table: 'Device.Services.VoiceService.1.VoiceProfile.' },
  { model: 'aastra', table: 'Device.VoiceService.VoiceProfile.', fixed: true },
  { model: 'unify' },
  { model: 'ex', ex: true },
  { model: 'tr181', table: 'Device.Services.VoiceService.1.SIP.Client.' },
];

const LINE: LineConfig = { proxy: 'sip.site.test', port: 5060, transport: 'UDP', user: '4001', password: 'line-secret' };

for (const c of CASES) {
  const fam = FAMILIES[c.model]!;
  const root = fam.root;
  const supports = (m: string): boolean => fam.rpcMethods.includes(m);
  const serial = `FAM${c.model.toUpperCase()}01`;
  const stunUser = `${c.model}-stun`;

  describe(`${c.model} phone against the ACS`, () => {
    let o: Running;
    let phone: SimPhone;
    let pbx: SitePbx;
    let deviceId = '';
    let statusPath = '';

    before(async () => {
      const stunPort = c.ex ? await freeUdpPort() : 0;
      const id = { oui: fam.identity.oui, productClass: fam.identity.productClass, serialNumber: serial };
      o = await startOutpost(c.ex ? {
        extra: `stun:\n  enabled: true\n  listen: { host: 127.0.0.1, port: ${stunPort} }\n  credentials: [{ username: ${stunUser}, password: stun-pass, deviceId: ${JSON.stringify(deviceIdString(id))} }]\n`,
      } : {});
      pbx = new SitePbx({ proxy: 'sip.site.test', transport: 'UDP', accounts: [{ user: LINE.user, password: LINE.password }] });
      const ms = `${root}ManagementServer.`;
      phone = await startPhone({
        model: c.model, serial, acsUrl: o.acsUrl, ca: o.ca!, username: o.bootstrap.username, password: o.bootstrap.password, pbx,
        ...(c.ex ? { settings: { [`${ms}EnableCWMP`]: 'true', [`${ms}STUNServerAddress`]: '127.0.0.1', [`${ms}STUNServerPort`]: String(stunPort),
          [`${ms}STUNUsername`]: stunUser, [`${ms}STUNPassword`]: 'stun-pass' } } : {}),
      });
      statusPath = phone.lines()[0]!.statusPath;
    });
    after(async () => {
      await phone.stop();
      await o.stop();
    });

    const dev = (): string => `/api/v1/devices/${encodeURIComponent(deviceId)}`;

    /** Queue an RPC with a connection request; wait for the session that runs it; return the task. */
    async function rpc(method: string, args: Record<string, unknown> = {}): Promise<{ task: Task; session: SessionRecord; path: string }> {
      const from = phone.sessionCount;
      const r = await o.api<{ task: Task; connectionRequest: { ok: boolean; path: string; detail: string } }>('POST', `${dev()}/tasks`, { method, args, connectionRequest: true });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.ok(r.body.connectionRequest.ok, `connection request: ${r.body.connectionRequest.detail}`);
      const session = await phone.waitForSession((s) => s.events.includes('6 CONNECTION REQUEST'), 10_000, from);
      assert.ok(session.ok, session.error);
      const t = await o.api<Task>('GET', `/api/v1/tasks/${r.body.task.id}`);
      return { task: t.body, session, path: r.body.connectionRequest.path };
    }
    /** A method the family lacks: the ACS sends it, the phone answers 9000. */
    async function unsupported(method: string, args: Record<string, unknown>): Promise<void> {
      const { task } = await rpc(method, args);
      assert.equal(task.status, 'fault', JSON.stringify(task));
      assert.equal((task.result!.fault as { code: number }).code, 9000);
    }
    const storedValue = async (path: string): Promise<string | undefined> => {
      const d = await o.api<{ parameters: { path: string; value: string }[] }>('GET', `${dev()}?prefix=${encodeURIComponent(path)}`);
      return d.body.parameters.find((p) => p.path === path)?.value;
    };

    test('BOOTSTRAP: identified by OUI-ProductClass-Serial, credentials rotated', async () => {
      const s = await phone.boot();
      assert.ok(s.ok, s.error);
      assert.ok(s.events.includes('0 BOOTSTRAP'));
      const list = await o.api<{ items: { id: string; serial: string; hasPassword: boolean }[] }>('GET', '/api/v1/devices');
      const d = list.body.items.find((x) => x.serial === phone.serial)!;
      assert.ok(d, 'device listed');
      deviceId = d.id;
      assert.equal(deviceId, deviceIdString({ oui: fam.identity.oui, productClass: fam.identity.productClass, serialNumber: phone.serial }));
      assert.equal(phone.get(`${root}ManagementServer.Username`), deviceId);
      assert.ok((await phone.session()).ok, 'the rotated credentials work');
    });

    test('GetRPCMethods lists exactly the family methods', async () => {
      const { task } = await rpc('GetRPCMethods');
      assert.deepEqual(task.result!.methods, [...fam.rpcMethods]);
    });

    test('GetParameterNames and GetParameterValues', async () => {
      const gpn = await rpc('GetParameterNames', { parameterPath: `${root}ManagementServer.`, nextLevel: true });
      assert.equal(gpn.task.status, 'done');
      const gpv = await rpc('GetParameterValues', { parameterNames: [`${root}DeviceInfo.`] });
      assert.equal(gpv.task.status, 'done');
      assert.equal(await storedValue(`${root}DeviceInfo.SoftwareVersion`), phone.softwareVersion);
    });

    test('SetParameterValues: a wrong template leaves the line in Error, the right one registers it', async () => {
      const reader = { read: (p: string) => phone.get(p) ?? '', instances: (t: string) => phone.state.instances(t), pbx };
      const wrong = lineSpv(reader, fam.voice, 0, { ...LINE, proxy: 'old-pbx.site.test' });
      assert.equal((await rpc('SetParameterValues', { parameterList: wrong, parameterKey: 'tmpl-1' })).task.status, 'done');
      assert.equal(phone.get(statusPath), 'Error');
      assert.equal(phone.inService(), false);
      const right = lineSpv(reader, fam.voice, 0, LINE);
      assert.equal((await rpc('SetParameterValues', { parameterList: right, parameterKey: 'tmpl-2' })).task.status, 'done');
      assert.equal(phone.get(statusPath), 'Up');
      assert.equal(phone.get(`${root}ManagementServer.ParameterKey`), 'tmpl-2');
      await rpc('GetParameterValues', { parameterNames: [statusPath] });
      assert.equal(await storedValue(statusPath), 'Up', 'the ACS sees the line registered');
    });

    test('SetParameterAttributes on the line Status; a change from the phone menu is a VALUE CHANGE the ACS stores', async () => {
      assert.equal((await rpc('SetParameterAttributes', { parameterList: [{ name: statusPath, notificationChange: true, notification: 2 }] })).task.status, 'done');
      assert.equal((await rpc('GetParameterAttributes', { parameterNames: [statusPath] })).task.status, 'done');
      const from = phone.sessionCount;
      const line = phone.lines()[0]!;
      const pw = fam.voice.kind === 'tr104i1' ? `${line.path}SIP.AuthPassword` : `${phone.get(`${line.path}Provider`)}.AuthPassword`;
      phone.localEdit(pw, 'typo'); // someone on the menu
      const vc = await phone.waitForSession((s) => s.events.includes('4 VALUE CHANGE'), 10_000, from);
      assert.ok(vc.ok, vc.error);
      assert.equal(await storedValue(statusPath), 'Error');
      phone.localEdit(pw, LINE.password);
    });

    test(c.table ? 'AddObject then DeleteObject' : 'AddObject is not supported: 9000', async () => {
      if (!c.table) { await unsupported('AddObject', { objectName: `${root}Services.VoiceService.1.VoiceProfile.`, parameterKey: '' }); return; }
      if (c.fixed) {
        const add = await rpc('AddObject', { objectName: c.table, parameterKey: '' });
        assert.equal((add.task.result!.fault as { code: number }).code, 9004, 'nine fixed profiles');
        const del = await rpc('DeleteObject', { objectName: `${c.table}1.`, parameterKey: 'del-1' });
        assert.equal(del.task.status, 'done');
        assert.equal(phone.get(statusPath), 'Disabled', 'line 1 back to its defaults');
        assert.ok(phone.state.resolve(`${c.table}1.`), 'the profile itself stays');
        return;
      }
      const add = await rpc('AddObject', { objectName: c.table, parameterKey: 'add-1' });
      assert.equal(add.task.status, 'done');
      const n = add.task.result!.instanceNumber as number;
      assert.ok(phone.state.resolve(`${c.table}${n}.`));
      assert.equal((await rpc('DeleteObject', { objectName: `${c.table}${n}.`, parameterKey: 'del-1' })).task.status, 'done');
      assert.equal(phone.state.resolve(`${c.table}${n}.`), undefined);
    });

    test('Download: firmware with a checksum runs after the reboot; a corrupted image reports 9018', async () => {
      const dir = join(o.stateDir, 'firmware');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'good.bin'), firmwareImage('9.9.9', 40_000));
      const bad = firmwareImage('9.9.8', 40_000);
      bad.writeUInt8(bad.readUInt8(bad.length - 1) ^ 0xff, bad.length - 1);
      writeFileSync(join(dir, 'bad.bin'), bad);
      for (const [file, key, code] of [['good.bin', 'fw-good', 0], ['bad.bin', 'fw-bad', 9018]] as const) {
        const from = phone.sessionCount;
        const { task } = await rpc('Download', { commandKey: key, fileType: '1 Firmware Upgrade Image', file });
        assert.equal(task.status, 'done');
        const s = await phone.waitForSession((x) => x.events.includes('7 TRANSFER COMPLETE'), 15_000, from);
        assert.ok(s.events.includes('M Download'));
        const d = await o.api<{ transfers: { commandKey: string; faultCode: number }[] }>('GET', dev());
        assert.equal(d.body.transfers.find((t) => t.commandKey === key)?.faultCode, code);
      }
      assert.equal(phone.softwareVersion, '9.9.9');
    });

    test(supports('Upload') ? 'Upload: the configuration arrives at the ACS' : 'Upload is not supported: 9000', async () => {
      const args = { commandKey: 'up-1', fileType: '1 Vendor Configuration File' };
      if (!supports('Upload')) { await unsupported('Upload', args); return; }
      const from = phone.sessionCount;
      assert.equal((await rpc('Upload', args)).task.status, 'done');
      await phone.waitForSession((s) => s.events.includes('7 TRANSFER COMPLETE'), 15_000, from);
      const d = await o.api<{ uploads: { size: number }[] }>('GET', dev());
      assert.ok(d.body.uploads[0]!.size > 0);
    });

    test(supports('ScheduleInform') ? 'ScheduleInform gives 3 SCHEDULED + M ScheduleInform' : 'ScheduleInform is not supported: 9000', async () => {
      const args = { delaySeconds: 1, commandKey: 'sched-1' };
      if (!supports('ScheduleInform')) { await unsupported('ScheduleInform', args); return; }
      const from = phone.sessionCount;
      assert.equal((await rpc('ScheduleInform', args)).task.status, 'done');
      const s = await phone.waitForSession((x) => x.events.includes('3 SCHEDULED'), 10_000, from);
      assert.ok(s.events.includes('M ScheduleInform'));
    });

    if (supports('ScheduleDownload')) {
      test('ScheduleDownload then CancelTransfer', async () => {
        assert.equal((await rpc('ScheduleDownload', { commandKey: 'sd-1', file: 'good.bin', timeWindows: [{ windowStart: 3600, windowEnd: 7200 }] })).task.status, 'done');
        assert.equal((await rpc('CancelTransfer', { commandKey: 'sd-1' })).task.status, 'done');
      });
    }

    if (c.ex) {
      test('TR-111: the STUN binding reaches the ACS; with HTTP connection requests blocked a UDP one gets through', async () => {
        assert.ok(phone.stun?.running, 'STUN client running (STUNEnable is on at the factory)');
        const b = await o.api<{ address: string; port: number; deviceId: string }>('GET', `/api/v1/stun/bindings/${stunUser}`);
        assert.equal(b.status, 200, JSON.stringify(b.body));
        assert.equal(b.body.deviceId, deviceId);
        assert.equal(phone.get(`${root}ManagementServer.UDPConnectionRequestAddress`), `${b.body.address}:${b.body.port}`);
        phone.blockHttpConnectionRequests(true);
        try {
          const { task, path } = await rpc('GetParameterValues', { parameterNames: [`${root}ManagementServer.UDPConnectionRequestAddress`] });
          assert.equal(path, 'udp');
          assert.equal(task.status, 'done');
        } finally {
          phone.blockHttpConnectionRequests(false);
        }
      });
    }

    test('Reboot gives 1 BOOT + M Reboot; the line registers again from flash', async () => {
      const from = phone.sessionCount;
      assert.equal((await rpc('Reboot', { commandKey: 'rb-1' })).task.status, 'done');
      const s = await phone.waitForSession((x) => x.events.includes('1 BOOT'), 10_000, from);
      assert.ok(s.events.includes('M Reboot'));
      if (!c.fixed) assert.equal(phone.get(statusPath), 'Up');
    });

    test(c.ex ? 'FactoryReset: TR-069 is off again until enabled on site, then BOOTSTRAP' : 'FactoryReset: back with BOOTSTRAP, re-onboarded', async () => {
      const from = phone.sessionCount;
      assert.equal((await rpc('FactoryReset')).task.status, 'done');
      if (c.ex) {
        const quiet = await phone.waitForSession(() => true, 10_000, from + 1);
        assert.equal(quiet.ok, false);
        assert.match(quiet.error ?? '', /EnableCWMP/);
        phone.localEdit(`${root}ManagementServer.EnableCWMP`, 'true');
      }
      const s = await phone.waitForSession((x) => x.events.includes('0 BOOTSTRAP') && x.ok, 10_000, from);
      assert.ok(s.ok, s.error);
      assert.equal(phone.get(`${root}ManagementServer.Username`), deviceId, 'rotated again');
      assert.equal(phone.get(statusPath) === 'Up', false, 'the line lost its configuration');
      assert.ok((await phone.session()).ok);
    });
  });
}
