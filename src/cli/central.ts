// `outpost central` — run the reference central; `central token` — a new site or admin token;
// `central sites` — the site list (last contact, bundle version, compliance totals).
import { randomBytes } from 'node:crypto';
import { isOutpostError } from '../core/errors.ts';
import { isLoopback } from '../core/net.ts';
import { loadCentralConfig, startCentral, tokenHash } from '../central/index.ts';
import { commandArgs } from './args.ts';
import type { CliCommand } from './commands.ts';

export const central: CliCommand = {
  name: 'central',
  summary: 'run the reference central (bundles, firmware, site reports): --config FILE',
  async run(argv) {
    const a = commandArgs(argv, { options: { config: { type: 'string', short: 'c' } } },
      'Usage: outpost central --config FILE\n  Serves <bundleDir>/<site>.bundle.json and <bundleDir>/firmware/* to sites and stores their reports.\n  See docs/sync.md for the config file.\n',
      (a) => a.values.config);
    if (typeof a === 'number') return a;
    try {
      const cfg = loadCentralConfig(a.values.config!);
      if (!cfg.tls && !isLoopback(cfg.listen.host)) {
        process.stderr.write('outpost central: warning: plain HTTP on a non-loopback address — put it behind TLS (tls: { cert, key })\n');
      }
      const c = await startCentral(cfg);
      process.stderr.write(`central listening on ${c.url} (${cfg.sites.length} sites)\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await c.close();
      return 0;
    } catch (err) {
      if (!isOutpostError(err)) throw err;
      process.stderr.write(`outpost central: ${err.message}\n`);
      return 1;
    }
  },
};

export const centralToken: CliCommand = {
  name: 'central token',
  summary: 'a new site (or admin) token and the SHA-256 that goes in the central config',
  async run() {
    const token = randomBytes(24).toString('base64url');
    process.stdout.write(`token:       ${token}\ntokenSha256: ${tokenHash(token)}\n\nThe token goes in the site config (sync.central.token, sealed for the box if you like);\nonly its SHA-256 goes in the central config.\n`);
    return 0;
  },
};

export const centralSites: CliCommand = {
  name: 'central sites',
  summary: 'list sites: last contact, bundle version, compliance totals: --config FILE [--json]',
  async run(argv) {
    const a = commandArgs(argv, { options: { config: { type: 'string', short: 'c' }, json: { type: 'boolean' } } },
      'Usage: outpost central sites --config FILE [--json]\n', (a) => a.values.config);
    if (typeof a === 'number') return a;
    try {
      const cfg = loadCentralConfig(a.values.config!);
      const { openDb } = await import('../store/db.ts');
      const { CentralRepo } = await import('../store/sync-central.ts');
      const db = openDb({ file: cfg.database });
      try {
        const sites = new CentralRepo(db).sites();
        if (a.values.json) process.stdout.write(JSON.stringify(sites, null, 2) + '\n');
        else {
          process.stdout.write('site                 last contact              bundle  devices  compliant  drifted  failed  silent  records  dropped\n');
          for (const s of sites) {
            const c = s.compliance;
            process.stdout.write(`${s.site.padEnd(20)} ${(s.lastContact ? new Date(s.lastContact).toISOString() : 'never').padEnd(25)} ${String(s.bundleVersion ?? '-').padStart(6)} ${String(s.devices).padStart(8)} ${String(c.compliant ?? 0).padStart(10)} ${String(c.drifted ?? 0).padStart(8)} ${String(c.failed ?? 0).padStart(7)} ${String(c.silent ?? 0).padStart(7)} ${String(s.records).padStart(8)} ${String(s.dropped).padStart(8)}\n`);
          }
        }
      } finally {
        db.close();
      }
      return 0;
    } catch (err) {
      if (!isOutpostError(err)) throw err;
      process.stderr.write(`outpost central sites: ${err.message}\n`);
      return 1;
    }
  },
};
