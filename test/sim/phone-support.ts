// Pieces of SimPhone that need no phone internals: options, identity, the Inform, retry timing.

import type { Clock } from '../../src/core/clock.ts';
import { deviceIdString } from '../../src/protocols/cwmp/version.ts';
import type { CwmpNamespace, EventStruct, Inform, TransferComplete } from '../../src/protocols/cwmp/types.ts';
import type { CrServer } from './cr-server.ts';
import type { Model } from './models/types.ts';
import type { Quirks } from './quirks.ts';
import { reportedValue, type ParamContext } from './rpc-params.ts';
import type { Identity, PhoneState } from './state.ts';
import { isoTime, type TransferResult } from './transfers.ts';

export interface SimPhoneOptions {
  /** Family name: 'tr181' | 'tr098' (models/index.ts). */
  model: string;
  serial: string;
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
}

/** Identity placeholders of the family's factory values, from the options and family defaults. */
export function identityFrom(opts: SimPhoneOptions, model: Model): Identity {
  const fam = model.family.identity;
  const oui = opts.oui ?? fam.oui;
  const productClass = opts.productClass ?? fam.productClass;
  return {
    serial: opts.serial, oui, productClass, manufacturer: opts.manufacturer ?? fam.manufacturer,
    modelName: opts.modelName ?? fam.modelName, hardwareVersion: opts.hardwareVersion ?? fam.hardwareVersion,
    acsUrl: opts.acsUrl, acsUsername: opts.username ?? deviceIdString({ oui, productClass, serialNumber: opts.serial }),
    acsPassword: opts.password ?? '', crUsername: opts.crUsername ?? '', crPassword: opts.crPassword ?? '',
    periodicInterval: String(opts.periodicInterval ?? 3600), ip: opts.crHost ?? '127.0.0.1', mac: macOf(opts.serial),
  };
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

/** A stable locally administered MAC derived from the serial. */
function macOf(serial: string): string {
  let h = 2166136261;
  for (const c of serial) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  const bytes = [0x02, 0x00, (h >>> 24) & 0xff, (h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}
