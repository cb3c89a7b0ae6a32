// The reference central's database (src/central): sites, every report record received (keyed by
// site + stream + seq, so a batch sent twice is stored once), and per device the latest
// inventory and compliance — from which the compliance totals per site are counted.
// Central opens its file with openDb (so it also carries the site tables, unused) and adds its own
// tables here, tracked in central_migrations.

import type { Db } from './db.ts';

/** A checked batch (the store imports only core: central validates with protocols/bundle). */
export interface IngestBatch {
  site: string;
  stream: string;
  dropped: number;
  bundleVersion: number | null;
  records: { seq: number; kind: string; at: string; payload: unknown; valid: boolean }[];
}

const COMPLIANCE_STATES = ['compliant', 'provisioning', 'drifted', 'failed', 'silent', 'unknown'];

const CENTRAL_MIGRATIONS = [
  {
    id: 1,
    sql: `
CREATE TABLE central_sites (
  site TEXT PRIMARY KEY,
  last_contact INTEGER,                -- epoch ms of the last authenticated request
  last_address TEXT,
  bundle_version INTEGER,              -- the version in force as the site last said
  stream TEXT,                         -- the site's current report stream
  records INTEGER NOT NULL DEFAULT 0,  -- distinct report records stored
  duplicates INTEGER NOT NULL DEFAULT 0,
  invalid INTEGER NOT NULL DEFAULT 0,  -- stored but not understood (a newer site, or a bug)
  dropped INTEGER NOT NULL DEFAULT 0,  -- records the site lost to a full outbox (its total)
  events INTEGER NOT NULL DEFAULT 0,
  audit INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE central_reports (
  site TEXT NOT NULL,
  stream TEXT NOT NULL,
  seq INTEGER NOT NULL,
  kind TEXT NOT NULL,
  at TEXT NOT NULL,
  payload TEXT NOT NULL,
  valid INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  PRIMARY KEY (site, stream, seq)
) WITHOUT ROWID;
CREATE TABLE central_devices (
  site TEXT NOT NULL,
  device_id TEXT NOT NULL,
  inventory TEXT,                      -- JSON of the latest inventory record
  compliance TEXT NOT NULL DEFAULT 'unknown',
  compliance_detail TEXT,
  updated_at TEXT NOT NULL,
  removed INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (site, device_id)
) WITHOUT ROWID;
`,
  },
];

export interface SiteSummary {
  site: string;
  lastContact: number | null;
  lastAddress: string | null;
  bundleVersion: number | null;
  records: number;
  duplicates: number;
  invalid: number;
  dropped: number;
  events: number;
  audit: number;
  devices: number;
  compliance: Record<string, number>;
}

export class CentralRepo {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
    db.exec('CREATE TABLE IF NOT EXISTS central_migrations (id INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
    const done = new Set((db.prepare('SELECT id FROM central_migrations').all() as { id: number }[]).map((r) => r.id));
    for (const m of CENTRAL_MIGRATIONS) {
      if (done.has(m.id)) continue;
      db.transaction(() => {
        db.exec(m.sql);
        db.prepare('INSERT INTO central_migrations (id, applied_at) VALUES (?, ?)').run(m.id, new Date().toISOString());
      })();
    }
  }

  /** An authenticated request from a site (bundleVersion from its X-Outpost-Bundle-Version). */
  contact(site: string, at: number, address: string, bundleVersion: number | null): void {
    this.#db.prepare(`INSERT INTO central_sites (site, last_contact, last_address, bundle_version) VALUES (?, ?, ?, ?)
      ON CONFLICT(site) DO UPDATE SET last_contact = excluded.last_contact, last_address = excluded.last_address,
      bundle_version = coalesce(excluded.bundle_version, bundle_version)`).run(site, at, address, bundleVersion);
  }

  /** Store a batch in one transaction (durable when this returns) and say what central now has. */
  ingest(batch: IngestBatch, now: number): { ackedThrough: number; accepted: number; duplicates: number } {
    const db = this.#db;
    const ins = db.prepare('INSERT OR IGNORE INTO central_reports (site, stream, seq, kind, at, payload, valid, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    const inv = db.prepare(`INSERT INTO central_devices (site, device_id, inventory, updated_at, removed) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT(site, device_id) DO UPDATE SET inventory = excluded.inventory, updated_at = excluded.updated_at, removed = excluded.removed`);
    const comp = db.prepare(`INSERT INTO central_devices (site, device_id, compliance, compliance_detail, updated_at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT(site, device_id) DO UPDATE SET compliance = excluded.compliance, compliance_detail = excluded.compliance_detail, updated_at = excluded.updated_at`);
    const counts = { accepted: 0, duplicates: 0, invalid: 0, events: 0, audit: 0 };
    db.transaction(() => {
      for (const r of batch.records) {
        if (ins.run(batch.site, batch.stream, r.seq, r.kind, r.at, JSON.stringify(r.payload ?? null), r.valid ? 1 : 0, now).changes === 0) {
          counts.duplicates++;
          continue;
        }
        counts.accepted++;
        if (!r.valid) { counts.invalid++; continue; }
        const p = r.payload as Record<string, unknown>;
        if (r.kind === 'inventory') inv.run(batch.site, p.deviceId, JSON.stringify(p), r.at, p.removed ? 1 : 0);
        else if (r.kind === 'compliance') comp.run(batch.site, p.deviceId, p.state, p.detail ?? null, r.at);
        else if (r.kind === 'event') counts.events++;
        else if (r.kind === 'audit') counts.audit++;
      }
      db.prepare(`INSERT INTO central_sites (site, stream, records, duplicates, invalid, dropped, events, audit, bundle_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT(site) DO UPDATE SET stream = excluded.stream, records = records + excluded.records, duplicates = duplicates + excluded.duplicates,
        invalid = invalid + excluded.invalid, dropped = max(dropped, excluded.dropped), events = events + excluded.events, audit = audit + excluded.audit,
        bundle_version = coalesce(excluded.bundle_version, bundle_version)`)
        .run(batch.site, batch.stream, counts.accepted, counts.duplicates, counts.invalid, batch.dropped, counts.events, counts.audit, batch.bundleVersion);
    })();
    const last = batch.records.at(-1)?.seq ?? 0;
    return { ackedThrough: last, accepted: counts.accepted, duplicates: counts.duplicates };
  }

  sites(): SiteSummary[] {
    const rows = this.#db.prepare(`SELECT site, last_contact AS lastContact, last_address AS lastAddress, bundle_version AS bundleVersion,
      records, duplicates, invalid, dropped, events, audit FROM central_sites ORDER BY site`).all() as Omit<SiteSummary, 'devices' | 'compliance'>[];
    return rows.map((r) => ({ ...r, ...this.totals(r.site) }));
  }

  site(site: string): SiteSummary | null {
    return this.sites().find((s) => s.site === site) ?? null;
  }

  /** Compliance totals over the site's current devices (removed ones excluded). */
  totals(site: string): { devices: number; compliance: Record<string, number> } {
    const compliance: Record<string, number> = Object.fromEntries(COMPLIANCE_STATES.map((s) => [s, 0]));
    let devices = 0;
    for (const r of this.#db.prepare('SELECT compliance AS state, count(*) AS n FROM central_devices WHERE site = ? AND removed = 0 GROUP BY compliance').all(site) as { state: string; n: number }[]) {
      compliance[r.state] = r.n;
      devices += r.n;
    }
    return { devices, compliance };
  }

  /** Report records of a site, oldest first (for inspection and tests). */
  records(site: string, o: { kind?: string; afterSeq?: number; limit?: number } = {}): { stream: string; seq: number; kind: string; at: string; payload: unknown }[] {
    const rows = this.#db.prepare(`SELECT stream, seq, kind, at, payload FROM central_reports WHERE site = ? AND (? IS NULL OR kind = ?) AND seq > ?
      ORDER BY received_at, seq LIMIT ?`).all(site, o.kind ?? null, o.kind ?? null, o.afterSeq ?? 0, o.limit ?? 1000) as { stream: string; seq: number; kind: string; at: string; payload: string }[];
    return rows.map((r) => ({ ...r, payload: JSON.parse(r.payload) as unknown }));
  }

  /** Distinct records and the seq range per stream of a site. */
  streamStats(site: string): { stream: string; count: number; minSeq: number; maxSeq: number }[] {
    return this.#db.prepare('SELECT stream, count(*) AS count, min(seq) AS minSeq, max(seq) AS maxSeq FROM central_reports WHERE site = ? GROUP BY stream')
      .all(site) as { stream: string; count: number; minSeq: number; maxSeq: number }[];
  }
}
