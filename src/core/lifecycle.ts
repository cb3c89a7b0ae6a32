// Service lifecycle (STYLE habit 4): services start top to bottom in the order of
// src/services.ts and stop in reverse, each stop bounded by a timeout so one hung socket cannot
// keep the process from exiting.

import type { Logger } from './log.ts';
import { OutpostError } from './errors.ts';

export interface Service {
  readonly name: string;
  start(): Promise<void>;
  /** Stop accepting work, drain briefly, release sockets and timers. */
  stop(): Promise<void>;
}

export class Lifecycle {
  readonly #log: Logger;
  readonly #started: Service[] = [];
  readonly #stopTimeoutMs: number;

  constructor(log: Logger, stopTimeoutMs = 5000) {
    this.#log = log;
    this.#stopTimeoutMs = stopTimeoutMs;
  }

  /** Start each service in order; on a failure stop those already started and throw. */
  async start(services: readonly Service[]): Promise<void> {
    for (const s of services) {
      const t0 = performance.now();
      try {
        await s.start();
      } catch (err) {
        this.#log.error({ err, service: s.name }, 'service failed to start');
        await this.stop();
        throw new OutpostError('SERVICE_START', `${s.name}: ${(err as Error).message}`, { cause: err });
      }
      this.#started.push(s);
      this.#log.info({ service: s.name, ms: Math.round(performance.now() - t0) }, 'service started');
    }
  }

  /** Stop in reverse order; never throws. */
  async stop(): Promise<void> {
    while (this.#started.length > 0) {
      const s = this.#started.pop()!;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((res) => { timer = setTimeout(() => res('timeout'), this.#stopTimeoutMs); });
      try {
        const r = await Promise.race([s.stop().then(() => 'ok' as const), timeout]);
        if (r === 'timeout') this.#log.warn({ service: s.name, code: 'SERVICE_STOP_TIMEOUT' }, 'service did not stop in time');
        else this.#log.info({ service: s.name }, 'service stopped');
      } catch (err) {
        this.#log.error({ err, service: s.name }, 'service failed to stop cleanly');
      } finally {
        clearTimeout(timer);
      }
    }
  }
}
