// The task queue against CPE faults, HoldRequests and session timeouts; connection requests
// that fail are recorded with the reason.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/core/clock.ts';
import { startOutpost, type Running } from '../helpers/outpost.ts';
import { RawCpe, inform, parse } from '../helpers/raw-cpe.ts';
import type { Fault } from '../../src/protocols/cwmp/types.ts';

let o: Running;
const clock = new FakeClock(Date.UTC(2026, 10, 1));
before(async () => { o = await startOutpost({ rotate: false, clock, acs: '  holdRequests: true\n  idleTimeout: 30s\n  tasks: { maxRetries: 3, backoffBase: 60s }' }); });
after(async () => { await o.stop(); });

const dev = (serial: string) => `00A1B2-TESTPHONE-${serial}`;
async function queue(serial: string, method: string, args: Record<string, unknown>): Promise<number> {
  const r = await o.api<{ task: { id: number } }>('POST', `/api/v1/devices/${dev(serial)}/tasks`, { method, args });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.task.id;
}
const task = async (id: number) => (await o.api<{ status: string; attempts: number; notBefore: number; result: Record<string, unknown> }>('GET', `/api/v1/tasks/${id}`)).body;

function fault(code: number, params: { name: string; code: number; string: string }[] = []): Fault {
  return { method: 'Fault', faultCode: 'Client', faultString: 'CWMP fault', code, string: `fault ${code}`, setParameterValuesFaults: params };
}

test('SetParameterValuesFault: recorded per parameter, task ends in fault; 9002 is retried after back-off', async () => {
  const c = new RawCpe(o.acsUrl, o.ca, o.bootstrap);
  assert.equal((await c.send(inform('FLT1', ['1 BOOT']))).status, 200);
  c.post(''); // (not awaited) nothing queued yet → 204
  await new Promise((r) => setTimeout(r, 50));
  const spv = await queue('FLT1', 'SetParameterValues', { parameterList: [
    { name: 'Device.Time.NTPServer1', value: 'bad host', type: 'xsd:string' },
    { name: 'Device.ManagementServer.PeriodicInformInterval', value: '60', type: 'xsd:unsignedInt' }] });
  const gpv = await queue('FLT1', 'GetParameterValues', { parameterNames: ['Device.DeviceInfo.'] });
  c.dropConnection();
  c.cookie = '';
  const r0 = await c.send(inform('FLT1', ['6 CONNECTION REQUEST']));
  assert.equal(parse(r0).header.holdRequests, true, 'HoldRequests while the ACS has tasks queued');
  const r1 = await c.post('');
  assert.equal(parse(r1).body.method, 'SetParameterValues');
  assert.equal(parse(r1).header.holdRequests, true);
  const r2 = await c.send(fault(9003, [{ name: 'Device.Time.NTPServer1', code: 9007, string: 'Invalid parameter value' }]), parse(r1).header.id);
  assert.equal(parse(r2).body.method, 'GetParameterValues', 'the queue goes on after a permanent fault');
  const r3 = await c.send(fault(9002), parse(r2).header.id);
  assert.equal(r3.status, 204);
  const t1 = await task(spv);
  assert.equal(t1.status, 'fault');
  assert.deepEqual((t1.result.fault as { parameters: unknown[] }).parameters, [{ name: 'Device.Time.NTPServer1', code: 9007, string: 'Invalid parameter value' }]);
  const t2 = await task(gpv);
  assert.equal(t2.status, 'queued', '9002 (internal error) is transient');
  assert.ok(t2.notBefore > clock.now(), 'retry waits for its back-off');
  const d = await o.api<{ faults: { code: string; method: string; detail: unknown }[] }>('GET', `/api/v1/devices/${dev('FLT1')}`);
  assert.deepEqual(d.body.faults.map((f) => f.code).sort(), ['9002', '9003']);
  // Before the back-off expires the next session does not resend it; after it, it does.
  c.cookie = '';
  await c.send(inform('FLT1', ['2 PERIODIC']));
  assert.equal((await c.post('')).status, 204);
  clock.advance(3 * 60_000);
  c.cookie = '';
  await c.send(inform('FLT1', ['2 PERIODIC']));
  assert.equal(parse(await c.post('')).body.method, 'GetParameterValues');
  c.close();
});

test('idle timeout ends a silent session and requeues its request', async () => {
  const c = new RawCpe(o.acsUrl, o.ca, o.bootstrap);
  await c.send(inform('IDLE1', ['1 BOOT']));
  await c.post('');
  const id = await queue('IDLE1', 'Reboot', { commandKey: 'idle' });
  c.cookie = '';
  await c.send(inform('IDLE1', ['6 CONNECTION REQUEST']));
  assert.equal(parse(await c.post('')).body.method, 'Reboot');
  clock.advance(31_000); // the CPE never answers
  await new Promise((r) => setTimeout(r, 50));
  const t = await task(id);
  assert.equal(t.status, 'queued');
  const late = await c.send({ method: 'RebootResponse' });
  assert.equal(late.status, 400, 'the timed-out session is gone');
  const d = await o.api<{ sessions: { outcome: string }[] }>('GET', `/api/v1/devices/${dev('IDLE1')}`);
  assert.match(d.body.sessions[0]!.outcome, /timeout/);
  c.close();
});

test('connection request to an unreachable phone fails with the reason recorded', async () => {
  const c = new RawCpe(o.acsUrl, o.ca, o.bootstrap);
  await c.send(inform('CR1', ['1 BOOT'])); // ConnectionRequestURL http://127.0.0.1:1/cr: nothing listens
  await c.post('');
  c.close();
  const r = await o.api<{ connectionRequest: { ok: boolean; path: string; detail: string } }>('POST', `/api/v1/devices/${dev('CR1')}/tasks`, { method: 'GetRPCMethods', connectionRequest: true });
  assert.equal(r.status, 201);
  assert.equal(r.body.connectionRequest.ok, false);
  assert.match(r.body.connectionRequest.detail, /ECONNREFUSED|refused/i);
  const d = await o.api<{ device: { lastCrResult: string } }>('GET', `/api/v1/devices/${dev('CR1')}`);
  assert.match(d.body.device.lastCrResult, /^failed via http/);
});

test('an invalid task is refused with the field named, nothing queued', async () => {
  const c = new RawCpe(o.acsUrl, o.ca, o.bootstrap);
  await c.send(inform('BADTASK', ['1 BOOT']));
  await c.post('');
  c.close();
  const r = await o.api<{ code: string; message: string }>('POST', `/api/v1/devices/${dev('BADTASK')}/tasks`, { method: 'AddObject', args: { objectName: 'Device.X' } });
  assert.equal(r.status, 400);
  assert.equal(r.body.code, 'ACS_TASK_INVALID');
  assert.match(r.body.message, /objectName/);
  const u = await o.api<{ code: string }>('POST', `/api/v1/devices/${dev('BADTASK')}/tasks`, { method: 'Frobnicate' });
  assert.equal(u.body.code, 'ACS_TASK_INVALID');
  const list = await o.api<{ items: unknown[] }>('GET', `/api/v1/devices/${dev('BADTASK')}/tasks`);
  assert.equal(list.body.items.length, 0);
});

test('API: no token → 401; secrets in task arguments are masked', async () => {
  const res = await fetch(new URL('/api/v1/devices', o.apiUrl));
  assert.equal(res.status, 401);
  const c = new RawCpe(o.acsUrl, o.ca, o.bootstrap);
  await c.send(inform('MASK1', ['1 BOOT']));
  await c.post('');
  const id = await queue('MASK1', 'SetParameterValues', { parameterList: [{ name: 'Device.Services.VoiceService.1.SIP.Client.1.AuthPassword', value: 'hunter2-secret' }] });
  const shown = await o.api('GET', `/api/v1/tasks/${id}`);
  assert.ok(!JSON.stringify(shown.body).includes('hunter2-secret'));
  const row = o.app.store.db.prepare('SELECT args FROM tasks WHERE id = ?').get(id) as { args: string };
  assert.ok(!row.args.includes('hunter2-secret'), 'sealed at rest');
  c.cookie = '';
  await c.send(inform('MASK1', ['6 CONNECTION REQUEST']));
  const sent = await c.post('');
  assert.match(sent.body, /hunter2-secret/, 'the phone gets the real value');
  c.close();
});

test('9005 (invalid parameter name) is a permanent fault recorded on the device; the server goes on', async () => {
  const c = new RawCpe(o.acsUrl, o.ca, o.bootstrap);
  await c.send(inform('F9005', ['1 BOOT']));
  await c.post('');
  const id = await queue('F9005', 'GetParameterValues', { parameterNames: ['Device.No.Such.Thing'] });
  c.cookie = '';
  await c.send(inform('F9005', ['6 CONNECTION REQUEST']));
  const req = parse(await c.post(''));
  assert.equal(req.body.method, 'GetParameterValues');
  assert.equal((await c.send(fault(9005), req.header.id)).status, 204);
  const t = await task(id);
  assert.equal(t.status, 'fault');
  assert.equal((t.result.fault as { code: number }).code, 9005);
  const d = await o.api<{ faults: { code: string; method: string }[] }>('GET', `/api/v1/devices/${dev('F9005')}`);
  assert.deepEqual(d.body.faults.map((f) => [f.code, f.method]), [['9005', 'GetParameterValues']]);
  c.close();
});
