// Per-device provisioning state (assignment, compliance with its NE 107 signal, what was last
// verified), the position bindings of "swap and go", and the hidden values we set on each
// device (sealed: they read back empty over CWMP, §5.1, so the ACS must remember them).

import type { Store } from './index.ts';
import type { Statement } from './db.ts';
import { prep } from './db.ts';

export interface ProvDeviceRow {
  deviceId: string;
  assignment: 'position' | 'rule' | 'default' | 'none';
  zone: string | null;
  template: string | null;
  position: string | null;
  rule: string | null;
  profile: string | null;
  state: string;
  reason: string;
  ne107: string;
  since: string;
  updatedAt: string;
  desiredHash: string | null;
  appliedHash: string | null;
  everCompliant: boolean;
  lastVerified: string | null;
  expectedInterval: number | null;
  missedInforms: number | null;
  lastInformMs: number | null;
  detail: unknown;
}

const COLS = `device_id AS deviceId, assignment, zone, template, position, rule, profile, state, reason, ne107, since,
  updated_at AS updatedAt, desired_hash AS desiredHash, applied_hash AS appliedHash, ever_compliant AS everCompliant,
  last_verified AS lastVerified, expected_interval AS expectedInterval, missed_informs AS missedInforms,
  last_inform_ms AS lastInformMs, detail`;

function fix(r: (Omit<ProvDeviceRow, 'detail' | 'everCompliant'> & { detail: string | null; everCompliant: number }) | undefined): ProvDeviceRow | null {
  if (!r) return null;
  return { ...r, everCompliant: Boolean(r.everCompliant), detail: r.detail ? JSON.parse(r.detail) as unknown : null };
}

export interface ZoneSummary {
  zone: string | null;
  total: number;
  states: Record<string, number>;
  ne107: Record<string, number>;
}

export class ProvisioningDeviceRepo {
  readonly #store: Store;

  /** Prepared once per connection and SQL text (store/db.ts prep). */
  #st(sql: string): Statement {
    return prep(this.#store.db, sql);
  }

  constructor(store: Store) {
    this.#store = store;
  }

  get(deviceId: string): ProvDeviceRow | null {
    return fix(this.#st(`SELECT ${COLS} FROM prov_devices WHERE device_id = ?`).get(deviceId) as never);
  }

  /** Insert or replace the whole row (inside store.commit). `since` is kept while the state is unchanged. */
  put(r: ProvDeviceRow): void {
    this.#st(`INSERT INTO prov_devices (device_id, assignment, zone, template, position, rule, profile, state, reason, ne107,
        since, updated_at, desired_hash, applied_hash, ever_compliant, last_verified, expected_interval, missed_informs, last_inform_ms, detail)
      VALUES (@deviceId, @assignment, @zone, @template, @position, @rule, @profile, @state, @reason, @ne107, @since, @updatedAt,
        @desiredHash, @appliedHash, @everCompliant, @lastVerified, @expectedInterval, @missedInforms, @lastInformMs, @detail)
      ON CONFLICT(device_id) DO UPDATE SET assignment = excluded.assignment, zone = excluded.zone, template = excluded.template,
        position = excluded.position, rule = excluded.rule, profile = excluded.profile, state = excluded.state, reason = excluded.reason,
        ne107 = excluded.ne107, since = CASE WHEN prov_devices.state = excluded.state THEN prov_devices.since ELSE excluded.since END,
        updated_at = excluded.updated_at, desired_hash = excluded.desired_hash, applied_hash = excluded.applied_hash,
        ever_compliant = excluded.ever_compliant, last_verified = excluded.last_verified, expected_interval = excluded.expected_interval,
        missed_informs = excluded.missed_informs, last_inform_ms = excluded.last_inform_ms, detail = excluded.detail`)
      .run({ ...r, everCompliant: r.everCompliant ? 1 : 0, detail: r.detail === null ? null : JSON.stringify(r.detail) });
  }

  /** Change only the verdict (silent sweep, interrupted session). */
  setState(deviceId: string, state: string, reason: string, ne107: string, at: string): void {
    this.#st(`UPDATE prov_devices SET since = CASE WHEN state = ? THEN since ELSE ? END, state = ?, reason = ?, ne107 = ?, updated_at = ?
      WHERE device_id = ?`).run(state, at, state, reason, ne107, at, deviceId);
  }

  /** Mark silent, unless the phone informed since `lastInformMs` was judged (returns whether marked). */
  markSilent(deviceId: string, lastInformMs: number, reason: string, at: string): boolean {
    return this.#st(`UPDATE prov_devices SET since = ?, state = 'silent', reason = ?, ne107 = 'F', updated_at = ?
      WHERE device_id = ? AND state <> 'silent' AND last_inform_ms = ?`).run(at, reason, at, deviceId, lastInformMs).changes > 0;
  }

  list(o: { zone?: string | null; state?: string; limit: number; offset: number }): { total: number; items: ProvDeviceRow[] } {
    const where: string[] = [];
    const args: Record<string, unknown> = { limit: o.limit, offset: o.offset };
    if (o.zone !== undefined) { where.push(o.zone === null ? 'zone IS NULL' : 'zone = @zone'); if (o.zone !== null) args.zone = o.zone; }
    if (o.state) { where.push('state = @state'); args.state = o.state; }
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (this.#st(`SELECT count(*) AS n FROM prov_devices ${w}`).get(args) as { n: number }).n;
    // The list is the control-room view: no per-parameter detail (fetch one device for its diff).
    const items = (this.#st(`SELECT ${COLS.replace(/, detail$/, ', NULL AS detail')} FROM prov_devices ${w} ORDER BY (state = 'compliant'), zone, device_id LIMIT @limit OFFSET @offset`)
      .all(args) as never[]).map((r) => fix(r)!);
    return { total, items };
  }

  summary(): ZoneSummary[] {
    const rows = this.#st('SELECT zone, state, ne107, count(*) AS n FROM prov_devices GROUP BY zone, state, ne107').all() as { zone: string | null; state: string; ne107: string; n: number }[];
    const byZone = new Map<string | null, ZoneSummary>();
    for (const r of rows) {
      let z = byZone.get(r.zone);
      if (!z) byZone.set(r.zone, (z = { zone: r.zone, total: 0, states: {}, ne107: {} }));
      z.total += r.n;
      z.states[r.state] = (z.states[r.state] ?? 0) + r.n;
      z.ne107[r.ne107 || 'OK'] = (z.ne107[r.ne107 || 'OK'] ?? 0) + r.n;
    }
    return [...byZone.values()];
  }

  /** Devices that could be silent: not silent yet and told an inform interval. */
  silentCandidates(): { deviceId: string; lastInformMs: number; expectedInterval: number; missedInforms: number }[] {
    return this.#st(`SELECT device_id AS deviceId, last_inform_ms AS lastInformMs, expected_interval AS expectedInterval,
      missed_informs AS missedInforms FROM prov_devices WHERE state <> 'silent' AND last_inform_ms IS NOT NULL
      AND expected_interval IS NOT NULL AND missed_informs IS NOT NULL`).all() as never[];
  }

  all(): { deviceId: string; desiredHash: string | null; state: string }[] {
    return this.#st('SELECT device_id AS deviceId, desired_hash AS desiredHash, state FROM prov_devices').all() as never[];
  }

  // ---- position bindings ("swap and go") --------------------------------------------------------

  /** Bind a position to a device; returns the device it had before (replaced), if another. */
  bind(positionId: string, deviceId: string, at: string): string | null {
    const prev = this.#st('SELECT device_id AS d FROM prov_bindings WHERE position_id = ?').get(positionId) as { d: string } | undefined;
    if (prev?.d === deviceId) return null;
    this.#st('DELETE FROM prov_bindings WHERE device_id = ? AND position_id <> ?').run(deviceId, positionId);
    this.#st(`INSERT INTO prov_bindings (position_id, device_id, bound_at, previous_device) VALUES (?, ?, ?, ?)
      ON CONFLICT(position_id) DO UPDATE SET device_id = excluded.device_id, bound_at = excluded.bound_at, previous_device = excluded.previous_device`)
      .run(positionId, deviceId, at, prev?.d ?? null);
    return prev?.d ?? null;
  }

  unbindDevice(deviceId: string): void {
    this.#st('DELETE FROM prov_bindings WHERE device_id = ?').run(deviceId);
  }

  bindings(): { positionId: string; deviceId: string; boundAt: string; previousDevice: string | null }[] {
    return this.#st('SELECT position_id AS positionId, device_id AS deviceId, bound_at AS boundAt, previous_device AS previousDevice FROM prov_bindings ORDER BY position_id').all() as never[];
  }

  // ---- hidden values we set --------------------------------------------------------------------

  /** Secrets set on the device since `sinceIso` (a factory reset forgets them), opened. */
  secretsSet(deviceId: string, sinceIso: string | null): Map<string, string> {
    const rows = this.#st('SELECT path, value_enc AS v, at FROM prov_secrets_set WHERE device_id = ?').all(deviceId) as { path: string; v: string; at: string }[];
    return new Map(rows.filter((r) => sinceIso === null || r.at >= sinceIso).map((r) => [r.path, this.#store.secrets.open(r.v)]));
  }

  recordSecrets(deviceId: string, secrets: readonly { path: string; value: string }[], at: string): void {
    const st = this.#st(`INSERT INTO prov_secrets_set (device_id, path, value_enc, at) VALUES (?, ?, ?, ?)
      ON CONFLICT(device_id, path) DO UPDATE SET value_enc = excluded.value_enc, at = excluded.at`);
    for (const s of secrets) st.run(deviceId, s.path, this.#store.secrets.seal(s.value), at);
  }
}
