// Industrial Ex phone (models/README.md behaviour 5; vendors that document TR-069 for their
// explosion-proof lines): TR-098 InternetGatewayDevice root + TR-104 issue 1 with one profile and
// one line, TR-069 OFF at the factory (ManagementServer.EnableCWMP false: a technician enables it
// on site, SimPhoneOptions.settings or localEdit), STUN on (UDP connection requests through the
// site's STUN server), and the limited RPC set GetRPCMethods, Get/SetParameterValues,
// GetParameterNames, Get/SetParameterAttributes, Download, Reboot, FactoryReset. The vendor
// health leaves follow what an industrial intercom exposes (reference
// zenitel_ip_station_snmp_health.csv: stuck button, sound test, call state).

import type { Family } from '../types.ts';
import { RPC_LIMITED, canDenyDefaults, identityFactory, notifyDefaults, paths, rootDerive, tr104i1Source } from './common.ts';
import { TR098_EXTRA, TR098_ROOT_SOURCE, TR098_WAN_DERIVE } from './tr098.ts';

const R = 'InternetGatewayDevice.';
const VS = `${R}Services.VoiceService.{i}.`;
const V1 = `${R}Services.VoiceService.1.`;
const VP = `${V1}VoiceProfile.1.`;
const WAN1 = `${R}WANDevice.1.WANConnectionDevice.1.WANIPConnection.1.`;
const H = `${R}X_00A1B4_Health.`;

export const ex: Family = {
  name: 'ex',
  description: 'Industrial Ex phone: TR-098 InternetGatewayDevice + TR-104 issue 1 (one line), TR-069 off until enabled on site, STUN, limited RPCs',
  root: R,
  sources: [TR098_ROOT_SOURCE, tr104i1Source(VS, { from: 'Device.', to: R })],
  extra: [
    ...TR098_EXTRA,
    `${VS}VoiceProfile.{i}.,object,,readOnly,min=1 max=1,`,
    `${VS}VoiceProfile.{i}.Line.{i}.,object,,readOnly,min=1 max=1,`,
    `${H},object,,readOnly,min=1 max=1,`,
    `${H}ButtonStuck,parameter,boolean,readOnly,,false`,
    `${H}ButtonStuckCount,parameter,unsignedInt,readOnly,,0`,
    `${H}SoundTestLastResult,parameter,string,readOnly,enum=NotRun|Passed|Failed,Passed`,
    `${H}SoundTestFailedCount,parameter,unsignedInt,readOnly,,0`,
    `${H}CallState,parameter,string,readOnly,enum=Idle|Ringing|Connected,Idle`,
  ],
  hiddenPattern: 'Password$',
  notify: { ...notifyDefaults(R), [`${H}ButtonStuck`]: 2 },
  canDeny: canDenyDefaults(R),
  derive: {
    ...rootDerive(R), ...TR098_WAN_DERIVE,
    [`${VS}VoiceProfile.{i}.Line.{i}.Status`]: 'tr104i1LineStatus',
  },
  instances: [V1, VP, `${VP}Line.1.`, `${R}WANDevice.1.`, `${R}WANDevice.1.WANConnectionDevice.1.`, WAN1],
  factory: {
    ...identityFactory(R),
    [`${R}DeviceSummary`]: 'InternetGatewayDevice:1.4[](Baseline:2), VoiceService:1.0[1](SIPEndpoint:1)',
    [`${R}ManagementServer.EnableCWMP`]: 'false',
    [`${R}ManagementServer.STUNEnable`]: 'true',
    [`${R}ManagementServer.STUNMinimumKeepAlivePeriod`]: '30',
    [`${R}ManagementServer.STUNMaximumKeepAlivePeriod`]: '60',
    [`${V1}Capabilities.MaxProfileCount`]: '1',
    [`${V1}Capabilities.MaxLineCount`]: '1',
    [`${V1}Capabilities.SignalingProtocols`]: 'SIP',
    [`${VP}Enable`]: 'Enabled',
    [`${VP}SignalingProtocol`]: 'SIP',
    [`${VP}Line.1.Enable`]: 'Enabled',
  },
  forcedInform: [
    `${R}DeviceSummary`, `${R}DeviceInfo.SpecVersion`, `${R}DeviceInfo.HardwareVersion`, `${R}DeviceInfo.SoftwareVersion`,
    `${R}DeviceInfo.ProvisioningCode`, `${R}ManagementServer.ParameterKey`, `${R}ManagementServer.ConnectionRequestURL`,
    `${WAN1}ExternalIPAddress`,
  ],
  voice: { kind: 'tr104i1', profiles: `${VS}VoiceProfile.` },
  rpcMethods: RPC_LIMITED,
  cwmp: { namespace: 'urn:dslforum-org:cwmp-1-0' },
  identity: {
    manufacturer: 'ExCom Industrial', oui: '00A1B4', productClass: 'EXP-Z1', modelName: 'ExPhone Zone 1',
    hardwareVersion: 'ATEX-II2G-3', softwareVersion: '2.4.1',
  },
  paths: { ...paths(R), enableCwmp: `${R}ManagementServer.EnableCWMP` },
};
