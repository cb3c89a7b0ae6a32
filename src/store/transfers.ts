// File transfers: TransferComplete / AutonomousTransferComplete records (idempotent on a
// retried message, TR-069 §1.8) and upload tokens for the ACS file endpoint.
import type { Store } from './index.ts';
import { prep } from './db.ts';

export interface TransferRow {
  id: number;
  deviceId: string;
  commandKey: string;
  autonomous: boolean;
  isDownload: boolean | null;
  fileType: string;
  faultCode: number;
  faultString: string;
  startTime: string;
  completeTime: string;
  receivedAt: string;
}

export interface UploadRow {
  token: string;
  deviceId: string;
  taskId: number | null;
  fileType: string;
  createdAt: string;
  receivedAt: string | null;
  size: number | null;
  sha256: string | null;
  file: string | null;
}

export class TransferRepo {
  readonly #store: Store;
  constructor(store: Store) {
    this.#store = store;
  }

  /** Returns false when the same completion was already recorded (a retried message). */
  record(t: Omit<TransferRow, 'id'>): boolean {
    return prep(this.#store.db, `INSERT OR IGNORE INTO transfers (device_id, command_key, autonomous, is_download, file_type,
      fault_code, fault_string, start_time, complete_time, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(t.deviceId, t.commandKey, t.autonomous ? 1 : 0, t.isDownload === null ? null : t.isDownload ? 1 : 0, t.fileType,
        t.faultCode, t.faultString, t.startTime, t.completeTime, t.receivedAt).changes > 0;
  }

  list(deviceId: string, limit = 50): TransferRow[] {
    return (prep(this.#store.db, `SELECT id, device_id AS deviceId, command_key AS commandKey, autonomous, is_download AS isDownload,
      file_type AS fileType, fault_code AS faultCode, fault_string AS faultString, start_time AS startTime,
      complete_time AS completeTime, received_at AS receivedAt FROM transfers WHERE device_id = ? ORDER BY id DESC LIMIT ?`)
      .all(deviceId, limit) as TransferRow[]).map((r) => ({ ...r, autonomous: Boolean(r.autonomous), isDownload: r.isDownload === null ? null : Boolean(r.isDownload) }));
  }

  createUpload(u: { token: string; deviceId: string; taskId: number | null; fileType: string; at: string }): void {
    prep(this.#store.db, `INSERT INTO uploads (token, device_id, task_id, file_type, created_at) VALUES (?, ?, ?, ?, ?)`)
      .run(u.token, u.deviceId, u.taskId, u.fileType, u.at);
  }

  getUpload(token: string): UploadRow | null {
    return (prep(this.#store.db, `SELECT token, device_id AS deviceId, task_id AS taskId, file_type AS fileType, created_at AS createdAt,
      received_at AS receivedAt, size, sha256, file FROM uploads WHERE token = ?`).get(token) as UploadRow | undefined) ?? null;
  }

  receiveUpload(token: string, size: number, sha256: string, file: string, at: string): boolean {
    return prep(this.#store.db, `UPDATE uploads SET received_at = ?, size = ?, sha256 = ?, file = ? WHERE token = ? AND received_at IS NULL`)
      .run(at, size, sha256, file, token).changes > 0;
  }

  uploads(deviceId: string, limit = 50): UploadRow[] {
    return prep(this.#store.db, `SELECT token, device_id AS deviceId, task_id AS taskId, file_type AS fileType, created_at AS createdAt,
      received_at AS receivedAt, size, sha256, file FROM uploads WHERE device_id = ? ORDER BY created_at DESC LIMIT ?`).all(deviceId, limit) as UploadRow[];
  }
}
