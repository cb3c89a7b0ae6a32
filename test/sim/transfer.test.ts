// Download / Upload / ScheduleDownload / CancelTransfer end to end: the phone fetches from a
// Digest-protected file server after the session, reboots into new firmware, and reports with
// TransferComplete in the next session (tr069-protocol.md §3.1, §3.2, §2.2).

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { FakeClock } from '../../src/core/clock.ts';
import type { Download, Fault, TransferComplete } from '../../src/protocols/cwmp/types.ts';
import { NonceManager, formatChallenge, parseAuthorization, verifyDigest } from '../../src/protocols/http/digest.ts';
import { startPhone, type SimPhone, type SimPhoneOptions } from './index.ts';
import { ScriptedAcs, type ScriptedAcsOptions } from './scripted-acs.ts';
import { testTls } from './test-tls.ts';

const FW = 'version=1.2.4\nbuild=sim\n';
const CFG = 'Device.ManagementServer.PeriodicInformInterval=900\nDevice.Time.NTPServer1=ntp.site.test\n';

/** Digest-protected file server (user fw / pw fwpass): GET /fw.bin, /site.cfg; PUT /up/*. */
async function fileServer(t: TestContext): Promise<{ base: string; uploads: { path: string; body: string }[] }> {
  const nonces = new NonceManager({ secret: randomBytes(32), lifetimeMs: 60_000, clock: { now: () => Date.now() } });
  const uploads: { path: string; body: string }[] = [];
  const files: Record<string, string> = { '/fw.bin': FW, '/site.cfg': CFG, '/bad-fw.bin': 'garbage\n' };
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const auth = req.headers.authorization ? parseAuthorization(req.headers.authorization) : null;
    const okAuth = auth?.scheme === 'Digest' && auth.params['username'] === 'fw' && nonces.check(auth.params['nonce'] ?? '') === 'ok'
      && verifyDigest(auth.params, { password: 'fwpass', method: req.method ?? 'GET', realm: 'files' });
    if (!okAuth) {
      res.writeHead(401, { 'WWW-Authenticate': formatChallenge({ scheme: 'Digest', realm: 'files', nonce: nonces.issue(), qop: ['auth'] }), 'Content-Length': '0' });
      res.end();
      return;
    }
    if (req.method === 'PUT' && req.url?.startsWith('/up/')) {
      uploads.push({ path: req.url, body: Buffer.concat(chunks).toString() });
      res.writeHead(201, { 'Content-Length': '0' });
      res.end();
      return;
    }
    const body = files[req.url ?? ''];
    res.writeHead(body === undefined ? 404 : 200, { 'Content-Length': String(body?.length ?? 0) });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, uploads };
}

async function setup(t: TestContext, acsOpts: ScriptedAcsOptions = {}, phoneOpts: Partial<SimPhoneOptions> = {}) {
  const tls = testTls();
  const acs = await new ScriptedAcs({ tls, credentials: { boot: 'strap' }, ...acsOpts }).start();
  t.after(() => acs.stop());
  const phone: SimPhone = await startPhone({ model: 'tr181', serial: 'SIM0001', acsUrl: acs.url, ca: tls.ca, username: 'boot', password: 'strap', ...phoneOpts });
  t.after(() => phone.stop());
  const files = await fileServer(t);
  return { acs, phone, files };
}

function download(url: string, over: Partial<Download> = {}): Download {
  return {
    method: 'Download', commandKey: 'fw-1', fileType: '1 Firmware Upgrade Image', url, username: 'fw', password: 'fwpass',
    fileSize: FW.length, targetFileName: '', delaySeconds: 0, successUrl: '', failureUrl: '', ...over,
  };
}

test('firmware Download: Status 1, then download, reboot, BOOT + 7 TRANSFER COMPLETE + M Download, TransferComplete 0', async (t) => {
  const { acs, phone, files } = await setup(t);
  acs.queue('SIM0001', download(`${files.base}/fw.bin`));
  const first = await phone.boot();
  assert.equal(acs.sessions[0]!.exchanges[0]!.response.method, 'DownloadResponse');
  assert.equal((acs.sessions[0]!.exchanges[0]!.response as { status: number }).status, 1);
  assert.ok(first.ok);
  const next = await phone.waitForSession(() => true, 5000, 1);
  assert.deepEqual(next.events, ['1 BOOT', '7 TRANSFER COMPLETE', 'M Download']);
  const s = acs.sessions[1]!;
  assert.deepEqual(s.inform.events.find((e) => e.code === 'M Download'), { code: 'M Download', commandKey: 'fw-1' });
  const tc = s.cpeRequests[0] as TransferComplete;
  assert.equal(tc.method, 'TransferComplete');
  assert.deepEqual([tc.commandKey, tc.fault.code], ['fw-1', 0]);
  assert.equal(s.inform.parameters.find((p) => p.name === 'Device.DeviceInfo.SoftwareVersion')?.value, '1.2.4');
  assert.equal(phone.softwareVersion, '1.2.4');
  assert.deepEqual(next.transcript.slice(0, 5).map((e) => `${e.from}:${e.method}`),
    ['cpe:Inform', 'acs:HTTP 401', 'acs:InformResponse', 'cpe:TransferComplete', 'acs:TransferCompleteResponse']);
  const third = await phone.session();
  assert.deepEqual(third.events, ['2 PERIODIC'], 'transfer events delivered once acknowledged');
});

test('failed downloads report the fault: size 9017, missing file 9016, bad credentials 9012, not a firmware 9018', async (t) => {
  const { acs, phone, files } = await setup(t);
  const cases: [Download, number][] = [
    [download(`${files.base}/fw.bin`, { commandKey: 'size', fileSize: 9999 }), 9017],
    [download(`${files.base}/nope.bin`, { commandKey: 'missing', fileSize: 0 }), 9016],
    [download(`${files.base}/fw.bin`, { commandKey: 'creds', password: 'bad' }), 9012],
    [download(`${files.base}/bad-fw.bin`, { commandKey: 'corrupt', fileSize: 0 }), 9018],
  ];
  await phone.boot();
  for (const [req, code] of cases) {
    acs.queue('SIM0001', req);
    const before = phone.sessionCount;
    await phone.session('6 CONNECTION REQUEST');
    const rec = await phone.waitForSession((s) => s.events.includes('7 TRANSFER COMPLETE'), 5000, before);
    assert.ok(!rec.events.includes('1 BOOT'), 'no reboot on failure');
    const tc = acs.sessions.at(-1)!.cpeRequests[0] as TransferComplete;
    assert.deepEqual([tc.commandKey, tc.fault.code], [req.commandKey, code]);
  }
  assert.equal(phone.softwareVersion, '1.2.3');
});

test('injected transfer faults (9010) and the noTransferComplete quirk', async (t) => {
  const { acs, phone, files } = await setup(t);
  phone.injectTransferFault(9010);
  acs.queue('SIM0001', download(`${files.base}/fw.bin`));
  await phone.boot();
  await phone.waitForSession(() => true, 5000, 1);
  assert.equal((acs.sessions[1]!.cpeRequests[0] as TransferComplete).fault.code, 9010);

  const silent = await setup(t, {}, { serial: 'SIM0002', quirks: { noTransferComplete: true } });
  silent.acs.queue('SIM0002', download(`${silent.files.base}/fw.bin`));
  await silent.phone.boot();
  const next = await silent.phone.waitForSession(() => true, 5000, 1);
  assert.deepEqual(next.events, ['1 BOOT'], 'reboots into the new firmware without telling');
  assert.equal(silent.acs.sessions[1]!.cpeRequests.length, 0);
  assert.equal(silent.phone.softwareVersion, '1.2.4');
});

test('a vendor configuration file is applied; an Upload PUTs the configuration', async (t) => {
  const { acs, phone, files } = await setup(t);
  acs.queue('SIM0001',
    download(`${files.base}/site.cfg`, { commandKey: 'cfg', fileType: '3 Vendor Configuration File', fileSize: CFG.length }),
    { method: 'Upload', commandKey: 'up-1', fileType: '1 Vendor Configuration File', url: `${files.base}/up/SIM0001.cfg`, username: 'fw', password: 'fwpass', delaySeconds: 0 });
  await phone.boot();
  await phone.waitForSession((s) => s.events.includes('M Upload'), 5000, 1);
  assert.equal(phone.get('Device.ManagementServer.PeriodicInformInterval'), '900');
  assert.equal(phone.get('Device.Time.NTPServer1'), 'ntp.site.test');
  assert.equal(files.uploads.length, 1);
  assert.match(files.uploads[0]!.body, /^Device\.ManagementServer\.PeriodicInformInterval=900$/m);
  assert.doesNotMatch(files.uploads[0]!.body, /Password=/, 'hidden values never leave the phone');
  const reported = acs.sessions.flatMap((s) => s.cpeRequests) as TransferComplete[];
  assert.deepEqual(reported.map((r) => [r.commandKey, r.fault.code]).sort(), [['cfg', 0], ['up-1', 0]]);
});

test('HoldRequests keeps TransferComplete back until a session without it', async (t) => {
  const { acs, phone, files } = await setup(t, { holdRequests: true });
  acs.queue('SIM0001', download(`${files.base}/site.cfg`, { commandKey: 'cfg', fileType: '3 Vendor Configuration File', fileSize: 0 }));
  await phone.boot();
  const held = await phone.waitForSession(() => true, 5000, 1);
  assert.ok(held.events.includes('7 TRANSFER COMPLETE'));
  assert.equal(acs.sessions[1]!.cpeRequests.length, 0, 'held: no TransferComplete');
  const acs2 = await new ScriptedAcs({ tls: testTls(), credentials: { boot: 'strap' } }).start();
  t.after(() => acs2.stop());
  phone.state.set('Device.ManagementServer.URL', acs2.url);
  const rec = await phone.session();
  assert.ok(rec.events.includes('7 TRANSFER COMPLETE') && rec.events.includes('M Download'), 'still pending');
  assert.equal((acs2.sessions[0]!.cpeRequests[0] as TransferComplete).commandKey, 'cfg');
});

test('ScheduleDownload runs at WindowStart; CancelTransfer works while queued and faults 9021 after', async (t) => {
  const clock = new FakeClock();
  const { acs, phone, files } = await setup(t, {}, { clock });
  acs.queue('SIM0001',
    { method: 'ScheduleDownload', commandKey: 'sd-1', fileType: '1 Firmware Upgrade Image', url: `${files.base}/fw.bin`, username: 'fw', password: 'fwpass', fileSize: 0, targetFileName: '',
      timeWindows: [{ windowStart: 60, windowEnd: 3600, windowMode: '1 At Any Time', userMessage: '', maxRetries: 0 }] },
    download(`${files.base}/fw.bin`, { commandKey: 'later', delaySeconds: 600 }));
  await phone.boot();
  acs.queue('SIM0001', { method: 'CancelTransfer', commandKey: 'later' });
  await phone.session('6 CONNECTION REQUEST');
  assert.equal(acs.sessions[1]!.exchanges[0]!.response.method, 'CancelTransferResponse');
  clock.advance(60_000);
  const rec = await phone.waitForSession((s) => s.events.includes('M ScheduleDownload'), 5000, 2);
  assert.deepEqual(rec.events, ['1 BOOT', '7 TRANSFER COMPLETE', 'M ScheduleDownload']);
  acs.queue('SIM0001', { method: 'CancelTransfer', commandKey: 'sd-1' });
  await phone.session('6 CONNECTION REQUEST');
  assert.equal((acs.sessions.at(-1)!.exchanges[0]!.response as Fault).code, 9021);
  clock.advance(600_000);
  await new Promise((r) => setImmediate(r));
  assert.equal(phone.pendingTransfers, 0, 'the cancelled download never ran');
});
