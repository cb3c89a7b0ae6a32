// Choosing the connection-request path that works (DESIGN: STUN and UDP connection requests;
// tr069-protocol.md §7.3, §8.11): HTTP when the phone is directly reachable, UDP (sent from the
// STUN port by services/stun, through events) when it sits behind NAT or HTTP fails. One
// request per device at a time, a minimum interval between them; the result and path recorded.

import { randomBytes, randomInt } from 'node:crypto';
import { buildUdpConnectionRequest } from '../../protocols/stun/udp-cr.ts';
import { StunBindingRepo } from '../../store/stun-bindings.ts';
import { httpConnectionRequest } from './connection-request.ts';
import type { Engine } from './engine.ts';

type Path = 'http' | 'udp' | 'none';
interface Outcome { ok: boolean; path: Path; detail: string }

/** Wait for an event matching `pred`, or time out. */
function waitFor<T>(e: Engine, subscribe: (fn: (p: T) => void) => () => void, pred: (p: T) => boolean, ms: number): Promise<T | null> {
  return new Promise((resolve) => {
    let off = () => {};
    const timer = e.clock.setTimeout(() => { off(); resolve(null); }, ms);
    off = subscribe((p) => { if (pred(p)) { timer.cancel(); off(); resolve(p); } });
  });
}

function behindNat(crUrl: string, remoteIp: string): boolean {
  try {
    return new URL(crUrl).hostname.replace(/^\[|\]$/g, '') !== remoteIp;
  } catch {
    return true;
  }
}

// §8.10 rule 2: a CPE drops a request whose ts is not newer than the last one it accepted, so two
// requests to one device within a second must still carry growing timestamps.
const lastTs = new Map<string, number>();

async function viaUdp(e: Engine, bindings: StunBindingRepo, deviceId: string, username: string, password: string): Promise<Outcome | null> {
  const b = bindings.byDevice(deviceId);
  if (!b) return null;
  const requestId = randomBytes(8).toString('hex');
  const ts = Math.max(Math.floor(e.clock.now() / 1000), (lastTs.get(deviceId) ?? 0) + 1);
  lastTs.set(deviceId, ts);
  const message = buildUdpConnectionRequest({
    host: b.address, port: b.port, ts, id: randomInt(1, 2 ** 31),
    username, cnonce: randomBytes(8).toString('hex'), password,
  });
  const session = waitFor<{ deviceId: string }>(e, (fn) => e.events.on('acs.session.start', fn), (p) => p.deviceId === deviceId, e.cfg.connectionRequest.timeout * 3);
  const sent = waitFor<{ requestId: string; ok: boolean; detail: string }>(e, (fn) => e.events.on('stun.cr.result', fn), (p) => p.requestId === requestId, e.cfg.connectionRequest.timeout * 2);
  e.events.emit('stun.cr.send', { requestId, deviceId, host: b.address, port: b.port, message });
  const s = await sent;
  if (!s) return { ok: false, path: 'udp', detail: 'STUN service did not send the UDP connection request' };
  if (!s.ok) return { ok: false, path: 'udp', detail: s.detail };
  // A UDP request has no answer: it worked when the phone opens its session (§8.3).
  const started = await session;
  return started ? { ok: true, path: 'udp', detail: `UDP to ${b.address}:${b.port}; session started` }
    : { ok: false, path: 'udp', detail: `UDP to ${b.address}:${b.port}; no session followed` };
}

async function connect(e: Engine, bindings: StunBindingRepo, deviceId: string): Promise<Outcome> {
  const dev = e.repos.devices.get(deviceId);
  if (!dev) return { ok: false, path: 'none', detail: 'unknown device' };
  if (e.sessions.byDevice(deviceId)) return { ok: true, path: 'none', detail: 'a session is already open; the task goes in it' };
  const cr = e.repos.devices.crCredentials(deviceId)!;
  const natted = behindNat(cr.url, dev.remoteIp);
  if (natted) {
    const udp = await viaUdp(e, bindings, deviceId, cr.username, cr.password);
    if (udp?.ok) return udp;
  }
  const http = await httpConnectionRequest(cr.url, cr.username, cr.password, e.cfg.connectionRequest.timeout);
  if (http.ok) return { ok: true, path: 'http', detail: http.detail };
  if (!natted && http.unreachable) {
    const udp = await viaUdp(e, bindings, deviceId, cr.username, cr.password);
    if (udp) return udp.ok ? udp : { ...udp, detail: `HTTP: ${http.detail}; ${udp.detail}` };
  }
  return { ok: false, path: 'http', detail: http.detail };
}

export function startConnectionRequests(e: Engine): () => void {
  const bindings = new StunBindingRepo(e.store);
  const inFlight = new Set<string>();
  const last = new Map<string, number>();
  const count = e.metrics.counter('outpost_acs_connection_requests_total', 'Connection requests by path and result');
  // §7.3: no new request until the previous one produced an Inform or minInterval passed.
  const offSession = e.events.on('acs.session.start', ({ deviceId }) => { last.delete(deviceId); });
  const off = e.events.on('acs.cr.request', ({ requestId, deviceId }) => {
    const reply = (o: Outcome) => e.events.emit('acs.cr.result', { requestId, deviceId, ...o });
    const now = e.clock.now();
    if (inFlight.has(deviceId)) return reply({ ok: false, path: 'none', detail: 'a connection request to this device is already in progress' });
    const prev = last.get(deviceId);
    if (prev !== undefined && now - prev < e.cfg.connectionRequest.minInterval) {
      return reply({ ok: false, path: 'none', detail: `rate limited: last request ${now - prev} ms ago` });
    }
    inFlight.add(deviceId);
    last.set(deviceId, now);
    void connect(e, bindings, deviceId).catch((err: unknown) => ({ ok: false, path: 'none' as Path, detail: (err as Error).message })).then(async (o) => {
      inFlight.delete(deviceId);
      count.inc({ path: o.path, result: o.ok ? 'ok' : 'failed' });
      await e.store.commit(() => e.repos.devices.recordCr(deviceId, new Date(e.clock.now()).toISOString(), `${o.ok ? 'ok' : 'failed'} via ${o.path}: ${o.detail}`));
      e.log.info({ deviceId, ...o }, 'connection request');
      reply(o);
    });
  });
  return () => { off(); offSession(); };
}
