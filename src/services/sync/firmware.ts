// Firmware images named in the bundle's catalogue, fetched into the firmware store while the WAN
// is up (the ACS serves <stateDir>/firmware or acs.firmwareDir to phones). Downloads land in
// <firmwareDir>/.partial/<file>.part and resume with Range/If-Range after any cut (RFC 9110
// §13.1.5, §14.2); an image enters the store (rename) only when its size and SHA-256 match the
// signed catalogue, so phones are never handed a partial or altered image. The ACS never
// serves dot-directories, so a partial file is not reachable.

import { createHash } from 'node:crypto';
import { closeSync, createReadStream, existsSync, fsyncSync, openSync, mkdirSync, renameSync, rmSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from '../../store/index.ts';
import { SyncRepo, type FirmwareRow } from '../../store/sync.ts';
import { download, NetworkError, type RequestOptions } from './http.ts';
import type { WanOutcome } from './wan.ts';

const FAILED_RETRY = 5 * 60_000;
const DAY = 86_400_000;

export async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

export interface FetcherDeps {
  store: Store;
  firmwareDir: string;
  /** Resolve a catalogue entry's URL (relative to the bundle URL) and the headers for it. */
  locate(row: FirmwareRow): { url: string; headers: Record<string, string> };
  http: Omit<RequestOptions, 'headers'>;
  wan(o: WanOutcome): void;
  ready(row: FirmwareRow): void;
  failed(row: FirmwareRow, message: string): void;
}

export class FirmwareFetcher {
  readonly #d: FetcherDeps;
  readonly #repo: SyncRepo;
  readonly #partial: string;

  constructor(d: FetcherDeps) {
    this.#d = d;
    this.#repo = new SyncRepo(d.store);
    this.#partial = join(d.firmwareDir, '.partial');
  }

  /** Bring every catalogue image into the store. Stops at the first network failure (WAN gone). */
  async run(signal?: AbortSignal): Promise<{ ready: number; pending: number }> {
    mkdirSync(this.#partial, { recursive: true, mode: 0o700 });
    for (const row of this.#repo.firmware()) {
      if (signal?.aborted) break;
      if (row.state === 'ready' && existsSync(join(this.#d.firmwareDir, row.file))) continue;
      // An image that failed verification is fetched again with back-off, not every cycle.
      if (row.state === 'failed' && this.#d.store.clock.now() < row.updatedAt + Math.min(DAY, FAILED_RETRY * 2 ** Math.min(10, row.attempts - 1))) continue;
      const ok = await this.#one(row, signal);
      if (ok === 'network') break;
    }
    const rows = this.#repo.firmware();
    return { ready: rows.filter((r) => r.state === 'ready').length, pending: rows.filter((r) => r.state !== 'ready').length };
  }

  async #one(row: FirmwareRow, signal?: AbortSignal): Promise<'ok' | 'failed' | 'network'> {
    const target = join(this.#d.firmwareDir, row.file);
    // Already in the store (imported from USB, or a previous bundle): verify instead of fetching.
    if (existsSync(target) && statSync(target).size === row.size && await sha256File(target) === row.sha256) {
      await this.#mark(row, { state: 'ready', bytes: row.size, etag: null, error: null });
      return 'ok';
    }
    const part = join(this.#partial, `${row.file}.part`);
    let have = existsSync(part) ? statSync(part).size : 0;
    if (have > row.size) { truncateSync(part, 0); have = 0; }
    const { url, headers } = this.#d.locate(row);
    let etag = row.etag;
    try {
      if (have < row.size) {
        const r = await download(url, part, have, row.size, { ...this.#d.http, headers, etag, signal });
        etag = typeof r.headers.etag === 'string' ? r.headers.etag : null;
        if (r.status !== 200 && r.status !== 206) {
          this.#d.wan(r.status >= 500 ? { ok: false, kind: 'server', message: `firmware ${row.file}: HTTP ${r.status}` } : { ok: true, latencyMs: r.latencyMs });
          return this.#fail(row, existsSync(part) ? statSync(part).size : 0, etag, `HTTP ${r.status} for ${row.file}`);
        }
        this.#d.wan({ ok: true, latencyMs: r.latencyMs });
      }
    } catch (err) {
      const got = existsSync(part) ? statSync(part).size : 0;
      await this.#mark(row, { state: 'pending', bytes: got, etag, error: (err as Error).message });
      if (err instanceof NetworkError) {
        this.#d.wan({ ok: false, kind: 'network', message: err.message });
        return 'network';
      }
      throw err;
    }
    const size = statSync(part).size;
    if (size < row.size) {
      await this.#mark(row, { state: 'pending', bytes: size, etag, error: 'incomplete' });
      return 'network';
    }
    if (size !== row.size || await sha256File(part) !== row.sha256) {
      rmSync(part, { force: true }); // corrupt or altered: start over next time
      return this.#fail(row, 0, null, `${row.file}: size or SHA-256 does not match the signed catalogue`);
    }
    const fd = openSync(part, 'r+');
    try { fsyncSync(fd); } finally { closeSync(fd); }
    renameSync(part, target);
    await this.#mark(row, { state: 'ready', bytes: row.size, etag: null, error: null });
    this.#d.ready(row);
    return 'ok';
  }

  async #fail(row: FirmwareRow, bytes: number, etag: string | null, message: string): Promise<'failed'> {
    await this.#mark(row, { state: 'failed', bytes, etag, error: message, attempt: true });
    this.#d.failed(row, message);
    return 'failed';
  }

  #mark(row: FirmwareRow, u: Parameters<SyncRepo['updateFirmware']>[2]): Promise<void> {
    return this.#d.store.commit(() => this.#repo.updateFirmware(row.file, row.sha256, u));
  }
}
