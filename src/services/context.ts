// What the composition root hands each service (STYLE habit 3). Services import this file and
// core/store/protocols/provisioning — never each other.

import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/log.ts';
import type { HealthRegistry } from '../core/health.ts';
import type { EventBus } from '../core/events.ts';
import type { Metrics } from '../core/metrics.ts';
import type { Config } from '../core/config/schema.ts';
import type { Store } from '../store/index.ts';

export interface ServiceContext<C> {
  /** Child logger with `svc: <name>`. */
  log: Logger;
  clock: Clock;
  health: HealthRegistry;
  events: EventBus;
  metrics: Metrics;
  store: Store;
  /** This service's slice of the frozen config. */
  config: C;
  /** The whole frozen config, for cross-cutting facts (site domain, other listeners' addresses). */
  root: Config;
  /** The state directory (database, generated certificates, tokens, files). */
  stateDir: string;
}
