// Unify-like limited agent (models/README.md behaviour 4): TR-106 Device:1 root + TR-104 issue 1
// with exactly one VoiceProfile and one line, both tables read-only (no AddObject/DeleteObject
// in the RPC list anyway), one ACS address, and only the RPCs GetRPCMethods,
// Get/SetParameterValues, GetParameterNames, Get/SetParameterAttributes, Download, Reboot,
// FactoryReset — no Upload, no ScheduleInform. Values set by the ACS can be changed from the
// phone's menu (SimPhone.localEdit, quirk localDrift): the drift the ACS must notice.

import type { Family } from '../types.ts';
import {
  RPC_LIMITED, canDenyDefaults, device1Extra, device1Forced, device1Source, identityFactory, lanDerive, notifyDefaults, paths,
  rootDerive, tr104i1Source,
} from './common.ts';

const R = 'Device.';
const VS = `${R}Services.VoiceService.{i}.`;
const V1 = `${R}Services.VoiceService.1.`;
const VP = `${V1}VoiceProfile.1.`;

export const unify: Family = {
  name: 'unify',
  description: 'Unify-like limited agent: Device:1 + TR-104 issue 1, one VoiceProfile and one line (fixed), no Add/DeleteObject, no Upload',
  root: R,
  sources: [device1Source(), tr104i1Source(VS)],
  extra: [
    ...device1Extra(),
    `${VS}VoiceProfile.{i}.,object,,readOnly,min=1 max=1,`,
    `${VS}VoiceProfile.{i}.Line.{i}.,object,,readOnly,min=1 max=1,`,
  ],
  hiddenPattern: 'Password$',
  notify: notifyDefaults(R),
  canDeny: canDenyDefaults(R),
  derive: { ...rootDerive(R), ...lanDerive(R), [`${VS}VoiceProfile.{i}.Line.{i}.Status`]: 'tr104i1LineStatus' },
  instances: [V1, VP, `${VP}Line.1.`],
  factory: {
    ...identityFactory(R),
    [`${R}DeviceSummary`]: 'Device:1.0[](Baseline:1), VoiceService:1.0[1](SIPEndpoint:1)',
    [`${V1}Capabilities.MaxProfileCount`]: '1',
    [`${V1}Capabilities.MaxLineCount`]: '1',
    [`${V1}Capabilities.SignalingProtocols`]: 'SIP',
    [`${VP}Enable`]: 'Enabled',
    [`${VP}SignalingProtocol`]: 'SIP',
    [`${VP}Line.1.Enable`]: 'Enabled',
  },
  forcedInform: device1Forced(),
  voice: { kind: 'tr104i1', profiles: `${VS}VoiceProfile.` },
  rpcMethods: RPC_LIMITED,
  cwmp: { namespace: 'urn:dslforum-org:cwmp-1-0' },
  identity: {
    manufacturer: 'Unify', oui: '001AE8', productClass: 'CP600', modelName: 'OpenScape Desk Phone CP600',
    hardwareVersion: '2', softwareVersion: 'V1R5.6.0',
  },
  paths: paths(R),
};
