// `npm run sim -- --acs https://127.0.0.1:7547/ --ca var/lab/tls/ca.pem --phones 5 --model tr181 --username X --password Y`
// Boots N simulated phones against an ACS (bounded concurrency), prints a live count on stderr
// and a JSON summary on stdout, then keeps the phones online (connection requests, periodic
// Informs) until Ctrl-C — or exits after the boot phase with --once. All phones share one
// connection-request server. Not part of the shipped binary.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { systemClock } from '../../src/core/clock.ts';
import { CrServer } from './cr-server.ts';
import type { SessionRecord } from './cwmp-client.ts';
import { FAMILIES } from './models/index.ts';
import { SimPhone } from './phone.ts';
import { parseQuirkList } from './quirks.ts';

const HELP = `usage: npm run sim -- --acs <url> [options]
  --acs URL            ACS URL (factory ManagementServer.URL)            (required)
  --ca FILE            PEM of the site CA (for an https ACS)
  --phones N           number of phones (default 1)
  --model NAME         ${Object.keys(FAMILIES).join(' | ')} (default tr181)
  --username U         factory ACS username (default <OUI>-<ProductClass>-<Serial> per phone)
  --password P         factory ACS password (default empty)
  --serial-prefix S    serials are S000001, S000002, ... (default SIM)
  --concurrency N      boots in flight at once (default 50)
  --quirks a,b         quirk switches (test/sim/quirks.ts)
  --cr-host H          connection-request listen address (default 127.0.0.1)
  --cr-port P          connection-request port shared by all phones (default 0 = ephemeral)
  --periodic           send periodic Informs (PeriodicInformInterval)
  --no-retry           do not retry failed sessions
  --once               exit after the boot phase
  --duration S         exit after S seconds
`;

interface Stats { booted: number; failed: number; sessions: number; sessionErrors: number; inFlight: number; bootMs: number[]; errors: Map<string, number> }

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function summary(args: { acs: string; model: string; phones: number }, s: Stats, startedAt: number, cr: CrServer): Record<string, unknown> {
  const sorted = [...s.bootMs].sort((a, b) => a - b);
  const mem = process.memoryUsage();
  return {
    acs: args.acs, model: args.model, phones: args.phones, booted: s.booted, failed: s.failed,
    sessions: s.sessions, sessionErrors: s.sessionErrors,
    bootMs: { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted.at(-1) ?? 0 },
    wallMs: Date.now() - startedAt,
    errors: Object.fromEntries(s.errors),
    connectionRequestPort: cr.port,
    memory: { heapUsedMB: +(mem.heapUsed / 2 ** 20).toFixed(1), rssMB: +(mem.rss / 2 ** 20).toFixed(1) },
  };
}

async function main(): Promise<void> {
  const { values: v } = parseArgs({
    options: {
      acs: { type: 'string' }, ca: { type: 'string' }, phones: { type: 'string', default: '1' }, model: { type: 'string', default: 'tr181' },
      username: { type: 'string' }, password: { type: 'string' }, 'serial-prefix': { type: 'string', default: 'SIM' },
      concurrency: { type: 'string', default: '50' }, quirks: { type: 'string', default: '' }, 'cr-host': { type: 'string', default: '127.0.0.1' },
      'cr-port': { type: 'string', default: '0' }, periodic: { type: 'boolean', default: false }, 'no-retry': { type: 'boolean', default: false },
      once: { type: 'boolean', default: false }, duration: { type: 'string' }, help: { type: 'boolean', default: false },
    },
  });
  if (v.help || !v.acs) { process.stderr.write(HELP); process.exit(v.help ? 0 : 2); }
  const phonesWanted = Number(v.phones);
  const concurrency = Math.max(1, Number(v.concurrency));
  if (!Number.isInteger(phonesWanted) || phonesWanted < 1) throw new Error('--phones must be a positive integer');
  if (!FAMILIES[v.model!]) throw new Error(`--model must be one of ${Object.keys(FAMILIES).join(', ')}`);
  const ca = v.ca ? readFileSync(v.ca, 'utf8') : undefined;
  const quirks = parseQuirkList(v.quirks!);
  const cr = new CrServer({ host: v['cr-host']!, port: Number(v['cr-port']), clock: systemClock });
  await cr.listen();

  const stats: Stats = { booted: 0, failed: 0, sessions: 0, sessionErrors: 0, inFlight: 0, bootMs: [], errors: new Map() };
  const onSession = (r: SessionRecord): void => {
    stats.sessions++;
    if (!r.ok) { stats.sessionErrors++; stats.errors.set(r.error ?? 'unknown', (stats.errors.get(r.error ?? 'unknown') ?? 0) + 1); }
  };
  const phones: SimPhone[] = [];
  const startedAt = Date.now();
  const tty = process.stderr.isTTY;
  const live = setInterval(() => {
    const line = `phones ${phones.length}/${phonesWanted}  booted ${stats.booted}  failed ${stats.failed}  in-flight ${stats.inFlight}  sessions ${stats.sessions} (${stats.sessionErrors} failed)`;
    process.stderr.write(tty ? `\r${line}   ` : `${line}\n`);
  }, tty ? 500 : 5000);

  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < phonesWanted) {
      const i = next++;
      const phone = new SimPhone({
        model: v.model!, serial: `${v['serial-prefix']}${String(i + 1).padStart(6, '0')}`, acsUrl: v.acs!, ca, quirks, crServer: cr,
        ...(v.username !== undefined ? { username: v.username } : {}), ...(v.password !== undefined ? { password: v.password } : {}),
        periodicInform: v.periodic, retry: !v['no-retry'], keepSessions: 2,
      });
      phone.onSession(onSession);
      phones.push(phone);
      stats.inFlight++;
      const t0 = Date.now();
      const rec = await phone.boot().catch((err: unknown) => ({ ok: false, error: String(err) }) as SessionRecord);
      stats.inFlight--;
      if (rec.ok) { stats.booted++; stats.bootMs.push(Date.now() - t0); } else stats.failed++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, phonesWanted) }, worker));

  const args = { acs: v.acs!, model: v.model!, phones: phonesWanted };
  const finish = async (code: number): Promise<never> => {
    clearInterval(live);
    if (tty) process.stderr.write('\n');
    process.stdout.write(`${JSON.stringify(summary(args, stats, startedAt, cr), null, 2)}\n`);
    await Promise.all(phones.map((p) => p.stop()));
    await cr.close();
    process.exit(code);
  };
  if (v.once) await finish(stats.failed > 0 ? 1 : 0);
  if (tty) process.stderr.write('\n');
  process.stdout.write(`${JSON.stringify({ phase: 'boot', ...summary(args, stats, startedAt, cr) })}\n`);
  process.on('SIGINT', () => void finish(0));
  process.on('SIGTERM', () => void finish(0));
  if (v.duration) setTimeout(() => void finish(0), Number(v.duration) * 1000);
}

main().catch((err: unknown) => {
  process.stderr.write(`sim: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
