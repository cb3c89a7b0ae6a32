// Apply a bundle in one transaction or not at all (DESIGN "Central sync and survivability"):
// verify (signature, site, hashes, version, expiry) → parse the firmware catalogue and the
// provisioning content → write the verified file under <stateDir>/sync/ → one store.commit that
// records the bundle, replaces its parts, the catalogue and the provisioning content. A failure
// anywhere leaves the bundle in force untouched; the refusal is stored as data and raised in
// health. The bundle in force and the one before it stay on disk as files.

import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import type { Store } from '../../store/index.ts';
import type { EventBus } from '../../core/events.ts';
import { SyncRepo, type BundleRow } from '../../store/sync.ts';
import { isOutpostError, OutpostError } from '../../core/errors.ts';
import {
  FIRMWARE_CATALOGUE_PART, parseCatalogue, sha256Hex, verifyBundle, type FirmwareCatalogue, type VerifiedBundle,
} from '../../protocols/bundle/index.ts';

/** What the bundle's parts mean (the provisioning content model, or a stub in tests). */
export interface ContentModel {
  /** Parse and check the parts; throw an OutpostError naming file and line. */
  parse(files: Record<string, string>): unknown;
  /** Store the parsed content; runs inside the transaction that records the bundle. */
  apply(store: Store, content: unknown, version: number): void;
  /** After the commit: tell whoever uses the content (the ACS re-plans phones). */
  applied?(ctx: { store: Store; events: EventBus }, version: number): void;
}

export type Source = 'central' | 'usb';
export type OfferResult =
  | { applied: true; version: number; expired: boolean }
  | { applied: false; version: number; reason: 'unchanged' | 'not newer' };

export interface KeeperDeps {
  store: Store;
  model: ContentModel;
  /** <stateDir>/sync */
  dir: string;
  publicKey: KeyObject | null;
  site: string;
  maxBytes: number;
}

export class BundleKeeper {
  readonly #d: KeeperDeps;
  readonly #repo: SyncRepo;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(d: KeeperDeps) {
    this.#d = d;
    this.#repo = new SyncRepo(d.store);
    mkdirSync(d.dir, { recursive: true, mode: 0o700 });
  }

  inForce(): BundleRow | null {
    return this.#repo.inForce();
  }

  /**
   * Verify and apply (serialized: one offer at a time). Throws the OutpostError that refused it
   * after recording it. `quietIfOlder`: a USB bundle that is not newer than the one in force is
   * simply skipped (it is read at every start), not a rejection.
   */
  offer(bytes: Buffer, source: Source, o: { quietIfOlder?: boolean } = {}): Promise<OfferResult> {
    const run = this.#queue.then(() => this.#offer(bytes, source, o.quietIfOlder === true));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #offer(bytes: Buffer, source: Source, quietIfOlder: boolean): Promise<OfferResult> {
    const current = this.#repo.inForce();
    if (current && sha256Hex(bytes) === current.sha256) return { applied: false, version: current.version, reason: 'unchanged' };
    let v: VerifiedBundle;
    let catalogue: FirmwareCatalogue;
    let content: unknown;
    try {
      if (!this.#d.publicKey) throw new OutpostError('SYNC_BUNDLE_KEY', 'no bundle public key in the site config (sync.publicKey)');
      v = verifyBundle(bytes, {
        publicKey: this.#d.publicKey, site: this.#d.site, now: this.#d.store.clock.now(),
        currentVersion: current?.version ?? null, maxBytes: this.#d.maxBytes,
        // With nothing in force, an expired bundle is better than none (it is flagged in health).
        allowExpired: current === null,
      });
      ({ catalogue, content } = this.#parseContent(v));
    } catch (err) {
      if (quietIfOlder && isOutpostError(err, 'SYNC_BUNDLE_ROLLBACK')) return { applied: false, version: current!.version, reason: 'not newer' };
      await this.#reject(source, bytes, err);
      throw err;
    }
    const m = v.doc.manifest;
    const file = join(this.#d.dir, `bundle-${m.version}-${v.sha256.slice(0, 12)}.json`);
    writeDurably(file, bytes);
    const row: BundleRow = {
      version: m.version, sha256: v.sha256, site: m.site, issuedAt: m.issuedAt, expiresAt: m.expiresAt,
      keyId: v.doc.signature!.keyId, source, file: basename(file), appliedAt: this.#d.store.clock.now(),
    };
    const parts = Object.fromEntries(m.parts.map((p) => [p.name, { sha256: p.sha256, content: v.doc.parts[p.name]! }]));
    try {
      await this.#d.store.commit(() => {
        this.#repo.recordBundle(row, JSON.stringify(m), parts);
        this.#repo.replaceCatalogue(catalogue.images);
        this.#d.model.apply(this.#d.store, content, m.version);
      });
    } catch (err) {
      rmSync(file, { force: true });
      const wrapped = isOutpostError(err) ? err : new OutpostError('SYNC_BUNDLE_CONTENT', `version ${m.version} could not be stored: ${(err as Error).message}`);
      await this.#reject(source, bytes, wrapped);
      throw wrapped;
    }
    this.#prune();
    return { applied: true, version: m.version, expired: v.expired };
  }

  #parseContent(v: VerifiedBundle): { catalogue: FirmwareCatalogue; content: unknown } {
    const parts = v.doc.parts;
    const version = v.doc.manifest.version;
    try {
      const catText = parts[FIRMWARE_CATALOGUE_PART];
      const catalogue = catText === undefined ? { images: [] } : parseCatalogue(catText);
      return { catalogue, content: this.#d.model.parse(parts) };
    } catch (err) {
      if (!isOutpostError(err)) throw err;
      if (err.code.startsWith('SYNC_')) throw err;
      throw new OutpostError('SYNC_BUNDLE_CONTENT', `version ${version}: ${err.detail ?? err.message}`, { cause: err });
    }
  }

  async #reject(source: Source, bytes: Buffer, err: unknown): Promise<void> {
    const e = isOutpostError(err) ? err : new OutpostError('SYNC_BUNDLE_MALFORMED', (err as Error).message);
    let version: number | null = null;
    try { version = Number((JSON.parse(bytes.toString('utf8')) as { manifest?: { version?: unknown } }).manifest?.version) || null; } catch { /* unparseable */ }
    await this.#d.store.commit(() => this.#repo.addRejection({ at: this.#d.store.clock.now(), source, version, sha256: sha256Hex(bytes), code: e.code, message: e.message }));
  }

  /** Keep the files of the bundle in force and the one before it; drop the rest. */
  #prune(): void {
    const keep = new Set(this.#repo.keptFiles());
    for (const name of readdirSync(this.#d.dir)) {
      if (/^bundle-\d+-[0-9a-f]{12}\.json(\.tmp)?$/.test(name) && !keep.has(name)) rmSync(join(this.#d.dir, name), { force: true });
    }
  }
}

/** Write a file so that after a crash it is either complete or absent (temp + fsync + rename). */
export function writeDurably(file: string, data: Buffer | string): void {
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  const dfd = openSync(join(file, '..'), 'r');
  try { fsyncSync(dfd); } finally { closeSync(dfd); }
}
