// `npm run sim -- --acs https://acs.site.lan:7547/ --ca ca.pem --phones 1000 --model yealink:2,ex:1 ...`
// A fleet of simulated phones against any ACS URL: live phase counts on stderr, a JSON summary
// (counts, per-phase latencies p50/p95/p99/max, sessions, errors, memory) on stdout or --json.
// Keeps the phones online afterwards (connection requests, periodic Informs) until Ctrl-C or
// --duration; --once exits as soon as every phone is compliant or failed. Not part of the
// shipped binary. Usage: `npm run sim -- --help`.

import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Fleet, type ComplianceMode, type FleetOptions } from './fleet.ts';
import { startDisplay } from './fleet-display.ts';
import { FAMILIES } from './models/index.ts';
import { attachNetwork, detachNetwork, type NetworkAttachment } from './net-setup.ts';
import { SitePbx } from './pbx.ts';
import { parseQuirkList } from './quirks.ts';

const HELP = `usage: npm run sim -- --acs <url> [options]
  --acs URL             factory ManagementServer.URL (in --network mode: used only if DHCP gives no option 43)
  --ca FILE             PEM of the site CA (https ACS)
  --phones N            number of phones (default 1)
  --model M             a family, or a weighted mix "yealink:2,ex:1" (families: ${Object.keys(FAMILIES).join(', ')}; default tr181)
  --username U          factory ACS username (default <OUI>-<ProductClass>-<Serial> per phone)
  --password P          factory ACS password (default empty)
  --serial-prefix S     serials S000001, S000002, ... (default SIM; also seeds the MACs)
  --spread S            power on evenly over S seconds (default 0: all together, "power returns to the site")
  --concurrency N       boots in flight at once (default unbounded)
  --pbx FILE            site PBX (JSON: proxy, proxyPort, registrar, transport, aliases, accounts[]): lines
                        register only with matching settings; compliance = every assigned line registered
  --lines N             generate N PBX accounts per phone (users from --first-user, password pw-<user>)
  --first-user N        first generated SIP user (default 10000)
  --inventory FILE      write the generated accounts as CSV (serial,mac,model,deviceId,line,user,password)
  --compliance MODE     phone | api | booted (default: phone with --pbx, api with --api, else booted)
  --api URL             management API base (compliance from GET /api/v1/compliance/devices)
  --token T | --token-file FILE   bearer token for --api
  --timeout S           provisioning timeout per phone: not compliant after S seconds = failed (default 120)
  --quirks a,b          quirk switches on every phone (test/sim/quirks.ts)
  --periodic            periodic Informs (PeriodicInformInterval, --interval S sets the factory value)
  --interval S          factory PeriodicInformInterval (default 3600)
  --no-retry            do not retry failed sessions (a failed first session = failed phone)
  --network IFACE       network mode (root, inside a namespace): DHCP on IFACE per phone (own MAC and
                        lease), DNS from option 6, connections from the leased address
  --dhcp-timeout MS     DHCP wait per try (default 2000, 4 tries)
  --cr-host H           connection-request listen address (default 127.0.0.1; 0.0.0.0 in network mode)
  --cr-port P           connection-request port shared by all phones (default 0 = ephemeral)
  --once                exit when every phone is compliant or failed (exit code 1 if any failed)
  --duration S          exit after S seconds
  --json FILE           write the summary there instead of stdout
  --release             DHCPRELEASE on exit (network mode)
`;

const OPTIONS = {
  acs: { type: 'string' }, ca: { type: 'string' }, phones: { type: 'string', default: '1' }, model: { type: 'string', default: 'tr181' },
  username: { type: 'string' }, password: { type: 'string' }, 'serial-prefix': { type: 'string', default: 'SIM' },
  spread: { type: 'string', default: '0' }, concurrency: { type: 'string' }, pbx: { type: 'string' }, lines: { type: 'string' },
  'first-user': { type: 'string', default: '10000' }, inventory: { type: 'string' }, compliance: { type: 'string' },
  api: { type: 'string' }, token: { type: 'string' }, 'token-file': { type: 'string' }, timeout: { type: 'string', default: '120' },
  quirks: { type: 'string', default: '' }, periodic: { type: 'boolean', default: false }, interval: { type: 'string' },
  'no-retry': { type: 'boolean', default: false }, network: { type: 'string' }, 'dhcp-timeout': { type: 'string', default: '2000' },
  'cr-host': { type: 'string' }, 'cr-port': { type: 'string', default: '0' }, once: { type: 'boolean', default: false },
  duration: { type: 'string' }, json: { type: 'string' }, release: { type: 'boolean', default: false }, help: { type: 'boolean', default: false },
} as const;

function positive(name: string, v: string | undefined, min = 1): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number ≥ ${min}`);
  return n;
}

function parseModels(spec: string): string | Record<string, number> {
  if (!spec.includes(':') && !spec.includes(',')) return spec;
  return Object.fromEntries(spec.split(',').map((part) => {
    const [name = '', w = '1'] = part.split(':');
    return [name.trim(), positive(`model weight of ${name}`, w, 0)];
  }));
}

function csvInventory(f: Fleet): string {
  const rows = f.inventory().map((r) => [r.serial, r.mac, r.model, r.deviceId, r.line, r.user, r.password].join(','));
  return `serial,mac,model,deviceId,line,user,password\n${rows.join('\n')}\n`;
}

async function main(): Promise<void> {
  const { values: v } = parseArgs({ options: OPTIONS });
  if (v.help || !v.acs) { process.stderr.write(HELP); process.exit(v.help ? 0 : 2); }
  const token = v.token ?? (v['token-file'] ? readFileSync(v['token-file'], 'utf8').trim() : undefined);
  const pbx = v.pbx ? SitePbx.fromJson(readFileSync(v.pbx, 'utf8')) : undefined;
  if (v.lines && !pbx) throw new Error('--lines needs --pbx (the accounts are the PBX\'s)');
  const network: NetworkAttachment | undefined = v.network ? await attachNetwork(v.network, { dhcpTimeoutMs: positive('dhcp-timeout', v['dhcp-timeout'], 100) }) : undefined;
  const spread = positive('spread', v.spread, 0);
  const o: FleetOptions = {
    acsUrl: v.acs, phones: positive('phones', v.phones), models: parseModels(v.model!), serialPrefix: v['serial-prefix']!,
    start: spread > 0 ? { spreadMs: spread * 1000 } : 'together', quirks: parseQuirkList(v.quirks!),
    periodicInform: v.periodic, retry: !v['no-retry'], provisionTimeoutMs: positive('timeout', v.timeout) * 1000,
    crPort: Number(v['cr-port']),
    ...(v.ca ? { ca: readFileSync(v.ca, 'utf8') } : {}), ...(v.username !== undefined ? { username: v.username } : {}),
    ...(v.password !== undefined ? { password: v.password } : {}), ...(v.concurrency ? { concurrency: positive('concurrency', v.concurrency) } : {}),
    ...(pbx ? { pbx } : {}), ...(v.lines ? { accounts: { linesPerPhone: positive('lines', v.lines), firstUser: positive('first-user', v['first-user'], 0) } } : {}),
    ...(v.compliance ? { compliance: v.compliance as ComplianceMode } : {}),
    ...(v.api ? { api: { url: v.api, token: token ?? '' } } : {}), ...(v.interval ? { periodicInterval: positive('interval', v.interval) } : {}),
    ...(network ? { network } : {}), ...(v['cr-host'] ? { crHost: v['cr-host'] } : {}),
  };
  if (o.compliance && !['phone', 'api', 'booted'].includes(o.compliance)) throw new Error('--compliance must be phone, api or booted');
  const fleet = await Fleet.start(o);
  if (v.inventory) writeFileSync(v.inventory, csvInventory(fleet));
  const stopDisplay = startDisplay(fleet);
  let finishing = false;
  const finish = async (code: number): Promise<never> => {
    if (finishing) return new Promise<never>(() => {});
    finishing = true;
    stopDisplay();
    const text = `${JSON.stringify(fleet.summary(), null, 2)}\n`;
    if (v.json) writeFileSync(v.json, text); else process.stdout.write(text);
    await fleet.stop({ release: v.release });
    if (network) await detachNetwork(network);
    process.exit(code);
  };
  process.on('SIGINT', () => void finish(0));
  process.on('SIGTERM', () => void finish(0));
  if (v.duration) setTimeout(() => void finish(0), positive('duration', v.duration, 0) * 1000);
  await fleet.settled();
  if (v.once) await finish(fleet.stats.counts().failed > 0 ? 1 : 0);
  process.stderr.write(`${JSON.stringify({ phase: 'settled', ...fleet.stats.counts() })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`sim: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
