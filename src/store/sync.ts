// Sync state of the site: the bundle in force (the highest applied version) and its parts, the
// bundles refused, and the firmware catalogue with each image's download state. Written by
// services/sync; read by the API (and by anyone who needs the catalogue).

import type { Store } from './index.ts';

export interface BundleRow {
  version: number;
  sha256: string;
  site: string;
  issuedAt: string;
  expiresAt: string;
  keyId: string;
  source: 'central' | 'usb';
  file: string;
  appliedAt: number;
}

export interface RejectionRow {
  id: number;
  at: number;
  source: string;
  version: number | null;
  sha256: string | null;
  code: string;
  message: string;
}

/** A catalogue entry as tracked locally: where its download stands. */
export interface FirmwareRow extends Omit<CatalogueEntry, 'url' | 'signature'> {
  url: string | null;
  signature: string | null;
  state: 'pending' | 'ready' | 'failed';
  bytes: number;
  etag: string | null;
  attempts: number;
  error: string | null;
  updatedAt: number;
}

export interface CatalogueEntry {
  file: string;
  vendor: string;
  models: string[];
  version: string;
  size: number;
  sha256: string;
  url?: string | undefined;
  signature?: string | undefined;
}

export interface WanRow {
  state: 'up' | 'degraded' | 'down' | null;
  since: number | null;
  reason: string | null;
  lastOk: number | null;
  lastCycleAt: number | null;
  lastCycleOk: boolean | null;
}

const KEEP_REJECTIONS = 100;
const BUNDLE_COLS = `version, sha256, site, issued_at AS issuedAt, expires_at AS expiresAt, key_id AS keyId, source, file, applied_at AS appliedAt`;

export class SyncRepo {
  readonly #store: Store;
  constructor(store: Store) {
    this.#store = store;
  }

  inForce(): BundleRow | null {
    return (this.#store.db.prepare(`SELECT ${BUNDLE_COLS} FROM sync_bundles ORDER BY version DESC LIMIT 1`).get() as BundleRow | undefined) ?? null;
  }

  history(limit = 20): BundleRow[] {
    return this.#store.db.prepare(`SELECT ${BUNDLE_COLS} FROM sync_bundles ORDER BY version DESC LIMIT ?`).all(limit) as BundleRow[];
  }

  /** Record a bundle as in force and replace the parts (call inside store.commit). */
  recordBundle(b: BundleRow, manifestJson: string, parts: Record<string, { sha256: string; content: string }>): void {
    const db = this.#store.db;
    db.prepare(`INSERT INTO sync_bundles (version, sha256, site, issued_at, expires_at, key_id, source, file, manifest, applied_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(b.version, b.sha256, b.site, b.issuedAt, b.expiresAt, b.keyId, b.source, b.file, manifestJson, b.appliedAt);
    db.prepare('DELETE FROM sync_parts').run();
    const ins = db.prepare('INSERT INTO sync_parts (name, sha256, content) VALUES (?, ?, ?)');
    for (const [name, p] of Object.entries(parts)) ins.run(name, p.sha256, p.content);
  }

  parts(): { name: string; sha256: string; size: number }[] {
    return this.#store.db.prepare('SELECT name, sha256, length(CAST(content AS BLOB)) AS size FROM sync_parts ORDER BY name').all() as { name: string; sha256: string; size: number }[];
  }

  part(name: string): string | null {
    return (this.#store.db.prepare('SELECT content FROM sync_parts WHERE name = ?').get(name) as { content: string } | undefined)?.content ?? null;
  }

  /** Bundle files still referenced (the in-force one and the one before it are kept). */
  keptFiles(): string[] {
    return (this.#store.db.prepare('SELECT file FROM sync_bundles ORDER BY version DESC LIMIT 2').all() as { file: string }[]).map((r) => r.file);
  }

  /** Call inside store.commit. */
  addRejection(r: Omit<RejectionRow, 'id'>): void {
    const db = this.#store.db;
    db.prepare('INSERT INTO sync_rejections (at, source, version, sha256, code, message) VALUES (?, ?, ?, ?, ?, ?)')
      .run(r.at, r.source, r.version, r.sha256, r.code, r.message.slice(0, 2000));
    db.prepare('DELETE FROM sync_rejections WHERE id <= (SELECT max(id) FROM sync_rejections) - ?').run(KEEP_REJECTIONS);
  }

  rejections(limit = 20): RejectionRow[] {
    return this.#store.db.prepare('SELECT id, at, source, version, sha256, code, message FROM sync_rejections ORDER BY id DESC LIMIT ?').all(limit) as RejectionRow[];
  }

  etag(): string | null {
    return (this.#store.db.prepare('SELECT etag FROM sync_state WHERE id = 1').get() as { etag: string | null }).etag;
  }

  /** Call inside store.commit. */
  setEtag(etag: string | null): void {
    this.#store.db.prepare('UPDATE sync_state SET etag = ? WHERE id = 1').run(etag);
  }

  wan(): WanRow {
    const r = this.#store.db.prepare(`SELECT wan_state AS state, wan_since AS since, wan_reason AS reason, wan_last_ok AS lastOk,
      last_cycle_at AS lastCycleAt, last_cycle_ok AS lastCycleOk FROM sync_state WHERE id = 1`).get() as Omit<WanRow, 'lastCycleOk'> & { lastCycleOk: number | null };
    return { ...r, lastCycleOk: r.lastCycleOk === null ? null : r.lastCycleOk === 1 };
  }

  /** Call inside store.commit. */
  setWan(w: { state: string; since: number; reason: string | null; lastOk: number | null }): void {
    this.#store.db.prepare('UPDATE sync_state SET wan_state = ?, wan_since = ?, wan_reason = ?, wan_last_ok = ? WHERE id = 1').run(w.state, w.since, w.reason, w.lastOk);
  }

  /** Call inside store.commit. */
  setCycle(at: number, ok: boolean, lastOk: number | null): void {
    this.#store.db.prepare('UPDATE sync_state SET last_cycle_at = ?, last_cycle_ok = ?, wan_last_ok = coalesce(?, wan_last_ok) WHERE id = 1').run(at, ok ? 1 : 0, lastOk);
  }

  /**
   * Replace the catalogue (call inside store.commit, with the bundle). An image whose size and
   * hash are unchanged keeps its download state; a changed or new one starts pending.
   */
  replaceCatalogue(entries: readonly CatalogueEntry[]): void {
    const db = this.#store.db;
    const now = this.#store.clock.now();
    const old = new Map(this.firmware().map((f) => [f.file, f]));
    db.prepare('DELETE FROM sync_firmware').run();
    const ins = db.prepare(`INSERT INTO sync_firmware (file, vendor, models, version, size, sha256, url, signature, state, bytes, etag, attempts, error, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    for (const e of entries) {
      const o = old.get(e.file);
      const same = o && o.size === e.size && o.sha256 === e.sha256;
      ins.run(e.file, e.vendor, JSON.stringify(e.models), e.version, e.size, e.sha256, e.url ?? null, e.signature ?? null,
        same ? o.state : 'pending', same ? o.bytes : 0, same ? o.etag : null, same ? o.attempts : 0, same ? o.error : null, now);
    }
  }

  firmware(): FirmwareRow[] {
    const rows = this.#store.db.prepare(`SELECT file, vendor, models, version, size, sha256, url, signature, state, bytes, etag, attempts, error,
      updated_at AS updatedAt FROM sync_firmware ORDER BY file`).all() as (Omit<FirmwareRow, 'models'> & { models: string })[];
    return rows.map((r) => ({ ...r, models: JSON.parse(r.models) as string[] }));
  }

  /** Call inside store.commit. Ignored when the catalogue no longer has the file. */
  updateFirmware(file: string, sha256: string, u: { state: FirmwareRow['state']; bytes: number; etag: string | null; error: string | null; attempt?: boolean }): void {
    this.#store.db.prepare(`UPDATE sync_firmware SET state = ?, bytes = ?, etag = ?, error = ?, attempts = attempts + ?, updated_at = ?
      WHERE file = ? AND sha256 = ?`).run(u.state, u.bytes, u.etag, u.error, u.attempt ? 1 : 0, this.#store.clock.now(), file, sha256);
  }
}
