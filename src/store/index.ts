// The store: one SQLite database, one repository per aggregate. Services receive a Store in
// their context; repositories for one service's own aggregate (leases, STUN bindings) live in
// store/ too and are constructed by that service from `store`.

import { openDb, GroupCommitter, type Db, type OpenOptions } from './db.ts';
import type { Clock } from '../core/clock.ts';
import type { SecretBox } from '../core/secrets.ts';

export interface Store {
  readonly db: Db;
  /** Group-committed write: resolves once durable. */
  commit<T>(fn: () => T): Promise<T>;
  readonly clock: Clock;
  readonly secrets: SecretBox;
  close(): void;
}

export function openStore(opts: OpenOptions & { clock: Clock; secrets: SecretBox }): Store {
  const db = openDb(opts);
  const gc = new GroupCommitter(db);
  return {
    db,
    clock: opts.clock,
    secrets: opts.secrets,
    commit: (fn) => gc.commit(fn),
    close: () => { gc.flush(); db.close(); },
  };
}

export type { Db } from './db.ts';
