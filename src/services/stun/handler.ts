// One Binding Request in, at most one datagram out: the STUN server's logic without sockets
// (tr069-protocol.md §8.6/§8.7, RFC 3489 §9, RFC 5389 §7.3).

import {
  Attr, MessageType, UNDERSTOOD_REQUIRED, parseMessage, findAttribute, attributeValue, usernameOf,
  hasConnectionRequestBinding, encodeMessage, errorCodeValue, unknownAttributesValue, verifyIntegrity,
  fingerprintValid, decodeAddressValue, unmapIpv4, type StunMessage, type OutAttribute, type IntegrityStyle,
} from '../../protocols/stun/index.ts';
import type { StunBinding } from '../../store/stun-bindings.ts';

export type IntegrityPolicy = 'never' | 'cr-binding' | 'always';

export interface Credentials {
  password: string;
  deviceId: string | null;
}

export interface HandlerDeps {
  policy: IntegrityPolicy;
  /** STUN password (and device) for a USERNAME (padding already stripped). */
  lookup(username: string): Credentials | null;
  /** SOURCE-ADDRESS of RFC 3489 responses; null when unknown (wildcard listen, no sourceAddress). */
  source: { address: string; port: number } | null;
  /** CHANGED-ADDRESS; defaults to `source` (single-homed server, §8.7 step 4). */
  changed: { address: string; port: number } | null;
  /** SOFTWARE value for RFC 5389 responses, or null. */
  software: Buffer | null;
}

export type Outcome =
  | 'answered' | 'unauthorized' | 'integrity-failed' | 'unknown-attribute' | 'bad-request'
  | 'malformed' | 'ignored' | 'bad-fingerprint';

/** What one request reveals of a binding (the store's StunBinding without its history), and BINDING-CHANGE. */
export type BindingSeen = Pick<StunBinding, 'username' | 'deviceId' | 'address' | 'port' | 'protocol' | 'authenticated'> & {
  bindingChange: boolean;
};

export interface HandleResult {
  outcome: Outcome;
  reply: { data: Buffer; address: string; port: number } | null;
  /** Set when an accepted request carried CONNECTION-REQUEST-BINDING (§8.7 step 5). */
  binding: BindingSeen | null;
  /** Why a datagram was malformed or refused (for rate-limited logs). */
  detail: string | null;
}

const none = (outcome: Outcome, detail: string | null = null): HandleResult => ({ outcome, reply: null, binding: null, detail });

export function handleDatagram(datagram: Buffer, src: { address: string; port: number }, deps: HandlerDeps): HandleResult {
  const parsed = parseMessage(datagram);
  if (!parsed.ok) return none('malformed', parsed.error);
  const msg = parsed.message;
  // §8.7 step 2: only Binding Requests are answered (indications, responses, Shared Secret: dropped).
  if (msg.type !== MessageType.BindingRequest) return none('ignored', `type 0x${msg.type.toString(16).padStart(4, '0')}`);
  // RFC 5389 §7.3: a wrong FINGERPRINT means "not STUN": discard silently.
  if (msg.rfc5389 && !fingerprintValid(msg)) return none('bad-fingerprint', 'FINGERPRINT does not match');
  const address = unmapIpv4(src.address);
  const error = (code: number, outcome: Outcome, detail: string, extra: OutAttribute[] = []): HandleResult => ({
    outcome, binding: null, detail,
    reply: { data: encodeMessage(MessageType.BindingErrorResponse, msg.transactionId, [{ type: Attr.ERROR_CODE, value: errorCodeValue(code) }, ...extra], { fingerprint: msg.rfc5389 }), address, port: src.port },
  });

  const unknown = unknownRequired(msg);
  if (unknown.length > 0) {
    return error(420, 'unknown-attribute', `unknown attributes ${unknown.map((t) => '0x' + t.toString(16)).join(',')}`, [{ type: Attr.UNKNOWN_ATTRIBUTES, value: unknownAttributesValue(unknown) }]);
  }

  const crBinding = hasConnectionRequestBinding(msg);
  const username = usernameOf(msg);
  const auth = authenticate(msg, username, deps);
  if (auth.kind === 'refuse') return error(auth.code, auth.code === 401 ? 'unauthorized' : auth.code === 400 || auth.code === 432 ? 'bad-request' : 'integrity-failed', auth.detail);
  const required = deps.policy === 'always' || (deps.policy === 'cr-binding' && crBinding);
  // §8.5: no MI while the server wants authentication → 401, the CPE resends with USERNAME + MI.
  if (auth.kind === 'none' && required) return error(401, 'unauthorized', crBinding ? 'CONNECTION-REQUEST-BINDING without MESSAGE-INTEGRITY' : 'MESSAGE-INTEGRITY required');

  const dest = responseDestination(msg, address, src.port);
  const attrs = responseAttributes(msg, address, src.port, deps, dest.reflected);
  const data = encodeMessage(MessageType.BindingResponse, msg.transactionId, attrs, {
    ...(auth.kind === 'ok' ? { integrity: { key: auth.password, style: auth.style } } : {}),
    fingerprint: msg.rfc5389,
  });
  const binding: BindingSeen | null = crBinding ? {
    username, deviceId: auth.kind === 'ok' ? auth.deviceId : (username ? deps.lookup(username)?.deviceId ?? null : null),
    address, port: src.port, protocol: msg.rfc5389 ? 'rfc5389' : 'rfc3489', authenticated: auth.kind === 'ok',
    bindingChange: findAttribute(msg, Attr.BINDING_CHANGE) !== undefined,
  } : null;
  return { outcome: 'answered', reply: { data, address: dest.address, port: dest.port }, binding, detail: null };
}

/** Comprehension-required attributes we do not understand, plus CHANGE-REQUEST asking for another address. */
function unknownRequired(msg: StunMessage): number[] {
  const out: number[] = [];
  for (const a of msg.attributes) {
    if (a.type >= 0x8000) continue; // comprehension-optional: ignored (0xC001/0xC002 included, §8.4)
    if (!UNDERSTOOD_REQUIRED.has(a.type)) out.push(a.type);
    // A single socket cannot answer from another IP or port; RFC 5780 §7.2 says 420 then,
    // which is more honest than answering from the same address (a client would misjudge its NAT).
    else if (a.type === Attr.CHANGE_REQUEST && a.length >= 4 && (msg.buf.readUInt32BE(a.offset + 4) & 0x06) !== 0) out.push(a.type);
  }
  return out;
}

type Auth =
  | { kind: 'none' }
  | { kind: 'ok'; password: string; deviceId: string | null; style: IntegrityStyle }
  | { kind: 'refuse'; code: number; detail: string };

/** §8.5 and RFC 3489 §9.2 (432/430/431) / RFC 5389 §10.1.2 (400/401) when MI is present. */
function authenticate(msg: StunMessage, username: string | null, deps: HandlerDeps): Auth {
  if (msg.integrityOffset < 0) return { kind: 'none' };
  const classic = !msg.rfc5389;
  if (!username) return { kind: 'refuse', code: classic ? 432 : 400, detail: 'MESSAGE-INTEGRITY without USERNAME' };
  const cred = deps.lookup(username);
  if (!cred) return { kind: 'refuse', code: classic ? 430 : 401, detail: `unknown USERNAME ${JSON.stringify(username.slice(0, 64))}` };
  const style = verifyIntegrity(msg, cred.password);
  if (!style) return { kind: 'refuse', code: classic ? 431 : 401, detail: `MESSAGE-INTEGRITY does not verify for ${JSON.stringify(username.slice(0, 64))}` };
  return { kind: 'ok', password: cred.password, deviceId: cred.deviceId, style };
}

/**
 * RFC 3489 §9.2 RESPONSE-ADDRESS: honoured only towards the requester's own IP (Annex G's
 * binding-timeout probe uses a second port of the same CPE, §8.3), so the server is no reflector.
 */
function responseDestination(msg: StunMessage, address: string, port: number): { address: string; port: number; reflected: boolean } {
  if (msg.rfc5389) return { address, port, reflected: false };
  const ra = findAttribute(msg, Attr.RESPONSE_ADDRESS);
  if (!ra) return { address, port, reflected: false };
  const to = decodeAddressValue(attributeValue(msg, ra));
  if (!to || to.address !== address || to.port === 0) return { address, port, reflected: false };
  return { address, port: to.port, reflected: true };
}

function responseAttributes(msg: StunMessage, address: string, port: number, deps: HandlerDeps, reflected: boolean): OutAttribute[] {
  if (msg.rfc5389) {
    // §8.6: XOR-MAPPED-ADDRESS, and MAPPED-ADDRESS too for clients that predate RFC 5389.
    const attrs: OutAttribute[] = [
      { type: Attr.XOR_MAPPED_ADDRESS, address, port, xor: true },
      { type: Attr.MAPPED_ADDRESS, address, port },
    ];
    if (deps.software) attrs.push({ type: Attr.SOFTWARE, value: deps.software });
    return attrs;
  }
  // RFC 3489 §11.1: MAPPED-ADDRESS, SOURCE-ADDRESS, CHANGED-ADDRESS (+ REFLECTED-FROM).
  const attrs: OutAttribute[] = [{ type: Attr.MAPPED_ADDRESS, address, port }];
  if (deps.source) attrs.push({ type: Attr.SOURCE_ADDRESS, ...deps.source });
  const changed = deps.changed ?? deps.source;
  if (changed) attrs.push({ type: Attr.CHANGED_ADDRESS, ...changed });
  if (reflected) attrs.push({ type: Attr.REFLECTED_FROM, address, port });
  return attrs;
}
