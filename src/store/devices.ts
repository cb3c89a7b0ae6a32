// Devices: identity (OUI-ProductClass-Serial), what the last Inform said, and per-device
// credentials (encrypted with store.secrets; never returned in clear except to the code that
// must verify or send them).

import type { Store } from './index.ts';
import { prep } from './db.ts';
import type { Statement } from './db.ts';

export interface DeviceRow {
  id: string;
  oui: string;
  productClass: string;
  serial: string;
  manufacturer: string;
  root: string;
  cwmpVersion: string;
  remoteIp: string;
  softwareVersion: string;
  hardwareVersion: string;
  provisioningCode: string;
  parameterKey: string;
  crUrl: string;
  crUsername: string;
  hasCrPassword: boolean;
  username: string | null;
  hasPassword: boolean;
  firstSeen: string;
  lastInform: string | null;
  lastBoot: string | null;
  lastBootstrap: string | null;
  informCount: number;
  lastCr: string | null;
  lastCrResult: string | null;
}

export interface AuthState {
  own: { username: string; password: string } | null;
  pending: { username: string; password: string } | null;
  hasCrPassword: boolean;
}

/** What an Inform tells: identity always; the optional facts only when the Inform carried them. */
export type InformFacts = Pick<DeviceRow, 'id' | 'oui' | 'productClass' | 'serial' | 'manufacturer' | 'root' | 'cwmpVersion' | 'remoteIp'>
  & Partial<Pick<DeviceRow, 'softwareVersion' | 'hardwareVersion' | 'provisioningCode' | 'parameterKey' | 'crUrl'>>
  & { boot: boolean; bootstrap: boolean; at: string };

const COLS = `id, oui, product_class AS productClass, serial, manufacturer, root, cwmp_version AS cwmpVersion,
  remote_ip AS remoteIp, software_version AS softwareVersion, hardware_version AS hardwareVersion,
  provisioning_code AS provisioningCode, parameter_key AS parameterKey, cr_url AS crUrl, cr_username AS crUsername,
  cr_password_enc IS NOT NULL AS hasCrPassword, username, password_enc IS NOT NULL AS hasPassword,
  first_seen AS firstSeen, last_inform AS lastInform, last_boot AS lastBoot, last_bootstrap AS lastBootstrap,
  inform_count AS informCount, last_cr AS lastCr, last_cr_result AS lastCrResult`;

function fix(r: DeviceRow | undefined): DeviceRow | null {
  if (!r) return null;
  r.hasCrPassword = Boolean(r.hasCrPassword);
  r.hasPassword = Boolean(r.hasPassword);
  return r;
}

export class DeviceRepo {
  readonly #store: Store;
  readonly #get: Statement;
  readonly #upsert: Statement;

  constructor(store: Store) {
    this.#store = store;
    this.#get = store.db.prepare(`SELECT ${COLS} FROM devices WHERE id = ?`);
    this.#upsert = store.db.prepare(`
      INSERT INTO devices (id, oui, product_class, serial, manufacturer, root, cwmp_version, remote_ip,
        software_version, hardware_version, provisioning_code, parameter_key, cr_url, first_seen, last_inform,
        last_boot, last_bootstrap, inform_count)
      VALUES (@id, @oui, @productClass, @serial, @manufacturer, @root, @cwmpVersion, @remoteIp,
        coalesce(@softwareVersion, ''), coalesce(@hardwareVersion, ''), coalesce(@provisioningCode, ''),
        coalesce(@parameterKey, ''), coalesce(@crUrl, ''), @at, @at,
        CASE WHEN @boot THEN @at END, CASE WHEN @bootstrap THEN @at END, 1)
      ON CONFLICT(id) DO UPDATE SET
        manufacturer = excluded.manufacturer, root = excluded.root, cwmp_version = excluded.cwmp_version,
        remote_ip = excluded.remote_ip,
        software_version = coalesce(@softwareVersion, software_version),
        hardware_version = coalesce(@hardwareVersion, hardware_version),
        provisioning_code = coalesce(@provisioningCode, provisioning_code),
        parameter_key = coalesce(@parameterKey, parameter_key),
        cr_url = coalesce(@crUrl, cr_url),
        last_inform = @at,
        last_boot = CASE WHEN @boot THEN @at ELSE last_boot END,
        last_bootstrap = CASE WHEN @bootstrap THEN @at ELSE last_bootstrap END,
        inform_count = inform_count + 1`);
  }

  get(id: string): DeviceRow | null {
    return fix(this.#get.get(id) as DeviceRow | undefined);
  }

  /** Record an Inform (call inside store.commit). */
  recordInform(f: InformFacts): void {
    this.#upsert.run({ ...f, boot: f.boot ? 1 : 0, bootstrap: f.bootstrap ? 1 : 0,
      softwareVersion: f.softwareVersion ?? null, hardwareVersion: f.hardwareVersion ?? null,
      provisioningCode: f.provisioningCode ?? null, parameterKey: f.parameterKey ?? null, crUrl: f.crUrl ?? null });
  }

  list(opts: { limit: number; offset: number; q?: string }): { total: number; items: DeviceRow[] } {
    const where = opts.q ? `WHERE id LIKE @q OR serial LIKE @q OR remote_ip LIKE @q OR product_class LIKE @q` : '';
    const q = opts.q ? `%${opts.q.replace(/[%_]/g, '')}%` : undefined;
    const total = (prep(this.#store.db, `SELECT count(*) AS n FROM devices ${where}`).get(q ? { q } : {}) as { n: number }).n;
    const items = (prep(this.#store.db, `SELECT ${COLS} FROM devices ${where} ORDER BY id LIMIT @limit OFFSET @offset`)
      .all({ ...(q ? { q } : {}), limit: opts.limit, offset: opts.offset }) as DeviceRow[]).map((r) => fix(r)!);
    return { total, items };
  }

  /**
   * Everything authentication needs about a device in one read (the Inform path): its own
   * credential, the pending rotated one, and whether a connection-request password is stored.
   * Null for a device never seen.
   */
  authState(id: string): AuthState | null {
    const r = prep(this.#store.db, `SELECT username, password_enc AS p, pending_username AS pu, pending_password_enc AS pp,
      cr_password_enc IS NOT NULL AS cr FROM devices WHERE id = ?`).get(id) as
      { username: string | null; p: string | null; pu: string | null; pp: string | null; cr: number } | undefined;
    if (!r) return null;
    const open = (box: string) => this.#store.secrets.open(box);
    return {
      own: r.username && r.p ? { username: r.username, password: open(r.p) } : null,
      pending: r.pu && r.pp ? { username: r.pu, password: open(r.pp) } : null,
      hasCrPassword: Boolean(r.cr),
    };
  }

  /** Where and how to send a connection request (the password decrypted). */
  crCredentials(id: string): { url: string; username: string; password: string } | null {
    const r = prep(this.#store.db, 'SELECT cr_url, cr_username, cr_password_enc FROM devices WHERE id = ?').get(id) as { cr_url: string; cr_username: string; cr_password_enc: string | null } | undefined;
    if (!r) return null;
    return { url: r.cr_url, username: r.cr_username, password: r.cr_password_enc ? this.#store.secrets.open(r.cr_password_enc) : '' };
  }

  /** Credentials generated for rotation, not yet confirmed by the phone. */
  setPending(id: string, c: { username: string; password: string; crUsername: string; crPassword: string }): void {
    const box = this.#store.secrets;
    prep(this.#store.db, `UPDATE devices SET pending_username = ?, pending_password_enc = ?, pending_cr_username = ?, pending_cr_password_enc = ? WHERE id = ?`)
      .run(c.username, box.seal(c.password), c.crUsername, box.seal(c.crPassword), id);
  }

  /** The phone confirmed (or already uses) the pending credentials: make them the active ones. */
  promotePending(id: string): boolean {
    return prep(this.#store.db, `UPDATE devices SET username = pending_username, password_enc = pending_password_enc,
      cr_username = pending_cr_username, cr_password_enc = pending_cr_password_enc,
      pending_username = NULL, pending_password_enc = NULL, pending_cr_username = NULL, pending_cr_password_enc = NULL
      WHERE id = ? AND pending_username IS NOT NULL`).run(id).changes > 0;
  }

  recordCr(id: string, at: string, result: string): void {
    prep(this.#store.db, 'UPDATE devices SET last_cr = ?, last_cr_result = ? WHERE id = ?').run(at, result, id);
  }
}
