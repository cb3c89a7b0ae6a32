// Everything the CWMP engine needs, in one object built by index.ts.
import type { AcsConfig, Config } from '../../core/config/schema.ts';
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/log.ts';
import type { EventBus } from '../../core/events.ts';
import type { Metrics } from '../../core/metrics.ts';
import type { Store } from '../../store/index.ts';
import type { Authenticator } from './auth.ts';
import type { SessionTable } from './sessions.ts';
import type { Repos } from './repos.ts';

export interface Engine {
  cfg: AcsConfig;
  root: Config;
  clock: Clock;
  log: Logger;
  /** Rate-limited logger for bad input from the network. */
  logBad: Logger;
  events: EventBus;
  metrics: Metrics;
  store: Store;
  repos: Repos;
  auth: Authenticator;
  sessions: SessionTable;
  /** Base URL of the ACS (ends with /), for file URLs in Download and Upload. */
  baseUrl: string;
  /** Where firmware images are served from. */
  firmwareDir: string;
  /** Where uploads are written. */
  uploadDir: string;
}

export interface Incoming {
  body: Buffer;
  charset: string | undefined;
  cookie: string | undefined;
  authorization: string | undefined;
  /** Identity of the TCP connection (the socket object). */
  socket: object;
  remoteIp: string;
  encrypted: boolean;
}

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}
