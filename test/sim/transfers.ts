// File transfers of a simulated phone (tr069-protocol.md §3.1 Download/Upload/ScheduleDownload,
// §3.2 TransferComplete): the queue the RPCs fill, and the HTTP(S) GET/PUT that runs after the
// session, answering a Basic or Digest challenge from the file server with the given credentials.
// Firmware images are text files whose first line is `version=<SoftwareVersion>`; vendor
// configuration files are `<parameter path>=<value>` lines applied atomically.

import { createHash } from 'node:crypto';
import type { FaultStruct } from '../../src/protocols/cwmp/types.ts';
import { buildAuthorization, parseChallenge } from '../../src/protocols/http/digest.ts';
import { faultString } from './faults.ts';
import { httpRequest, type HttpResponse } from './http-client.ts';
import { canonicalValue, UNKNOWN_TIME } from './models/values.ts';
import type { ConnectOptions } from './phone-net.ts';
import type { PhoneState } from './state.ts';

export type TransferKind = 'Download' | 'Upload' | 'ScheduleDownload';

export interface Transfer {
  kind: TransferKind;
  commandKey: string;
  fileType: string;
  url: string;
  username: string;
  password: string;
  fileSize: number;
  /** Seconds after the session ends (Download/Upload DelaySeconds, ScheduleDownload WindowStart). */
  delaySeconds: number;
  state: 'queued' | 'running' | 'done';
}

export interface TransferResult {
  transfer: Transfer;
  fault: FaultStruct;
  startTime: string;
  completeTime: string;
  /** Firmware version to boot into (1 Firmware Upgrade Image). */
  firmware?: string;
}

/** §3.1 GetQueuedTransfers: at most 16 transfers queued. */
export const MAX_QUEUED = 16;
export const FIRMWARE = '1 Firmware Upgrade Image';
export const CONFIG_FILE = '3 Vendor Configuration File';

export interface TransferEnv {
  state: PhoneState;
  ca?: string;
  now(): number;
  /** booleanAsInt and friends, for applying configuration files. */
  booleanAsInt?: boolean | undefined;
  /** Source address and DNS answer (network mode). */
  connect?: ConnectOptions;
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export const OK: FaultStruct = { code: 0, string: '' };
const fault = (code: number): FaultStruct => ({ code, string: faultString(code) });

/** GET/PUT answering one 401 challenge (Basic or Digest) with the transfer's credentials. */
async function authedRequest(method: 'GET' | 'PUT', t: Transfer, env: TransferEnv, body?: Buffer): Promise<HttpResponse> {
  const url = new URL(t.url);
  const base = { method, url, ca: env.ca, agent: false as const, ...(body ? { body } : {}), ...env.connect };
  const first = await httpRequest(base);
  if (first.status !== 401 || (t.username === '' && t.password === '')) return first;
  const challenge = parseChallenge(String(first.headers['www-authenticate'] ?? ''));
  if (!challenge) return first;
  const authorization = buildAuthorization(challenge, {
    username: t.username, password: t.password, method, uri: `${url.pathname}${url.search}`,
  });
  return httpRequest({ ...base, headers: { Authorization: authorization } });
}

function networkFault(err: unknown): FaultStruct {
  const code = (err as { code?: string }).code;
  return fault(code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' ? 9015 : 9010);
}

export async function runDownload(t: Transfer, env: TransferEnv): Promise<TransferResult> {
  const startTime = isoTime(env.now());
  const done = (f: FaultStruct, extra: Partial<TransferResult> = {}): TransferResult =>
    ({ transfer: t, fault: f, startTime, completeTime: isoTime(env.now()), ...extra });
  let res: HttpResponse;
  try {
    res = await authedRequest('GET', t, env);
  } catch (err) {
    return done(networkFault(err));
  }
  if (res.status === 401) return done(fault(9012));
  if (res.status === 404 || res.status === 403) return done(fault(9016));
  if (res.status < 200 || res.status > 299) return done(fault(9010));
  if (t.fileSize > 0 && res.body.length !== t.fileSize) return done(fault(res.body.length < t.fileSize ? 9017 : 9018));
  if (t.fileType === FIRMWARE) {
    const version = firmwareVersion(res.body);
    return version ? done(OK, { firmware: version }) : done(fault(9018));
  }
  if (t.fileType === CONFIG_FILE) return done(applyConfigFile(res.body.toString('utf8'), env) ? OK : fault(9018));
  return done(OK); // web content, tones, ringers: accepted and kept nowhere
}

/**
 * A simulated firmware image: first line `version=<SoftwareVersion>`, optional second line
 * `sha256=<hex>` of everything after that line (a corrupted image fails it → 9018), then the
 * payload. The version, or null when the image is not valid.
 */
export function firmwareVersion(image: Buffer): string | null {
  const head = image.toString('latin1', 0, Math.min(image.length, 512));
  const m = /^\s*version\s*=\s*(\S+)\r?\n(?:sha256=([0-9a-fA-F]{64})\r?\n)?/i.exec(head) ?? /^\s*version\s*=\s*(\S+)\s*$/i.exec(head);
  if (!m) return null;
  if (m[2] && createHash('sha256').update(image.subarray(m[0].length)).digest('hex') !== m[2].toLowerCase()) return null;
  return m[1]!;
}

/** A firmware image of `version` with its checksum line and `size` bytes of payload (tests, lab). */
export function firmwareImage(version: string, size = 1024): Buffer {
  const payload = Buffer.alloc(size, 0x5a);
  return Buffer.concat([Buffer.from(`version=${version}\nsha256=${createHash('sha256').update(payload).digest('hex')}\n`), payload]);
}

/** `path=value` lines (blank lines and `#` comments ignored), applied all-or-nothing. */
export function applyConfigFile(text: string, env: TransferEnv): boolean {
  const plan: [string, string][] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq < 0) return false;
    const path = line.slice(0, eq).trim();
    const res = env.state.resolve(path);
    if (res?.kind !== 'param') return false;
    const value = canonicalValue(res.def, line.slice(eq + 1).trim(), { booleanAsInt: env.booleanAsInt });
    if (value === null) return false;
    plan.push([res.path, value]);
  }
  for (const [p, v] of plan) env.state.set(p, v);
  return true;
}

/** What an Upload sends: the configuration (writable, non-hidden values) or a short log. */
export function uploadBody(t: Transfer, env: TransferEnv): Buffer {
  if (t.fileType.includes('Log File')) {
    return Buffer.from(`${isoTime(env.now())} simphone ${env.state.identity.serial}: uptime ${env.state.get(`${env.state.model.root.template}DeviceInfo.UpTime`) ?? '0'}s\n`);
  }
  const lines: string[] = [`# ${env.state.identity.serial} configuration`];
  env.state.walk(env.state.resolve('')!, false, (item) => {
    if (item.param?.writable && !item.param.hidden) lines.push(`${item.path}=${env.state.valueOf(item.param, item.path)}`);
  });
  return Buffer.from(`${lines.join('\n')}\n`);
}

export async function runUpload(t: Transfer, env: TransferEnv): Promise<TransferResult> {
  const startTime = isoTime(env.now());
  const done = (f: FaultStruct): TransferResult => ({ transfer: t, fault: f, startTime, completeTime: isoTime(env.now()) });
  try {
    const res = await authedRequest('PUT', t, env, uploadBody(t, env));
    if (res.status === 401) return done(fault(9012));
    return done(res.status >= 200 && res.status <= 299 ? OK : fault(9011));
  } catch (err) {
    const f = networkFault(err);
    return done(f.code === 9010 ? fault(9011) : f);
  }
}

/** A result for a transfer that never ran (injected fault). */
export function injectedResult(t: Transfer, code: number, now: number): TransferResult {
  return { transfer: t, fault: fault(code), startTime: isoTime(now), completeTime: isoTime(now) };
}

export { UNKNOWN_TIME };
