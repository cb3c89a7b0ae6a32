// The composition root (STYLE habit 3): builds the store, logger, clock, events, health and
// metrics, hands each service its context and config slice, and runs the lifecycle. The only
// module that imports services/*.

import { mkdirSync, readFileSync, writeFileSync, existsSync, chmodSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Config } from './core/config/schema.ts';
import { systemClock, type Clock } from './core/clock.ts';
import { createLogger, type Logger } from './core/log.ts';
import { HealthRegistry } from './core/health.ts';
import { EventBus } from './core/events.ts';
import { Metrics } from './core/metrics.ts';
import { Lifecycle, type Service } from './core/lifecycle.ts';
import { secretBox } from './core/secrets.ts';
import { openStore, type Store } from './store/index.ts';
import type { ServiceContext } from './services/context.ts';
import { SERVICE_ORDER, type ServiceName } from './services.ts';
import { createStunService } from './services/stun/index.ts';
import { createDnsService } from './services/dns/index.ts';
import { createDhcpService } from './services/dhcp/index.ts';
import { createAcsService } from './services/acs/index.ts';
import { createSyncService } from './services/sync/index.ts';
import { createApiService } from './services/api/index.ts';

const FACTORIES: { [K in ServiceName]: (ctx: ServiceContext<Config[K]>) => Service } = {
  stun: createStunService,
  dns: createDnsService,
  dhcp: createDhcpService,
  sync: createSyncService,
  acs: createAcsService,
  api: createApiService,
};

export interface AppOptions {
  config: Config;
  clock?: Clock;
  log?: Logger;
  /** better-sqlite3 addon path (single executable). */
  nativeBinding?: string;
}

export interface App {
  config: Config;
  store: Store;
  log: Logger;
  health: HealthRegistry;
  events: EventBus;
  metrics: Metrics;
  stateDir: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Read a 32-byte key from the state directory, creating it (0600) on first start. */
export function stateKey(stateDir: string, name: string): Buffer {
  const file = join(stateDir, name);
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
}

/** The process's own gauges: memory by kind, and how busy the event loop has been since the last scrape. */
function processMetrics(metrics: Metrics): void {
  const mem = metrics.gauge('outpost_process_memory_bytes', 'Memory of the process by kind (rss, heap_used, heap_total, external, array_buffers)');
  const elu = metrics.gauge('outpost_process_event_loop_utilization', 'Share of time the event loop was busy since the previous scrape (0–1)');
  let last = performance.eventLoopUtilization();
  metrics.collect(() => {
    const m = process.memoryUsage();
    mem.set(m.rss, { kind: 'rss' });
    mem.set(m.heapUsed, { kind: 'heap_used' });
    mem.set(m.heapTotal, { kind: 'heap_total' });
    mem.set(m.external, { kind: 'external' });
    mem.set(m.arrayBuffers, { kind: 'array_buffers' });
    const now = performance.eventLoopUtilization();
    elu.set(Math.round(performance.eventLoopUtilization(now, last).utilization * 1000) / 1000);
    last = now;
  });
}

export function createApp(opts: AppOptions): App {
  const { config } = opts;
  const clock = opts.clock ?? systemClock;
  const log = opts.log ?? createLogger({ level: config.log.level });
  const stateDir = resolve(config.stateDir);
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const secrets = secretBox(stateKey(stateDir, 'secret.key'));
  const store = openStore({ file: join(stateDir, 'outpost.db'), clock, secrets, log: log.child({ svc: 'store' }), ...(opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {}) });
  const health = new HealthRegistry(clock);
  const events = new EventBus(log);
  const metrics = new Metrics();
  processMetrics(metrics);
  const lifecycle = new Lifecycle(log);

  const services = SERVICE_ORDER.map((name) => {
    const create = FACTORIES[name] as (ctx: ServiceContext<unknown>) => Service;
    return create({ log: log.child({ svc: name }), clock, health, events, metrics, store, config: config[name], root: config, stateDir });
  });

  return {
    config, store, log, health, events, metrics, stateDir,
    start: () => lifecycle.start(services),
    async stop() {
      await lifecycle.stop();
      store.close();
    },
  };
}
