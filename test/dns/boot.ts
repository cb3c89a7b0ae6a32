// Test fixture: run the composed app (createApp + parseConfig) from a config file inside a
// network namespace, for the DNS end-to-end tests. Protocol on stdout, one JSON object a line:
//   {"event":"listening","addresses":[…]}   {"event":"ready"}   {"event":"health","codes":[…]}
// stdin commands: `lease <ip> <hostname>` stores a bound lease and emits 'dhcp.lease' as the
// DHCP service does; `health` prints the conditions. Logs go to stderr.
//   node test/dns/boot.ts <config.yaml> [<leases.json>]

import { readFileSync } from 'node:fs';
import { loadConfigFile } from '../../src/core/config/load.ts';
import { createLogger } from '../../src/core/log.ts';
import { createApp } from '../../src/app.ts';
import { LeaseRepo, type Lease } from '../../src/store/leases.ts';

const [configFile, leasesFile] = process.argv.slice(2);
const config = loadConfigFile(configFile!);
const log = createLogger({ level: config.log.level, sink: { write: (l) => process.stderr.write(l) } });
const app = createApp({ config, log });
const out = (o: unknown) => process.stdout.write(JSON.stringify(o) + '\n');
const repo = new LeaseRepo(app.store);

function lease(ip: string, hostname: string): Lease {
  const now = Date.now();
  return {
    ip, mac: '00:15:65:78:00:' + ip.split('.')[3]!.padStart(2, '0').slice(-2), clientId: null, hostname, vendorClass: 'dslforum.org',
    oui: null, serial: null, productClass: null, circuitId: null, remoteId: null, giaddr: null, state: 'bound',
    expiresAt: now + 3_600_000, updatedAt: now, scope: 'voice',
  };
}

if (leasesFile) {
  const rows = JSON.parse(readFileSync(leasesFile, 'utf8')) as [string, string][];
  await app.store.commit(() => { for (const [ip, h] of rows) repo.save(lease(ip, h)); });
}
app.events.on('dns.listening', (a) => out({ event: 'listening', addresses: a.addresses }));
app.health.onChange((c) => out({ event: 'health', codes: c.map((x) => x.code) }));
await app.start();
out({ event: 'ready' });

process.stdin.setEncoding('utf8');
process.stdin.on('data', (d: string) => {
  for (const line of d.split('\n').map((l) => l.trim()).filter(Boolean)) {
    const [cmd, a, b] = line.split(/\s+/);
    if (cmd === 'lease' && a && b) {
      const l = lease(a, b);
      void app.store.commit(() => repo.save(l)).then(() => {
        app.events.emit('dhcp.lease', { ip: l.ip, mac: l.mac, hostname: l.hostname, state: l.state });
        out({ event: 'leased', ip: a });
      });
    } else if (cmd === 'health') out({ event: 'health', codes: app.health.list().map((x) => x.code) });
  }
});
const stop = async () => { await app.stop(); process.exit(0); };
process.on('SIGTERM', () => void stop());
process.stdin.on('end', () => void stop());
