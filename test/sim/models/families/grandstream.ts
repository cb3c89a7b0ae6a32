// Grandstream-like desk phone (models/README.md behaviour 2): TR-106 Device:1 root + TR-104
// issue 1; the account label lives in VoiceProfile.N.Name, the SIP user id in
// Line.1.DirectoryNumber (authentication still with Line.1.SIP.AuthUserName/AuthPassword), and
// the X_GRANDSTREAM_ leaves of the public observations (display name, auto answer, the vendor's
// own config/firmware server paths, the admin password) from data/grandstream-observed.csv.

import type { Family } from '../types.ts';
import {
  RPC_1_0, canDenyDefaults, device1Extra, device1Forced, device1Source, identityFactory, lanDerive, notifyDefaults, paths,
  rootDerive, tr104i1Source,
} from './common.ts';

const R = 'Device.';
const VS = `${R}Services.VoiceService.{i}.`;
const V1 = `${R}Services.VoiceService.1.`;
/** GXP2170: six SIP accounts. */
const ACCOUNTS = 6;
const accounts = Array.from({ length: ACCOUNTS }, (_, i) => i + 1);

export const grandstream: Family = {
  name: 'grandstream',
  description: 'Grandstream-like: Device:1 + TR-104 issue 1, account label in VoiceProfile.N.Name, user id in Line.1.DirectoryNumber, X_GRANDSTREAM_ leaves',
  root: R,
  sources: [device1Source(), tr104i1Source(VS)],
  observed: [{ file: 'grandstream-observed.csv', match: 'X_GRANDSTREAM_' }],
  extra: [
    ...device1Extra(),
    `${VS}VoiceProfile.{i}.SIP.UseOutboundProxy,parameter,string,readWrite,enum=Enabled|Disabled,Disabled`,
    `${R}X_GRANDSTREAM_Upgrade.UpgradeVia,parameter,string,readWrite,enum=TFTP|HTTP|HTTPS,HTTP`,
  ],
  hiddenPattern: 'Password$',
  notify: notifyDefaults(R),
  canDeny: canDenyDefaults(R),
  derive: { ...rootDerive(R), ...lanDerive(R), [`${VS}VoiceProfile.{i}.Line.{i}.Status`]: 'tr104i1LineStatus' },
  instances: [V1, ...accounts.flatMap((n) => [`${V1}VoiceProfile.${n}.`, `${V1}VoiceProfile.${n}.Line.1.`])],
  factory: {
    ...identityFactory(R),
    [`${R}DeviceSummary`]: 'Device:1.1[](Baseline:1, EthernetLAN:1, Time:1), VoiceService:1.0[1](SIPEndpoint:1)',
    [`${R}X_GRANDSTREAM_Upgrade.UpgradeVia`]: 'HTTP',
    [`${V1}Capabilities.MaxProfileCount`]: String(ACCOUNTS),
    [`${V1}Capabilities.MaxLineCount`]: String(ACCOUNTS),
    [`${V1}Capabilities.SignalingProtocols`]: 'SIP',
    ...Object.fromEntries(accounts.flatMap((n) => [
      [`${V1}VoiceProfile.${n}.Enable`, 'Enabled'],
      [`${V1}VoiceProfile.${n}.SignalingProtocol`, 'SIP'],
      [`${V1}VoiceProfile.${n}.Name`, `Account ${n}`],
      [`${V1}VoiceProfile.${n}.Line.1.Enable`, 'Disabled'],
    ])),
  },
  forcedInform: device1Forced(),
  voice: { kind: 'tr104i1', profiles: `${VS}VoiceProfile.` },
  rpcMethods: RPC_1_0,
  cwmp: { namespace: 'urn:dslforum-org:cwmp-1-0' },
  identity: {
    manufacturer: 'Grandstream', oui: '000B82', productClass: 'GXP2170', modelName: 'GXP2170',
    hardwareVersion: 'V1.7A', softwareVersion: '1.0.11.23',
  },
  paths: paths(R),
};
