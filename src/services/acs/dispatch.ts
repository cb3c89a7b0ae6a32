// Sending the device's queued tasks one at a time, applying the answers, and ending sessions.

import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { buildAcsRequest, isAcsRpcMethod } from '../../protocols/cwmp/requests.ts';
import type { AcsRequest, CpeResponse, CwmpEnvelope, Fault } from '../../protocols/cwmp/types.ts';
import { OutpostError, isOutpostError } from '../../core/errors.ts';
import type { TaskRow } from '../../store/tasks.ts';
import { afterSend, type InFlight } from './session.ts';
import type { LiveSession } from './sessions.ts';
import type { Engine, Reply } from './engine.ts';
import { applyFault, applyResponse, backoff, type ApplyContext } from './results.ts';
import { xmlReply } from './cwmp.ts';
import { rotationRequest } from './credentials.ts';
import { nextProvisioningRequest, applyProvisioningAnswer, PROVISIONING_ID_PREFIX } from './provision.ts';

const iso = (e: Engine) => new Date(e.clock.now()).toISOString();

// §1.9 step 5: only use features of the negotiated version.
const MIN_VERSION: Partial<Record<string, number>> = { ScheduleDownload: 1.2, CancelTransfer: 1.2 };

/** Build the wire request for a task: firmware files and upload tokens become ACS URLs. */
function requestFor(e: Engine, s: LiveSession, task: TaskRow): AcsRequest {
  if (!isAcsRpcMethod(task.method)) throw new OutpostError('ACS_TASK_INVALID', `unknown RPC ${task.method}`);
  const min = MIN_VERSION[task.method];
  if (min !== undefined && Number(s.version) < min) {
    throw new OutpostError('ACS_TASK_INVALID', `${task.method} needs CWMP ${min.toFixed(1)}; this device speaks ${s.version}`);
  }
  const req = buildAcsRequest(task.method, task.args);
  if ((req.method === 'Download' || req.method === 'ScheduleDownload') && typeof task.args.file === 'string') {
    const file = task.args.file;
    let size: number;
    try {
      size = statSync(join(e.firmwareDir, file)).size;
    } catch {
      throw new OutpostError('ACS_FILE_NOT_FOUND', `firmware/${file}`);
    }
    req.url = `${e.baseUrl}files/firmware/${encodeURIComponent(file)}`;
    req.fileSize = size;
  }
  if (req.method === 'Upload' && req.url === '') {
    const token = randomBytes(16).toString('hex');
    e.repos.transfers.createUpload({ token, deviceId: s.deviceId, taskId: task.id, fileType: req.fileType, at: iso(e) });
    req.url = `${e.baseUrl}files/uploads/${token}`;
  }
  return req;
}

/** Send the next queued task, or end the session with 204 when there is none. */
export async function sendNext(e: Engine, s: LiveSession): Promise<Reply> {
  if (s.rotation === 'due') {
    s.rotation = 'sent';
    const req = await e.store.commit(() => rotationRequest(e, s));
    return sendRequest(e, s, req, { taskId: null, method: req.method, id: `cred-${Date.now().toString(36)}`, sentAt: e.clock.now() });
  }
  const planned = await nextProvisioningRequest(e, s);
  if (planned) {
    return sendRequest(e, s, planned, { taskId: null, method: planned.method, id: `${PROVISIONING_ID_PREFIX}${s.rpcs + 1}`, sentAt: e.clock.now() });
  }
  for (;;) {
    const task = e.repos.tasks.next(s.deviceId, e.clock.now());
    if (!task) {
      await endSession(e, s, 'ok');
      return { status: 204, headers: {}, body: '' };
    }
    let req: AcsRequest;
    try {
      req = await e.store.commit(() => {
        const r = requestFor(e, s, task);
        e.repos.tasks.markSent(task.id, s.id, iso(e));
        return r;
      });
    } catch (err) {
      if (!isOutpostError(err)) throw err;
      await e.store.commit(() => e.repos.tasks.finish(task.id, 'failed', { error: err.toJSON() }, iso(e)));
      continue;
    }
    return sendRequest(e, s, req, { taskId: task.id, method: req.method, id: `t${task.id}.${task.attempts + 1}`, sentAt: e.clock.now() });
  }
}

function sendRequest(e: Engine, s: LiveSession, req: AcsRequest, inFlight: InFlight): Reply {
  s.state = afterSend(inFlight);
  s.sent = req;
  s.rpcs++;
  e.sessions.awaitResponse(s, e.cfg.requestTimeout);
  e.metrics.counter('outpost_acs_rpcs_total', 'RPCs sent to CPEs').inc({ method: req.method });
  if (s.hold && !e.repos.tasks.hasQueued(s.deviceId)) s.hold = false;
  return xmlReply({ namespace: s.namespace, header: { id: inFlight.id, ...(s.hold ? { holdRequests: true } : {}) }, body: req });
}

function applyCtx(e: Engine, s: LiveSession): ApplyContext {
  return { repos: e.repos, deviceId: s.deviceId, sessionId: s.id, at: iso(e), now: e.clock.now(),
    maxRetries: e.cfg.tasks.maxRetries, backoffBase: e.cfg.tasks.backoffBase };
}

/** Store the CPE's answer to the request in flight (before the next message goes out). */
export async function applyAnswer(e: Engine, s: LiveSession, f: InFlight, env: CwmpEnvelope): Promise<void> {
  const sent = s.sent;
  s.sent = null;
  if (env.header.id !== undefined && env.header.id !== f.id) {
    e.logBad.warn({ deviceId: s.deviceId, expected: f.id, got: env.header.id }, 'cwmp:ID of the response does not match the request');
  }
  if (f.taskId === null && f.id.startsWith(PROVISIONING_ID_PREFIX) && sent) {
    await applyProvisioningAnswer(e, s, sent, env);
    return;
  }
  const c = applyCtx(e, s);
  await e.store.commit(() => {
    const task = f.taskId === null ? null : e.repos.tasks.get(f.taskId);
    if (env.body.method === 'Fault') {
      if (f.taskId === null && s.rotation === 'sent') s.rotation = 'none'; // retried next session
      const outcome = applyFault(c, task, f.method, env.body as Fault);
      e.metrics.counter('outpost_acs_cpe_faults_total', 'Faults returned by CPEs').inc({ method: f.method, code: String((env.body as Fault).code) });
      e.log.info({ deviceId: s.deviceId, method: f.method, code: (env.body as Fault).code, outcome }, 'CPE fault');
      return;
    }
    if (f.taskId === null && s.rotation === 'sent') {
      // The phone installed its new credentials: they are the ones to check from now on.
      e.repos.devices.promotePending(s.deviceId);
      s.rotation = 'none';
      if (sent?.method === 'SetParameterValues') e.repos.parameters.setValues(s.deviceId, sent.parameterList, c.at);
      return;
    }
    const result = sent ? applyResponse(c, sent, env.body as CpeResponse) : {};
    if (task) e.repos.tasks.finish(task.id, 'done', result, c.at);
  });
}

/** The request in flight got no answer: back to the queue with back-off, or failed. */
export async function abandon(e: Engine, s: LiveSession, f: InFlight, reason: string): Promise<void> {
  s.sent = null;
  if (f.taskId === null) return;
  const id = f.taskId;
  await e.store.commit(() => {
    const task = e.repos.tasks.get(id);
    if (!task || task.status !== 'sent') return;
    const at = iso(e);
    if (task.attempts >= e.cfg.tasks.maxRetries) e.repos.tasks.finish(id, 'failed', { error: reason }, at);
    else e.repos.tasks.requeue(id, e.clock.now() + backoff(e.cfg.tasks.backoffBase, task.attempts), { error: reason }, at);
  });
}

/** End a session: requeue anything in flight, record the outcome. Idempotent. */
export async function endSession(e: Engine, s: LiveSession, outcome: string): Promise<void> {
  if (s.state.name === 'ended' && !e.sessions.all().includes(s)) return;
  const inFlight = s.state.name === 'acs-requests' ? s.state.inFlight : null;
  s.state = { name: 'ended', outcome };
  e.sessions.remove(s);
  if (inFlight) await abandon(e, s, inFlight, `session ended: ${outcome}`);
  await e.store.commit(() => e.repos.sessions.end(s.id, outcome, s.rpcs, iso(e)));
  e.metrics.counter('outpost_acs_sessions_total', 'CWMP sessions by outcome').inc({ outcome: outcome.split(':')[0]! });
  e.events.emit('acs.session.end', { deviceId: s.deviceId, sessionId: s.id, outcome });
}
