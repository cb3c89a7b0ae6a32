// NAT test helper, run inside namespace opst-acs: boots Outpost (STUN on the "public" address),
// stores STUN credentials for the phone, reports 'stun.binding' / 'stun.cr.result', and on
// command tries an HTTP connect to the phone or asks the STUN service to send a UDP connection
// request. argv[2]: JSON { stunHost, stateDir, deviceId, stunUsername, stunPassword, crUsername, crPassword }.
import net from 'node:net';
import { createApp } from '../../../src/app.ts';
import { parseConfig } from '../../../src/core/config/load.ts';
import { createLogger } from '../../../src/core/log.ts';
import { StunBindingRepo } from '../../../src/store/stun-bindings.ts';
import { buildUdpConnectionRequest } from '../../../src/protocols/stun/udp-cr.ts';
import '../../../src/services/stun/events.ts';
import { emit, onCommand } from './lines.ts';

const o = JSON.parse(process.argv[2]!) as Record<string, string>;
const config = parseConfig(`site: { id: nat-test, domain: nat.test }
stateDir: ${o.stateDir}
log: { level: warn }
acs: { enabled: false }
api: { enabled: false }
stun:
  enabled: true
  listen: { host: ${o.stunHost}, port: 3478 }
  requireIntegrity: cr-binding
  connectionRequest: { schedule: ['0s', '200ms', '500ms'] }
`, 'nat-test');
const app = createApp({ config, log: createLogger({ level: 'warn', sink: { write: (l) => process.stderr.write(l) } }) });
app.store.db.prepare('INSERT INTO devices (id, oui, product_class, serial, first_seen) VALUES (?, ?, ?, ?, ?)')
  .run(o.deviceId, 'OPST', 'Phone', o.deviceId, new Date().toISOString());
const repo = new StunBindingRepo(app.store);
await repo.setCredentials(o.deviceId!, o.stunUsername!, o.stunPassword!);
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
    const b = repo.byDevice(o.deviceId!);
    const host = String(cmd.host ?? b?.address), port = Number(cmd.port ?? b?.port);
    const message = buildUdpConnectionRequest({ host, port, ts: Number(cmd.ts), id: Number(cmd.id), username: o.crUsername!, cnonce: `cn${String(cmd.id)}`, password: o.crPassword! });
    app.events.emit('stun.cr.send', { requestId: String(cmd.requestId), deviceId: o.deviceId!, host, port, message });
  } else if (cmd.cmd === 'stored') {
    emit({ type: 'stored', binding: repo.byDevice(o.deviceId!) });
  } else if (cmd.cmd === 'stop') {
    await app.stop();
    emit({ type: 'stopped' });
    process.exit(0);
  }
});
emit({ type: 'ready' });
