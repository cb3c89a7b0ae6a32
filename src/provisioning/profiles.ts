// Model profiles: per data-model family, where each intent lives and in which wire format
// (DESIGN "Per-model profiles map intents to real paths"; tr069-protocol.md §10). Pure data plus
// the rule that picks a profile for a device. A profile is a superset: the planner writes only
// the mapped paths the device actually has (learned by discovery), so a phone whose model has no
// vendor profile is still managed on the standard paths it reports.
//
// Path templates may hold line placeholders (`{client}`, `{line}`, `{profile}`): line n uses the
// n-th instance (in instance-number order) of the table the placeholder names (§5.3: never
// assume `.1` exists). A site-wide intent whose path holds a placeholder is written once per
// managed line (Yealink-like phones keep the SIP server per VoiceProfile = per account).

export type WireFormat = 'plain' | 'enabled' | 'dtmf-i1';

export interface PathMap {
  path: string;
  /** xsi:type to send (§5.1: always the type the data model declares). */
  type: 'xsd:string' | 'xsd:boolean' | 'xsd:unsignedInt' | 'xsd:int';
  /** Value translation: 'enabled' = TR-104 issue 1 Enable strings; 'dtmf-i1' = RFC4733 → RFC2833. */
  format?: WireFormat;
}

export interface LineTable {
  /** Placeholder name used in paths. */
  key: string;
  /** Table path (ending with `.`); may use earlier keys (`…VoiceProfile.{profile}.Line.`). */
  table: string;
  /** 'nth': line n → n-th instance; 'first': the first instance (one line per parent object). */
  pick: 'nth' | 'first';
}

export interface ModelProfile {
  id: string;
  description: string;
  root: 'Device.' | 'InternetGatewayDevice.';
  /** Vendor match (any listed OUI); standard profiles have none. */
  oui?: readonly string[];
  /** A path prefix that must exist on the device for this profile to apply (voice model test). */
  signature: string;
  /** Subtrees discovered with GetParameterNames (§11.3: small chunks, never the root). */
  discover: readonly string[];
  /** Site-wide intents → paths. */
  intents: Readonly<Record<string, readonly PathMap[]>>;
  /** Line intents (`line[n].<leaf>` → leaf) → paths with placeholders. */
  line: Readonly<Record<string, readonly PathMap[]>>;
  lineTables: readonly LineTable[];
  /** Values that tie a managed line together (TR-104 issue 2 Network / Provider references, §10.6). */
  lineLinks: readonly { path: string; value: string; type: 'xsd:string' }[];
}

const S = 'xsd:string' as const;
const B = 'xsd:boolean' as const;
const U = 'xsd:unsignedInt' as const;
const I = 'xsd:int' as const;
export const p = (path: string, type: PathMap['type'], format?: WireFormat): PathMap => (format ? { path, type, format } : { path, type });

/** ManagementServer + DeviceInfo leaves: the same names under every root (§10.2, §10.3). */
export function management(root: string): Record<string, PathMap[]> {
  const ms = `${root}ManagementServer.`;
  return {
    'inform.enable': [p(`${ms}PeriodicInformEnable`, B)],
    'inform.interval': [p(`${ms}PeriodicInformInterval`, U)],
    'mgmt.upgradesManaged': [p(`${ms}UpgradesManaged`, B)],
    'mgmt.notificationThrottle': [p(`${ms}DefaultActiveNotificationThrottle`, U)],
    'mgmt.retryMinimumWait': [p(`${ms}CWMPRetryMinimumWaitInterval`, U)],
    'mgmt.retryMultiplier': [p(`${ms}CWMPRetryIntervalMultiplier`, U)],
    'stun.enable': [p(`${ms}STUNEnable`, B)],
    'stun.server': [p(`${ms}STUNServerAddress`, S)],
    'stun.port': [p(`${ms}STUNServerPort`, U)],
    'stun.minKeepAlive': [p(`${ms}STUNMinimumKeepAlivePeriod`, U)],
    'stun.maxKeepAlive': [p(`${ms}STUNMaximumKeepAlivePeriod`, I)],
    'stun.username': [p(`${ms}STUNUsername`, S)],
    'stun.password': [p(`${ms}STUNPassword`, S)],
    'device.provisioningCode': [p(`${root}DeviceInfo.ProvisioningCode`, S)],
    'firmware.version': [p(`${root}DeviceInfo.SoftwareVersion`, S)],
    'ntp.enable': [p(`${root}Time.Enable`, B)],
    'ntp.server': [p(`${root}Time.NTPServer1`, S)],
    'ntp.server2': [p(`${root}Time.NTPServer2`, S)],
  };
}

/** TR-104 issue 1 server/media settings under one VoiceProfile (§10.5). */
export function voiceProfileI1(vp: string): Record<string, PathMap[]> {
  return {
    'sip.proxy': [p(`${vp}SIP.ProxyServer`, S)],
    'sip.proxyPort': [p(`${vp}SIP.ProxyServerPort`, U)],
    'sip.transport': [p(`${vp}SIP.ProxyServerTransport`, S)],
    'sip.registrar': [p(`${vp}SIP.RegistrarServer`, S)],
    'sip.registrarPort': [p(`${vp}SIP.RegistrarServerPort`, U)],
    'sip.outboundProxy': [p(`${vp}SIP.OutboundProxy`, S)],
    'sip.outboundProxyPort': [p(`${vp}SIP.OutboundProxyPort`, U)],
    'sip.domain': [p(`${vp}SIP.UserAgentDomain`, S)],
    'sip.registerExpires': [p(`${vp}SIP.RegisterExpires`, U)],
    'sip.registrationPeriod': [p(`${vp}SIP.RegistrationPeriod`, U)],
    'qos.sipDscp': [p(`${vp}SIP.DSCPMark`, U)],
    'qos.sipPriority': [p(`${vp}SIP.EthernetPriorityMark`, I)],
    'qos.rtpDscp': [p(`${vp}RTP.DSCPMark`, U)],
    'qos.rtpPriority': [p(`${vp}RTP.EthernetPriorityMark`, I)],
    'vlan.voice': [p(`${vp}SIP.VLANIDMark`, I), p(`${vp}RTP.VLANIDMark`, I)],
    'rtp.portMin': [p(`${vp}RTP.LocalPortMin`, U)],
    'rtp.portMax': [p(`${vp}RTP.LocalPortMax`, U)],
    'dtmf.method': [p(`${vp}DTMFMethod`, S, 'dtmf-i1')],
  };
}

/** TR-104 issue 1 account leaves under one Line (§10.5). */
export function lineI1(l: string): Record<string, PathMap[]> {
  return {
    enable: [p(`${l}Enable`, S, 'enabled')],
    authUser: [p(`${l}SIP.AuthUserName`, S)],
    password: [p(`${l}SIP.AuthPassword`, S)],
    number: [p(`${l}DirectoryNumber`, S)],
    uri: [p(`${l}SIP.URI`, S)],
    status: [p(`${l}Status`, S)],
  };
}

const VS2 = 'Device.Services.VoiceService.1.';

/** Device:2 + TR-104 issue 2 (§10.6, §10.7 left column): models/README.md behaviour 6. */
export const TR181_I2: ModelProfile = {
  id: 'std-tr181-i2',
  description: 'TR-181 Device:2 + TR-104 issue 2 (SIP.Client / SIP.Network / CallControl.Line)',
  root: 'Device.',
  signature: `${VS2}SIP.Client.`,
  discover: ['Device.ManagementServer.', 'Device.DeviceInfo.', 'Device.Time.', 'Device.Services.VoiceService.', 'Device.Syslog.'],
  intents: {
    ...management('Device.'),
    timezone: [p('Device.Time.LocalTimeZone', S)],
    'syslog.enable': [p('Device.Syslog.Enable', B), p('Device.Syslog.Action.1.LogRemote.Enable', B)],
    'syslog.server': [p('Device.Syslog.Action.1.LogRemote.Address', S)],
    'syslog.port': [p('Device.Syslog.Action.1.LogRemote.Port', U)],
    'syslog.protocol': [p('Device.Syslog.Action.1.LogRemote.Protocol', S)],
    'sip.proxy': [p(`${VS2}SIP.Network.1.ProxyServer`, S)],
    'sip.proxyPort': [p(`${VS2}SIP.Network.1.ProxyServerPort`, U)],
    'sip.transport': [p(`${VS2}SIP.Network.1.ProxyServerTransport`, S)],
    'sip.registrar': [p(`${VS2}SIP.Network.1.RegistrarServer`, S)],
    'sip.registrarPort': [p(`${VS2}SIP.Network.1.RegistrarServerPort`, U)],
    'sip.outboundProxy': [p(`${VS2}SIP.Network.1.OutboundProxy`, S)],
    'sip.outboundProxyPort': [p(`${VS2}SIP.Network.1.OutboundProxyPort`, U)],
    'sip.domain': [p(`${VS2}SIP.Network.1.UserAgentDomain`, S)],
    'sip.registerExpires': [p(`${VS2}SIP.Network.1.RegisterExpires`, U)],
    'sip.registrationPeriod': [p(`${VS2}SIP.Network.1.RegistrationPeriod`, U)],
    'qos.sipDscp': [p(`${VS2}SIP.Network.1.DSCPMark`, U)],
    'qos.sipPriority': [p(`${VS2}SIP.Network.1.EthernetPriorityMark`, I)],
    'vlan.voice': [p(`${VS2}SIP.Network.1.VLANIDMark`, I), p(`${VS2}VoIPProfile.1.RTP.VLANIDMark`, I)],
    'qos.rtpDscp': [p(`${VS2}VoIPProfile.1.RTP.DSCPMark`, U)],
    'qos.rtpPriority': [p(`${VS2}VoIPProfile.1.RTP.EthernetPriorityMark`, I)],
    'rtp.portMin': [p(`${VS2}VoIPProfile.1.RTP.LocalPortMin`, U)],
    'rtp.portMax': [p(`${VS2}VoIPProfile.1.RTP.LocalPortMax`, U)],
    'dtmf.method': [p(`${VS2}VoIPProfile.1.DTMFMethod`, S)],
  },
  line: {
    enable: [p(`${VS2}SIP.Client.{client}.Enable`, B), p(`${VS2}CallControl.Line.{line}.Enable`, B)],
    authUser: [p(`${VS2}SIP.Client.{client}.AuthUserName`, S)],
    password: [p(`${VS2}SIP.Client.{client}.AuthPassword`, S)],
    uri: [p(`${VS2}SIP.Client.{client}.RegisterURI`, S)],
    number: [p(`${VS2}CallControl.Line.{line}.DirectoryNumber`, S)],
    status: [p(`${VS2}SIP.Client.{client}.Status`, S)],
  },
  lineTables: [
    { key: 'client', table: `${VS2}SIP.Client.`, pick: 'nth' },
    { key: 'line', table: `${VS2}CallControl.Line.`, pick: 'nth' },
  ],
  // §10.6 typical sequence: Client → Network, Line → Provider (Client).
  lineLinks: [
    { path: `${VS2}SIP.Client.{client}.Network`, value: `${VS2}SIP.Network.1`, type: S },
    { path: `${VS2}CallControl.Line.{line}.Provider`, value: `${VS2}SIP.Client.{client}`, type: S },
  ],
};

function i1Profile(id: string, description: string, root: 'Device.' | 'InternetGatewayDevice.', tz: string): ModelProfile {
  const vs = `${root}Services.VoiceService.1.`;
  const vp = `${vs}VoiceProfile.1.`;
  return {
    id, description, root,
    signature: `${vp}Line.`,
    discover: [`${root}ManagementServer.`, `${root}DeviceInfo.`, `${root}Time.`, `${root}Services.VoiceService.`],
    intents: { ...management(root), timezone: [p(`${root}Time.${tz}`, S)], ...voiceProfileI1(vp) },
    line: lineI1(`${vp}Line.{line}.`),
    lineTables: [{ key: 'line', table: `${vp}Line.`, pick: 'nth' }],
    lineLinks: [],
  };
}

/** TR-098 + TR-104 issue 1: ATAs and the industrial Ex phones of models/README.md behaviour 5. */
export const TR098_I1 = i1Profile('std-tr098-i1', 'TR-098 InternetGatewayDevice:1 + TR-104 issue 1 (VoiceProfile.1.Line.{n})',
  'InternetGatewayDevice.', 'LocalTimeZoneName'); // TR-098 LocalTimeZone is the old +hh:mm offset (§10.4)

/** TR-106 Device:1 (or Device:2 still on issue 1) + TR-104 issue 1, one VoiceProfile for all lines. */
export const DEVICE_I1 = i1Profile('std-device-i1', 'Device:1/Device:2 + TR-104 issue 1 (VoiceProfile.1.Line.{n})', 'Device.', 'LocalTimeZone');

/** The standard profiles, tried in this order when no vendor profile applies. */
export const STANDARD_PROFILES: readonly ModelProfile[] = [TR181_I2, DEVICE_I1, TR098_I1];
