// Types of the simulator's data-model layer. A Family is pure data (which CSV rows, which
// instances exist at the factory, factory values, notification defaults, forced-inform list,
// supported RPCs, CWMP dialect). A Model is the Family compiled once into a shared schema tree;
// every simulated phone of that family points at the same Model and stores only its overrides
// (tr069-protocol.md §5 for types and paths, §10 for the SIP-phone parameters).

import type { CwmpNamespace } from '../../../src/protocols/cwmp/types.ts';

/** Primitive xsd types of the CWMP data-model schema (tr069-protocol.md §5.1). */
export type BaseType = 'string' | 'int' | 'unsignedInt' | 'long' | 'unsignedLong' | 'boolean' | 'dateTime' | 'base64' | 'hexBinary';

/** Names of the computed values in derive.ts (a family refers to them by name, so it stays data). */
export type DeriveName = 'upTime' | 'currentLocalTime' | 'connectionRequestUrl' | 'softwareVersion'
  | 'sipClientStatus' | 'callControlLineStatus' | 'tr104i1LineStatus' | 'udpConnectionRequestAddress' | 'natDetected'
  | 'lanIp' | 'lanMask' | 'lanGateway' | 'lanDns' | 'lanMac' | `count:${string}`;

/** Where a family keeps its SIP lines (models/lines.ts reads them for the PBX). */
export type VoiceLayout =
  /** TR-104 issue 1: `<profiles>{i}.SIP.*` servers, `<profiles>{i}.Line.{i}.SIP.*` credentials. */
  | { kind: 'tr104i1'; profiles: string; globalSip?: string }
  /** TR-104 issue 2: `<service>SIP.Network/Client`, `<service>CallControl.Line`. */
  | { kind: 'tr104i2'; service: string };

export interface ParamDef {
  kind: 'param';
  name: string;
  /** Full path with `{i}` for instance numbers, e.g. `Device.Services.VoiceService.{i}.SIP.Client.{i}.Enable`. */
  template: string;
  type: BaseType;
  /** Named data-model type when the CSV gave one (`string[IPAddress]` → `IPAddress`). */
  named?: string;
  writable: boolean;
  /** Reads back as an empty string over CWMP (TR-069 hidden="true", tr069-protocol.md §5.1). */
  hidden: boolean;
  default?: string;
  enumValues?: readonly string[];
  /** Inclusive ranges; a value must fall in one of them (FaxT38.BitRate lists several). */
  ranges?: readonly (readonly [number | null, number | null])[];
  maxLength?: number;
  listMaxLength?: number;
  /** Default Notification attribute (0 off, 1 passive, 2 active). */
  notify: number;
  /** activeNotify="canDeny": a request for active notification is refused with 9009 (§3.1 SPA). */
  canDeny: boolean;
  derive?: DeriveName;
}

export interface ObjDef {
  kind: 'object';
  name: string;
  /** Full template path ending with `.`. */
  template: string;
  children: Map<string, SchemaNode>;
}

/** A multi-instance object (`X.{i}.`): its instances are `X.1.`, `X.2.`, … with the `entry` shape. */
export interface TableDef {
  kind: 'table';
  name: string;
  /** Template of the table path, ending with `.` (`…SIP.Client.`). */
  template: string;
  /** AddObject/DeleteObject allowed (CSV access readWrite on the `{i}.` row). */
  writable: boolean;
  entry: ObjDef;
}

export type SchemaNode = ParamDef | ObjDef | TableDef;

/** Rows from one CSV file in data/ (columns path,kind,type,access,constraints,default). */
export interface CsvSource {
  file: string;
  /** Rewrite this path prefix (e.g. `Device.` → `InternetGatewayDevice.` for TR-104 on TR-098). */
  from?: string;
  to?: string;
  /** Keep rows whose (rewritten) path starts with one of these. */
  include: readonly string[];
  exclude?: readonly string[];
}

/**
 * Rows of a vendor observation file (path,xsd_type,sample_value,notes — models/README.md): the
 * rows whose path contains `match` (the vendor prefix) become writable parameters; `{N}` and the
 * literal `VoiceService.1.`/`VoiceProfile.1.` of the observations become `{i}`.
 */
export interface ObservedSource {
  file: string;
  match: string;
  from?: string;
  to?: string;
}

/** A data-model family: everything that makes a simulated phone of this kind. Pure data. */
export interface Family {
  name: string;
  description: string;
  /** `Device.` (TR-181 / TR-106) or `InternetGatewayDevice.` (TR-098). */
  root: string;
  sources: readonly CsvSource[];
  /** Vendor leaves from the observation files (X_001565_, X_GRANDSTREAM_). */
  observed?: readonly ObservedSource[];
  /** Extra rows in the CSV format (path,kind,type,access,constraints,default); they replace CSV rows of the same path. */
  extra: readonly string[];
  /** Leaf names matching this regular expression are hidden (read back empty). */
  hiddenPattern: string;
  /** Default notification per template path (e.g. ConnectionRequestURL forced active = 2). */
  notify: Readonly<Record<string, number>>;
  /** Template paths whose active notification may be denied with 9009. */
  canDeny: readonly string[];
  /** Computed values per template path. `XNumberOfEntries` counters are derived automatically. */
  derive: Readonly<Record<string, DeriveName>>;
  /** Concrete instance paths that exist at the factory, parents first (`…SIP.Client.1.`). */
  instances: readonly string[];
  /** Factory values per concrete path; `${serial}`, `${oui}`, … are filled from the phone's identity. */
  factory: Readonly<Record<string, string>>;
  /** Forced-inform parameters (concrete paths), sent in every Inform (tr069-protocol.md §2.1). */
  forcedInform: readonly string[];
  /** Where the SIP lines are (registration with the site PBX, compliance). */
  voice: VoiceLayout;
  /**
   * Tables of fixed size (template paths ending with `.`): AddObject faults 9004, DeleteObject of
   * an instance restores it to its defaults instead of removing it (Aastra: models/README.md 3).
   */
  fixedTables?: readonly string[];
  /** Answer to GetRPCMethods; any ACS method not listed faults 9000. */
  rpcMethods: readonly string[];
  /** CWMP dialect: namespace of the Inform and whether the 1.3/1.4 headers are sent (§1.5, §1.9). */
  cwmp: { namespace: CwmpNamespace; sessionTimeout?: number; supportedVersions?: string };
  /** Identity defaults (overridable per phone). */
  identity: {
    manufacturer: string; oui: string; productClass: string; modelName: string; hardwareVersion: string; softwareVersion: string;
    /** The serial number is the MAC in lower-case hex (Yealink); the MAC then starts with the OUI. */
    serialIsMac?: boolean;
  };
  /** Paths the simulator itself uses (so the engine never hard-codes a root). */
  paths: FamilyPaths;
}

/** Concrete paths the phone engine reads and writes. */
export interface FamilyPaths {
  url: string;
  username: string;
  password: string;
  periodicEnable: string;
  periodicInterval: string;
  parameterKey: string;
  crUrl: string;
  crUsername: string;
  crPassword: string;
  softwareVersion: string;
  provisioningCode: string;
  /** TR-069 Annex G (STUN / UDP connection request), tr069-protocol.md §8.2. */
  stunEnable: string;
  stunServerAddress: string;
  stunServerPort: string;
  stunUsername: string;
  stunPassword: string;
  stunMinimumKeepAlivePeriod: string;
  udpConnectionRequestAddress: string;
  /** TR-098 `ManagementServer.EnableCWMP`: false = the phone never contacts the ACS. */
  enableCwmp?: string;
}

/** A compiled family: the shared schema tree plus the family data. One per family per process. */
export interface Model {
  family: Family;
  root: ObjDef;
  /** Every parameter definition by template path. */
  params: Map<string, ParamDef>;
  /** Number of parameter definitions (for reports). */
  size: number;
}
