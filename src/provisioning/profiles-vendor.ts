// Vendor model profiles (models/README.md behaviours 1–3). Matched by OUI before the standard
// profiles; each still needs its voice-model signature on the device, so a vendor phone running
// a standard tree falls through to a standard profile. Vendor leaves are written only where the
// device reports them (discovery), so an extra mapping never breaks a model that lacks it.
// Behaviours 4 (Unify-like limited agent) and 5 (industrial Ex, TR-098) use the standard
// Device:1 / TR-098 issue-1 profiles: their trees are standard, only smaller.

import { STANDARD_PROFILES, lineI1, management, p, voiceProfileI1, type ModelProfile, type PathMap } from './profiles.ts';

const S = 'xsd:string' as const;
const VS1 = 'Device.Services.VoiceService.1.';

/** One Line.1 per VoiceProfile.N: account n = profile n, server settings per profile (Yealink, Grandstream). */
function profilePerAccount(id: string, description: string, oui: string[], lineExtra: Record<string, PathMap[]>): ModelProfile {
  const vp = `${VS1}VoiceProfile.{profile}.`;
  const line = lineI1(`${vp}Line.{pline}.`);
  for (const [k, maps] of Object.entries(lineExtra)) line[k] = [...(line[k] ?? []), ...maps];
  return {
    id, description, root: 'Device.', oui,
    signature: `${VS1}VoiceProfile.`,
    discover: ['Device.ManagementServer.', 'Device.DeviceInfo.', 'Device.Time.', 'Device.Services.VoiceService.'],
    intents: { ...management('Device.'), timezone: [p('Device.Time.LocalTimeZone', S)], ...voiceProfileI1(vp) },
    line,
    lineTables: [
      { key: 'profile', table: `${VS1}VoiceProfile.`, pick: 'nth' },
      { key: 'pline', table: `${VS1}VoiceProfile.{profile}.Line.`, pick: 'first' },
    ],
    lineLinks: [],
  };
}

/** Yealink (OUI 001565): X_001565_UserName is the register user, DisplayName and Label the line key. */
export const YEALINK = profilePerAccount('yealink', 'Yealink: Device:1 + TR-104 issue 1, VoiceProfile.N = account N, X_001565_ leaves', ['001565'], {
  number: [p(`${VS1}VoiceProfile.{profile}.Line.{pline}.SIP.X_001565_UserName`, S)],
  displayName: [p(`${VS1}VoiceProfile.{profile}.Line.{pline}.SIP.X_001565_DisplayName`, S), p(`${VS1}VoiceProfile.{profile}.Line.{pline}.SIP.X_001565_Label`, S)],
});

/** Grandstream (OUI 000B82): DirectoryNumber is the SIP user id; the account label is VoiceProfile.N.Name. */
export const GRANDSTREAM = profilePerAccount('grandstream', 'Grandstream: Device:1 + TR-104 issue 1, VoiceProfile.N = account N, X_GRANDSTREAM_ leaves', ['000B82'], {
  displayName: [p(`${VS1}VoiceProfile.{profile}.Line.{pline}.SIP.X_GRANDSTREAM_DisplayName`, S), p(`${VS1}VoiceProfile.{profile}.Name`, S)],
});

/** Aastra/Mitel (OUI 00085D): Device.VoiceService.VoiceProfile.1..9 (no Services., no instance), global SIP servers. */
function aastra(): ModelProfile {
  const vs = 'Device.VoiceService.';
  const g = `${vs}X_Aastra_GlobalVoiceProfile.SIP.`;
  const perLine = voiceProfileI1(`${vs}VoiceProfile.{profile}.`);
  const server = ['sip.proxy', 'sip.proxyPort', 'sip.transport', 'sip.registrar', 'sip.registrarPort', 'sip.outboundProxy', 'sip.outboundProxyPort', 'sip.domain', 'sip.registrationPeriod'];
  const global: Record<string, PathMap[]> = {
    'sip.proxy': [p(`${g}ProxyServer`, S)], 'sip.proxyPort': [p(`${g}ProxyServerPort`, 'xsd:unsignedInt')],
    'sip.transport': [p(`${g}ProxyServerTransport`, S), p(`${g}RegistrarServerTransport`, S)],
    'sip.registrar': [p(`${g}RegistrarServer`, S)], 'sip.registrarPort': [p(`${g}RegistrarServerPort`, 'xsd:unsignedInt')],
    'sip.outboundProxy': [p(`${g}OutboundProxy`, S)], 'sip.outboundProxyPort': [p(`${g}OutboundProxyPort`, 'xsd:unsignedInt')],
    'sip.domain': [p(`${g}UserAgentDomain`, S)], 'sip.registrationPeriod': [p(`${g}RegistrationPeriod`, 'xsd:unsignedInt')],
  };
  // Server settings go to the global profile (the per-line leaves stay empty so it applies);
  // media and QoS settings are per line.
  const media = Object.fromEntries(Object.entries(perLine).filter(([k]) => !server.includes(k)));
  return {
    id: 'aastra', description: 'Aastra/Mitel: Device.VoiceService.VoiceProfile.1..9 (no Services.), X_Aastra_GlobalVoiceProfile', root: 'Device.', oui: ['00085D'],
    signature: `${vs}VoiceProfile.`,
    discover: ['Device.ManagementServer.', 'Device.DeviceInfo.', 'Device.Time.', vs],
    intents: { ...management('Device.'), timezone: [p('Device.Time.LocalTimeZone', S)], ...media, ...global },
    line: lineI1(`${vs}VoiceProfile.{profile}.Line.{pline}.`),
    lineTables: [
      { key: 'profile', table: `${vs}VoiceProfile.`, pick: 'nth' },
      { key: 'pline', table: `${vs}VoiceProfile.{profile}.Line.`, pick: 'first' },
    ],
    lineLinks: [],
  };
}

export const AASTRA = aastra();

export const VENDOR_PROFILES: readonly ModelProfile[] = [YEALINK, GRANDSTREAM, AASTRA];

/** Candidate profiles for a device: vendor profiles for its OUI first, then the standard ones of its root. */
export function candidateProfiles(root: string, oui: string): ModelProfile[] {
  const vendor = VENDOR_PROFILES.filter((v) => v.root === root && v.oui?.some((o) => o.toUpperCase() === oui.toUpperCase()));
  return [...vendor, ...STANDARD_PROFILES.filter((v) => v.root === root)];
}
