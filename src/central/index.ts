// src/central — the reference central ACS for bundle distribution and site reports (docs/sync.md).
// Not part of a site's service list: `outpost central` runs it as its own process.
import { openDb, type Db } from '../store/db.ts';
import { CentralRepo } from '../store/sync-central.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import { createLogger, type Logger } from '../core/log.ts';
import type { CentralConfig } from './config.ts';
import { buildCentral } from './server.ts';

export interface RunningCentral {
  url: string;
  port: number;
  repo: CentralRepo;
  close(): Promise<void>;
}

export async function startCentral(config: CentralConfig, o: { clock?: Clock; log?: Logger } = {}): Promise<RunningCentral> {
  const log = o.log ?? createLogger({ level: config.log.level }).child({ svc: 'central' });
  const db: Db = openDb({ file: config.database, log });
  const repo = new CentralRepo(db);
  const app = buildCentral({ config, repo, clock: o.clock ?? systemClock, log });
  try {
    await app.listen({ host: config.listen.host, port: config.listen.port });
  } catch (err) {
    db.close();
    throw err;
  }
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.listen.port;
  const host = config.listen.host.includes(':') ? `[${config.listen.host}]` : config.listen.host;
  const url = `${config.tls ? 'https' : 'http'}://${host}:${port}/`;
  log.info({ url, sites: config.sites.length, bundleDir: config.bundleDir }, 'central listening');
  return { url, port, repo, async close() { await app.close(); db.close(); } };
}

export { loadCentralConfig, parseCentralConfig, type CentralConfig } from './config.ts';
export { tokenHash } from './server.ts';
