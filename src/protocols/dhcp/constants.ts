// DHCPv4 numbers used by Outpost (RFC 2131, RFC 2132, RFC 3046, RFC 3925).

/** RFC 2131 §2: the fixed BOOTP header is 236 bytes, then the 4-byte magic cookie. */
export const HEADER_LEN = 236;
export const COOKIE = 0x63825363; // RFC 2131 §3 / RFC 1497
export const OPTIONS_OFFSET = HEADER_LEN + 4;
/** RFC 1542 §3.5 / RFC 2131 §2: a BOOTP message is at least 300 bytes (64-byte vend area). */
export const BOOTP_MIN_LEN = 300;
/** RFC 2131 §2: every client must accept 576-byte IP datagrams (548 bytes of DHCP message). */
export const DEFAULT_MAX_MESSAGE = 576 - 20 - 8;
export const SNAME_OFFSET = 44;
export const SNAME_LEN = 64;
export const FILE_OFFSET = 108;
export const FILE_LEN = 128;

export const BOOTREQUEST = 1;
export const BOOTREPLY = 2;
/** RFC 2131 §2 flags: the broadcast bit. */
export const FLAG_BROADCAST = 0x8000;

/** RFC 2132 §9.6 message types. */
export const MessageType = {
  DISCOVER: 1,
  OFFER: 2,
  REQUEST: 3,
  DECLINE: 4,
  ACK: 5,
  NAK: 6,
  RELEASE: 7,
  INFORM: 8,
} as const;
export type MessageTypeCode = (typeof MessageType)[keyof typeof MessageType];
export const MESSAGE_TYPE_NAMES: Record<number, string> = Object.fromEntries(Object.entries(MessageType).map(([k, v]) => [v, k]));

/** RFC 2132 option codes. */
export const Opt = {
  PAD: 0,
  SUBNET_MASK: 1,
  ROUTER: 3,
  DNS: 6,
  HOSTNAME: 12,
  DOMAIN_NAME: 15,
  NTP: 42,
  VENDOR_SPECIFIC: 43,
  REQUESTED_IP: 50,
  LEASE_TIME: 51,
  OVERLOAD: 52,
  MESSAGE_TYPE: 53,
  SERVER_ID: 54,
  PARAM_REQUEST_LIST: 55,
  MESSAGE: 56,
  MAX_MESSAGE_SIZE: 57,
  RENEWAL_TIME: 58,
  REBINDING_TIME: 59,
  VENDOR_CLASS: 60,
  CLIENT_ID: 61,
  TFTP_SERVER: 66,
  BOOTFILE: 67,
  RELAY_AGENT: 82,
  VI_VENDOR_CLASS: 124,
  VI_VENDOR_SPECIFIC: 125,
  TFTP_SERVERS_150: 150,
  END: 255,
} as const;

/** RFC 3046 §2.0 relay agent sub-options. */
export const RelaySub = { CIRCUIT_ID: 1, REMOTE_ID: 2 } as const;

/** Broadband Forum enterprise number (TR-069 §3.1, Annex F). */
export const BBF_ENTERPRISE = 3561;
/** TR-069 §3.1 CWMP sub-options of option 43 (tr069-protocol.md §9.1). */
export const CwmpSub = { ACS_URL: 1, PROVISIONING_CODE: 2, RETRY_MIN_WAIT: 3, RETRY_MULTIPLIER: 4 } as const;
/** TR-069 Annex F option 125 / 3561 sub-options (tr069-protocol.md §9.2). */
export const AnnexFSub = {
  DEVICE_OUI: 1, DEVICE_SERIAL: 2, DEVICE_PRODUCT_CLASS: 3,
  GATEWAY_OUI: 4, GATEWAY_SERIAL: 5, GATEWAY_PRODUCT_CLASS: 6,
} as const;
