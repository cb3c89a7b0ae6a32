// NAT test helper, run inside namespace opst-ph (behind the NAT): the simulator's TR-111 client
// keeps its binding alive towards Outpost's STUN port and listens for UDP connection requests on
// the same socket; an HTTP server on 7547 stands for the phone's HTTP connection-request
// listener (it must never be reached from outside). argv[2]: JSON
// { stunHost, stunUsername, stunPassword, crUsername, crPassword, keepAliveMs }.
import http from 'node:http';
import { StunClient } from '../../sim/stun-client.ts';
import { emit, onCommand } from './lines.ts';

const o = JSON.parse(process.argv[2]!) as Record<string, string>;
const httpServer = http.createServer((req, res) => { emit({ type: 'http-hit', url: req.url }); res.writeHead(204).end(); });
await new Promise<void>((r) => httpServer.listen(7547, '0.0.0.0', () => r()));

const client = await StunClient.create({
  server: { host: o.stunHost!, port: 3478 }, username: o.stunUsername!, password: o.stunPassword!,
  keepAliveMs: Number(o.keepAliveMs), retransmit: [0, 100, 300, 700],
  connectionRequest: { username: o.crUsername!, password: o.crPassword! },
  onBindingChange: (b, prev) => emit({ type: 'binding', binding: b, previous: prev, nat: client.natDetected, udpConnectionRequestAddress: client.udpConnectionRequestAddress }),
  onConnectionRequest: (cr) => emit({ type: 'cr', id: cr.id, ts: cr.ts, from: cr.from }),
  onConnectionRequestRejected: (reason, detail) => emit({ type: 'cr-rejected', reason, detail }),
  onError: (err) => emit({ type: 'stun-error', error: err.message }),
});
await client.start();
emit({ type: 'ready', local: client.local });

onCommand(async (cmd) => {
  if (cmd.cmd === 'stop') {
    await client.stop();
    httpServer.close();
    emit({ type: 'stopped' });
    process.exit(0);
  }
});
