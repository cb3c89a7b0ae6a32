// NAT test helper, run inside namespace opst-ph (behind the NAT). The simulator's TR-111 client
// keeps its binding alive towards Outpost's STUN port and takes UDP connection requests on the
// same socket. Without `sim`, an HTTP server on 7547 stands for the phone's HTTP CR listener;
// with `sim`, a simulated phone (test/sim) boots against the ACS, its own HTTP CR listener on
// 7547, and a validated UDP connection request opens its `6 CONNECTION REQUEST` session.
// argv[2]: JSON { stunHost, stunUsername, stunPassword, keepAliveMs, crUsername?, crPassword?,
//                 sim?: { acsUrl, caFile, bootstrapUser, bootstrapPassword, serial } }.
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { StunClient } from '../../sim/stun-client.ts';
import { startPhone, type SimPhone } from '../../sim/index.ts';
import { emit, onCommand } from './lines.ts';

interface Opts {
  stunHost: string; stunUsername: string; stunPassword: string; keepAliveMs: number;
  crUsername?: string; crPassword?: string;
  sim?: { acsUrl: string; caFile: string; bootstrapUser: string; bootstrapPassword: string; serial: string };
}
const o = JSON.parse(process.argv[2]!) as Opts;
let phone: SimPhone | null = null;
let httpServer: http.Server | null = null;
if (o.sim) {
  phone = await startPhone({
    model: 'tr181', serial: o.sim.serial, acsUrl: o.sim.acsUrl, ca: readFileSync(o.sim.caFile, 'utf8'),
    username: o.sim.bootstrapUser, password: o.sim.bootstrapPassword, crHost: '10.79.2.10', crPort: 7547,
  });
} else {
  const server = http.createServer((req, res) => { emit({ type: 'http-hit', url: req.url }); res.writeHead(204).end(); });
  httpServer = server;
  await new Promise<void>((r) => server.listen(7547, '0.0.0.0', () => r()));
}

/** The phone's current ConnectionRequestUsername/Password (the ACS rotates them at first contact). */
function crCredentials(): { username: string; password: string } {
  if (!phone) return { username: o.crUsername!, password: o.crPassword! };
  const p = phone.model.family.paths;
  return { username: phone.get(p.crUsername) ?? '', password: phone.get(p.crPassword) ?? '' };
}

let client: StunClient | null = null;
async function startStun(): Promise<void> {
  const c = await StunClient.create({
    server: { host: o.stunHost, port: 3478 }, username: o.stunUsername, password: o.stunPassword,
    keepAliveMs: o.keepAliveMs, retransmit: [0, 100, 300, 700], connectionRequest: crCredentials,
    onBindingChange: (b, prev) => emit({ type: 'binding', binding: b, previous: prev, nat: c.natDetected }),
    onConnectionRequest: (cr) => {
      emit({ type: 'cr', id: cr.id, ts: cr.ts, from: cr.from, at: Date.now() });
      // §8.10 rule 5: a valid UDP connection request is handled like an HTTP one.
      phone?.session('6 CONNECTION REQUEST').then(
        (s) => emit({ type: 'session', events: s.events, ok: s.ok, error: s.error ?? null, startedAt: s.startedAt }),
        (err: Error) => emit({ type: 'session', ok: false, error: err.message }));
    },
    onConnectionRequestRejected: (reason, detail) => emit({ type: 'cr-rejected', reason, detail }),
    onError: (err) => emit({ type: 'stun-error', error: err.message }),
  });
  client = c;
  await c.start();
}

onCommand(async (cmd) => {
  if (cmd.cmd === 'boot' && phone) {
    const s = await phone.boot();
    emit({ type: 'session', events: s.events, ok: s.ok, error: s.error ?? null, crUrl: phone.connectionRequestUrl });
  } else if (cmd.cmd === 'stun-start') {
    await startStun();
    emit({ type: 'stun-started', local: (client as StunClient | null)?.local ?? null });
  } else if (cmd.cmd === 'stop') {
    await client?.stop();
    await phone?.stop();
    httpServer?.close();
    emit({ type: 'stopped' });
    process.exit(0);
  }
});
if (!o.sim) await startStun();
emit({ type: 'ready', local: (client as StunClient | null)?.local ?? null });
