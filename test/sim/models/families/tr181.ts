// Standard TR-181 phone: Device:2 root + TR-104 issue 2 (VoiceService:2) — models/README.md
// behaviour 6. DeviceInfo/ManagementServer/Time come from the TR-106 root CSV (same leaf names as
// Device:2, tr069-protocol.md §10.2–10.3); the Device:2-only leaves the reference CSVs lack
// (RootDataModelVersion, CWMPRetry*, HTTPConnectionRequestEnable, Time.Enable/Status, Syslog 2.17,
// Ethernet.VLANTermination) are the `extra` rows, typed as in §10.2–10.4.

import type { Family } from '../types.ts';
import { DEVICE1_ONLY_MS, RPC_1_2, canDenyDefaults, identityFactory, notifyDefaults, paths, rootDerive } from './common.ts';

const R = 'Device.';
const VS = 'Device.Services.VoiceService.{i}.';
const V1 = 'Device.Services.VoiceService.1.';

export const tr181: Family = {
  name: 'tr181',
  description: 'TR-181 Device:2 + TR-104 issue 2 (SIP.Client / SIP.Network / CallControl.Line / VoIPProfile), CWMP 1.4',
  root: R,
  sources: [
    {
      file: 'tr106-1-2-root.csv',
      include: [`${R}DeviceInfo.`, `${R}ManagementServer.`, `${R}Time.`],
      exclude: DEVICE1_ONLY_MS.map((l) => `${R}ManagementServer.${l}`),
    },
    {
      file: 'tr104-2-0-2-voice.csv',
      include: ['Device.Services.VoiceService.'],
      // A desk/Ex SIP phone has none of these subsystems.
      exclude: ['ISDN', 'POTS', 'DECT', 'MGCP', 'H323', 'Trunk', 'Interwork', 'CallLog', 'Tone', 'ClockSynchronization',
        'SIP.Proxy', 'SIP.Registrar', 'Capabilities.ISDN', 'Capabilities.POTS', 'Capabilities.H323', 'Capabilities.MGCP',
        'Capabilities.DECT', 'Terminal'].map((s) => `${VS}${s}`),
    },
  ],
  extra: [
    `${R},object,,readOnly,min=1 max=1,`,
    `${R}RootDataModelVersion,parameter,string,readOnly,maxLength=32,2.15`,
    `${R}Services.,object,,readOnly,min=1 max=1,`,
    `${R}ManagementServer.CWMPRetryMinimumWaitInterval,parameter,unsignedInt,readWrite,range=1:65535,5`,
    `${R}ManagementServer.CWMPRetryIntervalMultiplier,parameter,unsignedInt,readWrite,range=1000:65535,2000`,
    `${R}ManagementServer.DefaultActiveNotificationThrottle,parameter,unsignedInt,readWrite,,0`,
    `${R}ManagementServer.HTTPConnectionRequestEnable,parameter,boolean,readWrite,,true`,
    `${R}ManagementServer.SupportedConnReqMethods,parameter,string,readOnly,,"HTTP,STUN"`,
    `${R}Time.Enable,parameter,boolean,readWrite,,true`,
    `${R}Time.Status,parameter,string,readOnly,enum=Disabled|Unsynchronized|Synchronized|Error_FailedToSynchronize|Error,Synchronized`,
    `${R}Syslog.,object,,readOnly,min=1 max=1,`,
    `${R}Syslog.Enable,parameter,boolean,readWrite,,false`,
    `${R}Syslog.ActionNumberOfEntries,parameter,unsignedInt,readOnly,,`,
    `${R}Syslog.Action.{i}.,object,,readWrite,min=0 max=unbounded,`,
    `${R}Syslog.Action.{i}.Alias,parameter,string[Alias],readWrite,maxLength=64,`,
    `${R}Syslog.Action.{i}.LogRemote.,object,,readOnly,min=1 max=1,`,
    `${R}Syslog.Action.{i}.LogRemote.Enable,parameter,boolean,readWrite,,false`,
    `${R}Syslog.Action.{i}.LogRemote.Address,parameter,string,readWrite,maxLength=256,`,
    `${R}Syslog.Action.{i}.LogRemote.Port,parameter,unsignedInt,readWrite,range=1:65535,514`,
    `${R}Syslog.Action.{i}.LogRemote.Protocol,parameter,string,readWrite,enum=UDP|TCP|TLS,UDP`,
    `${R}Ethernet.,object,,readOnly,min=1 max=1,`,
    `${R}Ethernet.VLANTerminationNumberOfEntries,parameter,unsignedInt,readOnly,,`,
    `${R}Ethernet.VLANTermination.{i}.,object,,readWrite,min=0 max=unbounded,`,
    `${R}Ethernet.VLANTermination.{i}.Enable,parameter,boolean,readWrite,,false`,
    `${R}Ethernet.VLANTermination.{i}.Alias,parameter,string[Alias],readWrite,maxLength=64,`,
    `${R}Ethernet.VLANTermination.{i}.Name,parameter,string,readOnly,maxLength=64,`,
    `${R}Ethernet.VLANTermination.{i}.LowerLayers,parameter,string,readWrite,listMaxLength=1024,`,
    `${R}Ethernet.VLANTermination.{i}.VLANID,parameter,unsignedInt,readWrite,range=1:4094,1`,
    `${R}Ethernet.VLANTermination.{i}.TPID,parameter,unsignedInt,readWrite,,33024`,
  ],
  hiddenPattern: 'Password$',
  notify: notifyDefaults(R),
  canDeny: canDenyDefaults(R),
  derive: {
    ...rootDerive(R),
    [`${VS}SIP.Client.{i}.Status`]: 'sipClientStatus',
    [`${VS}CallControl.Line.{i}.Status`]: 'callControlLineStatus',
  },
  instances: [
    V1,
    ...[1, 2, 3].map((n) => `${V1}Capabilities.Codec.${n}.`),
    `${V1}VoIPProfile.1.`,
    ...[1, 2, 3].map((n) => `${V1}CodecProfile.${n}.`),
    `${V1}SIP.Network.1.`,
    `${V1}SIP.Client.1.`, `${V1}SIP.Client.2.`,
    `${V1}CallControl.Line.1.`, `${V1}CallControl.Line.2.`,
    `${R}Syslog.Action.1.`,
    `${R}Ethernet.VLANTermination.1.`,
  ],
  factory: {
    ...identityFactory(R),
    [`${V1}Capabilities.Codec.1.Codec`]: 'G.711MuLaw',
    [`${V1}Capabilities.Codec.2.Codec`]: 'G.711ALaw',
    [`${V1}Capabilities.Codec.3.Codec`]: 'G.722',
    [`${V1}VoIPProfile.1.Enable`]: 'true',
    [`${V1}VoIPProfile.1.Name`]: 'default',
    [`${V1}VoIPProfile.1.RTP.LocalPortMin`]: '10000',
    [`${V1}VoIPProfile.1.RTP.LocalPortMax`]: '20000',
    ...Object.fromEntries([1, 2, 3].flatMap((n) => [
      [`${V1}CodecProfile.${n}.Enable`, 'true'],
      [`${V1}CodecProfile.${n}.Codec`, `${V1}Capabilities.Codec.${n}`],
    ])),
    [`${V1}SIP.Network.1.Enable`]: 'true',
    [`${V1}SIP.Network.1.VoIPProfile`]: `${V1}VoIPProfile.1`,
    [`${V1}SIP.Network.1.CodecList`]: [1, 2, 3].map((n) => `${V1}CodecProfile.${n}`).join(','),
    [`${V1}SIP.Client.1.Network`]: `${V1}SIP.Network.1`,
    [`${V1}SIP.Client.2.Network`]: `${V1}SIP.Network.1`,
    [`${V1}CallControl.Line.1.Provider`]: `${V1}SIP.Client.1`,
    [`${V1}CallControl.Line.2.Provider`]: `${V1}SIP.Client.2`,
    [`${R}Ethernet.VLANTermination.1.Name`]: 'vlan0',
  },
  forcedInform: [
    `${R}RootDataModelVersion`, `${R}DeviceInfo.HardwareVersion`, `${R}DeviceInfo.SoftwareVersion`,
    `${R}DeviceInfo.ProvisioningCode`, `${R}ManagementServer.ParameterKey`, `${R}ManagementServer.ConnectionRequestURL`,
  ],
  voice: { kind: 'tr104i2', service: VS },
  rpcMethods: RPC_1_2,
  cwmp: { namespace: 'urn:dslforum-org:cwmp-1-2', sessionTimeout: 60, supportedVersions: '1.0,1.1,1.2,1.3,1.4' },
  identity: {
    manufacturer: 'Outpost Sim', oui: '00A1B2', productClass: 'SIMPHONE-181', modelName: 'SimPhone 181',
    hardwareVersion: 'HW1.0', softwareVersion: '1.2.3',
  },
  paths: paths(R),
};
