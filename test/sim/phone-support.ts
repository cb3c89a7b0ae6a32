// Pieces of SimPhone that need no phone internals: options, identity, the Inform, retry timing.

import type { Clock } from '../../src/core/clock.ts';
import { deviceIdString } from '../../src/protocols/cwmp/version.ts';
import type { CwmpNamespace, EventStruct, Inform, TransferComplete } from '../../src/protocols/cwmp/types.ts';
import type { CrServer } from './cr-server.ts';
import type { Model } from './models/types.ts';
import type { SessionRecord } from './cwmp-client.ts';
import type { LineView } from './models/lines.ts';
import { canonicalValue } from './models/values.ts';
import type { NetworkAttachment } from './net-setup.ts';
import type { PbxAccount, SitePbx } from './pbx.ts';
import type { SimPhone } from './phone.ts';
import type { Quirks } from './quirks.ts';
import { reportedValue, type ParamContext } from './rpc-params.ts';
import type { Identity, PhoneState } from './state.ts';
import { isoTime, type TransferResult } from './transfers.ts';

export interface SimPhoneOptions {
  /** Family name (models/index.ts): tr181, tr098, yealink, grandstream, aastra, unify, ex. */
  model: string;
  /** Serial number. Families with serial = MAC (yealink) use the MAC's hex instead; default: from the MAC. */
  serial?: string;
  /** The phone's MAC (DHCP chaddr, LAN.MACAddress). Default: derived from the serial (family OUI when serial = MAC). */
  mac?: string;
  oui?: string;
  productClass?: string;
  manufacturer?: string;
  modelName?: string;
  softwareVersion?: string;
  hardwareVersion?: string;
  /** Factory ManagementServer.URL (what DHCP option 43 would have given). */
  acsUrl: string;
  /** PEM of the site CA, for an https ACS URL. */
  ca?: string;
  /** Factory ACS credentials. Default username `<OUI>-<ProductClass>-<Serial>` (§6.1), password ''. */
  username?: string;
  password?: string;
  /** Factory connection-request credentials (default empty). */
  crUsername?: string;
  crPassword?: string;
  /** CR listener address (default 127.0.0.1, port 0 = ephemeral). Ignored when `crServer` is given. */
  crHost?: string;
  crPort?: number;
  /** A CR server shared by many phones (fleet mode); the phone registers its own path on it. */
  crServer?: CrServer;
  clock?: Clock;
  quirks?: Quirks;
  /** Periodic Informs driven by the clock (PeriodicInformEnable/Interval). Default false. */
  periodicInform?: boolean;
  /** Factory PeriodicInformInterval in seconds (default 3600). */
  periodicInterval?: number;
  /** Retry failed sessions with the §1.6 back-off (clock-driven). Default false. */
  retry?: boolean;
  /** Override the family's CWMP dialect. */
  cwmp?: { namespace?: CwmpNamespace; sessionTimeout?: number; supportedVersions?: string };
  /** Per HTTP request timeout (ms). */
  timeoutMs?: number;
  /** How many session records to keep (default 100). */
  keepSessions?: number;
  /** The site PBX the lines register with (pbx.ts); without it a line is Up once it has a user and a server. */
  pbx?: SitePbx;
  /**
   * Values set on site before the first boot, from the phone's own menu (e.g. the Ex family's
   * `ManagementServer.EnableCWMP`). They survive reboots; a factory reset brings back the
   * family's factory values.
   */
  settings?: Readonly<Record<string, string>>;
  /**
   * Network mode (needs root, inside a namespace; net-setup.ts): DHCP on the shared interface for
   * the phone's own lease, DNS through the server DHCP gave, connections from the leased address.
   * `acsUrl` is then only the fallback when DHCP gives no option 43.
   */
  network?: NetworkAttachment;
  /** Progress points for fleet displays: DHCP lease, DNS answer, first InformResponse. */
  onPhase?: (phone: SimPhone, point: PhasePoint, at: number) => void;
  /** Quirk localDrift: seconds between two local changes (default 600). */
  driftIntervalS?: number;
  /** Quirk droppedParameterAfterUpgrade: the parameter the new firmware lacks (default `<root>Time.LocalTimeZone`). */
  droppedParameter?: string;
}

export type PhasePoint = 'dhcp' | 'dns' | 'informed';

/** A session that never reached the ACS (DHCP/DNS failure, TR-069 off). */
export function failedRecord(events: readonly EventStruct[], now: number, error: string): SessionRecord {
  return { events: events.map((e) => e.code), startedAt: now, endedAt: now, ok: false, error, acsMethods: [], transcript: [], httpRequests: 0, connections: 0, auth: 'none' };
}

/**
 * In service from the phone's own view: every account the PBX assigns to this phone is
 * registered on some line; with no assignment, at least one line is registered and every enabled
 * line is.
 */
export function inService(lines: readonly LineView[], expected: readonly PbxAccount[]): boolean {
  if (expected.length > 0) return expected.every((a) => lines.some((l) => l.verdict.registered && l.user === a.user));
  const enabled = lines.filter((l) => l.verdict.registered || l.verdict.reason !== 'disabled');
  return enabled.length > 0 && enabled.every((l) => l.verdict.registered);
}

/**
 * Quirk localDrift: a value the ACS (or the menu) set, changed again from the menu — writable,
 * not hidden, not the ManagementServer (that would cut the phone off).
 */
export function driftedValue(state: PhoneState): { path: string; value: string } | undefined {
  const ms = `${state.model.root.template}ManagementServer.`;
  for (const path of state.overriddenPaths()) {
    const r = state.resolve(path);
    if (r?.kind !== 'param' || !r.def.writable || r.def.hidden || path.startsWith(ms)) continue;
    const cur = state.valueOf(r.def, r.path);
    const def = r.def;
    if (def.enumValues && def.enumValues.length > 1) return { path, value: def.enumValues.find((v) => v !== cur)! };
    if (def.type === 'boolean') return { path, value: cur === 'true' ? 'false' : 'true' };
    if (def.type === 'string') return { path, value: cur === '' ? 'local' : `${cur}0`.slice(-(def.maxLength ?? 256)) };
    if (def.type === 'unsignedInt' || def.type === 'int') {
      const n = Number(cur) + 1;
      if (canonicalValue(def, String(n)) !== null) return { path, value: String(n) };
    }
  }
  return undefined;
}

/** Identity placeholders of the family's factory values, from the options and family defaults. */
export function identityFrom(opts: SimPhoneOptions, model: Model): Identity {
  const fam = model.family.identity;
  const oui = opts.oui ?? fam.oui;
  const productClass = opts.productClass ?? fam.productClass;
  const mac = macAddress(opts, oui, fam.serialIsMac === true);
  const hex = mac.replace(/:/g, '');
  // Yealink: serial number = MAC in lower-case hex (models/README.md behaviour 1).
  const serial = fam.serialIsMac ? hex : opts.serial ?? hex.toUpperCase();
  return {
    serial, oui, productClass, manufacturer: opts.manufacturer ?? fam.manufacturer,
    modelName: opts.modelName ?? fam.modelName, hardwareVersion: opts.hardwareVersion ?? fam.hardwareVersion,
    acsUrl: opts.acsUrl, acsUsername: opts.username ?? deviceIdString({ oui, productClass, serialNumber: serial }),
    acsPassword: opts.password ?? '', crUsername: opts.crUsername ?? '', crPassword: opts.crPassword ?? '',
    periodicInterval: String(opts.periodicInterval ?? 3600), ip: opts.crHost ?? '127.0.0.1', mac,
  };
}

/** `aa:bb:cc:dd:ee:ff`, lower case, from `aabbccddeeff`, `AA-BB-…` or `aa:bb:…`. */
export function normalizeMac(mac: string): string {
  const hex = mac.replace(/[^0-9a-fA-F]/g, '').toLowerCase();
  if (hex.length !== 12) throw new Error(`not a MAC address: ${mac}`);
  return hex.match(/../g)!.join(':');
}

function macAddress(opts: SimPhoneOptions, oui: string, serialIsMac: boolean): string {
  if (opts.mac) return normalizeMac(opts.mac);
  const seed = opts.serial ?? '';
  if (serialIsMac && /^[0-9a-fA-F]{12}$/.test(seed)) return normalizeMac(seed);
  if (!seed) throw new Error('a phone needs a serial or a MAC');
  return macOf(seed, serialIsMac ? oui : undefined);
}

/** The Inform (§2.1): forced-inform parameters plus the changed ones, hidden values empty. */
export function buildInform(ctx: ParamContext, events: EventStruct[], changed: Iterable<string>, retryCount: number, now: number): Inform {
  const { state } = ctx;
  const names = new Set([...state.model.family.forcedInform, ...changed]);
  const parameters = [...names].flatMap((name) => {
    const r = state.resolve(name);
    return r?.kind === 'param' ? [reportedValue(ctx, r.def, r.path)] : [];
  });
  return {
    method: 'Inform',
    deviceId: {
      manufacturer: state.get(`${state.model.root.template}DeviceInfo.Manufacturer`) ?? '', oui: state.identity.oui,
      productClass: state.identity.productClass, serialNumber: state.identity.serial,
    },
    events, maxEnvelopes: 1, currentTime: isoTime(now), retryCount, parameters,
  };
}

/** §1.6: the n-th retry waits a random time in [m·k^(n-1), m·k^n] seconds. */
export function retryDelayMs(state: PhoneState, retryCount: number, random: () => number = Math.random): number {
  const ms = `${state.model.root.template}ManagementServer.`;
  const m = Number(state.get(`${ms}CWMPRetryMinimumWaitInterval`) ?? '5') || 5;
  const k = (Number(state.get(`${ms}CWMPRetryIntervalMultiplier`) ?? '2000') || 2000) / 1000;
  const n = Math.min(Math.max(1, retryCount), 10);
  const lo = m * k ** (n - 1);
  const hi = m * k ** n;
  return (lo + random() * (hi - lo)) * 1000;
}

export function transferComplete(r: TransferResult): TransferComplete {
  return { method: 'TransferComplete', commandKey: r.transfer.commandKey, fault: r.fault, startTime: r.startTime, completeTime: r.completeTime };
}

/** A stable MAC derived from the serial: under the vendor OUI, or locally administered (02:00:…). */
function macOf(serial: string, oui?: string): string {
  let h = 2166136261;
  for (const c of serial) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  const head = oui ? (oui.match(/../g) ?? []).map((x) => parseInt(x, 16)) : [0x02, 0x00, (h >>> 24) & 0xff];
  const bytes = [...head, (h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/** Values set on site before the first boot (SimPhoneOptions.settings), checked like a local edit. */
export function applySettings(state: PhoneState, settings: Readonly<Record<string, string>> | undefined): void {
  for (const [path, value] of Object.entries(settings ?? {})) {
    const r = state.resolve(path);
    const v = r?.kind === 'param' ? canonicalValue(r.def, value) : null;
    if (v === null) throw new Error(`settings: ${path}=${value} is not a valid value of a ${state.model.family.name} phone`);
    state.set(path, v);
  }
}
