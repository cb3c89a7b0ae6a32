// Aastra/Mitel-like desk phone (models/README.md behaviour 3): a non-standard tree —
// Device.VoiceService.VoiceProfile.1..9 with no `Services.` and no VoiceService instance number
// (the TR-104 issue 1 rows rewritten from `Device.Services.VoiceService.{i}.`), plus
// Device.VoiceService.X_Aastra_GlobalVoiceProfile holding the site-wide SIP servers that a
// profile uses when its own server leaves are empty. The nine profiles are fixed: deleting one
// restores that line to its defaults (fixedTables), adding one faults 9004. A
// SetParameterValues re-registers the line at once (the Status is evaluated on every read).

import type { Family } from '../types.ts';
import {
  RPC_1_0, canDenyDefaults, device1Extra, device1Forced, device1Source, identityFactory, lanDerive, notifyDefaults, paths,
  rootDerive, tr104i1Source,
} from './common.ts';

const R = 'Device.';
const VS = `${R}VoiceService.`;
const G = `${VS}X_Aastra_GlobalVoiceProfile.`;
const LINES = 9;
const lines = Array.from({ length: LINES }, (_, i) => i + 1);

export const aastra: Family = {
  name: 'aastra',
  description: 'Aastra/Mitel-like: Device.VoiceService.VoiceProfile.1..9 (no Services., no VoiceService number), X_Aastra_GlobalVoiceProfile',
  root: R,
  sources: [device1Source(), tr104i1Source(VS, { from: 'Device.Services.VoiceService.{i}.', to: VS })],
  extra: [
    ...device1Extra().filter((r) => !r.startsWith(`${R}Services.,`)), // no Services. on this tree
    `${G},object,,readOnly,min=1 max=1,`,
    `${G}SIP.,object,,readOnly,min=1 max=1,`,
    `${G}SIP.ProxyServer,parameter,string,readWrite,maxLength=256,`,
    `${G}SIP.ProxyServerPort,parameter,unsignedInt,readWrite,range=0:65535,5060`,
    `${G}SIP.ProxyServerTransport,parameter,string,readWrite,enum=UDP|TCP|TLS,UDP`,
    `${G}SIP.RegistrarServer,parameter,string,readWrite,maxLength=256,`,
    `${G}SIP.RegistrarServerPort,parameter,unsignedInt,readWrite,range=0:65535,5060`,
    `${G}SIP.RegistrarServerTransport,parameter,string,readWrite,enum=UDP|TCP|TLS,UDP`,
    `${G}SIP.OutboundProxy,parameter,string,readWrite,maxLength=256,`,
    `${G}SIP.OutboundProxyPort,parameter,unsignedInt,readWrite,range=0:65535,5060`,
    `${G}SIP.UserAgentDomain,parameter,string,readWrite,maxLength=256,`,
    `${G}SIP.RegistrationPeriod,parameter,unsignedInt,readWrite,range=30:,3600`,
  ],
  hiddenPattern: 'Password$',
  notify: notifyDefaults(R),
  canDeny: canDenyDefaults(R),
  derive: { ...rootDerive(R), ...lanDerive(R), [`${VS}VoiceProfile.{i}.Line.{i}.Status`]: 'tr104i1LineStatus' },
  instances: lines.flatMap((n) => [`${VS}VoiceProfile.${n}.`, `${VS}VoiceProfile.${n}.Line.1.`]),
  factory: {
    ...identityFactory(R),
    [`${R}DeviceSummary`]: 'Device:1.0[](Baseline:1), X_Aastra_VoiceService:1',
    [`${VS}Capabilities.MaxProfileCount`]: String(LINES),
    [`${VS}Capabilities.MaxLineCount`]: String(LINES),
    [`${VS}Capabilities.SignalingProtocols`]: 'SIP',
    ...Object.fromEntries(lines.flatMap((n) => [
      [`${VS}VoiceProfile.${n}.Enable`, 'Enabled'],
      [`${VS}VoiceProfile.${n}.SignalingProtocol`, 'SIP'],
      // The per-line server leaves start empty so the global profile applies (Aastra "global SIP").
      [`${VS}VoiceProfile.${n}.SIP.ProxyServerPort`, '0'],
      [`${VS}VoiceProfile.${n}.SIP.RegistrarServerPort`, '0'],
      [`${VS}VoiceProfile.${n}.SIP.ProxyServerTransport`, ''],
      [`${VS}VoiceProfile.${n}.SIP.RegistrarServerTransport`, ''],
      [`${VS}VoiceProfile.${n}.Line.1.Enable`, 'Disabled'],
    ])),
  },
  forcedInform: device1Forced(),
  voice: { kind: 'tr104i1', profiles: `${VS}VoiceProfile.`, globalSip: `${G}SIP.` },
  fixedTables: [`${VS}VoiceProfile.`],
  rpcMethods: RPC_1_0,
  cwmp: { namespace: 'urn:dslforum-org:cwmp-1-0' },
  identity: {
    manufacturer: 'Aastra', oui: '00085D', productClass: '6867i', modelName: '6867i',
    hardwareVersion: '6867i Rev 0', softwareVersion: '5.1.0.2042',
  },
  paths: paths(R),
};
