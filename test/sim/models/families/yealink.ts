// Yealink-like desk phone (models/README.md behaviour 1): TR-106 Device:1 root (IP settings under
// Device.LAN) + TR-104 issue 1 under Device.Services, one Line.1 per VoiceProfile.N (profile N is
// account N: servers at VoiceProfile.N.SIP.*, credentials at VoiceProfile.N.Line.1.SIP.*), enable
// flags as the strings Enabled/Disabled, the X_001565_ leaves of the public observations
// (data/yealink-observed.csv), OUI 001565 and serial number = MAC. Supports AddObject,
// DeleteObject, FactoryReset, Upload and TR-111 (STUN + UDP connection request).

import type { Family } from '../types.ts';
import {
  RPC_1_0, canDenyDefaults, device1Extra, device1Forced, device1Source, identityFactory, lanDerive, notifyDefaults, paths,
  rootDerive, tr104i1Source,
} from './common.ts';

const R = 'Device.';
const VS = `${R}Services.VoiceService.{i}.`;
const V1 = `${R}Services.VoiceService.1.`;
/** SIP-T46U: 16 accounts on the real phone; 6 keep GetParameterValues on VoiceService. readable. */
const ACCOUNTS = 6;
const accounts = Array.from({ length: ACCOUNTS }, (_, i) => i + 1);

export const yealink: Family = {
  name: 'yealink',
  description: 'Yealink-like: Device:1 (TR-106) + TR-104 issue 1, one Line.1 per VoiceProfile.N, X_001565_ leaves, serial = MAC',
  root: R,
  sources: [device1Source(), tr104i1Source(VS)],
  observed: [{ file: 'yealink-observed.csv', match: 'X_001565_' }],
  extra: [
    ...device1Extra(),
    // Observed as a string enum, not a boolean (data/yealink-observed.csv).
    `${VS}VoiceProfile.{i}.SIP.UseOutboundProxy,parameter,string,readWrite,enum=Enabled|Disabled,Disabled`,
  ],
  hiddenPattern: 'Password$',
  notify: notifyDefaults(R),
  canDeny: canDenyDefaults(R),
  derive: { ...rootDerive(R), ...lanDerive(R), [`${VS}VoiceProfile.{i}.Line.{i}.Status`]: 'tr104i1LineStatus' },
  instances: [V1, ...accounts.flatMap((n) => [`${V1}VoiceProfile.${n}.`, `${V1}VoiceProfile.${n}.Line.1.`])],
  factory: {
    ...identityFactory(R),
    [`${R}DeviceSummary`]: 'Device:1.2[](Baseline:2, EthernetLAN:1, Time:1, IPPing:1), VoiceService:1.0[1](SIPEndpoint:1)',
    [`${R}DeviceInfo.ManufacturerOUI`]: '001565',
    [`${R}UserInterface.X_001565_Language.X_001565_GUILanguage`]: 'English',
    [`${R}UserInterface.X_001565_Language.X_001565_WebLanguage`]: 'English',
    [`${R}Time.X_001565_TimeFormat`]: '1',
    [`${V1}Capabilities.MaxProfileCount`]: String(ACCOUNTS),
    [`${V1}Capabilities.MaxLineCount`]: String(ACCOUNTS),
    [`${V1}Capabilities.SignalingProtocols`]: 'SIP',
    ...Object.fromEntries(accounts.flatMap((n) => [
      [`${V1}VoiceProfile.${n}.Enable`, 'Enabled'],
      [`${V1}VoiceProfile.${n}.SignalingProtocol`, 'SIP'],
      [`${V1}VoiceProfile.${n}.DTMFMethod`, 'RFC2833'],
      [`${V1}VoiceProfile.${n}.Line.1.Enable`, 'Disabled'],
    ])),
  },
  forcedInform: device1Forced(),
  voice: { kind: 'tr104i1', profiles: `${VS}VoiceProfile.` },
  rpcMethods: RPC_1_0,
  cwmp: { namespace: 'urn:dslforum-org:cwmp-1-0' },
  identity: {
    manufacturer: 'Yealink', oui: '001565', productClass: 'SIP-T46U', modelName: 'SIP-T46U',
    hardwareVersion: '108.0.0.0.0.0.0', softwareVersion: '108.86.0.45', serialIsMac: true,
  },
  paths: paths(R),
};
