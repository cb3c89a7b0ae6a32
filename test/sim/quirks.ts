// Misbehaviours of real CPEs that the ACS must tolerate (models/README.md "Misbehaviours an ACS
// must tolerate", tr069-protocol.md §11), as switches on a simulated phone. Each entry is data:
// what it does on the wire, where it was seen, and whether the simulator implements it. Every
// switch is implemented; quirks.test.ts checks that each one has a test. (`implemented: false`
// would mark a switch that is listed but does nothing yet: setting it warns.)

export interface QuirkDef {
  effect: string;
  seenIn: string;
  implemented: boolean;
}

export const QUIRKS = {
  closesAfter401: {
    effect: 'After a 401 from the ACS the phone closes the TCP connection and retries the POST on a new one (fresh TLS handshake).',
    seenIn: '§6.2, §11.2: several CPEs; GenieACS binds nonces to the socket and fails them', implemented: true,
  },
  basicBeforeDigest: {
    effect: 'Sends `Authorization: Basic` pre-emptively on the first POST of a session, then answers a Digest challenge.',
    seenIn: '§6.1 (TLS: SHOULD send Basic pre-emptively), §11.2 Thomson; models/README.md', implemented: true,
  },
  noCookies: {
    effect: 'Ignores Set-Cookie: never sends a Cookie header, so the ACS must key the session by connection.',
    seenIn: '§1.3, §11.2: GenieACS #79, #82', implemented: true,
  },
  newConnectionPerPost: {
    effect: 'Opens a new TCP (TLS) connection for every POST of the session (`Connection: close`); only the cookie ties them together.',
    seenIn: '§1.3, §11.2: various CPEs, proxies', implemented: true,
  },
  noTransferComplete: {
    effect: 'After a successful Download it reboots into the new firmware but never sends TransferComplete (nor 7 TRANSFER COMPLETE / M Download).',
    seenIn: '§3.1 Download, §11.3: GenieACS option downloadSuccessOnTimeout', implemented: true,
  },
  booleanAsInt: {
    effect: 'Reports booleans as 1/0 and rejects true/false in SetParameterValues with 9007.',
    seenIn: '§5.1, §11.3: easycwmp-style agents, GenieACS BOOLEAN_LITERAL', implemented: true,
  },
  requireParameterKey: {
    effect: 'SetParameterValues faults 9003 unless ParameterKey is present and non-empty.',
    seenIn: 'models/README.md misbehaviours', implemented: true,
  },
  noParameterKeyUpdate: {
    effect: 'Never stores the ParameterKey of a successful SPV/AddObject/DeleteObject.',
    seenIn: '§11.3: FreeACS parameterkey option', implemented: true,
  },
  spvStatus1: {
    effect: 'Answers every successful SetParameterValues with Status 1 (applied after reboot) and does not reboot.',
    seenIn: '§11.3: phones often', implemented: true,
  },
  rejectRootGpn: {
    effect: 'GetParameterNames on "" or on the root object with NextLevel=false faults 9002 (the ACS must walk level by level).',
    seenIn: '§11.3: Sagem (GenieACS #74), Grandstream (#150); models/README.md', implemented: true,
  },
  dateTimeMillis: {
    effect: 'Sends dateTime values (CurrentTime, CurrentLocalTime) with milliseconds.',
    seenIn: 'models/README.md misbehaviours; GenieACS DATETIME_MILLISECONDS', implemented: true,
  },
  staleCookie: {
    effect: 'Sends the previous session\'s cookie with the Inform of a new session.',
    seenIn: 'models/README.md misbehaviours', implemented: true,
  },
  crClosesAfter401: {
    effect: 'The connection-request server answers 401 with `Connection: close` and closes the TCP connection.',
    seenIn: '§6.4, §7.2: easycwmp', implemented: true,
  },
  crRandomCredentials: {
    effect: 'The connection-request server expects per-device random credentials the ACS never set (every CR gets 401).',
    seenIn: 'models/README.md misbehaviours', implemented: true,
  },
  droppedParameterAfterUpgrade: {
    effect: 'After a firmware upgrade one parameter (SimPhoneOptions.droppedParameter, default <root>Time.LocalTimeZone) disappears: a GPV naming it faults 9005 for the whole call.',
    seenIn: 'models/README.md misbehaviours; GenieACS 9005 rediscovery', implemented: true,
  },
  omitSingleInstance: {
    effect: 'Omits the instance number in the names it reports (GPN, GPV, GPA, Inform) where a table has exactly one instance (`VoiceService.VoiceProfile.Line.…`); accepts both forms.',
    seenIn: 'models/README.md misbehaviours, §11.3', implemented: true,
  },
  noXmlDeclaration: {
    effect: 'Sends envelopes without the `<?xml ...?>` declaration.',
    seenIn: 'models/README.md misbehaviours', implemented: true,
  },
  chunkedBody: {
    effect: 'Sends POST bodies with Transfer-Encoding: chunked instead of Content-Length.',
    seenIn: '§11.2: Thomson, curl-based agents', implemented: true,
  },
  expect100Continue: {
    effect: 'Sends `Expect: 100-continue` on POSTs with a body (curl-based agents).',
    seenIn: '§1.2, §11.2: easycwmp, icwmp', implemented: true,
  },
  wrongWritable: {
    effect: 'GetParameterNames reports Writable=0 for writable parameters.',
    seenIn: '§11.3: GenieACS skipWritableCheck', implemented: true,
  },
  localDrift: {
    effect: 'Every driftIntervalS (default 600 s, phone clock) a value the ACS set is changed from the phone menu (localEdit: VALUE CHANGE if notified).',
    seenIn: 'models/README.md behaviour 4 (Unify-like), misbehaviours', implemented: true,
  },
  ignoreHoldRequests: {
    effect: 'Sends TransferComplete even while the ACS holds requests (HoldRequests=1).',
    seenIn: '§1.5 (broken agents)', implemented: true,
  },
  transferFaultAfterSuccess: {
    effect: 'Reports TransferComplete fault 9010 although the file was applied (firmware running, configuration set).',
    seenIn: 'models/README.md misbehaviours', implemented: true,
  },
  requireXmlDeclaration: {
    effect: 'Aborts the session when an ACS envelope lacks the `<?xml ...?>` declaration.',
    seenIn: 'models/README.md misbehaviours ("no <?xml?> declaration tolerated or required")', implemented: true,
  },
  requireContentLength: {
    effect: 'Aborts the session when an ACS response has a body without Content-Length (chunked).',
    seenIn: 'models/README.md misbehaviours ("Content-Length required (no chunked bodies)")', implemented: true,
  },
  smallGpv: {
    effect: 'GetParameterValues naming more than 16 parameters faults 9002 (batch GPVs).',
    seenIn: '§3.1, §11.3: Grandstream Android phone, GenieACS #150', implemented: true,
  },
} as const satisfies Record<string, QuirkDef>;

export type QuirkName = keyof typeof QUIRKS;
export type Quirks = Partial<Record<QuirkName, boolean>>;

/** Names in `quirks` that are switched on but not implemented yet. */
export function unimplemented(quirks: Quirks): QuirkName[] {
  return (Object.keys(quirks) as QuirkName[]).filter((q) => quirks[q] && !QUIRKS[q]?.implemented);
}

/** Parse `a,b,c` (CLI) into a Quirks record; unknown names throw. */
export function parseQuirkList(list: string): Quirks {
  const out: Quirks = {};
  for (const raw of list.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    if (!(raw in QUIRKS)) throw new Error(`unknown quirk "${raw}" (known: ${Object.keys(QUIRKS).join(', ')})`);
    out[raw as QuirkName] = true;
  }
  return out;
}
