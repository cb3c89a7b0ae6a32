// The CSV inventory as stored (src/provisioning/inventory.ts parses and checks it), and the model
// readiness reports. Inventory secrets are sealed with store.secrets; `list` masks them.

import type { Store } from './index.ts';
import type { Statement } from './db.ts';
import { prep } from './db.ts';

export interface InventoryRow {
  scope: 'position' | 'device';
  key: string;
  intent: string;
  value: string;
  secret: boolean;
}

export class ProvisioningInventoryRepo {
  readonly #store: Store;

  /** Prepared once per connection and SQL text (store/db.ts prep). */
  #st(sql: string): Statement {
    return prep(this.#store.db, sql);
  }

  constructor(store: Store) {
    this.#store = store;
  }

  /**
   * Store an import (inside store.commit). 'merge' replaces the values of the keys it names;
   * 'replace' drops every earlier row first.
   */
  import(rows: readonly InventoryRow[], o: { batch: string; at: string; mode: 'merge' | 'replace' }): void {
    if (o.mode === 'replace') this.#st('DELETE FROM prov_inventory').run();
    else {
      const del = this.#st('DELETE FROM prov_inventory WHERE scope = ? AND key = ?');
      for (const k of new Set(rows.map((r) => `${r.scope}\u0000${r.key}`))) del.run(...k.split('\u0000'));
    }
    const ins = this.#st('INSERT INTO prov_inventory (scope, key, intent, value, value_enc, batch, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
    for (const r of rows) ins.run(r.scope, r.key, r.intent, r.secret ? null : r.value, r.secret ? this.#store.secrets.seal(r.value) : null, o.batch, o.at);
  }

  /** Values for one key, secrets opened (for planning). */
  values(scope: 'position' | 'device', keys: readonly string[]): Record<string, string> {
    const out: Record<string, string> = {};
    if (keys.length === 0) return out;
    const st = this.#st('SELECT intent, value, value_enc AS enc FROM prov_inventory WHERE scope = ? AND key = ?');
    for (const key of keys) {
      for (const r of st.all(scope, key) as { intent: string; value: string | null; enc: string | null }[]) {
        out[r.intent] = r.enc ? this.#store.secrets.open(r.enc) : (r.value ?? '');
      }
    }
    return out;
  }

  /** Everything, secrets masked (for the API). */
  list(limit: number, offset: number): { total: number; items: (InventoryRow & { batch: string; importedAt: string })[] } {
    const total = (this.#st('SELECT count(*) AS n FROM prov_inventory').get() as { n: number }).n;
    const rows = this.#st(`SELECT scope, key, intent, value, value_enc IS NOT NULL AS secret, batch, imported_at AS importedAt
      FROM prov_inventory ORDER BY scope, key, intent LIMIT ? OFFSET ?`).all(limit, offset) as { scope: 'position' | 'device'; key: string; intent: string; value: string | null; secret: number; batch: string; importedAt: string }[];
    return { total, items: rows.map((r) => ({ ...r, value: r.secret ? '••••••' : (r.value ?? ''), secret: Boolean(r.secret) })) };
  }

  /** The keys an import touched (to re-plan the devices that use them). */
  keysOfBatch(batch: string): { scope: 'position' | 'device'; key: string }[] {
    return this.#st('SELECT DISTINCT scope, key FROM prov_inventory WHERE batch = ?').all(batch) as never[];
  }
}

export class ReadinessRepo {
  readonly #store: Store;

  /** Prepared once per connection and SQL text (store/db.ts prep). */
  #st(sql: string): Statement {
    return prep(this.#store.db, sql);
  }

  constructor(store: Store) {
    this.#store = store;
  }

  get<T = unknown>(model: string): T | null {
    const r = this.#st('SELECT report FROM prov_readiness WHERE model = ?').get(model) as { report: string } | undefined;
    return r ? JSON.parse(r.report) as T : null;
  }

  put(model: string, firstDevice: string, report: unknown, at: string): void {
    this.#st(`INSERT INTO prov_readiness (model, first_device, first_seen, updated_at, report) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT(model) DO UPDATE SET updated_at = excluded.updated_at, report = excluded.report`).run(model, firstDevice, at, at, JSON.stringify(report));
  }

  list(): { model: string; firstDevice: string; firstSeen: string; updatedAt: string }[] {
    return this.#st('SELECT model, first_device AS firstDevice, first_seen AS firstSeen, updated_at AS updatedAt FROM prov_readiness ORDER BY model').all() as never[];
  }
}
