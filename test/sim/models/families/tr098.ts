// TR-098 phone: InternetGatewayDevice:1 root + TR-104 issue 1 (VoiceService:1,
// `VoiceProfile.{i}.Line.{i}.SIP.AuthUserName`), CWMP 1.0 namespace — the shape of ATAs and of the
// industrial Ex phones of models/README.md behaviour 5. DeviceInfo/ManagementServer/Time come
// from the TR-106 root CSV rewritten to `InternetGatewayDevice.` (same leaves, tr069-protocol.md
// §10.2); the TR-098-only leaves (DeviceSummary, SpecVersion, EnableCWMP, LocalTimeZoneName, the
// forced-inform WAN ExternalIPAddress) are `extra` rows.

import type { CsvSource, DeriveName, Family } from '../types.ts';
import { RPC_1_0, canDenyDefaults, identityFactory, notifyDefaults, paths, rootDerive, tr104i1Source } from './common.ts';

const R = 'InternetGatewayDevice.';
const VS = `${R}Services.VoiceService.{i}.`;
const VP = `${R}Services.VoiceService.1.VoiceProfile.1.`;
const WAN = `${R}WANDevice.{i}.WANConnectionDevice.{i}.WANIPConnection.{i}.`;
const WAN1 = `${R}WANDevice.1.WANConnectionDevice.1.WANIPConnection.1.`;

/** Rows of InternetGatewayDevice:1 the reference CSVs lack (shared with the Ex family). */
export const TR098_EXTRA: readonly string[] = [
  `${R},object,,readOnly,min=1 max=1,`,
  `${R}DeviceSummary,parameter,string,readOnly,maxLength=1024,`,
  `${R}Services.,object,,readOnly,min=1 max=1,`,
  `${R}DeviceInfo.SpecVersion,parameter,string,readOnly,maxLength=16,1.0`,
  `${R}ManagementServer.EnableCWMP,parameter,boolean,readWrite,,true`,
  `${R}ManagementServer.CWMPRetryMinimumWaitInterval,parameter,unsignedInt,readWrite,range=1:65535,5`,
  `${R}ManagementServer.CWMPRetryIntervalMultiplier,parameter,unsignedInt,readWrite,range=1000:65535,2000`,
  `${R}ManagementServer.DefaultActiveNotificationThrottle,parameter,unsignedInt,readWrite,,0`,
  `${R}Time.Enable,parameter,boolean,readWrite,,true`,
  `${R}Time.LocalTimeZoneName,parameter,string,readWrite,maxLength=64,`,
  `${R}WANDeviceNumberOfEntries,parameter,unsignedInt,readOnly,,`,
  `${R}WANDevice.{i}.,object,,readOnly,min=0 max=unbounded,`,
  `${R}WANDevice.{i}.WANConnectionNumberOfEntries,parameter,unsignedInt,readOnly,,`,
  `${R}WANDevice.{i}.WANConnectionDevice.{i}.,object,,readOnly,min=0 max=unbounded,`,
  `${R}WANDevice.{i}.WANConnectionDevice.{i}.WANIPConnectionNumberOfEntries,parameter,unsignedInt,readOnly,,`,
  `${WAN},object,,readOnly,min=0 max=unbounded,`,
  `${WAN}Enable,parameter,boolean,readWrite,,true`,
  `${WAN}ConnectionStatus,parameter,string,readOnly,enum=Unconfigured|Connecting|Connected|PendingDisconnect|Disconnecting|Disconnected,Connected`,
  `${WAN}AddressingType,parameter,string,readWrite,enum=DHCP|Static,DHCP`,
  `${WAN}ExternalIPAddress,parameter,string[IPAddress],readOnly,,`,
  `${WAN}SubnetMask,parameter,string[IPAddress],readOnly,,`,
  `${WAN}DefaultGateway,parameter,string[IPAddress],readOnly,,`,
  `${WAN}DNSServers,parameter,string,readWrite,listMaxLength=64,`,
  `${WAN}MACAddress,parameter,string[MACAddress],readOnly,,`,
];

/** The TR-098 root with DeviceInfo/ManagementServer/Time from the TR-106 CSV rewritten. */
export const TR098_ROOT_SOURCE: CsvSource = {
  file: 'tr106-1-2-root.csv', from: 'Device.', to: R,
  include: [`${R}DeviceInfo.`, `${R}ManagementServer.`, `${R}Time.`],
};

/** WAN leaves computed from the DHCP lease. */
export const TR098_WAN_DERIVE: Record<string, DeriveName> = {
  [`${WAN}ExternalIPAddress`]: 'lanIp',
  [`${WAN}SubnetMask`]: 'lanMask',
  [`${WAN}DefaultGateway`]: 'lanGateway',
  [`${WAN}MACAddress`]: 'lanMac',
};

export const tr098: Family = {
  name: 'tr098',
  description: 'TR-098 InternetGatewayDevice:1 + TR-104 issue 1 (VoiceProfile.{i}.Line.{i}), CWMP 1.0',
  root: R,
  sources: [
    TR098_ROOT_SOURCE,
    tr104i1Source(VS, { from: 'Device.', to: R }),
  ],
  extra: TR098_EXTRA,
  hiddenPattern: 'Password$',
  notify: notifyDefaults(R),
  canDeny: canDenyDefaults(R),
  derive: {
    ...rootDerive(R),
    [`${VS}VoiceProfile.{i}.Line.{i}.Status`]: 'tr104i1LineStatus',
    [`${VS}VoiceProfile.{i}.NumberOfLines`]: 'count:Line',
    [`${R}WANDevice.{i}.WANConnectionNumberOfEntries`]: 'count:WANConnectionDevice',
    ...TR098_WAN_DERIVE,
  },
  instances: [
    `${R}Services.VoiceService.1.`,
    `${R}Services.VoiceService.1.VoiceProfile.1.`,
    `${VP}Line.1.`, `${VP}Line.2.`,
    ...[1, 2].flatMap((l) => [1, 2, 3].map((c) => `${VP}Line.${l}.Codec.List.${c}.`)),
    `${R}WANDevice.1.`, `${R}WANDevice.1.WANConnectionDevice.1.`, WAN1,
  ],
  factory: {
    ...identityFactory(R),
    [`${R}DeviceSummary`]: 'InternetGatewayDevice:1.4[](Baseline:2), VoiceService:1.0[1](Endpoint:1, SIPEndpoint:1)',
    [`${VP}SignalingProtocol`]: 'SIP',
    [`${VP}Name`]: 'default',
    [`${VP}Enable`]: 'Enabled',
    [`${VP}RTP.LocalPortMin`]: '10000',
    [`${VP}RTP.LocalPortMax`]: '20000',
    ...Object.fromEntries([1, 2].flatMap((l) => [
      ['G.711MuLaw', 64000], ['G.711ALaw', 64000], ['G.729', 8000],
    ].flatMap(([codec, rate], i) => [
      [`${VP}Line.${l}.Codec.List.${i + 1}.EntryID`, String(i + 1)],
      [`${VP}Line.${l}.Codec.List.${i + 1}.Codec`, String(codec)],
      [`${VP}Line.${l}.Codec.List.${i + 1}.BitRate`, String(rate)],
      [`${VP}Line.${l}.Codec.List.${i + 1}.PacketizationPeriod`, '20'],
      [`${VP}Line.${l}.Codec.List.${i + 1}.Priority`, String(i + 1)],
    ]))),
  },
  forcedInform: [
    `${R}DeviceSummary`, `${R}DeviceInfo.SpecVersion`, `${R}DeviceInfo.HardwareVersion`, `${R}DeviceInfo.SoftwareVersion`,
    `${R}DeviceInfo.ProvisioningCode`, `${R}ManagementServer.ParameterKey`, `${R}ManagementServer.ConnectionRequestURL`,
    `${WAN1}ExternalIPAddress`,
  ],
  voice: { kind: 'tr104i1', profiles: `${VS}VoiceProfile.` },
  rpcMethods: RPC_1_0,
  cwmp: { namespace: 'urn:dslforum-org:cwmp-1-0' },
  identity: {
    manufacturer: 'Outpost Sim', oui: '00A1B3', productClass: 'SIMPHONE-098', modelName: 'SimPhone 098 Ex',
    hardwareVersion: 'HW2.0', softwareVersion: '4.5.6',
  },
  paths: paths(R),
};
