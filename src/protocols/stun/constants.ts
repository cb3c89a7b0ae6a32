// STUN wire constants: RFC 3489 §11, RFC 5389 §6/§15/§18, TR-069 Annex G (tr069-protocol.md §8.4).

/** RFC 5389 §6: bytes 4–7 of every RFC 5389 message; absent from classic RFC 3489 messages. */
export const MAGIC_COOKIE = 0x2112a442;
export const HEADER_LENGTH = 20;

export const MessageType = {
  BindingRequest: 0x0001,
  BindingResponse: 0x0101,
  BindingErrorResponse: 0x0111,
  /** RFC 5389 §7.1: binding indication (class 01) — never answered. */
  BindingIndication: 0x0011,
  SharedSecretRequest: 0x0002,
} as const;

export const Attr = {
  MAPPED_ADDRESS: 0x0001,
  RESPONSE_ADDRESS: 0x0002,
  CHANGE_REQUEST: 0x0003,
  SOURCE_ADDRESS: 0x0004,
  CHANGED_ADDRESS: 0x0005,
  USERNAME: 0x0006,
  PASSWORD: 0x0007,
  MESSAGE_INTEGRITY: 0x0008,
  ERROR_CODE: 0x0009,
  UNKNOWN_ATTRIBUTES: 0x000a,
  REFLECTED_FROM: 0x000b,
  REALM: 0x0014,
  NONCE: 0x0015,
  XOR_MAPPED_ADDRESS: 0x0020,
  /** RFC 5780 §7.4/§7.5: PADDING and RESPONSE-PORT (comprehension-required range, understood). */
  PADDING: 0x0026,
  RESPONSE_PORT: 0x0027,
  /** Pre-RFC 5389 drafts (3489bis) used 0x8020 for XOR-MAPPED-ADDRESS. */
  XOR_MAPPED_ADDRESS_OLD: 0x8020,
  SOFTWARE: 0x8022,
  ALTERNATE_SERVER: 0x8023,
  FINGERPRINT: 0x8028,
  /** TR-069 Annex G (formerly TR-111 Part 2), tr069-protocol.md §8.4. */
  CONNECTION_REQUEST_BINDING: 0xc001,
  BINDING_CHANGE: 0xc002,
} as const;

/**
 * Comprehension-required attributes (type < 0x8000) this server understands in a Binding Request.
 * Any other one in that range is answered with 420 Unknown Attribute (RFC 3489 §9.2, RFC 5389 §7.3.1).
 */
export const UNDERSTOOD_REQUIRED: ReadonlySet<number> = new Set([
  Attr.MAPPED_ADDRESS, Attr.RESPONSE_ADDRESS, Attr.CHANGE_REQUEST, Attr.SOURCE_ADDRESS,
  Attr.CHANGED_ADDRESS, Attr.USERNAME, Attr.PASSWORD, Attr.MESSAGE_INTEGRITY, Attr.ERROR_CODE,
  Attr.UNKNOWN_ATTRIBUTES, Attr.REFLECTED_FROM, Attr.REALM, Attr.NONCE, Attr.XOR_MAPPED_ADDRESS,
  Attr.PADDING,
]);

/**
 * TR-069 Annex G: the CONNECTION-REQUEST-BINDING value, 20 bytes with one trailing space so the
 * length is a multiple of 4 (tr069-protocol.md §8.4).
 */
export const TR111_BINDING_VALUE = 'dslforum.org/TR-111 ';

/** RFC 5389 §15.5: FINGERPRINT = CRC-32 XOR this. */
export const FINGERPRINT_XOR = 0x5354554e;

export const ErrorReason: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  420: 'Unknown Attribute',
  430: 'Stale Credentials',
  431: 'Integrity Check Failure',
  432: 'Missing Username',
  500: 'Server Error',
};
