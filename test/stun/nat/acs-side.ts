// NAT test helper, run inside namespace opst-acs: boots Outpost (STUN, and with `acs` the ACS
// too, on the "public" address), reports 'stun.binding' / 'stun.cr.result' / ACS sessions and
// connection-request results, and on command tries an HTTP connect to the phone, asks the STUN
// service to send a UDP connection request, or asks the ACS for a connection request.
// argv[2]: JSON { host, stateDir, stunUsername, stunPassword, deviceId?, crUsername?, crPassword?, acs?: { bootstrapUser, bootstrapPassword } }.
// Without `acs` the device row and its STUN credentials are made here; with it the device is
// created by its BOOTSTRAP Inform and the STUN credentials are stored when its first session starts
// (standing in for the ACS provisioning STUNUsername/STUNPassword, §8.2).
import net from 'node:net';
import { createApp } from '../../../src/app.ts';
import { parseConfig } from '../../../src/core/config/load.ts';
import { createLogger } from '../../../src/core/log.ts';
import { StunBindingRepo } from '../../../src/store/stun-bindings.ts';
import { buildUdpConnectionRequest } from '../../../src/protocols/stun/udp-cr.ts';
import '../../../src/services/stun/events.ts';
import { emit, onCommand } from './lines.ts';

interface Opts {
  host: string; stateDir: string; stunUsername: string; stunPassword: string;
  deviceId?: string; crUsername?: string; crPassword?: string;
  acs?: { bootstrapUser: string; bootstrapPassword: string };
}
const o = JSON.parse(process.argv[2]!) as Opts;
const acsYaml = o.acs ? `acs:
  listen: { host: ${o.host}, port: 7547 }
  auth: { bootstrap: { username: ${o.acs.bootstrapUser}, password: ${o.acs.bootstrapPassword} } }
  connectionRequest: { timeout: 2s, minInterval: 0s }` : 'acs: { enabled: false }';
const config = parseConfig(`site: { id: nat-test, domain: nat.test }
stateDir: ${o.stateDir}
log: { level: warn }
${acsYaml}
api: { enabled: false }
stun:
  enabled: true
  listen: { host: ${o.host}, port: 3478 }
  requireIntegrity: cr-binding
  connectionRequest: { schedule: ['0s', '200ms', '500ms'] }
`, 'nat-test');
const app = createApp({ config, log: createLogger({ level: 'warn', sink: { write: (l) => process.stderr.write(l) } }) });
const repo = new StunBindingRepo(app.store);
let deviceId = o.deviceId ?? '';
if (!o.acs) {
  app.store.db.prepare('INSERT INTO devices (id, oui, product_class, serial, first_seen) VALUES (?, ?, ?, ?, ?)')
    .run(deviceId, 'OPST', 'Phone', deviceId, new Date().toISOString());
  await repo.setCredentials(deviceId, o.stunUsername, o.stunPassword);
}
let caFile: string | null = null;
app.events.on('acs.listening', (a) => { caFile = a.caFile; });
app.events.on('acs.session.start', (s) => {
  emit({ type: 'session-start', deviceId: s.deviceId, events: s.events, at: Date.now() });
  if (o.acs && !deviceId) {
    deviceId = s.deviceId;
    void repo.setCredentials(deviceId, o.stunUsername, o.stunPassword).then(() => emit({ type: 'device', deviceId }));
  }
});
app.events.on('acs.cr.result', (r) => emit({ type: 'acs-cr-result', ...r, at: Date.now() }));
app.events.on('stun.binding', (b) => emit({ type: 'binding', ...b }));
app.events.on('stun.cr.result', (r) => emit({ type: 'cr-result', ...r }));
await app.start();

function tryHttp(host: string, port: number, timeoutMs: number): Promise<{ ok: boolean; error: string | null }> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const done = (ok: boolean, error: string | null) => { s.destroy(); resolve({ ok, error }); };
    s.setTimeout(timeoutMs, () => done(false, `timed out after ${timeoutMs} ms`));
    s.once('connect', () => done(true, null));
    s.once('error', (e) => done(false, e.message));
  });
}

onCommand(async (cmd) => {
  if (cmd.cmd === 'http') {
    emit({ type: 'http', ...(await tryHttp(String(cmd.host), Number(cmd.port), Number(cmd.timeoutMs))) });
  } else if (cmd.cmd === 'cr') {
    const b = repo.byDevice(deviceId);
    const host = String(cmd.host ?? b?.address), port = Number(cmd.port ?? b?.port);
    const message = buildUdpConnectionRequest({ host, port, ts: Number(cmd.ts), id: Number(cmd.id), username: o.crUsername!, cnonce: `cn${String(cmd.id)}`, password: o.crPassword! });
    app.events.emit('stun.cr.send', { requestId: String(cmd.requestId), deviceId, host, port, message });
  } else if (cmd.cmd === 'acs-cr') {
    emit({ type: 'acs-cr-sent', at: Date.now() });
    app.events.emit('acs.cr.request', { requestId: String(cmd.requestId), deviceId });
  } else if (cmd.cmd === 'stored') {
    emit({ type: 'stored', binding: repo.byDevice(deviceId) });
  } else if (cmd.cmd === 'stop') {
    await app.stop();
    emit({ type: 'stopped' });
    process.exit(0);
  }
});
emit({ type: 'ready', caFile, acsUrl: o.acs ? `https://${o.host}:7547/` : null });
