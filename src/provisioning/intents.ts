// The intents catalogue: what a site template may say, independent of any data model (DESIGN
// "Templates are data-model agnostic"). Each intent has a canonical type; model profiles
// (profiles.ts) map it to a concrete path and wire format per family. The set covers the ~45
// site-template parameters of tr069-protocol.md §10.7 plus the per-line account settings.
//
// Line intents are written `line[<n>].<leaf>` (n ≥ 1): `line[1].authUser`.

export type IntentType = 'string' | 'uint' | 'int' | 'bool' | 'enum';

export interface IntentDef {
  name: string;
  type: IntentType;
  /** Allowed values for 'enum' (canonical spelling; profiles translate, e.g. RFC4733 → RFC2833). */
  values?: readonly string[];
  min?: number;
  max?: number;
  maxLength?: number;
  /** Hidden on the device (reads back empty, §5.1): stored sealed, masked in the API, never logged. */
  secret?: boolean;
  /** Worth active notification (SetParameterAttributes Notification=2): a local change is seen at once. */
  critical?: boolean;
  /** Compared with what the device reports but never written with SPV (firmware goes by Download). */
  checkOnly?: boolean;
  description: string;
}

const d = (name: string, type: IntentType, description: string, extra: Partial<IntentDef> = {}): IntentDef =>
  ({ name, type, description, ...extra });

const PORT = { min: 0, max: 65535 };
const DSCP = { min: 0, max: 63 };
const PRIO = { min: -1, max: 7 };

/** Site-wide intents (tr069-protocol.md §10.7 rows 4–47). */
const GLOBAL: IntentDef[] = [
  d('inform.enable', 'bool', 'ManagementServer.PeriodicInformEnable'),
  d('inform.interval', 'uint', 'ManagementServer.PeriodicInformInterval (s); set from the zone criticality unless given', { min: 1, critical: true }),
  d('mgmt.upgradesManaged', 'bool', 'ManagementServer.UpgradesManaged: firmware only from the ACS'),
  d('mgmt.notificationThrottle', 'uint', 'ManagementServer.DefaultActiveNotificationThrottle (s)'),
  d('mgmt.retryMinimumWait', 'uint', 'ManagementServer.CWMPRetryMinimumWaitInterval (s)', { min: 1, max: 65535 }),
  d('mgmt.retryMultiplier', 'uint', 'ManagementServer.CWMPRetryIntervalMultiplier (‰)', { min: 1000, max: 65535 }),
  d('stun.enable', 'bool', 'ManagementServer.STUNEnable (TR-069 Annex G)'),
  d('stun.server', 'string', 'ManagementServer.STUNServerAddress', { maxLength: 256 }),
  d('stun.port', 'uint', 'ManagementServer.STUNServerPort', PORT),
  d('stun.minKeepAlive', 'uint', 'ManagementServer.STUNMinimumKeepAlivePeriod (s)'),
  d('stun.maxKeepAlive', 'int', 'ManagementServer.STUNMaximumKeepAlivePeriod (s, -1 = none)', { min: -1 }),
  // TR-069 Annex G.2.1 / tr069-protocol.md §8.2: per-device STUN credentials. Normally not in a
  // template: the ACS generates them once per device when stun.enable is true (provision-stun.ts).
  d('stun.username', 'string', 'ManagementServer.STUNUsername (generated per device unless given)', { maxLength: 256 }),
  d('stun.password', 'string', 'ManagementServer.STUNPassword (generated per device unless given; hidden)', { maxLength: 256, secret: true }),
  d('device.provisioningCode', 'string', 'DeviceInfo.ProvisioningCode', { maxLength: 64 }),
  d('firmware.version', 'string', 'DeviceInfo.SoftwareVersion expected (checked; changed by the firmware service with Download)', { checkOnly: true }),
  d('ntp.enable', 'bool', 'Time.Enable'),
  d('ntp.server', 'string', 'Time.NTPServer1', { maxLength: 64 }),
  d('ntp.server2', 'string', 'Time.NTPServer2', { maxLength: 64 }),
  d('timezone', 'string', 'POSIX TZ string (Time.LocalTimeZone, TR-098 LocalTimeZoneName)', { maxLength: 256 }),
  d('syslog.enable', 'bool', 'Remote syslog on (Syslog.Enable + LogRemote.Enable, or vendor leaves)'),
  d('syslog.server', 'string', 'Remote syslog host', { maxLength: 256 }),
  d('syslog.port', 'uint', 'Remote syslog port', { min: 1, max: 65535 }),
  d('syslog.protocol', 'enum', 'Remote syslog transport', { values: ['UDP', 'TCP', 'TLS'] }),
  d('sip.proxy', 'string', 'SIP proxy server (host or IP)', { maxLength: 256, critical: true }),
  d('sip.proxyPort', 'uint', 'SIP proxy port', { ...PORT, critical: true }),
  d('sip.transport', 'enum', 'SIP transport to the proxy', { values: ['UDP', 'TCP', 'TLS', 'SCTP'], critical: true }),
  d('sip.registrar', 'string', 'SIP registrar (empty: the proxy)', { maxLength: 256, critical: true }),
  d('sip.registrarPort', 'uint', 'SIP registrar port', { ...PORT, critical: true }),
  d('sip.outboundProxy', 'string', 'SIP outbound proxy', { maxLength: 256 }),
  d('sip.outboundProxyPort', 'uint', 'SIP outbound proxy port', PORT),
  d('sip.domain', 'string', 'SIP domain (UserAgentDomain)', { maxLength: 256, critical: true }),
  d('sip.registerExpires', 'uint', 'REGISTER Expires (s)', { min: 1 }),
  d('sip.registrationPeriod', 'uint', 'Re-register interval (s)', { min: 1 }),
  d('qos.sipDscp', 'uint', 'DSCP of SIP signalling (24 = CS3, 26 = AF31)', DSCP),
  d('qos.rtpDscp', 'uint', 'DSCP of RTP media (46 = EF)', DSCP),
  d('qos.sipPriority', 'int', '802.1p priority of SIP (-1 = not set)', PRIO),
  d('qos.rtpPriority', 'int', '802.1p priority of RTP (-1 = not set)', PRIO),
  d('vlan.voice', 'int', 'Voice VLAN ID for SIP and RTP (-1 = untagged)', { min: -1, max: 4094, critical: true }),
  d('rtp.portMin', 'uint', 'Lowest local RTP port', PORT),
  d('rtp.portMax', 'uint', 'Highest local RTP port', PORT),
  d('dtmf.method', 'enum', 'DTMF method (RFC4733 is written RFC2833 on TR-104 issue 1)', { values: ['InBand', 'RFC4733', 'SIPInfo'] }),
];

/** Per-line intents (tr069-protocol.md §10.7 rows 48–52, §10.5, §10.6). */
const LINE: IntentDef[] = [
  d('enable', 'bool', 'Line/account enabled (TR-104 issue 1: the string Enabled/Disabled)', { critical: true }),
  d('authUser', 'string', 'SIP digest user name', { maxLength: 128, critical: true }),
  d('password', 'string', 'SIP digest password (hidden on the device)', { maxLength: 128, secret: true }),
  d('number', 'string', 'Directory number / extension', { maxLength: 32, critical: true }),
  d('uri', 'string', 'Register URI / SIP URI', { maxLength: 389 }),
  d('displayName', 'string', 'Display name / line label (vendor leaves where the model has them)', { maxLength: 64 }),
  d('status', 'string', 'Registration status as the phone reports it (read only; Up = registered)', { checkOnly: true }),
];

export const MAX_LINES = 16;
export const GLOBAL_INTENTS: ReadonlyMap<string, IntentDef> = new Map(GLOBAL.map((i) => [i.name, i]));
export const LINE_INTENTS: ReadonlyMap<string, IntentDef> = new Map(LINE.map((i) => [i.name, i]));

const LINE_RE = /^line\[(\d{1,2})\]\.([A-Za-z]+)$/;

/** Split `line[2].authUser` into { line: 2, leaf: 'authUser' }; null for site-wide intents. */
export function parseLineIntent(name: string): { line: number; leaf: string } | null {
  const m = LINE_RE.exec(name);
  return m ? { line: Number(m[1]), leaf: m[2]! } : null;
}

/** The definition of an intent name, or null if the name is not in the catalogue. */
export function intentDef(name: string): IntentDef | null {
  const l = parseLineIntent(name);
  if (l) return l.line >= 1 && l.line <= MAX_LINES ? LINE_INTENTS.get(l.leaf) ?? null : null;
  return GLOBAL_INTENTS.get(name) ?? null;
}

export function isSecretIntent(name: string): boolean {
  return intentDef(name)?.secret === true;
}

/** Every intent name (lines expanded up to `lines`), for docs and the API. */
export function allIntentNames(lines = 2): string[] {
  const out = [...GLOBAL_INTENTS.keys()];
  for (let n = 1; n <= lines; n++) for (const leaf of LINE_INTENTS.keys()) out.push(`line[${n}].${leaf}`);
  return out;
}

export type IntentValue = string | number | boolean;

/**
 * Check and canonicalise a value for an intent (YAML and CSV give strings, numbers or
 * booleans). Returns the canonical string form or an error message.
 */
export function canonicalIntentValue(def: IntentDef, raw: IntentValue): { ok: true; value: string } | { ok: false; error: string } {
  const s = typeof raw === 'string' ? raw : String(raw);
  switch (def.type) {
    case 'bool': {
      const t = s.trim().toLowerCase();
      if (['true', '1', 'yes', 'on', 'enabled'].includes(t)) return { ok: true, value: 'true' };
      if (['false', '0', 'no', 'off', 'disabled'].includes(t)) return { ok: true, value: 'false' };
      return { ok: false, error: `${def.name} must be true or false, not ${JSON.stringify(s)}` };
    }
    case 'uint':
    case 'int': {
      const t = s.trim();
      if (!(def.type === 'uint' ? /^\d+$/ : /^-?\d+$/).test(t)) return { ok: false, error: `${def.name} must be ${def.type === 'uint' ? 'a non-negative' : 'an'} integer, not ${JSON.stringify(s)}` };
      const n = Number(t);
      if (!Number.isSafeInteger(n) || n > 4294967295) return { ok: false, error: `${def.name}: ${t} is out of range` };
      if (def.min !== undefined && n < def.min) return { ok: false, error: `${def.name} must be ≥ ${def.min}` };
      if (def.max !== undefined && n > def.max) return { ok: false, error: `${def.name} must be ≤ ${def.max}` };
      return { ok: true, value: String(n) };
    }
    case 'enum': {
      const hit = def.values!.find((v) => v.toLowerCase() === s.trim().toLowerCase());
      return hit ? { ok: true, value: hit } : { ok: false, error: `${def.name} must be one of ${def.values!.join(', ')}` };
    }
    case 'string':
      if (def.maxLength !== undefined && [...s].length > def.maxLength) return { ok: false, error: `${def.name} is longer than ${def.maxLength} characters` };
      return { ok: true, value: s };
  }
}
