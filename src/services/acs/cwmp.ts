// The CWMP engine: one POST in, one HTTP reply out. Classifies the message, finds or starts the
// session, runs the state machine (session.ts) and carries out its decision. Everything a reply
// acknowledges is committed to the store first (DESIGN: acknowledge only what is durable).

import { parseEnvelope, isEmptyBody } from '../../protocols/cwmp/parse.ts';
import { serializeEnvelope } from '../../protocols/cwmp/serialize.ts';
import { negotiateVersion, deviceIdString } from '../../protocols/cwmp/version.ts';
import { ACS_SUPPORTED_CPE_METHODS, type CwmpEnvelope, type Inform, type CwmpBody, type CwmpNamespace } from '../../protocols/cwmp/types.ts';
import { isOutpostError } from '../../core/errors.ts';
import { transition, type SessionInput } from './session.ts';
import { sessionCookie, type LiveSession } from './sessions.ts';
import { informFacts, hasEvent, rootOf } from './inform.ts';
import { candidatesFor, rotationDue } from './credentials.ts';
import type { Engine, Incoming, Reply } from './engine.ts';
import { sendNext, applyAnswer, abandon, endSession } from './dispatch.ts';

export const COOKIE = 'outpost_session';

const CPE_REQUESTS = new Set(['Inform', 'TransferComplete', 'AutonomousTransferComplete', 'RequestDownload', 'GetRPCMethods', 'Unknown']);

export function xmlReply(env: CwmpEnvelope, extra: Record<string, string> = {}): Reply {
  return { status: 200, headers: { 'content-type': 'text/xml; charset="utf-8"', ...extra }, body: serializeEnvelope(env) };
}

export function badRequest(reason: string, code: string): Reply {
  return { status: 400, headers: { 'content-type': 'text/plain; charset=utf-8', connection: 'close' }, body: `${code}: ${reason}\n` };
}

/** Handle one POST on the ACS URL. */
export async function handlePost(e: Engine, req: Incoming): Promise<Reply> {
  let env: CwmpEnvelope | null = null;
  if (!isEmptyBody(req.body)) {
    try {
      env = parseEnvelope(req.body, { maxBytes: e.cfg.maxBodyBytes, ...(req.charset ? { charset: req.charset } : {}) });
    } catch (err) {
      if (!isOutpostError(err)) throw err;
      e.metrics.counter('outpost_acs_bad_messages_total', 'CWMP messages refused as malformed or hostile').inc({ code: err.code });
      e.logBad.warn({ code: err.code, remoteIp: req.remoteIp, detail: err.detail }, 'CWMP message refused');
      const s = e.sessions.find(sessionCookie(req.cookie, COOKIE), req.socket);
      if (s) await endSession(e, s, `error: ${err.code}`);
      return badRequest(err.message, err.code);
    }
  }
  if (env?.body.method === 'Inform') return startSession(e, req, env as CwmpEnvelope<Inform>);
  const s = e.sessions.find(sessionCookie(req.cookie, COOKIE), req.socket);
  if (!s) {
    // Clients that probe for the challenge with an empty request first (curl --digest) get one.
    if (!env && !req.authorization) {
      const ch = e.auth.check({ authorization: undefined, method: 'POST', remoteIp: req.remoteIp, encrypted: req.encrypted }, []);
      if (!ch.ok) return { status: ch.status, headers: ch.headers, body: '' };
    }
    return badRequest('no session: a session starts with an Inform (stale or missing cookie)', 'ACS_BAD_SESSION');
  }
  // One message at a time per session, in arrival order.
  const run = s.busy.then(() => inSession(e, s, env));
  s.busy = run.then(() => undefined, () => undefined);
  return run;
}

async function inSession(e: Engine, s: LiveSession, env: CwmpEnvelope | null): Promise<Reply> {
  if (s.state.name === 'ended') return badRequest('session already ended', 'ACS_BAD_SESSION');
  e.sessions.touch(s);
  const input = classify(env);
  const { state, decision } = transition(s.state, input);
  s.state = state;
  switch (decision.do) {
    case 'reject':
      await endSession(e, s, `protocol error: ${decision.reason}`);
      return badRequest(decision.reason, 'ACS_BAD_SESSION');
    case 'answer':
      return answerCpeRequest(e, s, env!);
    case 'apply':
      e.sessions.responseArrived(s);
      await applyAnswer(e, s, decision.inFlight, env!);
      return sendNext(e, s);
    case 'abandon':
      e.sessions.responseArrived(s);
      await abandon(e, s, decision.inFlight, 'CPE sent an empty POST instead of a response');
      await endSession(e, s, 'abandoned by CPE');
      return { status: 204, headers: {}, body: '' };
    case 'send-next':
      return sendNext(e, s);
  }
}

function classify(env: CwmpEnvelope | null): SessionInput {
  if (!env) return { kind: 'empty' };
  const m = env.body.method;
  if (CPE_REQUESTS.has(m)) return { kind: 'cpe-request', method: m };
  return { kind: 'cpe-response', method: m, id: env.header.id };
}

async function startSession(e: Engine, req: Incoming, env: CwmpEnvelope<Inform>): Promise<Reply> {
  const inform = env.body;
  const deviceId = deviceIdString(inform.deviceId);
  const authState = e.repos.devices.authState(deviceId);
  const auth = e.auth.check({ authorization: req.authorization, method: 'POST', remoteIp: req.remoteIp, encrypted: req.encrypted }, candidatesFor(e, authState, hasEvent(inform, '0 BOOTSTRAP')));
  if (!auth.ok) {
    if (auth.failure) {
      e.metrics.counter('outpost_acs_auth_failures_total', 'CPE authentication failures').inc();
      e.logBad.warn({ deviceId, remoteIp: req.remoteIp, reason: auth.reason }, 'CPE authentication failed');
    }
    return { status: auth.status, headers: { ...auth.headers, ...(auth.close ? { connection: 'close' } : {}) }, body: '' };
  }
  const previous = e.sessions.byDevice(deviceId);
  if (!previous && e.sessions.size >= e.cfg.maxSessions) {
    e.metrics.counter('outpost_acs_sessions_refused_total', 'Sessions refused at the concurrency limit').inc();
    return { status: 503, headers: { 'retry-after': String(e.cfg.retryAfterSeconds) }, body: '' };
  }
  const v = negotiateVersion(env.namespace, env.header);
  if ('fault' in v) {
    return xmlReply({ namespace: env.namespace, header: idHeader(env), body: cwmpFault(8006, 'ACS version incompatible with CPE') });
  }
  // A fresh Inform supersedes whatever session this device had (stale cookie, reboot mid-session).
  if (previous) await endSession(e, previous, 'superseded by a new Inform');
  const idleMs = env.header.sessionTimeout ? Math.min(300_000, Math.max(e.cfg.idleTimeout, env.header.sessionTimeout * 1000)) : e.cfg.idleTimeout;
  const s = e.sessions.create({ deviceId, inform, root: rootOf(inform), namespace: env.namespace, version: v.version, remoteIp: req.remoteIp, socket: req.socket, idleMs, maxMs: e.cfg.maxSessionTime });
  s.auth = { scheme: auth.scheme, kind: auth.kind, encrypted: req.encrypted };
  const at = new Date(e.clock.now()).toISOString();
  const facts = informFacts(inform, { id: deviceId, cwmpVersion: v.version, remoteIp: req.remoteIp, at });
  try {
    await e.store.commit(() => {
      e.repos.devices.recordInform(facts);
      e.repos.sessions.start({ id: s.id, deviceId, at, remoteIp: req.remoteIp, cwmpVersion: v.version, events: inform.events.map((x) => x.code).join(',') });
      e.repos.events.add(deviceId, s.id, inform.events, inform.retryCount, at);
      e.repos.parameters.setValues(deviceId, inform.parameters, at);
      // The phone already uses its rotated credentials: our confirmation was lost; adopt them.
      if (auth.kind === 'pending') e.repos.devices.promotePending(deviceId);
    });
  } catch (err) {
    e.sessions.remove(s);
    e.log.error({ err, deviceId }, 'could not store Inform');
    // Not durable → not acknowledged: the CPE retries (fault 8005 "Retry request", §1.8).
    return xmlReply({ namespace: env.namespace, header: idHeader(env), body: cwmpFault(8005, 'Retry request') });
  }
  if (rotationDue(e, authState, auth.kind)) s.rotation = 'due';
  s.hold = e.cfg.holdRequests && e.repos.tasks.hasQueued(deviceId);
  e.metrics.counter('outpost_acs_informs_total', 'Informs accepted').inc();
  e.events.emit('acs.session.start', { deviceId, sessionId: s.id, events: inform.events.map((x) => x.code) });
  const header = { ...idHeader(env), ...(v.useVersionHeader ? { useVersion: v.useVersionHeader } : {}), ...(s.hold ? { holdRequests: true } : {}) };
  const cookie = `${COOKIE}=${s.id}; Path=/; HttpOnly${req.encrypted ? '; Secure' : ''}`;
  return xmlReply({ namespace: env.namespace, header, body: { method: 'InformResponse', maxEnvelopes: 1 } }, { 'set-cookie': cookie });
}

export function idHeader(env: CwmpEnvelope): { id?: string } {
  return env.header.id !== undefined ? { id: env.header.id } : {};
}

export function cwmpFault(code: number, message: string): CwmpBody {
  return { method: 'Fault', faultCode: code === 8003 ? 'Client' : 'Server', faultString: 'CWMP fault', code, string: message, setParameterValuesFaults: [] };
}

function respond(ns: CwmpNamespace, env: CwmpEnvelope, body: CwmpBody): Reply {
  return xmlReply({ namespace: ns, header: idHeader(env), body });
}

async function answerCpeRequest(e: Engine, s: LiveSession, env: CwmpEnvelope): Promise<Reply> {
  const b = env.body;
  const at = new Date(e.clock.now()).toISOString();
  switch (b.method) {
    case 'TransferComplete':
    case 'AutonomousTransferComplete': {
      const auto = b.method === 'AutonomousTransferComplete';
      // Stored before TransferCompleteResponse (§1.8); a retried message is recorded once.
      await e.store.commit(() => {
        e.repos.transfers.record({ deviceId: s.deviceId, commandKey: auto ? '' : b.commandKey, autonomous: auto,
          isDownload: auto ? b.isDownload : null, fileType: auto ? b.fileType : '', faultCode: b.fault.code,
          faultString: b.fault.string, startTime: b.startTime, completeTime: b.completeTime, receivedAt: at });
        if (!auto && b.fault.code !== 0) {
          e.repos.faults.add({ deviceId: s.deviceId, taskId: null, sessionId: s.id, method: 'TransferComplete', code: String(b.fault.code), message: b.fault.string, detail: { commandKey: b.commandKey }, at });
        }
      });
      e.events.emit('acs.transfer.complete', { deviceId: s.deviceId, commandKey: auto ? '' : b.commandKey, faultCode: b.fault.code });
      return respond(s.namespace, env, { method: auto ? 'AutonomousTransferCompleteResponse' : 'TransferCompleteResponse' });
    }
    case 'RequestDownload':
      await e.store.commit(() => e.repos.events.add(s.deviceId, s.id, [{ code: `RequestDownload ${b.fileType}`, commandKey: '' }], 0, at));
      return respond(s.namespace, env, { method: 'RequestDownloadResponse' });
    case 'GetRPCMethods':
      return respond(s.namespace, env, { method: 'GetRPCMethodsResponse', methods: [...ACS_SUPPORTED_CPE_METHODS] });
    default:
      // §3.2: any other CPE request is answered with fault 8000.
      return respond(s.namespace, env, cwmpFault(8000, `Method not supported: ${b.method === 'Unknown' ? b.name : b.method}`));
  }
}
